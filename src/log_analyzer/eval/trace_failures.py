"""Golden incidents whose failure is logged as a stack trace, split one entry per line.

A Java migration and its requests' Hibernate traces, a Python model that will not load, a Go
program out of memory in a restart loop, a migration's traceback: the trace's event lines must
make one pattern, whatever the depth of the stack. Listed with the others in
:data:`log_analyzer.eval.failures.FAILURES`.
"""

from __future__ import annotations

from log_analyzer.eval.background import (
    access_log,
    health_checks,
    heartbeat,
)
from log_analyzer.eval.incident import Incident, Kind
from log_analyzer.eval.shapes import (
    go_panic_shape,
    json_shape,
    logfmt_shape,
    python_shape,
    spring_shape,
)

_LIQUIBASE_TRACE = (
    "liquibase.exception.MigrationFailedException: Migration failed for changeset "
    "db/changelog/042-orders-index.yaml::42::dev:",
    "     Reason: liquibase.exception.DatabaseException: ERROR: column \"customer_ref\" does "
    "not exist",
    "\tat liquibase.changelog.ChangeSet.execute(ChangeSet.java:797)",
    "\tat liquibase.changelog.visitor.UpdateVisitor.visit(UpdateVisitor.java:57)",
    "\tat liquibase.changelog.ChangeLogIterator.run(ChangeLogIterator.java:125)",
    "\tat liquibase.Liquibase.update(Liquibase.java:214)",
    "\tat org.springframework.boot.SpringApplication.run(SpringApplication.java:1306)",
    "Caused by: org.postgresql.util.PSQLException: ERROR: column \"customer_ref\" does not exist",
    "\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse"
    "(QueryExecutorImpl.java:2713)",
    "\tat org.postgresql.jdbc.PgStatement.execute(PgStatement.java:327)",
    "\t... 23 more",
)  # fmt: skip
_REQUEST_TRACE = (
    "org.springframework.dao.InvalidDataAccessResourceUsageException: could not extract ResultSet",
    "\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException"
    "(HibernateJpaDialect.java:256)",
    "\tat org.springframework.orm.jpa.JpaTransactionManager.doCommit"
    "(JpaTransactionManager.java:565)",
    "\tat com.market.orders.OrderController.list(OrderController.java:88)",
    "\tat java.base/java.lang.Thread.run(Thread.java:1583)",
    "Caused by: org.hibernate.exception.SQLGrammarException: could not extract ResultSet",
    "\tat org.hibernate.exception.internal.SQLStateConversionDelegate.convert"
    "(SQLStateConversionDelegate.java:89)",
    "\t... 41 more",
)  # fmt: skip

JAVA_TRACES = Incident(
    "java-split-trace",
    "A deploy of orders ran a database migration that failed (a split Liquibase stack trace); "
    "every request then fails with its own split Hibernate trace.",
    "orders",
    104,
    (
        Kind("orders", "error", "Application run failed: migration did not complete",
             spring_shape("main", "o.s.boot.SpringApplication", _LIQUIBASE_TRACE), 1,
             (0.3, 0.3), marker="migration did not complete", cause=True),
        Kind("orders", "error",
             "Servlet.service() for servlet [dispatcherServlet] threw exception for GET /orders",
             spring_shape("http-nio-8080-exec-4", "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                          _REQUEST_TRACE),
             700, (0.301, 1.0), marker="threw exception for GET /orders"),
        Kind("storefront", "warn", "orders API answered 500, showing an empty order history",
             json_shape("storefront.orders"), 650, (0.302, 1.0),
             marker="showing an empty order history"),
        access_log("storefront", 2_000),
        health_checks("orders", 360),
    ),
)  # fmt: skip

_MODEL_TRACE = (
    "Traceback (most recent call last):",
    '  File "/app/recommender/models.py", line 41, in load_ranker',
    "    session = ort.InferenceSession(path)",
    '  File "/usr/local/lib/python3.12/site-packages/onnxruntime/capi/session.py", line 419, '
    "in __init__",
    "    self._create_inference_session(providers, provider_options)",
    "FileNotFoundError: [Errno 2] No such file or directory: '/models/ranker-v7.onnx'",
)  # fmt: skip
_PREDICT_TRACE = (
    "Traceback (most recent call last):",
    '  File "/app/recommender/api.py", line 63, in predict',
    "    scores = RANKER.run(None, features)",
    "AttributeError: 'NoneType' object has no attribute 'run'",
)  # fmt: skip

PYTHON_TRACES = Incident(
    "python-split-trace",
    "The recommender's new version could not load its model file (a split Python traceback at "
    "start-up); every prediction then fails with a traceback of its own.",
    "reco",
    105,
    (
        Kind("recommender", "error", "failed to load ranking model ranker-v7",
             python_shape("recommender.models", _MODEL_TRACE), 1, (0.25, 0.25),
             marker="failed to load ranking model", cause=True),
        Kind("recommender", "error", "Exception on /v1/predict [POST]",
             python_shape("recommender.api", _PREDICT_TRACE), 1_100, (0.251, 1.0),
             marker="Exception on /v1/predict"),
        Kind("homepage", "warn", "recommendations unavailable, falling back to bestsellers",
             json_shape("homepage.reco"), 1_000, (0.252, 1.0),
             marker="falling back to bestsellers"),
        access_log("homepage", 2_500, "/"),
        health_checks("recommender", 360),
    ),
)  # fmt: skip


_OOM_STACK = (
    "",
    "runtime stack:",
    "runtime.throw({0x1a5c1e0?, 0x7f3a2c?})",
    "\t/usr/local/go/src/runtime/panic.go:1023 +0x5c fp=0x7ffd5e1c8a40 sp=0x7ffd5e1c8a10",
    "runtime.(*mheap).grow(0x2a6e4a0, 0x8000?)",
    "\t/usr/local/go/src/runtime/mheap.go:1480 +0x2b4 fp=0x7ffd5e1c8ab8 sp=0x7ffd5e1c8a40",
    "goroutine 1 [running]:",
    "main.(*Resizer).Decode(0xc000132000, {0xc01a000000, 0x4c4b400, 0x4c4b400})",
    "\t/src/resizer/decode.go:88 +0x1f4",
)  # fmt: skip

OOM_LOOP = Incident(
    "oomkilled-restart-loop",
    "A huge upload makes the image resizer run out of memory; it crashes, restarts, picks the "
    "same job again and crashes again, while the media API fails its calls.",
    "media",
    107,
    (
        Kind("image-resizer", "fatal", "fatal error: runtime: out of memory",
             go_panic_shape(_OOM_STACK), 1, (0.33, 0.33), marker="runtime: out of memory",
             cause=True),
        Kind("image-resizer", "fatal", "fatal error: runtime: out of memory",
             go_panic_shape(_OOM_STACK), 5, (0.4, 0.95), marker="runtime: out of memory"),
        Kind("image-resizer", "info", "resizer v2.3.1 starting, workers={n}",
             logfmt_shape("main.go:31"), 6, (0.34, 0.96)),
        Kind("media-api", "error",
             "resize {uuid}: dial tcp {ip}:8080: connect: connection refused",
             json_shape("media.resize"), 2_400, (0.331, 1.0), marker="connect: connection refused"),
        Kind("media-api", "warn", "job {uuid} requeued after resizer failure ({n} attempts)",
             json_shape("media.jobs"), 400, (0.332, 1.0), marker="requeued after resizer failure"),
        heartbeat("image-resizer", 900),
        access_log("media-api", 2_000, "/media/{n}.jpg"),
    ),
)  # fmt: skip


_MIGRATION_TRACE = (
    "Traceback (most recent call last):",
    '  File "/app/migrate.py", line 41, in <module>',
    '    command.upgrade(cfg, "head")',
    'sqlalchemy.exc.ProgrammingError: (psycopg2.errors.DuplicateColumn) column "tier" of relation '
    '"accounts" already exists',
)

FAILED_MIGRATION = Incident(
    "failed-migration",
    "A schema migration job fails half way (its traceback split one line per entry) and rolls "
    "back; the new API version queries a column that was never added.",
    "accounts",
    113,
    (
        Kind("migrate", "error", "migration 0042_add_tier failed, rolling back",
             python_shape("alembic.runtime.migration", _MIGRATION_TRACE), 1, (0.4, 0.4),
             marker="migration 0042_add_tier failed", cause=True),
        Kind("accounts-api", "error",
             "query failed: column accounts.tier_limit does not exist (request {hex})",
             json_shape("accounts.db"), 2_500, (0.4005, 1.0), marker="tier_limit does not exist"),
        access_log("accounts-api", 2_000, "/v1/accounts/{n}"),
        health_checks("accounts-api", 360),
    ),
)  # fmt: skip

# Eighty key=value pairs of request context before the message: longer than a line is shown.

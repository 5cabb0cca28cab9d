"""Golden incidents caused by a failure that is logged as one: a fatal line, a crash, a trace.

Each is a story an on-call engineer would recognise; the counts and timings are the ones that
make it hard (a rare cause under a storm, a cause in the middle of a busy window, stack traces
split one entry per line, one failure in two formats, two incidents at once).
"""

from __future__ import annotations

from log_analyzer.eval.background import (
    ALONG,
    access_log,
    along,
    cache_stats,
    health_checks,
    heartbeat,
)
from log_analyzer.eval.incident import Incident, Kind
from log_analyzer.eval.shapes import (
    go_panic_shape,
    json_shape,
    klog_shape,
    logfmt_shape,
    postgres_shape,
    prefix_shape,
    python_shape,
    raw_shape,
    spring_shape,
)

STORM = Incident(
    "storm-db-password",
    "A secret rotation left payments with a stale database password: one FATAL line, then "
    "30,000 checkout errors about payments' 503s and the frontend's 502s.",
    "shop",
    101,
    (
        Kind("payments", "fatal",
             'password authentication failed for user payments (db=orders-db:5432)',
             json_shape("payments.db"), 1, (0.2, 0.2),
             marker="password authentication failed for user", cause=True),
        Kind("checkout", "error", "upstream payments returned 503 for order {hex} after {n} ms",
             json_shape("checkout.client", trace_id="{trace}"), 30_000, (0.2002, 1.0),
             marker="upstream payments returned 503 for order"),
        Kind("frontend", "error",
             "POST /api/checkout -> 502 Bad Gateway (upstream checkout) in {ms}ms",
             klog_shape("proxy.go:212"), 1_500, (0.2005, 1.0), marker="502 Bad Gateway"),
        access_log("frontend", 2_000),
        health_checks("payments", 360),
        cache_stats("checkout", 180),
    ),
)  # fmt: skip

BUSY = Incident(
    "busy-window-disk-full",
    "An ingest service has failed its uploads since before the window; in the middle of it the "
    "orders database runs out of disk, and the orders API then fails every write.",
    "data",
    102,
    (
        Kind("ingest", "warn", "retrying batch upload to object store: context deadline exceeded",
             logfmt_shape("uploader/batch.go:141"), along(9_000), ALONG,
             marker="retrying batch upload to object store"),
        Kind("ingest", "error", "giving up on batch {hex} after {n} attempts",
             logfmt_shape("uploader/batch.go:163"), along(900), ALONG,
             marker="giving up on batch"),
        Kind("orders-db", "fatal",
             'could not write to file "pg_wal/xlogtemp.{n}": No space left on device',
             postgres_shape(88), 1, (0.52, 0.52), marker="No space left on device",
             cause=True, stateful=True),
        Kind("orders-db", "error",
             "could not extend file base/{n}/{n}: wrote only {n} of 8192 bytes",
             postgres_shape(91), 3, (0.5201, 0.53), marker="could not extend file",
             stateful=True),
        Kind("orders-api", "error",
             "insert order {uuid}: pq: the database system is in recovery mode",
             json_shape("orders.repo"), 2_500, (0.5202, 1.0),
             marker="the database system is in recovery mode"),
        access_log("orders-api", 1_500, "/api/orders/{n}"),
        health_checks("orders-api", 360),
        heartbeat("ingest", 1_800),
    ),
)  # fmt: skip

TWO_AT_ONCE = Incident(
    "two-incidents",
    "Two independent failures: search's JVM trips its circuit breaker early in the window, and "
    "billing's bank certificate expires later; each cascades into its own callers.",
    "market",
    103,
    (
        Kind("search", "error",
             "CircuitBreakingException: [parent] Data too large, data for "
             "[indices:data/read/search] "
             "would be [{n}b], which is larger than the limit",
             spring_shape("search-pool-3", "o.e.i.b.HierarchyCircuitBreakerService"), 1,
             (0.15, 0.15), marker="Data too large, data for", cause=True),
        Kind("search", "error", "search request {hex} rejected: es_rejected_execution_exception",
             spring_shape("search-pool-1", "c.m.search.SearchController"), 1_200, (0.1502, 1.0),
             marker="es_rejected_execution_exception"),
        Kind("catalog", "warn", "search backend slow, serving cached results for query {hex}",
             json_shape("catalog.search"), 2_000, (0.1503, 1.0),
             marker="serving cached results for query"),
        Kind("billing", "error",
             "charge {uuid} failed: SSL: CERTIFICATE_VERIFY_FAILED certificate verify failed: "
             "certificate has expired",
             python_shape("billing.bank"), 1, (0.61, 0.61), marker="certificate has expired",
             cause=True),
        Kind("billing", "error", "bank API call failed for invoice {n}, will retry in {n}s",
             python_shape("billing.retry"), 900, (0.6102, 1.0),
             marker="bank API call failed for invoice"),
        Kind("invoices", "warn", "invoice {n} stays pending: billing unavailable",
             logfmt_shape("invoice/state.go:77"), 600, (0.6105, 1.0),
             marker="stays pending: billing unavailable"),
        access_log("catalog", 2_500),
        health_checks("billing", 360),
    ),
)  # fmt: skip

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

MIXED = Incident(
    "mixed-formats",
    "Redis failed over and inventory lost its primary; cart, mid-rollout with one pod on the "
    "old version, logs the same failure as JSON in one pod and as plain text in the other.",
    "cart",
    106,
    (
        Kind("inventory", "fatal",
             "lost connection to redis primary: READONLY You can't write against a read only "
             "replica", logfmt_shape("store/redis.go:212"), 1, (0.4, 0.4),
             marker="write against a read only replica", cause=True),
        Kind("inventory", "error", "reserve sku {n}: redis unavailable",
             logfmt_shape("store/reserve.go:57"), 600, (0.4002, 1.0),
             marker="redis unavailable"),
        Kind("cart", "error", "failed to reserve stock for sku {n}: inventory returned 503",
             json_shape("cart.stock"), 1_800, (0.4004, 1.0),
             marker="failed to reserve stock for sku"),
        Kind("cart", "error", "failed to reserve stock for sku {n}: inventory returned 503",
             prefix_shape("cart"), 1_700, (0.4004, 1.0),
             marker="failed to reserve stock for sku", replica=1),
        cache_stats("inventory", 180),
        health_checks("cart", 360),
        access_log("cart", 1_500, "/api/cart/{n}"),
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

CERT_EXPIRY = Incident(
    "certificate-expiry",
    "The storefront's TLS certificate expired (its renewal had failed quietly); the ingress "
    "serves its default certificate and every client call fails verification.",
    "edge",
    108,
    (
        Kind("ingress-nginx", "warn",
             "certificate edge/storefront-tls has expired, serving the default fake certificate",
             klog_shape("backend_ssl.go:47"), 1, (0.45, 0.45),
             marker="serving the default fake certificate", cause=True),
        Kind("mobile-bff", "error",
             "GET https://storefront.example.com/api/v2/home: x509: certificate signed by "
             "unknown authority", json_shape("bff.upstream"), 4_000, (0.4502, 1.0),
             marker="certificate signed by unknown authority"),
        Kind("partner-sync", "error",
             "sync run {n} aborted: tls: failed to verify certificate: x509: certificate is "
             "valid for ingress.local, not storefront.example.com",
             logfmt_shape("sync/run.go:120"), 150, (0.451, 1.0),
             marker="certificate is valid for ingress.local"),
        access_log("ingress-nginx", 3_000, "/static/{n}.css"),
        health_checks("mobile-bff", 360),
    ),
)  # fmt: skip

DISK_PANIC = Incident(
    "wal-disk-full-after-cron",
    "The warehouse database's WAL volume fills up and PostgreSQL panics; a report cron job that "
    "happened to start two seconds earlier is new at the same onset, but it is not the cause.",
    "data",
    109,
    (
        Kind("report-cron", "info", "cronjob nightly-report started, 12 partitions to scan",
             json_shape("cron"), 1, (0.5, 0.5), marker="cronjob nightly-report started"),
        Kind("warehouse-db", "fatal",
             'PANIC:  could not write to file "pg_wal/xlogtemp.{n}": No space left on device',
             postgres_shape(51), 1, (0.5012, 0.5012), marker="No space left on device",
             cause=True, stateful=True),
        Kind("etl", "error", "load batch {n} failed: server closed the connection unexpectedly",
             python_shape("etl.loader"), 2_500, (0.5013, 1.0),
             marker="server closed the connection unexpectedly"),
        Kind("dashboards", "error", "query {hex} failed: the database system is in recovery mode",
             json_shape("dash.query"), 1_200, (0.5014, 1.0),
             marker="the database system is in recovery mode"),
        access_log("dashboards", 1_500, "/d/{n}"),
        health_checks("etl", 360),
    ),
)  # fmt: skip

KAFKA_BROKER = Incident(
    "kafka-broker-oom",
    "A Kafka broker runs out of heap at startup and shuts down; producers cannot reach it and "
    "the consumers' group coordinator is gone.",
    "streaming",
    110,
    (
        Kind("kafka", "error",
             "[KafkaServer id=2] Fatal error during KafkaServer startup. Prepare to shutdown: "
             "java.lang.OutOfMemoryError: Java heap space",
             spring_shape("main", "kafka.server.KafkaServer"), 1, (0.3, 0.3),
             marker="java.lang.OutOfMemoryError: Java heap space", cause=True, stateful=True),
        Kind("orders-producer", "warn",
             "[Producer clientId=orders] Connection to node 2 (kafka-2.kafka-headless/{ip}:9092) "
             "could not be established. Broker may not be available.",
             spring_shape("kafka-producer-network-thread", "o.a.k.clients.NetworkClient"), 2_500,
             (0.3002, 1.0), marker="Broker may not be available"),
        Kind("billing-consumer", "error",
             "Offset commit failed on partition orders-{n} at offset {n}: The coordinator is not "
             "available.", spring_shape("consumer-1", "o.a.k.c.c.i.ConsumerCoordinator"), 1_200,
             (0.3003, 1.0), marker="The coordinator is not available"),
        access_log("orders-api", 2_000, "/api/orders/{n}"),
        heartbeat("billing-consumer", 900),
    ),
)  # fmt: skip

CERT_RENEWAL = Incident(
    "cert-renewal-rate-limited",
    "cert-manager cannot renew a certificate (the ACME server rate-limits it) and retries for "
    "minutes; the certificate expires and the storefront's calls fail verification.",
    "ingress",
    111,
    (
        Kind("cert-manager", "error",
             'error="failed to finalize order: 429 urn:ietf:params:acme:error:rateLimited: too '
             'many certificates already issued" certificate=ingress/shop-tls',
             klog_shape("sync.go:190"), 4, (-0.5, -0.05), marker="acme:error:rateLimited"),
        Kind("cert-manager", "error",
             'error="failed to finalize order: 429 urn:ietf:params:acme:error:rateLimited: too '
             'many certificates already issued" certificate=ingress/shop-tls',
             klog_shape("sync.go:190"), 6, (0.0, 0.55), marker="acme:error:rateLimited",
             cause=True),
        Kind("storefront", "error",
             "GET https://api.shop.example/v1/cart: x509: certificate has expired or is not yet "
             "valid", json_shape("sf.http"), 3_000, (0.6, 1.0),
             marker="certificate has expired or is not yet valid"),
        access_log("storefront", 2_000, "/cart/{n}"),
        health_checks("storefront", 360),
    ),
)  # fmt: skip

REDIS_FULL = Incident(
    "redis-maxmemory",
    "The session Redis reaches maxmemory with the noeviction policy and rejects every write; "
    "sessions cannot be saved and logins fail.",
    "sessions",
    112,
    (
        Kind("redis", "warn",
             "WARNING: used memory reached maxmemory (4gb) with policy noeviction, rejecting "
             "writes", prefix_shape("redis"), 1, (0.42, 0.42), marker="reached maxmemory",
             cause=True, stateful=True),
        Kind("session-api", "error",
             "save session {hex}: OOM command not allowed when used memory > 'maxmemory'.",
             python_shape("sessions.store"), 2_500, (0.4201, 1.0),
             marker="OOM command not allowed"),
        Kind("login", "error", "login for user {n} failed: session store unavailable",
             json_shape("login.http"), 900, (0.4203, 1.0), marker="session store unavailable"),
        access_log("login", 2_000, "/login"),
        health_checks("session-api", 360),
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
_LONG_CONTEXT = "request context: " + " ".join(f"k{i}=v{i}" for i in range(80)) + " | "

LONG_LINE = Incident(
    "cause-at-the-end-of-a-long-line",
    "The ledger's volume hits its quota; the line that says so carries a long request context "
    "first, and payments fail their charges.",
    "pay",
    114,
    (
        Kind("ledger", "error",
             _LONG_CONTEXT + "ledger write rejected: disk quota exceeded on volume ledger-data-0",
             json_shape("ledger.write"), 2, (0.5, 0.5), marker="disk quota exceeded on volume",
             cause=True),
        Kind("payments", "error", "charge {hex} failed: ledger unavailable",
             json_shape("payments.charge"), 3_000, (0.5003, 1.0), marker="ledger unavailable"),
        access_log("payments", 2_000, "/charge/{n}"),
        health_checks("payments", 360),
    ),
)  # fmt: skip

KILLED = Incident(
    "worker-killed-no-level",
    "The report worker's process is OOM-killed; the only line saying so is its shell "
    "wrapper's, with no level; reports hang and the queue has no consumer.",
    "batch",
    115,
    (
        Kind("report-worker", "unknown",
             "/entrypoint.sh: line 12:     7 Killed                  python -m worker --queue "
             "reports", raw_shape(), 1, (0.45, 0.45), marker="python -m worker --queue reports",
             cause=True),
        Kind("report-api", "error", "report {hex} stuck in state RUNNING for over 60s, worker lost",
             json_shape("reports.watchdog"), 800, (0.452, 1.0), marker="worker lost"),
        Kind("report-api", "warn", "queue reports has {n} pending jobs and no consumer",
             logfmt_shape("queue/monitor.go:30"), 400, (0.451, 1.0),
             marker="pending jobs and no consumer"),
        access_log("report-api", 1_500, "/reports/{n}"),
        heartbeat("report-worker", 900),
    ),
)  # fmt: skip

FAILURES = (
    STORM,
    BUSY,
    TWO_AT_ONCE,
    JAVA_TRACES,
    PYTHON_TRACES,
    MIXED,
    OOM_LOOP,
    CERT_EXPIRY,
    DISK_PANIC,
    KAFKA_BROKER,
    CERT_RENEWAL,
    REDIS_FULL,
    FAILED_MIGRATION,
    LONG_LINE,
    KILLED,
)

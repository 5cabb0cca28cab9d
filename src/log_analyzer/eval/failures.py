"""Golden incidents caused by a failure that is logged as one: a fatal line, a crash, a trace.

Each is a story an on-call engineer would recognise; the counts and timings are the ones that
make it hard (a rare cause under a storm, a cause in the middle of a busy window, stack traces
split one entry per line, one failure in two formats, two incidents at once).

The stack-trace incidents are in :mod:`~log_analyzer.eval.trace_failures`, the failing
infrastructure in :mod:`~log_analyzer.eval.infra_failures`; :data:`FAILURES` lists them all.
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
from log_analyzer.eval.infra_failures import (
    CERT_EXPIRY,
    CERT_RENEWAL,
    DISK_PANIC,
    KAFKA_BROKER,
    REDIS_FULL,
)
from log_analyzer.eval.shapes import (
    json_shape,
    klog_shape,
    logfmt_shape,
    postgres_shape,
    prefix_shape,
    python_shape,
    raw_shape,
    spring_shape,
)
from log_analyzer.eval.trace_failures import FAILED_MIGRATION, JAVA_TRACES, OOM_LOOP, PYTHON_TRACES

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

"""Golden incidents caused by a change that is not logged as an error, and a quiet window.

A config reload, a DNS configuration change, a batch job's start, a slow query, a lost lease:
the line that explains the incident is at info (or a plain) level, so the default error/warning
filter drops it and only the minutes before the onset can show it. The quiet window has no
incident at all.
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
    coredns_shape,
    json_shape,
    klog_shape,
    logfmt_shape,
    postgres_shape,
    spring_shape,
)

CONFIG_CHANGE = Incident(
    "config-change-timeouts",
    "A config reload cut inventory's upstream timeout from 5s to 50ms; thousands of timeouts "
    "follow in checkout and inventory.",
    "shop",
    201,
    (
        Kind("inventory", "info",
             "config reloaded from configmap inventory-config: upstream_timeout 5s -> 50ms",
             json_shape("inventory.config"), 1, (0.4, 0.4),
             marker="config reloaded from configmap", cause=True),
        Kind("inventory", "error", "stock lookup for sku {n} timed out: context deadline exceeded",
             json_shape("inventory.stock"), 5_000, (0.401, 1.0),
             marker="stock lookup for sku"),
        Kind("checkout", "error", "reserve items for cart {hex}: inventory call timed out",
             logfmt_shape("checkout/reserve.go:93"), 3_000, (0.4012, 1.0),
             marker="inventory call timed out"),
        access_log("checkout", 2_000, "/api/checkout/{n}"),
        health_checks("inventory", 360),
        cache_stats("inventory", 180),
    ),
)  # fmt: skip

DNS = Incident(
    "dns-config-change",
    "A CoreDNS Corefile edit dropped the cluster zone's forward rule; CoreDNS reloads it, and "
    "every service then fails to resolve the database's name.",
    "kube-system",
    202,
    (
        Kind("coredns", "info", "plugin/reload: Running configuration SHA512 = {trace}{trace}",
             coredns_shape(), 1, (0.35, 0.35), marker="plugin/reload: Running configuration",
             cause=True),
        Kind("coredns", "error",
             "plugin/errors: 2 orders-db.shop.svc.cluster.local. A: read udp {ip}:{port}->"
             "10.96.0.10:53: i/o timeout", coredns_shape(), 2_000, (0.3502, 1.0),
             marker="orders-db.shop.svc.cluster.local. A: read udp"),
        Kind("orders-api", "error",
             "connect to database: dial tcp: lookup orders-db.shop.svc.cluster.local on "
             "10.96.0.10:53: no such host", json_shape("orders.db"), 3_000, (0.3503, 1.0),
             marker="no such host"),
        Kind("coredns", "info", "{ip}:{port} - {n} AAAA IN api.github.com. udp 32 false 512 "
             "NOERROR qr,rd,ra 140 0.0{n}s", coredns_shape(), along(2_500), ALONG),
        health_checks("orders-api", 360),
    ),
)  # fmt: skip

LEADER = Incident(
    "leader-election-lost",
    "The orders operator lost its lease during an API server hiccup and exited; for the next "
    "minutes nobody serves its admission webhook, so every order write is refused.",
    "operators",
    203,
    (
        Kind("orders-operator", "fatal", "leaderelection lost",
             klog_shape("server.go:264"), 1, (0.5, 0.5), marker="leaderelection lost", cause=True),
        Kind("orders-operator", "info",
             "attempting to acquire leader lease operators/orders-operator...",
             klog_shape("leaderelection.go:250"), 4, (0.5004, 0.56)),
        Kind("orders-api", "error",
             'admission webhook denied: failed calling webhook validate.orders.shop.io: '
             'Post https://orders-operator.operators.svc:443/validate: dial tcp {ip}:9443: '
             'connect: connection refused', json_shape("orders.k8s"), 2_500, (0.5002, 0.9),
             marker="failed calling webhook validate.orders.shop.io"),
        Kind("orders-operator", "info", "reconciled order {uuid} in {ms}ms",
             klog_shape("controller.go:327"), 2_250, (-0.5, 0.5)),
        access_log("orders-api", 1_500, "/api/orders/{n}"),
    ),
)  # fmt: skip

POOL = Incident(
    "connection-pool-exhaustion",
    "A new report query runs for minutes and holds every database connection; the API's "
    "connection pool is exhausted and its requests time out.",
    "finance",
    204,
    (
        Kind("ledger-db", "info",
             "duration: {n}.113 ms  statement: SELECT account_id, sum(amount) FROM ledger_entries "
             "JOIN accounts USING (account_id) GROUP BY account_id",
             postgres_shape(412), 3, (0.3, 0.31), marker="sum(amount) FROM ledger_entries",
             cause=True, stateful=True),
        Kind("ledger-api", "error",
             "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
             spring_shape("http-nio-8080-exec-9", "o.h.engine.jdbc.spi.SqlExceptionHelper"),
             4_000, (0.305, 1.0), marker="Connection is not available, request timed out"),
        Kind("ledger-api", "warn",
             "HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta={n}s).",
             spring_shape("HikariPool-1 housekeeper", "com.zaxxer.hikari.pool.HikariPool"),
             12, (0.31, 1.0), marker="Thread starvation or clock leap detected"),
        Kind("ledger-db", "info", "checkpoint complete: wrote {n} buffers ({n}.0%)",
             postgres_shape(60), along(6), ALONG, stateful=True),
        access_log("ledger-api", 2_000, "/v1/balances/{n}"),
        health_checks("ledger-api", 360),
    ),
)  # fmt: skip

RATE_LIMIT = Incident(
    "rate-limited-by-provider",
    "A nightly export job started with 64 concurrent workers; the payment provider rate-limits "
    "the shared API key, and checkout's payment calls fail.",
    "payments",
    205,
    (
        Kind("export-orders", "info",
             "starting nightly export job export-orders concurrency=64 batch_size=500",
             json_shape("export.job"), 1, (0.3, 0.3), marker="starting nightly export job",
             cause=True),
        Kind("export-orders", "info", "exported batch {n} ({n} rows)",
             json_shape("export.job"), 900, (0.3001, 1.0)),
        Kind("payments", "warn", "provider answered 429 Too Many Requests, retry after {n}s",
             logfmt_shape("provider/client.go:201"), 3_000, (0.301, 1.0),
             marker="429 Too Many Requests"),
        Kind("checkout", "error", "payment authorization for order {hex} failed: rate limited by "
             "provider", json_shape("checkout.pay"), 1_500, (0.302, 1.0),
             marker="rate limited by provider"),
        access_log("checkout", 2_000, "/api/checkout/{n}"),
        health_checks("payments", 360),
    ),
)  # fmt: skip

QUIET = Incident(
    "quiet-window",
    "Nothing is wrong: healthy traffic, a deprecation warning logged all along, and a few "
    "transient slow queries scattered through the window.",
    "shop",
    206,
    (
        Kind("catalog", "warn", "using deprecated API policy/v1beta1 PodDisruptionBudget",
             klog_shape("warnings.go:70"), along(30), ALONG, marker="using deprecated API"),
        Kind("catalog", "warn", "slow query on products took {ms}ms (threshold 500ms)",
             json_shape("catalog.db"), 4, (0.05, 0.95), marker="slow query on products"),
        access_log("catalog", 3_000),
        health_checks("catalog", 360),
        cache_stats("catalog", 180),
        heartbeat("indexer", 900),
    ),
)  # fmt: skip

CHANGES = (CONFIG_CHANGE, DNS, LEADER, POOL, RATE_LIMIT, QUIET)

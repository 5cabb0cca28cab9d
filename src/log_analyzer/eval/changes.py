"""Golden incidents caused by a change that is not logged as an error, and a quiet window.

A config reload, a DNS configuration change, a batch job's start, a slow query, a lost lease, a
deploy, a feature flag, a rotated password, an autoscaler's rescale:
the line that explains the incident is at info (or a plain) level, so the default error/warning
filter drops it and only the minutes before the onset can show it. The quiet window has no
incident at all.

The changes the cluster itself made (DNS, a lease, a rescale, a network policy, the kubelet)
are in :mod:`~log_analyzer.eval.cluster_changes`; :data:`CHANGES` lists them all.
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
from log_analyzer.eval.cluster_changes import DNS, LEADER, LIVENESS, NETWORK_POLICY, SCALE_DOWN
from log_analyzer.eval.incident import Incident, Kind
from log_analyzer.eval.shapes import (
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

_NPE_FRAMES = (
    "\tat com.shop.pricing.DiscountService.apply(DiscountService.java:57)",
    "\tat com.shop.pricing.PriceController.quote(PriceController.java:31)",
    "\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:883)",
)

BAD_DEPLOY = Incident(
    "bad-deploy",
    "Pricing 2.4.1 rolls out with a bug: a missing discount is null; every quote fails and "
    "checkout's calls to pricing fail with it.",
    "shop",
    207,
    (
        Kind("pricing", "info", "starting pricing version=2.4.1 commit=9f3c2ab profile=prod",
             logfmt_shape("main.go:40"), 3, (0.5, 0.503), marker="starting pricing version=",
             cause=True),
        Kind("pricing", "error",
             'Cannot invoke "com.shop.pricing.Discount.rate()" because "discount" is null',
             spring_shape("http-nio-8080-exec-{n}", "c.s.p.PriceController", _NPE_FRAMES), 900,
             (0.5035, 1.0), marker='because "discount" is null'),
        Kind("checkout", "error", "pricing quote for cart {hex} failed: 500 Internal Server Error",
             json_shape("checkout.pricing"), 2_500, (0.504, 1.0), marker="pricing quote for cart"),
        Kind("pricing", "warn", "slow rule evaluation for campaign {n} took {ms}ms",
             json_shape("pricing.rules"), along(40), ALONG, marker="slow rule evaluation"),
        access_log("checkout", 2_000, "/api/cart/{n}"),
        health_checks("pricing", 360),
    ),
)  # fmt: skip

FEATURE_FLAG = Incident(
    "feature-flag-flip",
    "Someone turns a flag on for all traffic; the new tax engine it enables rejects a region "
    "code, billing fails its invoices and checkout falls back to cached rates.",
    "billing",
    208,
    (
        Kind("flags", "info", "flag new-tax-engine set to on for 100% of traffic by alice",
             json_shape("flags.audit"), 1, (0.6, 0.6), marker="flag new-tax-engine set to on",
             cause=True),
        Kind("billing", "error",
             "tax calculation failed for invoice {hex}: unsupported region code",
             json_shape("billing.tax"), 1_500, (0.6004, 1.0), marker="unsupported region code"),
        Kind("checkout", "warn", "falling back to cached tax rates for order {hex}",
             logfmt_shape("tax/client.go:77"), 700, (0.6006, 1.0),
             marker="falling back to cached tax rates"),
        access_log("checkout", 2_000, "/api/orders/{n}"),
        cache_stats("billing", 180),
        heartbeat("invoicer", 900),
    ),
)  # fmt: skip

SECRET_ROTATION = Incident(
    "secret-rotation",
    "An operator rotates the database password; the API keeps its pool's old credentials, and "
    "both the database and the API log the failed logins.",
    "orders",
    209,
    (
        Kind("secrets-operator", "info",
             "rotated credentials for database user orders_app (secret orders-db-creds version 7)",
             json_shape("operator.rotate"), 1, (0.45, 0.45),
             marker="rotated credentials for database user", cause=True),
        Kind("orders-db", "error", 'FATAL:  password authentication failed for user "orders_app"',
             postgres_shape(88), 2_000, (0.4503, 1.0), marker="password authentication failed for",
             stateful=True),
        Kind("orders-api", "error",
             "acquire connection: pq: password authentication failed (pool size {n})",
             json_shape("orders.db"), 3_000, (0.4504, 1.0), marker="acquire connection: pq:"),
        access_log("orders-api", 1_500, "/api/orders/{n}"),
        health_checks("orders-api", 360),
    ),
)  # fmt: skip

GC_PRESSURE = Incident(
    "gc-pauses-louder",
    "A memory leak: the search API's GC pauses, logged now and then for a while, grow ten times "
    "louder; then its requests time out at the gateway.",
    "search",
    212,
    (
        Kind("search-api", "warn", "GC pause of {ms}ms exceeded the 200ms target (heap {n}MB)",
             json_shape("search.jvm"), 20, (-0.5, -0.02), marker="GC pause of"),
        Kind("search-api", "warn", "GC pause of {ms}ms exceeded the 200ms target (heap {n}MB)",
             json_shape("search.jvm"), 20, (0.0, 0.35), marker="GC pause of", cause=True),
        Kind("search-api", "warn", "GC pause of {ms}ms exceeded the 200ms target (heap {n}MB)",
             json_shape("search.jvm"), 400, (0.35, 0.5), marker="GC pause of", cause=True),
        Kind("search-gateway", "error", "search request {hex} timed out after 2000ms",
             logfmt_shape("proxy/search.go:88"), 3_000, (0.5, 1.0),
             marker="timed out after 2000ms"),
        access_log("search-gateway", 2_000, "/search?q={n}"),
        health_checks("search-api", 360),
    ),
)  # fmt: skip

_ROUTED = ("cart", "orders", "users", "search", "reviews", "payments", "shipping", "catalog",
           "pricing", "inventory", "wishlist", "loyalty")  # fmt: skip

ROUTE_RELOAD = Incident(
    "route-reload-dozen-errors",
    "The gateway reloads a route table that has lost its upstreams; a dozen services' clients "
    "each fail in their own words, a dozen new error templates after one info line.",
    "edge",
    214,
    (
        Kind("gateway", "info",
             "route table reloaded from configmap gateway-routes (revision 42): 0 upstreams for "
             "/api", json_shape("gw.config"), 1, (0.5, 0.5), marker="route table reloaded",
             cause=True),
        *(
            Kind(service, "error",
                 f"{service} call to /api/{service} failed: no healthy upstream (route missing) "
                 "ref {hex}", json_shape(f"{service}.client"), 150,
                 (0.5002 + position * 0.0001, 1.0), marker=f"{service} call to /api/{service}")
            for position, service in enumerate(_ROUTED)
        ),
        access_log("gateway", 2_000, "/x/{n}"),
        health_checks("gateway", 360),
    ),
)  # fmt: skip

BUSY_BEFORE = Incident(
    "reload-in-a-busy-minute",
    "The API's connection limit is cut from 200 to 2 by a config reload a minute before its "
    "errors begin, in a namespace that logs forty access lines a second.",
    "busy",
    215,
    (
        Kind("api", "info", "config reloaded from configmap api-config: max_connections 200 -> 2",
             json_shape("api.config"), 1, (0.4667, 0.4667),
             marker="config reloaded from configmap api-config", cause=True),
        Kind("api", "error", "acquire connection failed: pool exhausted (max 2) for request {hex}",
             json_shape("api.db"), 4_000, (0.5, 1.0), marker="pool exhausted (max"),
        access_log("api", 72_000, "/api/items/{n}"),
        health_checks("api", 360),
    ),
)  # fmt: skip

CHANGES = (
    CONFIG_CHANGE,
    DNS,
    LEADER,
    POOL,
    RATE_LIMIT,
    BAD_DEPLOY,
    FEATURE_FLAG,
    SECRET_ROTATION,
    SCALE_DOWN,
    NETWORK_POLICY,
    GC_PRESSURE,
    LIVENESS,
    ROUTE_RELOAD,
    BUSY_BEFORE,
    QUIET,
)

"""Held-out golden incidents whose cause was where the analysis did not look.

A storm of warnings over a few old errors (the onset was the first old error), the fields of a
JSON line (only its message was kept), a migration's start-up lines (the first, banal one led).
Written by a second red team on 2026-12-04 as held-out cases; each was a miss until the fix
named in its comment, and is kept as a regression test.
"""

from __future__ import annotations

from log_analyzer.eval.background import ALONG, access_log, along, cache_stats, health_checks
from log_analyzer.eval.incident import Incident, Kind
from log_analyzer.eval.shapes import (
    alembic_shape,
    json_shape,
    logfmt_shape,
    postgres_shape,
    python_shape,
    zap_shape,
)

# Clients back off on 429s (warnings) after a rate-limit reload (info); a few orders give up,
# beside a geoip refresh failing once a minute since before the window. The errors rise
# nowhere sharply, so the onset is the warnings' step up (`onsets.onsets_in`).
RATE_LIMIT = Incident(
    "rate-limit-reload-warning-storm",
    "The rate-limit service loads a snapshot that cuts the public domain to 10 requests a "
    "second; the mobile BFF and the partner API get 429s and back off, a few order syncs give up.",
    "edge",
    401,
    (
        Kind("ratelimit", "info",
             "runtime changed. loading new snapshot: domain=public descriptors=3 "
             "requests_per_unit=10 unit=SECOND",
             logfmt_shape("ratelimit/runtime.go:112"), 1, (0.5, 0.5),
             marker="loading new snapshot", cause=True),
        Kind("mobile-bff", "warn", "upstream rate limited (429), backing off {ms}ms route=/v2/feed",
             json_shape("bff.upstream"), 3_000, (0.5003, 1.0),
             marker="upstream rate limited (429)"),
        Kind("partner-api", "warn", "429 Too Many Requests from edge gateway; retry {n} of 5",
             logfmt_shape("client/retry.go:44"), 2_000, (0.5004, 1.0),
             marker="429 Too Many Requests from edge"),
        Kind("orders-sync", "error", "order sync {hex} gave up after 5 attempts: status 429",
             json_shape("sync.worker"), 25, (0.52, 1.0), marker="gave up after 5 attempts"),
        Kind("geoip", "error", "geoip database refresh failed: 403 from download.maxmind.com",
             json_shape("geoip.refresh"), along(30), ALONG,
             marker="geoip database refresh failed"),
        Kind("ratelimit", "debug", "cache key: public_remote_address_{ip}_{n} current: {n}",
             logfmt_shape("ratelimit/cache.go:61"), along(800), ALONG),
        access_log("mobile-bff", 2_500, "/v2/feed?page={n}"),
        health_checks("partner-api", 360),
    ),
)  # fmt: skip

# What changed is in the zap line's fields, not its message (`structured._context`).
POOL_FIELDS = Incident(
    "pool-resize-in-json-fields",
    "A config push lowers the search client's idle connections per host from 100 to 2; every "
    "query dials Elasticsearch anew and the pod runs out of ports.",
    "search",
    402,
    (
        Kind("search-api", "info",
             "config updated | key=es.max_idle_conns_per_host | old=100 | new=2",
             zap_shape("config/watch.go:77"), 1, (0.5, 0.5),
             marker="es.max_idle_conns_per_host", cause=True),
        Kind("search-api", "error",
             "query products: dial tcp {ip}:9200: connect: cannot assign requested address",
             json_shape("search.es"), 2_000, (0.53, 1.0),
             marker="cannot assign requested address"),
        Kind("web", "warn", "search degraded, showing popular products (request {hex})",
             json_shape("web.search"), 1_000, (0.531, 1.0), marker="search degraded"),
        Kind("search-api", "info", "config unchanged | key=es.hosts",
             zap_shape("config/watch.go:77"), along(30), ALONG),
        access_log("web", 2_500, "/search?q={hex}"),
        health_checks("search-api", 360),
        cache_stats("search-api", 180),
    ),
)  # fmt: skip

# A window opened inside a first storm; the second incident's cause is the last of three lines
# Alembic writes at once, the one naming a transition (`first_changes._telling`).
ALEMBIC = Incident(
    "alembic-drop-under-an-old-storm",
    "The notifier has failed every e-mail since before the window (SMTP 421); in its middle an "
    "Alembic migration drops orders.coupon_code, which the running API version still selects.",
    "shop",
    403,
    (
        Kind("notifier", "error",
             "send mail to {hex}@example.com failed: 421 4.7.0 Try again later, closing connection",
             python_shape("notifier.smtp"), along(3_000), ALONG,
             marker="421 4.7.0 Try again later"),
        Kind("orders-migrate", "info", "Context impl PostgresqlImpl.", alembic_shape(), 1,
             (0.55, 0.55)),
        Kind("orders-migrate", "info", "Will assume transactional DDL.", alembic_shape(), 1,
             (0.55001, 0.55001)),
        Kind("orders-migrate", "info",
             "Running upgrade 3f2a1b9c4d5e -> 7d4e5f6a8b9c, drop legacy coupon_code column",
             alembic_shape(), 1, (0.55003, 0.55003), marker="Running upgrade", cause=True),
        Kind("orders-api", "error",
             "psycopg2.errors.UndefinedColumn: column orders.coupon_code does not exist",
             python_shape("orders.db"), 2_500, (0.5502, 1.0), marker="UndefinedColumn"),
        Kind("orders-db", "error", "column orders.coupon_code does not exist at character {n}",
             postgres_shape(1021), 2_500, (0.5502, 1.0), marker="does not exist at character",
             stateful=True),
        Kind("storefront", "warn",
             "order history unavailable for customer {hex}, showing cached page",
             json_shape("storefront.orders"), 900, (0.551, 1.0),
             marker="order history unavailable"),
        access_log("storefront", 2_000, "/account/orders"),
        health_checks("orders-api", 360),
    ),
)  # fmt: skip

HIDDEN = (RATE_LIMIT, POOL_FIELDS, ALEMBIC)

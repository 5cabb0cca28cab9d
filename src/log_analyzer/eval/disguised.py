"""Held-out golden incidents whose cause looks like a line that is no news.

A template its numbers make the same as harmless lines, a traceback under the same head line as
an old one, a change whose telling part is at the end of a long line, a cause under a storm of
ids no masker recognises: the line that explains the incident is there, but looks like the
background. Written by a third
red team on 2026-12-05 as held-out cases, and kept as regression tests.
"""

from __future__ import annotations

from log_analyzer.eval.background import ALONG, access_log, along, health_checks
from log_analyzer.eval.daemon_shapes import redis_shape
from log_analyzer.eval.incident import Incident, Kind
from log_analyzer.eval.shapes import (
    json_shape,
    logfmt_shape,
    python_last_shape,
)

_SESSION = (
    "session write for tenant {tenant} key sess:{b62} failed: MISCONF Redis is configured to "
    "save RDB snapshots, but it's currently unable to persist to disk"
)

# Ten thousand session errors, each naming a tenant by its slug and a mixed-case key; the
# cause is Redis's one warning (repeated as it retries every few seconds).
TENANT_STORM = Incident(
    "redis-fork-under-a-storm-of-slugs",
    "The session Redis cannot fork for its RDB snapshot (no memory left for copy-on-write); "
    "with stop-writes-on-bgsave-error it refuses writes, and ten thousand session writes of "
    "every tenant fail.",
    "sessions",
    606,
    (
        Kind("redis", "warn", "Can't save in background: fork: Cannot allocate memory",
             redis_shape(), 1, (0.5, 0.5), marker="fork: Cannot allocate memory", cause=True,
             stateful=True),
        Kind("redis", "warn", "Can't save in background: fork: Cannot allocate memory",
             redis_shape(), 150, (0.503, 1.0), marker="fork: Cannot allocate memory",
             cause=True, stateful=True),
        Kind("session-api", "error", _SESSION, json_shape("sessions.store"), 10_000,
             (0.5001, 1.0), marker="MISCONF Redis is configured to save RDB snapshots"),
        Kind("login", "warn", "login for tenant {tenant} degraded: session not persisted",
             logfmt_shape("login/session.go:71"), 1_500, (0.5002, 1.0),
             marker="session not persisted"),
        Kind("redis", "info", "{n} changes in 60 seconds. Saving...", redis_shape(),
             along(30), ALONG, stateful=True),
        access_log("login", 2_000, "/login?tenant={n}"),
    ),
)  # fmt: skip

_REFUND_TRACE = (
    "Traceback (most recent call last):",
    '  File "/usr/local/lib/python3.12/site-packages/django/core/handlers/exception.py", line '
    "55, in inner",
    "    response = get_response(request)",
    '  File "/app/payments/views.py", line 88, in refund',
    "    stripe.Refund.create(charge=charge_id, api_key=settings.STRIPE_KEY)",
)  # fmt: skip
_SEARCH_TRACE = (
    "Traceback (most recent call last):",
    '  File "/usr/local/lib/python3.12/site-packages/django/core/handlers/exception.py", line '
    "55, in inner",
    "    response = get_response(request)",
    '  File "/app/catalog/views.py", line 41, in search',
    "    hits = es.search(index='products', query=query)",
)  # fmt: skip

# Django writes the same head line for every unhandled exception; the refunds' traces differ
# from the old search timeouts only in their last line, which names the expired key. The
# support desk's warnings follow the first failed refund.
ONE_HEAD = Incident(
    "same-head-line-new-last-exception",
    "The payments app's restricted Stripe key expires; every refund fails with Django's "
    "'Internal Server Error' and a traceback whose last line says so, under the same head as "
    "the search timeouts it has logged all along.",
    "payments",
    608,
    (
        *(
            Kind("payments-app", "error",
                 "Internal Server Error: /api/refunds/{n}\nstripe._error.AuthenticationError: "
                 "Expired API Key provided: rk_live_****5Xz",
                 python_last_shape("django.request", _REFUND_TRACE), count, span,
                 marker="Expired API Key provided", cause=True)
            for count, span in ((1, (0.5, 0.5)), (399, (0.5001, 1.0)))
        ),
        Kind("payments-app", "error",
             "Internal Server Error: /api/search/{n}\nelastic_transport.ConnectionTimeout: "
             "Connection timed out", python_last_shape("django.request", _SEARCH_TRACE),
             along(300), ALONG,
             marker="elastic_transport.ConnectionTimeout"),
        Kind("support-desk", "warn", "refund for ticket {n} failed with 500, queued for a human",
             json_shape("desk.refunds"), 380, (0.5002, 1.0), marker="queued for a human"),
        access_log("payments-app", 2_000, "/api/payments/{n}"),
        health_checks("payments-app", 360),
    ),
)  # fmt: skip

_SNAPSHOT = "applied config revision {n} for domain public: requests_per_unit={rate} unit=second"

# The rate-limit service re-applies its config every 40 seconds; its numbers make the one that
# cut the limit the same template as every harmless one before it.
MASKED_VALUE = Incident(
    "rate-cut-in-a-masked-number",
    "A config push sets the public domain's rate limit from 500 to 5 requests a second; the "
    "rate-limit service logs the revision as it logs every periodic re-apply, and the BFF's "
    "calls are throttled.",
    "edge",
    609,
    (
        Kind("ratelimit", "info", _SNAPSHOT.replace("{rate}", "500"),
             logfmt_shape("config/sync.go:61"), along(45), (-0.5, 0.5),
             marker="applied config revision"),
        *(
            Kind("ratelimit", "info", _SNAPSHOT.replace("{rate}", "5"),
                 logfmt_shape("config/sync.go:61"), count, span,
                 marker="applied config revision", cause=True)
            for count, span in ((1, (0.5, 0.5)), (21, (0.52, 1.0)))
        ),
        Kind("mobile-bff", "error", "GET /v2/feed for device {hex} throttled: 429 over_limit",
             json_shape("bff.feed"), 3_000, (0.5005, 1.0), marker="429 over_limit"),
        Kind("partner-api", "warn", "partner {n} request throttled by edge, retry in {ms}ms",
             logfmt_shape("edge/client.go:90"), 900, (0.501, 1.0),
             marker="request throttled by edge"),
        access_log("mobile-bff", 2_500, "/v2/feed?page={n}"),
        health_checks("ratelimit", 360),
    ),
)  # fmt: skip

_KEYS = ", ".join(f"{key}=unchanged" for key in (
    "log_level", "cache_ttl", "max_body_bytes", "cors_origins", "tracing_sample_rate",
    "retry_budget", "idle_timeout", "read_timeout", "write_timeout", "tls_min_version",
    "metrics_port", "grpc_keepalive",
))  # fmt: skip

# What changed is the last of thirteen keys of a config diff written on one info line.
LONG_DIFF = Incident(
    "changed-key-at-the-end-of-a-long-diff",
    "A config push points the checkout service's payment client at the retired payments-v1 "
    "endpoint; the diff line that says so lists twelve unchanged keys first, and every "
    "payment call is refused.",
    "shop",
    610,
    (
        Kind("checkout", "info",
             f"config diff applied (13 keys): {_KEYS}, payments_url=http://payments-v1.legacy:"
             "8080 (was http://payments.shop:8080)", json_shape("checkout.config"), 1,
             (0.45, 0.45), marker="payments_url=", cause=True),
        Kind("checkout", "error",
             "charge for cart {hex} failed: Post http://payments-v1.legacy:8080/charge: dial tcp "
             "{ip}:8080: connect: connection refused", json_shape("checkout.payments"), 2_500,
             (0.4502, 1.0), marker="Post http://payments-v1.legacy:8080/charge"),
        Kind("frontend", "warn", "checkout for cart {hex} failed with 502, showing retry page",
             logfmt_shape("checkout/client.go:120"), 1_000, (0.4504, 1.0),
             marker="showing retry page"),
        access_log("frontend", 2_500, "/cart/{n}"),
        health_checks("checkout", 360),
    ),
)  # fmt: skip

DISGUISED = (TENANT_STORM, ONE_HEAD, MASKED_VALUE, LONG_DIFF)

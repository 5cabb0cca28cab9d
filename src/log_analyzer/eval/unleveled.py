"""Golden incidents whose failures are written with no level, and whose cause is an info line.

An uncaught Python exception whose class names no error word, Go's standard ``log`` writing a
refused or failed call or a certificate it could not verify, a shell reporting that its child
segfaulted: the failing program wrote no level and no error word, so only the default filter's
crash and errno words fetch them. The cause is a line nobody logged as an error: a settings
reload with a smaller limit, a release listening on another port, the open-file limit of pods
started on upgraded nodes, a native library's version in a start-up line, a certificate
reloaded without its intermediate.
"""

from __future__ import annotations

from log_analyzer.eval.background import ALONG, access_log, along, health_checks, heartbeat
from log_analyzer.eval.incident import Incident, Kind
from log_analyzer.eval.shapes import (
    golog_shape,
    json_shape,
    logfmt_shape,
    nginx_error_shape,
    python_shape,
    raw_shape,
    uncaught_python_shape,
)

_POOL_TRACE = (
    "Traceback (most recent call last):",
    '  File "/app/recs/refresh.py", line 61, in <module>',
    "    asyncio.run(refresh(args.user))",
    '  File "/usr/local/lib/python3.12/site-packages/httpx/_transports/default.py", line 101, in '
    "map_httpcore_exceptions",
    "    raise mapped_exc(message) from exc",
)  # fmt: skip

# The refresh jobs run as one process per user; each that waits longer than the pool's timeout
# for a connection dies with an uncaught httpx.PoolTimeout, a class that names no error.
POOL_RELOAD = Incident(
    "uncaught-pool-timeout-after-settings-reload",
    "A settings reload cuts the recommendation refresher's HTTP pool from 64 connections to 4; "
    "its per-user jobs die with uncaught httpx.PoolTimeout tracebacks, and the API serves "
    "stale recommendations.",
    "recs",
    701,
    (
        Kind("recs-refresher", "info",
             "settings reloaded from /etc/recs/settings.yaml: http_pool_max_connections=4 "
             "http_pool_timeout=2.0", python_shape("recs.settings"), 1, (0.5, 0.5),
             marker="settings reloaded from", cause=True),
        Kind("recs-refresher", "unknown", "httpx.PoolTimeout",
             uncaught_python_shape(_POOL_TRACE), 450, (0.5008, 1.0), marker="httpx.PoolTimeout"),
        Kind("recs-api", "error", "recommendations for user {n} are stale: last refresh failed",
             json_shape("recs.api"), 1_500, (0.501, 1.0), marker="last refresh failed"),
        Kind("recs-api", "warn", "serving fallback recommendations for user {n}",
             logfmt_shape("recs/fallback.go:42"), 800, (0.5012, 1.0),
             marker="serving fallback recommendations"),
        Kind("recs-refresher", "info", "refreshed recommendations for user {n} in {ms}ms",
             python_shape("recs.refresh"), along(900), ALONG),
        access_log("recs-api", 2_000, "/api/recs/{n}"),
        heartbeat("recs-refresher", 900),
    ),
)  # fmt: skip

_CHARGE = (
    'charge order {hex}: Post "http://payments-api.payments.svc:8080/v1/charges": dial tcp '
    "10.96.{n}.12:8080: connect: connection refused"
)

# The release moved the server to 8443 with TLS; the Service still targets 8080. Checkout is a
# Go service writing with the standard log package: its refused calls carry no level.
PORT_MOVED = Incident(
    "release-moved-the-listening-port",
    "Payments 3.1.0 listens on 8443 with TLS, but its Service still targets 8080; checkout's "
    "calls are refused, and the storefront fails every order.",
    "payments",
    702,
    (
        *(
            Kind("payments-api", "info", "payments-api 3.0.4 listening on :8080 (tls=false)",
                 logfmt_shape("cmd/server/main.go:57"), 1, (-0.45, -0.45),
                 marker="listening on :", replica=replica)
            for replica in range(3)
        ),
        *(
            Kind("payments-api", "info", "payments-api 3.1.0 listening on :8443 (tls=true)",
                 logfmt_shape("cmd/server/main.go:57"), 1, (0.5 + replica / 1000,) * 2,
                 marker="listening on :", cause=True, replica=replica + 3)
            for replica in range(3)
        ),
        Kind("checkout", "unknown", _CHARGE, golog_shape(), 2_500, (0.5012, 1.0),
             marker="connect: connection refused"),
        Kind("storefront", "error", "order {hex} failed: payment service unavailable",
             json_shape("storefront.orders"), 1_200, (0.5015, 1.0),
             marker="payment service unavailable"),
        Kind("payments-api", "info", "charge {hex} captured in {ms}ms",
             logfmt_shape("charges/capture.go:88"), along(400), (-0.5, 0.5), replica=1),
        access_log("storefront", 2_000, "/api/orders/{n}"),
        health_checks("payments-api", 360),
    ),
)  # fmt: skip

_LIMITS = "runtime limits: open files soft={soft} hard={hard}, GOMAXPROCS=4"

# Pods started on the node pool upgraded to a newer containerd get the kernel's default soft
# limit of 1,024 open files instead of the old runtime's 1,048,576; under load they run out.
FD_LIMIT = Incident(
    "open-file-limit-after-node-upgrade",
    "The node pool's upgrade brings a containerd that no longer raises the open-file limit; "
    "the ingest pods rescheduled onto it start with a soft limit of 1024 and run out of file "
    "descriptors under load, and the collectors' batches are rejected.",
    "ingest",
    703,
    (
        *(
            Kind("ingest-api", "info",
                 _LIMITS.format(soft="1048576", hard="1048576"), logfmt_shape("main.go:88"), 1,
                 (-0.4 + replica / 100,) * 2, marker="runtime limits: open files",
                 replica=replica)
            for replica in range(3)
        ),
        *(
            Kind("ingest-api", "info", _LIMITS.format(soft="1024", hard="524288"),
                 logfmt_shape("main.go:88"), 1, (0.45 + replica / 100,) * 2,
                 marker="runtime limits: open files", cause=True, replica=replica + 3)
            for replica in range(3)
        ),
        *(
            Kind("ingest-api", "unknown",
                 "spool batch {hex}: open /var/lib/ingest/spool/{hex}.json: too many open files",
                 golog_shape(), 500, (0.55, 1.0), marker="too many open files",
                 replica=replica + 3)
            for replica in range(3)
        ),
        Kind("collector", "warn", "batch {hex} rejected by ingest-api with 503, will retry",
             json_shape("collector.ship"), 1_200, (0.551, 1.0), marker="rejected by ingest-api"),
        Kind("ingest-api", "info", "flushed {n} events to the spool in {ms}ms",
             logfmt_shape("spool/flush.go:61"), along(600), ALONG, replica=1),
        access_log("ingest-api", 2_000, "/v1/batches"),
        health_checks("collector", 360),
    ),
)  # fmt: skip

_READY = "thumbnailer {version} ready: pyvips {pyvips}, libvips {libvips}, 4 workers"

# The thumbnailer's entrypoint runs its workers from a shell loop; bash reports each worker that
# segfaults in the new libvips, with no level. The ingress loses the requests in flight.
SEGFAULT = Incident(
    "segfault-after-native-library-bump",
    "The thumbnailer's new image bumps libvips from 8.14 to 8.15, which segfaults on some WebP "
    "inputs; its workers die one after another and the ingress loses the thumbnail requests.",
    "media",
    704,
    (
        *(
            Kind("thumbnailer", "info",
                 _READY.format(version="4.2.0", pyvips="2.2.1", libvips="8.14.2"),
                 python_shape("thumbs.app"), 1, (-0.42 + replica / 100,) * 2,
                 marker="ready: pyvips", replica=replica)
            for replica in range(2)
        ),
        *(
            Kind("thumbnailer", "info",
                 _READY.format(version="4.3.0", pyvips="2.2.3", libvips="8.15.1"),
                 python_shape("thumbs.app"), 1, (0.5 + replica / 200,) * 2,
                 marker="ready: pyvips", cause=True, replica=replica + 2)
            for replica in range(2)
        ),
        Kind("thumbnailer", "unknown",
             "/entrypoint.sh: line 9:  {n} Segmentation fault      (core dumped) python -m "
             "thumbs.worker", raw_shape(), 300, (0.502, 1.0), marker="Segmentation fault",
             replica=2),
        Kind("ingress-nginx", "error",
             "*{n} upstream prematurely closed connection while reading response header from "
             'upstream, client: {ip}, server: media.example.com, request: "GET /thumbs/{n}.webp '
             'HTTP/1.1", upstream: "http://{ip}:8000/thumbs/{n}.webp"',
             nginx_error_shape("error"), 1_500, (0.5025, 1.0),
             marker="upstream prematurely closed connection"),
        Kind("media-api", "warn", "thumbnail {hex} missing, serving the placeholder",
             json_shape("media.thumbs"), 700, (0.503, 1.0), marker="serving the placeholder"),
        Kind("thumbnailer", "info", "resized {hex} to 320x240 in {ms}ms",
             python_shape("thumbs.worker"), along(800), ALONG),
        access_log("media-api", 2_000, "/media/{n}"),
        health_checks("thumbnailer", 360),
    ),
)  # fmt: skip

_LOADED = (
    'reloaded TLS certificate subject="CN=hooks.example.com" issuer="CN=R11,O=Let\'s Encrypt" '
    "chain_length={chain} not_after={until}"
)

# cert-manager renews the receiver's certificate into a Secret whose tls.crt holds the leaf
# alone; the receiver reloads it at info. The senders (Go, standard log) fail verification
# with x509 errors that name no level and no failure word, so only their dead-letter errors
# are fetched.
CHAIN = Incident(
    "certificate-rotation-drops-the-intermediate",
    "The webhook receiver's renewed certificate is stored without its intermediate; it reloads "
    "it, and every sender fails to verify the chain and dead-letters its events.",
    "hooks",
    705,
    (
        Kind("hooks-receiver", "info", _LOADED.format(chain="2", until="2025-07-14T09:12:00Z"),
             logfmt_shape("tlsreload/watch.go:73"), 1, (-0.48, -0.48),
             marker="reloaded TLS certificate"),
        Kind("hooks-receiver", "info", _LOADED.format(chain="1", until="2025-08-31T13:55:00Z"),
             logfmt_shape("tlsreload/watch.go:73"), 1, (0.5, 0.5),
             marker="reloaded TLS certificate", cause=True),
        Kind("hooks-sender", "unknown",
             'deliver event {hex}: Post "https://hooks.example.com/v1/events": x509: '
             "certificate signed by unknown authority", golog_shape(), 2_400, (0.5006, 1.0),
             marker="certificate signed by unknown authority"),
        Kind("hooks-sender", "error", "event {hex} moved to the dead-letter queue after 5 attempts",
             json_shape("hooks.sender"), 480, (0.505, 1.0), marker="moved to the dead-letter"),
        Kind("billing", "warn", "invoice {n} webhook not acknowledged, will resend",
             logfmt_shape("hooks/ack.go:40"), 300, (0.506, 1.0), marker="not acknowledged"),
        Kind("hooks-receiver", "info", "accepted event {hex} from {tenant} in {ms}ms",
             logfmt_shape("api/events.go:112"), along(600), (-0.5, 0.5)),
        access_log("hooks-receiver", 1_500, "/v1/events"),
        health_checks("hooks-sender", 360),
    ),
)  # fmt: skip

UNLEVELED = (POOL_RELOAD, PORT_MOVED, FD_LIMIT, SEGFAULT, CHAIN)

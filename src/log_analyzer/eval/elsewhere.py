"""Held-out golden incidents whose cause is written away from the errors it explains.

A sidecar of the failing pod (Envoy in ``istio-proxy``, ``chronyd``), a node's kernel relayed
as a Kubernetes event, a warning a quarter of an hour before the errors, a database that speaks
German: the line that explains the incident is not where, when or how the errors are written.
Written by a third red team on 2026-12-05 as held-out cases, and kept as regression tests.
"""

from __future__ import annotations

from log_analyzer.eval.background import ALONG, access_log, along, health_checks, heartbeat
from log_analyzer.eval.daemon_shapes import istio_shape, stamped_shape
from log_analyzer.eval.incident import Incident, Kind
from log_analyzer.eval.shapes import (
    POSTGRES_GERMAN,
    json_shape,
    logfmt_shape,
    postgres_shape,
    raw_shape,
    spring_shape,
)

# Envoy rejects the inbound listener of the checkout pod's sidecar: the app container itself
# logs nothing wrong; only its callers fail, and the sidecar has warned about DNS all along.
SIDECAR = Incident(
    "istio-sidecar-rejects-listener",
    "A new Sidecar resource gives checkout's Envoy two filter chains for port 8080; the "
    "istio-proxy container rejects the inbound listener and every call to checkout is reset, "
    "while the app container logs nothing wrong.",
    "shop",
    601,
    (
        Kind("checkout", "warn",
             "gRPC config for type.googleapis.com/envoy.config.listener.v3.Listener rejected: "
             "Error adding/updating listener(s) virtualInbound: multiple filter chains with the "
             "same matching rules are defined",
             istio_shape("envoy config"), 1, (0.5, 0.5),
             marker="multiple filter chains with the same matching rules", cause=True,
             container="istio-proxy"),
        Kind("checkout", "warn",
             "DNS resolution for outbound|443||api.stripe.com failed: timeout, retrying",
             istio_shape("envoy upstream"), along(40), ALONG,
             marker="DNS resolution for outbound|443||api.stripe.com", container="istio-proxy"),
        Kind("checkout", "unknown",
             '[{clock}] "GET /healthz HTTP/1.1" 200 - via_upstream - "-" 0 2 {n} 1 "-" '
             '"kube-probe/1.29" "{uuid}" "{ip}:8080" "inbound|8080||"',
             raw_shape(), along(720), ALONG, container="istio-proxy"),
        Kind("frontend", "error",
             "POST http://checkout.shop:8080/api/checkout: 503 upstream connect error or "
             "disconnect/reset before headers. reset reason: connection termination "
             "(cart {hex})", json_shape("frontend.checkout"), 2_500, (0.5003, 1.0),
             marker="reset reason: connection termination"),
        Kind("orders", "warn", "checkout callback for order {hex} not received after 60s",
             logfmt_shape("orders/callback.go:52"), 600, (0.51, 1.0),
             marker="checkout callback for order"),
        health_checks("checkout", 360),
        access_log("frontend", 2_500, "/cart/{n}"),
    ),
)  # fmt: skip

# chronyd runs beside the token issuer; its one line, at no level, steps the clock five minutes
# ahead, and every token issued after it is "not valid yet" for the services that check it.
CLOCK_STEP = Incident(
    "clock-stepped-in-a-sidecar",
    "After a VM live migration, the chrony sidecar of the auth server steps its clock five "
    "minutes ahead; tokens issued after that are not valid yet for the gateway, and clients "
    "keep refreshing them.",
    "identity",
    602,
    (
        Kind("auth-server", "info", "System clock was stepped by 312.482117 seconds",
             stamped_shape(), 1, (0.45, 0.45), marker="System clock was stepped by",
             cause=True, container="chrony"),
        Kind("auth-server", "info", "Selected source 169.254.169.123",
             stamped_shape(), along(4), ALONG, container="chrony"),
        Kind("api-gateway", "error",
             "JWT rejected for request {hex}: token has invalid claims: token is not valid yet",
             json_shape("gateway.auth"), 3_000, (0.4502, 1.0), marker="token is not valid yet"),
        Kind("orders", "warn", "401 from api-gateway, refreshing token for client {hex}",
             logfmt_shape("auth/client.go:88"), 1_200, (0.4504, 1.0),
             marker="refreshing token for client"),
        Kind("auth-server", "info", "issued token for client {hex} ttl=3600",
             json_shape("auth.tokens"), along(2_000), ALONG),
        access_log("api-gateway", 2_000, "/v1/orders/{n}"),
    ),
)  # fmt: skip

_OOM = (
    "event node/ip-10-0-3-17.eu-west-1.compute.internal reason=OOMKilling type=Warning: Memory "
    "cgroup out of memory: Killed process {n} (java) total-vm:{n}kB, anon-rss:{n}kB, "
    "file-rss:0kB, shmem-rss:0kB"
)

# The kernel's OOM kill is a node event naming the process (java), not the pod; the event
# exporter also relays an unrelated scheduling warning all along, louder than the kills.
NODE_OOM = Incident(
    "oom-kill-only-in-node-events",
    "The search API's heap outgrows its container limit; the kernel kills java (a node event "
    "relayed by the event exporter, the only line saying so), the pod restarts again and "
    "again, and the storefront's searches are refused.",
    "search",
    603,
    (
        Kind("event-exporter", "warn", _OOM, json_shape("k8s.events"), 1, (0.5, 0.5),
             marker="Memory cgroup out of memory", cause=True),
        Kind("event-exporter", "warn", _OOM, json_shape("k8s.events"), 4, (0.6, 0.95),
             marker="Memory cgroup out of memory", cause=True),
        Kind("event-exporter", "warn",
             "event pod/search-api-{hex} reason=BackOff type=Warning: Back-off restarting "
             "failed container search-api", json_shape("k8s.events"), 40, (0.61, 1.0),
             marker="Back-off restarting failed container"),
        Kind("event-exporter", "warn",
             "event pod/reindex-{hex} reason=FailedScheduling type=Warning: 0/12 nodes are "
             "available: 12 Insufficient cpu", json_shape("k8s.events"), along(240), ALONG,
             marker="nodes are available: 12 Insufficient cpu"),
        Kind("search-api", "info", "Started SearchApiApplication in {n}.2 seconds",
             spring_shape("main", "c.s.search.SearchApiApplication"), 5, (0.505, 0.96)),
        Kind("storefront", "error",
             "search for query {hex} failed: dial tcp {ip}:8080: connect: connection refused",
             json_shape("storefront.search"), 2_000, (0.5002, 1.0),
             marker="8080: connect: connection refused"),
        access_log("storefront", 2_500, "/search?q={n}"),
        health_checks("search-api", 360),
    ),
)  # fmt: skip

# The client warned once, 21 minutes ahead, that its certificate would expire; the errors at
# the expiry only say the handshake failed.
EARLY_WARNING = Incident(
    "certificate-warned-long-before",
    "The orders consumer's Kafka client certificate was not renewed; the client warned once, "
    "21 minutes before it expired, and at the expiry every poll fails its TLS handshake and "
    "the order events lag.",
    "streaming",
    604,
    (
        Kind("orders-consumer", "warn",
             "client certificate CN=orders-consumer (secret orders-consumer-tls) expires at "
             "2025-06-02T14:24:00Z, in 21m; no renewed certificate mounted",
             spring_shape("main", "c.s.kafka.CertificateWatcher"), 1, (0.1, 0.1),
             marker="no renewed certificate mounted", cause=True),
        Kind("orders-consumer", "error",
             "[Consumer clientId=orders-consumer-{n}, groupId=orders] Connection to node {n} "
             "(kafka-{n}.kafka-headless/{ip}:9093) failed authentication due to: SSL handshake "
             "failed", spring_shape("kafka-coordinator-heartbeat-thread",
                                    "o.a.k.clients.NetworkClient"), 2_000, (0.8, 1.0),
             marker="failed authentication due to: SSL handshake failed"),
        Kind("orders-api", "warn", "order events lag {n}s behind, serving order {hex} from db",
             json_shape("orders.events"), 800, (0.81, 1.0), marker="order events lag"),
        heartbeat("orders-consumer", 900),
        access_log("orders-api", 2_000, "/api/orders/{n}"),
    ),
)  # fmt: skip

# PostgreSQL with German messages: the reload names the new statement_timeout, and the
# timeouts it causes say FEHLER, which no English error pattern matches.
GERMAN = Incident(
    "german-postgres-statement-timeout",
    "A reload of the orders database's configuration sets statement_timeout to 50 ms; the "
    "database (lc_messages German) cancels the API's queries, and the API fails its lists.",
    "orders",
    605,
    (
        Kind("orders-db", "info", "SIGHUP empfangen, Konfigurationsdateien werden neu geladen",
             postgres_shape(1, POSTGRES_GERMAN), 1, (0.5, 0.5), stateful=True),
        Kind("orders-db", "info", "Parameter »statement_timeout« auf »50ms« gesetzt",
             postgres_shape(1, POSTGRES_GERMAN), 1, (0.50001, 0.50001),
             marker="Parameter »statement_timeout«", cause=True, stateful=True),
        Kind("orders-db", "error", "storniere Anfrage wegen Zeitüberschreitung der Anweisung",
             postgres_shape(412, POSTGRES_GERMAN), 2_500, (0.5003, 1.0),
             marker="storniere Anfrage wegen", stateful=True),
        Kind("orders-api", "error",
             "list orders for customer {n} failed after 50ms (SQLSTATE 57014)",
             json_shape("orders.repo"), 2_500, (0.5004, 1.0), marker="(SQLSTATE 57014)"),
        Kind("orders-db", "info", "Checkpoint beendet: {n} Puffer geschrieben ({n}.0%)",
             postgres_shape(60, POSTGRES_GERMAN), along(6), ALONG, stateful=True),
        access_log("orders-api", 1_500, "/api/orders?customer={n}"),
        health_checks("orders-api", 360),
    ),
)  # fmt: skip

ELSEWHERE = (SIDECAR, CLOCK_STEP, NODE_OOM, EARLY_WARNING, GERMAN)

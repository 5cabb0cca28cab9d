"""Golden incidents caused by a change the cluster made, logged below error level.

CoreDNS reloads an edited Corefile, an operator loses its lease, an autoscaler scales down, a
NetworkPolicy is applied, the kubelet restarts a pod whose probe times out: the line that
explains the incident comes from the platform, not from the failing service. Listed with the
others in :data:`log_analyzer.eval.changes.CHANGES`.
"""

from __future__ import annotations

from log_analyzer.eval.background import (
    ALONG,
    access_log,
    along,
    cache_stats,
    health_checks,
)
from log_analyzer.eval.incident import Incident, Kind
from log_analyzer.eval.shapes import (
    coredns_shape,
    json_shape,
    klog_shape,
    logfmt_shape,
)

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

SCALE_DOWN = Incident(
    "autoscaler-scale-down",
    "A misconfigured autoscaler scales the API from six pods to one; it sheds load and the "
    "gateway answers 503.",
    "web",
    210,
    (
        Kind("hpa-controller", "info",
             "Successful rescale: new size 1, reason: All metrics below target (api)",
             klog_shape("horizontal.go:857"), 1, (0.4, 0.4), marker="Successful rescale: new size",
             cause=True),
        Kind("api", "warn", "request queue full ({n} waiting), shedding load",
             logfmt_shape("server/queue.go:44"), 800, (0.405, 1.0), marker="shedding load"),
        Kind("gateway", "error", "upstream api returned 503 for GET /v1/items/{n}",
             json_shape("gw.proxy"), 3_000, (0.4052, 1.0), marker="upstream api returned 503"),
        access_log("gateway", 2_500, "/v1/items/{n}"),
        health_checks("api", 360),
    ),
)  # fmt: skip

NETWORK_POLICY = Incident(
    "network-policy-applied",
    "A default-deny egress NetworkPolicy is applied to the catalog's pods; they cannot reach "
    "their Redis cache, and the frontend's catalog calls blow their budget.",
    "shop",
    211,
    (
        Kind("policy-controller", "info",
             "applied NetworkPolicy shop/default-deny-egress (podSelector: app=catalog)",
             klog_shape("controller.go:211"), 1, (0.55, 0.55), marker="applied NetworkPolicy",
             cause=True),
        Kind("catalog", "error", "redis GET product:{n}: dial tcp {ip}:6379: i/o timeout",
             json_shape("catalog.cache"), 2_000, (0.5503, 1.0), marker="redis GET product:"),
        Kind("frontend", "warn", "catalog call took {ms}ms, over the 500ms budget",
             logfmt_shape("catalog/client.go:61"), 1_500, (0.5505, 1.0),
             marker="over the 500ms budget"),
        access_log("frontend", 2_500, "/products/{n}"),
        health_checks("catalog", 360),
        cache_stats("catalog", 180),
    ),
)  # fmt: skip

LIVENESS = Incident(
    "liveness-restarts",
    "The catalog's liveness probe times out under long GC pauses; the kubelet stops it again "
    "and again, and the frontend's calls are refused while it restarts.",
    "catalog",
    213,
    (
        Kind("catalog", "info",
             "received SIGTERM, shutting down gracefully (in-flight requests: {n})",
             logfmt_shape("main.go:88"), 1, (0.3, 0.3), marker="received SIGTERM, shutting down",
             cause=True),
        Kind("catalog", "info",
             "received SIGTERM, shutting down gracefully (in-flight requests: {n})",
             logfmt_shape("main.go:88"), 11, (0.31, 1.0), marker="received SIGTERM, shutting down",
             cause=True),
        Kind("frontend", "error",
             "GET http://catalog:8080/products/{n}: dial tcp {ip}:8080: connect: connection "
             "refused", json_shape("frontend.http"), 1_500, (0.3002, 1.0),
             marker="connect: connection refused"),
        access_log("frontend", 2_500, "/p/{n}"),
        cache_stats("catalog", 180),
        health_checks("catalog", 360),
    ),
)  # fmt: skip

"""Golden incidents where a piece of infrastructure fails and says so.

An expired certificate, a full WAL disk, a Kafka broker out of heap, a certificate renewal the
ACME server rate-limits, a Redis at maxmemory: the cause is one component's own error, among
the louder errors of its callers. Listed with the others in
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
    json_shape,
    klog_shape,
    logfmt_shape,
    postgres_shape,
    prefix_shape,
    python_shape,
    spring_shape,
)

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

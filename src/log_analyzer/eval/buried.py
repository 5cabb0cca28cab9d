"""Held-out golden incidents whose cause is buried in what a runtime writes at once.

A Go panic's goroutine dump, a chained Python traceback whose first exception is the root, a
nested Java ``Caused by:``, a JVM's start line after its banner: the line that explains the
incident is not the first line written, and the others around it are noise. Written by a red
team as held-out cases (not tuned to), and kept as regression tests.
"""

from __future__ import annotations

from log_analyzer.eval.background import ALONG, access_log, along, health_checks, heartbeat
from log_analyzer.eval.incident import Incident, Kind
from log_analyzer.eval.shapes import (
    banner_shape,
    celery_shape,
    go_panic_shape,
    json_shape,
    kafka_shape,
    logfmt_shape,
    spring_chain_shape,
    spring_shape,
)

_NIL_MAP_STACK = (
    "",
    "goroutine 47 [running]:",
    "github.com/shop/orders-projector/internal/projection.(*Builder).apply(0xc0001a2000, "
    "{0xc000512000, 0x1f4, 0x200})",
    "\t/src/internal/projection/builder.go:142 +0x2b5",
    "github.com/shop/orders-projector/internal/consumer.(*Handler).ConsumeClaim(0xc00011e0c0, "
    "{0x1a3f2c8, 0xc000230000}, {0x1a41e20, 0xc0002a4000})",
    "\t/src/internal/consumer/handler.go:88 +0x1c4",
    "github.com/IBM/sarama.(*consumerGroupSession).consume(0xc0002b0000, {0xc00003a0c0, 0xd}, 0x3)",
    "\t/go/pkg/mod/github.com/!i!b!m/sarama@v1.43.2/consumer_group.go:952 +0x2ad",
    "created by github.com/IBM/sarama.newConsumerGroupSession in goroutine 31",
    "\t/go/pkg/mod/github.com/!i!b!m/sarama@v1.43.2/consumer_group.go:874 +0x6f8",
)  # fmt: skip

# A panic goes to stderr with no level; the crash loop's restarts join the group and panic
# again on the same offset, and the API's errors come three minutes after the first panic.
GO_PANIC = Incident(
    "go-panic-poison-event",
    "An event with a missing map makes the orders projector panic (a split goroutine dump); it "
    "crash-loops on the same offset, its lag grows, and the API rejects reads of a stale model.",
    "orders",
    307,
    (
        Kind("orders-projector", "unknown", "panic: assignment to entry in nil map",
             go_panic_shape(_NIL_MAP_STACK), 1, (0.4, 0.4),
             marker="assignment to entry in nil map", cause=True),
        Kind("orders-projector", "unknown", "panic: assignment to entry in nil map",
             go_panic_shape(_NIL_MAP_STACK), 7, (0.43, 0.98),
             marker="assignment to entry in nil map"),
        Kind("orders-projector", "info",
             "consumer group orders-projector joined generation {n}, claims orders-events/0..11",
             logfmt_shape("consumer/group.go:77"), 8, (0.405, 0.985)),
        Kind("kafka-lag-exporter", "warn",
             "consumer group orders-projector lag on orders-events-{n} is {n} messages",
             logfmt_shape("lag/check.go:52"), 600, (0.42, 1.0), marker="lag on orders-events-"),
        Kind("orders-api", "warn", "order {uuid} not found in read model, serving from primary",
             json_shape("orders.read"), 1_500, (0.41, 1.0), marker="not found in read model"),
        Kind("orders-api", "error",
             "read model stale by more than 180s, rejecting GET /orders/{n}",
             json_shape("orders.read"), 1_000, (0.5, 1.0), marker="read model stale by more than"),
        Kind("orders-projector", "debug", "projected event offset={n} partition={n}",
             logfmt_shape("projection/builder.go:60"), along(2_000), (-0.5, 0.4)),
        access_log("orders-api", 2_000, "/orders/{n}"),
    ),
)  # fmt: skip

_BOTO_BEFORE = (
    "Traceback (most recent call last):",
    '  File "/app/exports/tasks.py", line 29, in upload_report',
    "    storage.put_report(key, body)",
    '  File "/app/exports/storage.py", line 58, in put_report',
    "    s3.put_object(Bucket=BUCKET, Key=key, Body=body)",
    '  File "/usr/local/lib/python3.11/site-packages/botocore/client.py", line 569, in _api_call',
    "    return self._make_api_call(operation_name, kwargs)",
    '  File "/usr/local/lib/python3.11/site-packages/botocore/client.py", line 1023, in '
    "_make_api_call",
    "    raise error_class(parsed_response, operation_name)",
)
_BOTO_AFTER = (
    "",
    "During handling of the above exception, another exception occurred:",
    "",
    "Traceback (most recent call last):",
    '  File "/usr/local/lib/python3.11/site-packages/celery/app/trace.py", line 477, in '
    "trace_task",
    "    R = retval = fun(*args, **kwargs)",
    '  File "/app/exports/tasks.py", line 31, in upload_report',
    '    raise ReportUploadError("upload of report failed")',
    "exports.errors.ReportUploadError: upload of report failed",
)  # fmt: skip

# The root (ExpiredToken) is the first exception of the chain, in the middle of the trace,
# under Celery's generic head line; every upload fails the same way, so it is loud too.
PYTHON_CHAIN = Incident(
    "python-chained-expired-token",
    "The exports worker's AWS credentials expire; every upload fails with a chained traceback "
    "whose first exception says ExpiredToken, under a generic Celery line.",
    "reports",
    308,
    (
        Kind("exports-worker", "error",
             "Task exports.upload_report[{uuid}] raised unexpected: "
             "ReportUploadError('upload of report failed')\n"
             "botocore.exceptions.ClientError: An error occurred (ExpiredToken) when calling the "
             "PutObject operation: The provided token has expired.",
             celery_shape("ForkPoolWorker-3", _BOTO_BEFORE, _BOTO_AFTER), 700, (0.35, 1.0),
             marker="ExpiredToken", cause=True),
        Kind("report-api", "warn", "report {uuid} still pending after 300s",
             json_shape("reports.status"), 800, (0.37, 1.0), marker="still pending after 300s"),
        Kind("export-scheduler", "error", "export batch {n}: {n} of 12 uploads failed",
             logfmt_shape("scheduler/batch.go:90"), 40, (0.36, 1.0), marker="uploads failed"),
        Kind("exports-worker", "warn",
             "Soft time limit (300s) exceeded for exports.build_report[{uuid}]",
             celery_shape("MainProcess"), along(60), ALONG, marker="Soft time limit (300s)"),
        heartbeat("exports-worker", 900),
        access_log("report-api", 1_500, "/reports/{n}"),
    ),
)  # fmt: skip

_KAFKA_BEFORE = (
    "org.springframework.kafka.KafkaException: Send failed",
    "\tat org.springframework.kafka.core.KafkaTemplate.doSend(KafkaTemplate.java:796)",
    "\tat com.shop.orders.events.OrderEventPublisher.publish(OrderEventPublisher.java:44)",
    "\tat com.shop.orders.OrderService.create(OrderService.java:121)",
    "Caused by: java.util.concurrent.ExecutionException: "
    "org.apache.kafka.common.errors.TopicAuthorizationException: "
    "Not authorized to access topics: [orders.v2]",
    "\tat org.apache.kafka.clients.producer.internals.FutureRecordMetadata.valueOrError"
    "(FutureRecordMetadata.java:98)",
    "\t... 12 more",
)

# The ACL was removed outside the cluster; the reason is only in the nested Caused by (Kafka's
# API exceptions carry no frames of their own), and the broker's denials are at INFO.
JAVA_NESTED = Incident(
    "java-nested-caused-by-acl",
    "A Terraform run drops the Write ACL on topic orders.v2; each order's publish fails with "
    "a split trace whose nested Caused by says why, and the broker logs its denials at INFO.",
    "orders",
    309,
    (
        Kind("order-service", "error",
             "Failed to publish OrderCreated event, rolling back order\n"
             "Caused by: org.apache.kafka.common.errors.TopicAuthorizationException: Not "
             "authorized to access topics: [orders.v2]",
             spring_chain_shape("http-nio-8080-exec-7", "c.s.o.events.OrderEventPublisher",
                                _KAFKA_BEFORE),
             900, (0.45, 1.0), marker="Not authorized to access topics", cause=True),
        Kind("kafka", "info",
             "Principal = User:order-service is Denied Operation = Write from host = {ip} on "
             "resource = Topic:LITERAL:orders.v2 for request = Produce with resourceRefCount = "
             "1", kafka_shape("kafka.authorizer.logger"), 900, (0.45, 1.0), stateful=True),
        Kind("storefront", "error", "POST /api/orders failed: 500 from order-service ({ms} ms)",
             json_shape("storefront.orders"), 850, (0.4502, 1.0), marker="500 from order-service"),
        Kind("kafka", "info",
             "[Log partition=orders.v1-{n}, dir=/var/lib/kafka/data] Rolled new log segment at "
             "offset {n} in {n} ms.", kafka_shape("kafka.log.LocalLog"), along(40), ALONG,
             stateful=True),
        access_log("storefront", 2_000, "/cart/{n}"),
        health_checks("order-service", 360),
    ),
)  # fmt: skip

_BANNER = (
    ("unknown", "Picked up JAVA_TOOL_OPTIONS: -XX:MaxRAMPercentage=75 "
                "-Djava.security.egd=file:/dev/./urandom"),
    ("unknown", ""),
    ("unknown", "  .   ____          _            __ _ _"),
    ("unknown", " /\\\\ / ___'_ __ _ _(_)_ __  __ _ \\ \\ \\ \\"),
    ("unknown", "( ( )\\___ | '_ | '_| | '_ \\/ _` | \\ \\ \\ \\"),
    ("unknown", " \\\\/  ___)| |_)| | | | | || (_| |  ) ) ) )"),
    ("unknown", "  '  |____| .__|_| |_|_| |_\\__, | / / / /"),
    ("unknown", " =========|_|==============|___/=/_/_/_/"),
    ("unknown", " :: Spring Boot ::                (v3.3.0)"),
)  # fmt: skip
_BRIDGE = "c.s.legacy.LegacyBridgeApplication"

# The line that explains it is the start line's Java version, written after the JVM's options
# and Spring's banner; a pushgateway error logged every ten seconds all along is the decoy.
JDK_BUMP = Incident(
    "jdk-bump-disables-tls10",
    "A base-image bump restarts the legacy bridge on Java 21, where TLS 1.0 is disabled; it can "
    "no longer reach the old SQL Server. A pushgateway error logged all along is unrelated.",
    "legacy",
    312,
    (
        *(
            Kind("legacy-bridge", "info",
                 "Starting LegacyBridgeApplication v4.1.0 using Java 21.0.3 with PID 1 "
                 "(/app/app.jar started by app in /app)",
                 banner_shape(_BANNER, spring_shape("main", _BRIDGE)), 1,
                 (0.5 + 0.001 * pod, 0.5 + 0.001 * pod), marker="using Java 21.0.3", cause=True,
                 replica=pod)
            for pod in range(3)
        ),
        *(
            Kind("legacy-bridge", "info",
                 "Started LegacyBridgeApplication in 4.{n} seconds (process running for 5.{n})",
                 spring_shape("main", _BRIDGE), 1, (0.5025 + 0.001 * pod, 0.5025 + 0.001 * pod),
                 replica=pod)
            for pod in range(3)
        ),
        Kind("legacy-bridge", "error",
             "SQL Server connection failed: The driver could not establish a secure connection "
             "to SQL Server by using Secure Sockets Layer (SSL) encryption. Error: \"The server "
             "selected protocol version TLS10 is not accepted by client preferences [TLS13, "
             "TLS12]\". ClientConnectionId:{uuid}",
             spring_shape("scheduling-1", "c.s.legacy.erp.ErpConnection"), 2_000, (0.5035, 1.0),
             marker="is not accepted by client preferences"),
        Kind("erp-sync", "warn", "legacy bridge unavailable, invoice {n} queued",
             logfmt_shape("sync/bridge.go:73"), 800, (0.504, 1.0),
             marker="legacy bridge unavailable"),
        Kind("metrics-pusher", "error",
             "push to http://pushgateway.monitoring:9091/metrics/job/legacy failed: 503 "
             "Service Unavailable", logfmt_shape("push/push.go:118"), along(180), ALONG,
             marker="push to http://pushgateway.monitoring"),
        access_log("erp-sync", 1_500, "/erp/{n}"),
        health_checks("legacy-bridge", 360),
    ),
)  # fmt: skip

BURIED = (GO_PANIC, PYTHON_CHAIN, JAVA_NESTED, JDK_BUMP)

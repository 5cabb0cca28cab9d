"""Golden incidents whose lines a container runtime wrapped before the store kept them.

A shipper without its runtime stage (Promtail or Alloy without ``cri``) sends each line of a
stack trace as the runtime wrote it, a CRI prefix before it and the other pipe's lines between
them: the trace is one event only if its lines are joined inside the wrapper, per pipe.
"""

from __future__ import annotations

from log_analyzer.eval.background import ALONG, along
from log_analyzer.eval.incident import Incident, Kind
from log_analyzer.eval.shapes import (
    cri_shape,
    json_shape,
    raw_shape,
    spring_chain_shape,
)

_JDBC_BEFORE = (
    "org.springframework.transaction.CannotCreateTransactionException: Could not open JPA "
    "EntityManager for transaction",
    "\tat org.springframework.orm.jpa.JpaTransactionManager.doBegin"
    "(JpaTransactionManager.java:466)",
    "\tat com.bank.ledger.PostingService.post(PostingService.java:57)",
    "Caused by: org.hibernate.exception.JDBCConnectionException: Unable to acquire JDBC Connection",
    "\tat org.hibernate.exception.internal.SQLStateConversionDelegate.convert"
    "(SQLStateConversionDelegate.java:100)",
)
_JDBC_AFTER = (
    "\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication"
    "(ConnectionFactoryImpl.java:693)",
    "\t... 38 more",
)  # fmt: skip

# The reason is only in the trace's last Caused by, each line a CRI line of its own with the
# access log's stdout lines between them.
CRI_TRACE = Incident(
    "java-trace-in-cri-lines",
    "A reconciliation job in another namespace opens a connection per row and takes every slot "
    "of the ledger's PostgreSQL; each posting fails with a Spring trace, shipped as CRI lines, "
    "whose last Caused by says the database has no connection slots left.",
    "ledger",
    501,
    (
        Kind("ledger-api", "error",
             "Posting {hex} failed, returning 503\n"
             "Caused by: org.postgresql.util.PSQLException: FATAL: remaining connection slots "
             "are reserved for non-replication superuser connections",
             cri_shape(spring_chain_shape("http-nio-8080-exec-3", "c.b.ledger.PostingController",
                                          _JDBC_BEFORE, _JDBC_AFTER)),
             800, (0.4, 1.0), marker="remaining connection slots are reserved", cause=True),
        Kind("payments", "warn", "ledger answered 503 for payment {hex}, retrying in {ms}ms",
             json_shape("payments.ledger"), 700, (0.4003, 1.0),
             marker="ledger answered 503 for payment"),
        Kind("ledger-api", "unknown",
             '{ip} - - [{clock}] "POST /postings HTTP/1.1" 201 {bytes} "-" "okhttp/4.12.0" 0.0{n}',
             cri_shape(raw_shape(), "stdout"), along(2_000), ALONG),
        Kind("ledger-api", "info",
             "request completed method=GET path=/healthz status=200 duration_ms={ms}",
             cri_shape(json_shape("ledger-api.http"), "stdout"), along(360), ALONG),
    ),
)  # fmt: skip

WRAPPED = (CRI_TRACE,)

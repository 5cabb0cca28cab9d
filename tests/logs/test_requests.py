"""Requests read from synthetic lines, route masking and status classes, with known answers."""

from __future__ import annotations

from typing import Any

import pytest

from log_analyzer.logs.requests import (
    RequestInfo,
    extract_request,
    normalize_route,
    operation,
    status_class,
)


def info(
    status: int | None = None,
    *,
    user: str | None = None,
    method: str | None = "GET",
    route: str | None = "/x",
) -> RequestInfo:
    return RequestInfo(method, route, status, user)


# --- extract_request -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "fields", "expected"),
    [
        # structured fields
        pytest.param(
            "request served",
            {"method": "GET", "path": "/api/orders/42", "status": 200, "user": "alice"},
            RequestInfo("GET", "/api/orders/{id}", 200, "alice"),
            id="json-flat",
        ),
        pytest.param(
            "served",
            {"http": {"method": "post", "target": "/cart?x=1", "status_code": 201}},
            RequestInfo("POST", "/cart", 201, None),
            id="json-nested-http",
        ),
        pytest.param(
            "served",
            {"http.method": "PUT", "http.target": "/a/b", "http.status_code": "204"},
            RequestInfo("PUT", "/a/b", 204, None),
            id="json-flattened-dotted",
        ),
        pytest.param(
            "audit",
            {"verb": "get", "uri": "/apis/v1/pods", "code": 403, "userId": "sa:default"},
            RequestInfo("GET", "/apis/v1/pods", 403, "sa:default"),
            id="verb-uri-code-userId",
        ),
        pytest.param(
            "access",
            {"request": "GET /api/x?id=7 HTTP/1.1", "status": "502", "remote_user": "-"},
            RequestInfo("GET", "/api/x", 502, None),
            id="nginx-json-request-line",
        ),
        pytest.param(
            "hit",
            {"url": "https://shop.example.com/products/8123?ref=ad#top"},
            RequestInfo(None, "/products/{id}", None, None),
            id="full-url",
        ),
        pytest.param(
            "hit",
            {"route": "/orders/{order_id}", "path": "/orders/991", "endpoint": "/ignored"},
            RequestInfo(None, "/orders/{order_id}", None, None),
            id="route-template-preferred",
        ),
        pytest.param(
            "login failed",
            {"user": {"id": 17, "name": "bob"}},
            info(None, user="17", method=None, route=None),
            id="nested-user-object",
        ),
        pytest.param(
            "x", {"username": "carol"}, info(user="carol", method=None, route=None), id="username"
        ),
        pytest.param("x", {"uid": 1000}, info(user="1000", method=None, route=None), id="uid"),
        pytest.param(
            "x", {"account": "acme"}, info(user="acme", method=None, route=None), id="account"
        ),
        pytest.param(
            "x", {"customer_id": "c-9"}, info(user="c-9", method=None, route=None), id="customer_id"
        ),
        pytest.param(
            "x", {"principal": "svc"}, info(user="svc", method=None, route=None), id="principal"
        ),
        pytest.param(
            "x", {"sub": "auth0|1"}, info(user="auth0|1", method=None, route=None), id="sub"
        ),
        pytest.param("x", {"user_id": ""}, None, id="empty-user"),
        pytest.param("x", {"code": "ECONNREFUSED"}, None, id="code-not-http"),
        pytest.param("x", {"code": 14}, None, id="code-below-100"),
        pytest.param(
            "x",
            {"status": 700, "status_code": 404},
            info(404, method=None, route=None),
            id="status-out-of-range-skipped",
        ),
        pytest.param("x", {"status": True}, None, id="status-bool"),
        pytest.param("x", {"method": "DROP TABLE"}, None, id="method-not-a-token"),
        # logfmt in the text
        pytest.param(
            "level=info method=GET path=/users/123e4567-e89b-12d3-a456-426614174000 status=200 "
            "user_id=42",
            None,
            RequestInfo("GET", "/users/{id}", 200, "42"),
            id="logfmt",
        ),
        # text forms
        pytest.param(
            '10.0.0.1 - bob [10/Oct/2000:13:55:36 -0700] "GET /orders/8123/items?q=1 HTTP/1.1" '
            '502 2326 "-" "curl/8.0"',
            None,
            RequestInfo("GET", "/orders/{id}/items", 502, "bob"),
            id="combined-access-log",
        ),
        pytest.param(
            '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "DELETE /cart HTTP/2.0" 204 0',
            None,
            RequestInfo("DELETE", "/cart", 204, None),
            id="common-access-log-no-user",
        ),
        pytest.param(
            "POST /api/checkout -> 502 Bad Gateway (upstream checkout) in 1200ms",
            None,
            RequestInfo("POST", "/api/checkout", 502, None),
            id="klog-proxy",
        ),
        pytest.param(
            'I0312 10:00:00.000000 1 proxy.go:88] "PATCH /v2/items/abc123def HTTP/1.1" 404 12',
            None,
            RequestInfo("PATCH", "/v2/items/{id}", 404, None),
            id="klog-access",
        ),
        pytest.param(
            "GET /healthz 200 1.2ms", None, RequestInfo("GET", "/healthz", 200, None), id="dev-log"
        ),
        pytest.param(
            "GET https://api.example.com/v1/things/77 => 503",
            None,
            RequestInfo("GET", "/v1/things/{id}", 503, None),
            id="arrow-and-full-url",
        ),
        pytest.param(
            "upstream failed status=503",
            None,
            RequestInfo(None, None, 503, None),
            id="status-pair",
        ),
        pytest.param(
            "upstream failed, status: 503",
            {"msg": "upstream failed"},
            RequestInfo(None, None, 503, None),
            id="status-in-text-with-fields",
        ),
        pytest.param(
            "checkout failed",
            {"path": "/checkout"},
            RequestInfo(None, "/checkout", None, None),
            id="fields-without-status",
        ),
        # no false positives
        pytest.param("nothing to see here", None, None, id="plain"),
        pytest.param("ERROR /var/log/app.log 500 lines", None, None, id="not-a-method"),
        pytest.param("get /x 200", None, None, id="lower-case-prose"),
        pytest.param(
            "GET /x 2000 bytes", None, RequestInfo("GET", "/x", None, None), id="no-status"
        ),
        pytest.param("exit code=1", None, None, id="exit-code"),
    ],
)
def test_extract_request(
    message: str, fields: dict[str, Any] | None, expected: RequestInfo | None
) -> None:
    assert extract_request(message, fields) == expected


@pytest.mark.parametrize(
    ("target", "route"),
    [
        pytest.param("/orders/8123/items", "/orders/{id}/items", id="numeric-id"),
        pytest.param(
            "/users/123e4567-e89b-12d3-a456-426614174000/cart", "/users/{id}/cart", id="uuid"
        ),
        pytest.param(
            "/commits/9fceb02d0ae598e95dc970b74767f19372d61af8", "/commits/{id}", id="sha"
        ),
        pytest.param("/blobs/ABCDEF12", "/blobs/{id}", id="hex-8"),
        pytest.param("/orders/ord_8f3k2j9x", "/orders/{id}", id="prefixed-id"),
        pytest.param("/users/bob@example.com", "/users/{id}", id="email"),
        pytest.param("/search?q=shoes&page=2", "/search", id="query-dropped"),
        pytest.param("/docs#section-2", "/docs", id="fragment-dropped"),
        pytest.param("https://host:8443/a/1", "/a/{id}", id="scheme-and-host-dropped"),
        pytest.param("/api/v1/items/", "/api/v1/items", id="trailing-slash"),
        pytest.param("/api/v1.2.3/items", "/api/v1.2.3/items", id="version-kept"),
        pytest.param("/oauth2/token", "/oauth2/token", id="word-with-digit-kept"),
        pytest.param("/cafe/deadbeef", "/cafe/deadbeef", id="hex-letters-only-kept"),
        pytest.param("/orders/{id}", "/orders/{id}", id="template-kept"),
        pytest.param("/", "/", id="root"),
        pytest.param("", "/", id="empty"),
        pytest.param("api/x", "/api/x", id="relative"),
    ],
)
def test_normalize_route(target: str, route: str) -> None:
    assert normalize_route(target) == route


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        pytest.param(101, "1xx", id="101"),
        pytest.param(200, "2xx", id="200"),
        pytest.param(304, "3xx", id="304"),
        pytest.param(404, "4xx", id="404"),
        pytest.param(499, "4xx", id="499"),
        pytest.param(500, "5xx", id="500"),
        pytest.param(599, "5xx", id="599"),
        pytest.param(None, "unknown", id="none"),
        pytest.param(99, "unknown", id="below"),
        pytest.param(600, "unknown", id="above"),
    ],
)
def test_status_class(status: int | None, cls: str) -> None:
    assert status_class(status) == cls


def test_operation_joins_what_is_known() -> None:
    assert operation(info(200, route="/a/{id}")) == "GET /a/{id}"
    assert operation(info(200, method=None)) == "/x"
    assert operation(info(200, method=None, route=None)) == "unknown"


@pytest.mark.parametrize(
    "status", ["\u00b2", "\u0663\u0660\u0660", "1" * 5_000, "2000", "-1", "20"]
)
def test_a_status_field_is_three_ascii_digits(status: str) -> None:
    # "²" and Arabic-Indic "٣٠٠" are digits to str.isdigit, where int() failed or read 300; a
    # run of 5,000 digits made int() raise. None of them is a status.
    assert extract_request("upstream failed", {"status": status}) is None
    assert extract_request("upstream failed", {"status": " 503 "}) == RequestInfo(
        None, None, 503, None
    )

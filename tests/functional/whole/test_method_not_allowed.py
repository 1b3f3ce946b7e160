"""A method a route does not serve (TRACE, DELETE, an invented one) gets 405 and the ``Allow``
header naming the methods it does serve (RFC 9110 §15.5.6), on every route of the app."""
import re

import pytest

_PARAMETER = re.compile(r"<(?:[^:>]+:)?(\w+)>")


def _sample_paths(app):
    for rule in app.url_map.iter_rules():
        yield rule, _PARAMETER.sub("1", rule.rule)


@pytest.mark.parametrize("method", ["TRACE", "DELETE", "PROPFIND"])
def test_every_route_answers_an_unserved_method_with_405_and_allow(app, web, method):
    checked = 0
    for rule, path in _sample_paths(app):
        if method in rule.methods:
            continue
        response = web.client.open(path, method=method)
        assert response.status_code == 405, (rule.rule, method, response.status_code)
        allowed = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
        assert rule.methods <= allowed, (rule.rule, method, response.headers.get("Allow"))
        checked += 1
    assert checked > 100


def test_api_405_is_a_problem_document_and_html_405_a_page(web):
    api = web.client.open("/api/link/v1/status", method="TRACE")
    assert api.mimetype == "application/problem+json" and api.get_json()["code"] == "http_405"
    assert set(api.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    page = web.client.open("/login", method="TRACE")
    assert page.mimetype == "text/html" and "この操作はできません" in page.get_data(as_text=True)
    assert set(page.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}

"""The problem documents: every API document publishes the one schema of app.openapi_common for
every error it declares, and what the server writes — from the shared error handler, the card
API's refusals and an expired staff session asked for JSON — is exactly that schema. (Every other
problem document a test receives is held to it too, by the check tests/conftest.py adds to the app.)"""
import jsonschema_rs
import pytest

from app.openapi_common import PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA
from tests.factories import issue_token, terminal_token
from tests.helpers.demo import DEMO_CODE

DOCUMENTS = ["/api/link/v1/openapi.json", "/api/applications/v1/openapi.json", "/api/cardauth/v1/openapi.json",
             "/api/kiosk/v1/openapi.json", "/ogc/api"]
PROBLEM_REF = "#/components/schemas/Problem"


def _error_responses(document):
    """(where, response) of every error response the document declares, references resolved."""
    for template, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if "$ref" in response:
                    response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
                if status[0] in "45":
                    yield f"{method.upper()} {template} {status}", response


def _refers_to_problem(schema: dict) -> bool:
    return schema.get("$ref") == PROBLEM_REF or any(part.get("$ref") == PROBLEM_REF for part in schema.get("allOf", []))


@pytest.mark.parametrize("url", DOCUMENTS)
def test_every_api_document_publishes_the_one_problem_schema_for_every_error(web, db, url):
    # The OGC API's document is read with a GIS token, as its clients do.
    headers = {"Authorization": f"Bearer {issue_token(db, DEMO_CODE, 'admin')}"} if url.startswith("/ogc/") else {}
    document = web.client.get(url, headers=headers).get_json()
    assert document["components"]["schemas"]["Problem"] == PROBLEM_SCHEMA
    declared = list(_error_responses(document))
    assert declared
    for where, response in declared:
        assert _refers_to_problem(response["content"][PROBLEM_MEDIA_TYPE]["schema"]), where


def test_the_schema_requires_what_the_server_always_writes():
    assert PROBLEM_SCHEMA["required"] == ["type", "title", "status", "detail", "code"]
    assert PROBLEM_SCHEMA["additionalProperties"] is False


def _assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status and response.mimetype == PROBLEM_MEDIA_TYPE, response.get_data(as_text=True)
    body = response.get_json()
    errors = [error.message for error in jsonschema_rs.validator_for(PROBLEM_SCHEMA).iter_errors(body)]
    assert not errors, (body, errors)
    assert body["status"] == status and body["code"] == code
    return body


def test_the_shared_handler_writes_the_schema_with_and_without_details(web):
    _assert_problem(web.client.get("/api/link/v1/status"), 401, "unauthorized")
    _assert_problem(web.client.get("/api/link/v1/no-such-thing"), 404, "not_found")
    body = _assert_problem(web.client.post("/api/applications/v1/certificate-applications",
                                           json={"applicant_name": "山田\x00太郎"}), 400, "unstorable_character")
    assert body["details"] == {"field": "$.applicant_name"}


def test_the_card_apis_refusals_write_the_schema(web):
    headers = {"Authorization": f"Bearer {terminal_token(DEMO_CODE)}"}
    body = _assert_problem(web.client.post("/api/cardauth/v1/verify", json=[], headers=headers), 400, "body_invalid")
    assert set(body["details"]) >= {"field", "reason"}


def test_an_expired_staff_session_asked_for_json_gets_a_problem_document(app, as_admin):
    with as_admin.client.session_transaction() as session:
        session["last_seen"] = 0
    response = as_admin.get("/map/layers/shelters.geojson", headers={"Accept": "application/json"})
    body = _assert_problem(response, 401, "session_expired")
    assert "もう一度ログインしてください" in body["detail"]

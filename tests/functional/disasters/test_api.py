"""The online applications API and the public verify API publish OpenAPI documents, and the
applications API refuses what its columns cannot hold with a 422 problem document, not a 500."""
import pytest
from sqlalchemy import func, select

from app.disasters.models import CertificateApplication
from app.disasters.schemas import NEW_APPLICATION
from tests.helpers.fuzz.arrange import applications_target


@pytest.fixture()
def applications(db):
    return applications_target(db).headers


def _open_disaster(web, headers) -> int:
    return web.client.get("/api/applications/v1/disasters", headers=headers).get_json()["disasters"][0]["id"]


def _application(disaster_id, **changes) -> dict:
    return {"disaster_id": disaster_id, "kind": "被災証明書", "applicant_name": "桜ヶ丘 太郎",
            "applicant_address": "桜ヶ丘町一丁目1番1号", "cause": "大雨", "damaged_property": "家財", **changes}


def test_documents_are_served_without_authentication(web):
    applications = web.get("/api/applications/v1/openapi.json").get_json()
    assert applications["openapi"].startswith("3.1")
    assert {"/disasters", "/certificate-applications", "/certificate-applications/{application_id}"} == set(
        applications["paths"])
    new = applications["components"]["schemas"]["NewApplication"]["properties"]
    assert new["applicant_name"]["maxLength"] == 100 and new["disaster_id"]["maximum"] == 2**31 - 1
    verify = web.get("/api/verify/v1/openapi.json").get_json()
    assert verify["openapi"].startswith("3.1") and "/{code}" in verify["paths"]


def test_a_valid_application_is_received(web, applications):
    response = web.client.post("/api/applications/v1/certificate-applications", headers=applications,
                               json=_application(_open_disaster(web, applications)))
    assert response.status_code == 201, response.get_data(as_text=True)


@pytest.mark.parametrize(("changes", "field"), [
    ({"applicant_name": "桜\x00太郎"}, "$.applicant_name"), ({"building_address": "\x00"}, "$.building_address")])
def test_a_nul_in_a_text_field_is_refused_before_the_api_reads_it(web, applications, changes, field):
    body = {**_application(_open_disaster(web, applications)), **changes}
    response = web.client.post("/api/applications/v1/certificate-applications", headers=applications, json=body)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["code"] == "unstorable_character"
    assert response.get_json()["details"] == {"field": field}


@pytest.mark.parametrize(("changes", "code"), [
    ({"applicant_name": "あ" * 101}, "too_long"),
    ({"applicant_phone": "0" * 21}, "too_long"),
    ({"disaster_id": 2**40}, "disaster_unknown"),
    ({"disaster_id": True}, "disaster_unknown"),
])
def test_what_the_columns_cannot_hold_is_refused(web, applications, changes, code):
    body = {**_application(_open_disaster(web, applications)), **changes}
    response = web.client.post("/api/applications/v1/certificate-applications", headers=applications, json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["code"] == code


@pytest.mark.parametrize("number", [2**31, 2**63])
def test_an_application_id_past_the_integer_column_is_not_found(web, applications, number):
    response = web.client.get(f"/api/applications/v1/certificate-applications/{number}", headers=applications)
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"


def _post(web, headers, body):
    return web.client.post("/api/applications/v1/certificate-applications", headers=headers, json=body)


@pytest.mark.parametrize(("changes", "code", "field", "reason"), [
    ({"applicant_name": "桜\x1b太郎"}, "invalid_character", "/applicant_name", "pattern"),
    ({"cause": "大雨\n洪水"}, "invalid_character", "/cause", "pattern"),
    ({"applicant_address": "あ" * 201}, "too_long", "/applicant_address", "maxLength"),
    ({"applicant_phone": 5}, "not_a_string", "/applicant_phone", "type"),
    ({"kind": 1}, "not_a_string", "/kind", "type"),
    ({"kind": "住民票"}, "kind_unknown", "/kind", "enum"),
    ({"flood_level": "天井"}, "choice_unknown", "/flood_level", "enum"),
    ({"disaster_id": "1"}, "disaster_unknown", "/disaster_id", "type"),
    ({"disaster_id": 0}, "disaster_unknown", "/disaster_id", "minimum"),
])
def test_the_body_is_checked_against_the_schema_the_document_publishes(web, applications, changes, code, field,
                                                                        reason):
    response = _post(web, applications, {**_application(_open_disaster(web, applications)), **changes})
    assert response.status_code == 422, response.get_data(as_text=True)
    problem = response.get_json()
    assert problem["code"] == code and problem["details"] == {"field": field, "reason": reason}
    assert problem["detail"]


def test_a_missing_member_and_a_body_that_is_no_object_keep_their_codes(web, applications):
    body = _application(_open_disaster(web, applications))
    del body["cause"]
    missing = _post(web, applications, body).get_json()
    assert (missing["code"], missing["details"]["field"]) == ("missing", "/cause")
    assert _post(web, applications, [body]).get_json()["code"] == "not_an_object"
    for raw in ("x", "", '{"disaster_id": NaN}'):
        refused = web.client.post("/api/applications/v1/certificate-applications", headers=applications, data=raw,
                                  content_type="application/json")
        assert (refused.status_code, refused.get_json()["code"]) == (422, "not_json"), raw


def _applications(system_session) -> int:
    return system_session.scalar(select(func.count()).select_from(CertificateApplication))


def test_a_body_past_its_size_or_depth_is_refused_before_anything_is_stored(web, applications, system_session):
    body, before = _application(_open_disaster(web, applications)), _applications(system_session)
    too_large = _post(web, applications, {**body, "comment": "x" * 9000})
    assert too_large.status_code == 413 and too_large.get_json()["code"] == "body_too_large"
    assert too_large.get_json()["details"] == {"limit": 8192}
    too_deep = _post(web, applications, {**body, "comment": [[[[["深い"]]]]]})
    assert too_deep.status_code == 400 and too_deep.get_json()["code"] == "body_too_deep"
    assert _applications(system_session) == before


def test_the_document_publishes_the_schema_the_server_checks_with(web):
    document = web.get("/api/applications/v1/openapi.json").get_json()
    assert document["components"]["schemas"]["NewApplication"] == NEW_APPLICATION.schema
    responses = document["paths"]["/certificate-applications"]["post"]["responses"]
    assert {"201", "400", "401", "413", "422"} <= set(responses)

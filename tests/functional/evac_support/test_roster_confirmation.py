"""A roster is provided only by a POST from its confirmation page (49条の11: every provision is a
record with legal meaning): opening a roster URL — as a crawler or a bookmark does — shows the
confirmation and writes nothing; the confirmation's form, CSRF-protected, records and downloads."""
import csv
import io

from sqlalchemy import text

from tests.helpers.evac_support import (
    confirmation_form,
    create_organisation,
    extract_register,
    organisation_id,
    provide,
    record_consent,
    register_by_area,
)


def _provisions(system_session) -> int:
    return system_session.scalar(text("SELECT count(*) FROM evac_roster_provisions"))


def _exports(system_session) -> int:
    return system_session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'evac_roster_export'"))


def _arranged(browser, system_session) -> tuple[int, int]:
    """An organisation covering the largest 町丁目, one consenting person there: (org id, person id)."""
    extract_register(browser)
    areas = register_by_area(system_session)
    code = max((c for c in areas if c), key=lambda c: len(areas[c]))
    create_organisation(browser, "桜ヶ丘三区自主防災会（確認）", [code])
    record_consent(browser, system_session, areas[code][0])
    return organisation_id(system_session, "桜ヶ丘三区自主防災会（確認）"), areas[code][0]


def test_opening_roster_urls_shows_the_confirmation_and_writes_nothing(as_admin, system_session):
    org_id, _ = _arranged(as_admin, system_session)
    urls = [("/evac-support/roster", {"recipient": "桜ヶ丘消防署", "mode": "平常時"}),
            ("/evac-support/roster", {"recipient": "桜ヶ丘消防署", "mode": "平常時", "format": "xlsx"}),
            (f"/evac-support/organisations/{org_id}/roster", {"mode": "平常時"}),
            (f"/evac-support/organisations/{org_id}/roster", {"mode": "平常時", "format": "xlsx",
                                                               "encoding": "cp932"})]
    for _ in range(3):  # a crawler comes back
        for path, args in urls:
            response = as_admin.get(path, query_string=args)
            assert response.status_code == 200 and response.mimetype == "text/html", path
            page = response.get_data(as_text=True)
            assert 'id="roster-confirm"' in page and "1 人" in page, path
    assert _provisions(system_session) == 0 and _exports(system_session) == 0


def test_the_confirmation_form_records_one_provision_and_needs_its_csrf_token(as_admin, system_session):
    org_id, person_id = _arranged(as_admin, system_session)
    path = f"/evac-support/organisations/{org_id}/roster"
    page = as_admin.get(path, query_string={"mode": "平常時"}).get_data(as_text=True)
    action, fields = confirmation_form(page)
    assert action == path and "csrf_token" in dict(fields)
    forged = as_admin.client.post(path, data={k: v for k, v in fields if k != "csrf_token"})
    assert forged.status_code == 400 and _provisions(system_session) == 0
    rows = list(csv.reader(io.StringIO(provide(as_admin, path, mode="平常時").data.decode("utf-8-sig"))))
    assert len(rows) == 2
    recorded = system_session.execute(text("SELECT org_id, person_ids FROM evac_roster_provisions")).all()
    assert recorded == [(org_id, [person_id])] and _exports(system_session) == 1


WATCHED = ("evac_roster_provisions", "victim_provisions", "issued_certificates", "issuance_log", "counter_queue")


def _records(system_session) -> dict[str, int]:
    return {table: system_session.scalar(text(f"SELECT count(*) FROM {table}")) for table in WATCHED}


def test_no_get_route_writes_a_provision_or_an_issue(app, as_admin, system_session):
    """A crawler with every screen: each GET route, filled with ids that exist and the query a
    roster or export takes, leaves provisions, issues and the counter queue as they were."""
    import re

    org_id, person_id = _arranged(as_admin, system_session)
    as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（巡回）", "kind": "地震", "started_on": "2026-11-20"})
    ids = {"org_id": org_id, "person_id": person_id, "atena_no": system_session.scalar(text(
        "SELECT r.atena_no FROM evac_people p JOIN residents r ON r.id = p.resident_id WHERE p.id = :p"),
        {"p": person_id}), "disaster_id": system_session.scalar(text("SELECT max(id) FROM disasters"))}
    query = {"mode": "災害時", "recipient": "巡回ロボット", "format": "csv", "third_party": "1", "basis": "本人同意"}
    before = _records(system_session)
    visited = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static", "/logout")):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids.get(m.group(1), 1)), rule.rule)
        response = as_admin.get(path, query_string=query)
        response.get_data()  # a streamed export runs to its end
        response.close()
        visited += 1
    assert visited > 80
    assert _records(system_session) == before

"""Every route of the application (read from the URL map, so a new route is covered as it is added),
requested by anonymous visitors, by each role (権限01–04) of municipality A (046990), by
municipality B's (033995) administrator and by the operator (J-LIS), with the ids of A's records
in the route's parameters: never a 500, a 403 for screens outside the role (the role table of
docs/permissions.md, written out here), and nothing of A reaches B or the operator: no 2xx page
holds A's data and no POST changes A's rows.

GET is requested where a route allows it; a POST-only route gets an empty POST with a valid CSRF
token.
"""
from __future__ import annotations

import io
import json
import math
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import text

from app.certificates.models import CounterQueueEntry
from app.disasters.models import RECIPIENT_KINDS, SupportApplication
from app.maps.models import HazardUpload, SpatialAnalysis
from app.web import PUBLIC_ENDPOINTS
from tests.helpers.demo import DEMO_CODE, SECOND_CODE
from tests.helpers.web import new_browser

# docs/permissions.md, "Roles (権限 01–04)": the screens of each demo user's role.
ALL_SCREENS = {"victims", "shelters", "evac_support", "disaster_register", "damage_review", "search", "map",
               "hazard", "residents", "certificates", "admin", "audit"}
DOCUMENTED_ROLES = {
    "admin": ALL_SCREENS,
    "bosai": {"victims", "shelters", "evac_support", "disaster_register", "damage_review", "search", "map", "hazard"},
    "fukushi": {"evac_support", "shelters", "search", "map"},
    "hinanjo": {"shelters", "map"},
}
LOGIN_ONLY = "login_only"
# Parameters that name a record of A alone (ids are global sequences; generation numbers are not).
RECORDS_OF_A_ONLY = {"disaster_id", "building_id", "survey_id", "photo_id", "victim_id", "household_id",
                     "application_id", "shelter_id", "opening_id", "evacuee_id", "person_id", "org_id",
                     "provision_id", "update_id", "token_id", "batch_id", "job_id", "analysis_id", "upload_id",
                     "entry_id", "issued_id", "user_id", "atena_no", "feature_id", "recipient_id", "basemap_id"}
PARAMETER = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")
# A parameter name that means different records under different paths.
BY_PATH = {("/victims/support/applications/", "application_id"): "support_application_id",
           ("/gis/tokens/", "token_id"): "gis_token_id"}


def _location_id(response, pattern: str) -> int:
    return int(re.search(pattern, response.headers["Location"]).group(1))


def _tile_of(lat: float, lon: float, z: int) -> tuple[int, int, int]:
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def _scalar(session, sql: str, **params):
    value = session.execute(text(sql), {"lg": DEMO_CODE} | params).scalar()
    assert value is not None, sql
    return value


def a_markers(session, values: dict[str, str]) -> tuple[str, ...]:
    """What only A's data carries: its 団体コード, the names given to the records made here, and the
    addresses of A's building and person used in the routes (names may recur in another town)."""
    return (DEMO_CODE, "検査用記録A", *session.execute(text("""
        SELECT b.address, r.address FROM buildings b, residents r
        WHERE b.id = :b AND r.atena_no = :a AND r.lg_code = :lg"""),
        {"lg": DEMO_CODE, "b": values["building_id"], "a": values["atena_no"]}).one())


def _records_of_a(app, session) -> dict[str, str]:
    """Create one record of A for every kind of id a route takes; parameter name → value."""
    admin = new_browser(app)
    assert admin.login(DEMO_CODE, "admin").status_code == 302
    admin.post("/disasters/new", {"name": "検査用記録A地震", "kind": "地震", "started_on": "2026-11-20"})
    disaster_id = _scalar(session, "SELECT id FROM disasters WHERE lg_code = :lg")
    building_id = _scalar(session, """SELECT b.id FROM buildings b JOIN residents r ON r.address = b.address
        WHERE b.lg_code = :lg AND b.is_dwelling AND b.structure = '木造' ORDER BY b.id LIMIT 1""")
    area = _scalar(session, """SELECT a.code FROM admin_areas a JOIN buildings b ON ST_Intersects(a.geom, b.geom)
        WHERE b.id = :b""", b=building_id)
    survey = admin.post(f"/damage/buildings/{building_id}/surveys", {"round": "第1次", "hazard": "地震"},
                        form_page=f"/damage/buildings/{building_id}")
    survey_id = _location_id(survey, r"/damage/surveys/(\d+)")
    admin.post(f"/damage/surveys/{survey_id}/photos", {"photo": (io.BytesIO(_jpeg()), "a.jpg"), "caption": "屋根"},
               form_page=f"/damage/surveys/{survey_id}", content_type="multipart/form-data")
    admin.post("/victims/register/build", {"area": area}, form_page="/victims/register")
    house = _scalar(session, "SELECT address FROM buildings WHERE id = :b", b=building_id)
    application = admin.post("/victims/certificates/new", {
        "kind": "罹災証明書", "channel": "窓口", "applicant_name": "検査用記録A 太郎", "applicant_address": house,
        "cause": "検査用記録A地震", "building_id": str(building_id), "flood_level": ""},
        form_page=f"/victims/certificates/new?building_id={building_id}")
    household_id = _scalar(session, "SELECT id FROM victim_households WHERE lg_code = :lg ORDER BY id LIMIT 1")
    shelter_id = _scalar(session, "SELECT id FROM shelters WHERE lg_code = :lg ORDER BY id LIMIT 1")
    opening = admin.post("/shelters/openings", {"shelter_id": str(shelter_id)}, form_page="/shelters/openings")
    opening_id = _location_id(opening, r"/shelters/openings/(\d+)")
    atena_no = _scalar(session, "SELECT atena_no FROM residents WHERE lg_code = :lg AND status = '住登内' "
                                "AND NOT is_protected ORDER BY id LIMIT 1")
    admin.post(f"/shelters/openings/{opening_id}/check-in", {"atena_no": atena_no},
               form_page=f"/shelters/openings/{opening_id}")
    admin.post("/evac-support/refresh", {}, form_page="/evac-support")
    admin.post("/evac-support/organisations", {"name": "検査用記録A自主防災会", "kind": "自主防災組織・自治会",
                                               "contact": "会長", "area_codes": [area], "is_active": "y"})
    org_id = _scalar(session, "SELECT id FROM supporter_orgs WHERE lg_code = :lg")
    admin.post(f"/evac-support/organisations/{org_id}/roster", {"mode": "平常時", "format": "csv"},
               form_page=f"/evac-support/organisations/{org_id}/roster")
    admin.post("/gis/tokens", {"name": "検査用記録A", "days": "30"})
    admin.post("/victims/recipients", {"name": "検査用記録A提供先", "kind": RECIPIENT_KINDS[0], "contact": "",
                                       "is_active": "y"})
    admin.post("/residents/tokens", {"name": "検査用記録A", "purpose": "link"})
    admin.post(f"/certificates/counter/{atena_no}/issue", {"document_type": "住民票の写し"},
               form_page=f"/certificates/counter/{atena_no}")
    resident_id = _scalar(session, "SELECT id FROM residents WHERE atena_no = :a AND lg_code = :lg", a=atena_no)
    user_id = _scalar(session, "SELECT id FROM users WHERE lg_code = :lg AND login_id = 'bosai'")
    admin_id = _scalar(session, "SELECT id FROM users WHERE lg_code = :lg AND login_id = 'admin'")
    entry = CounterQueueEntry(lg_code=DEMO_CODE, day=date.today(), ticket_no=1, resident_id=resident_id,
                              document_type="住民票の写し", fee_yen=300)
    analysis = SpatialAnalysis(lg_code=DEMO_CODE, user_id=admin_id, description="検査用記録A",
                               expires_at=datetime.now(UTC) + timedelta(hours=1))
    upload = HazardUpload(lg_code=DEMO_CODE, layer_code="flood", filename="検査用記録A.geojson", data=b"{}")
    support = SupportApplication(lg_code=DEMO_CODE, disaster_id=disaster_id, household_id=household_id,
                                 programme="基礎支援金", applied_on=date(2026, 12, 1))
    session.add_all([entry, analysis, upload, support])
    session.commit()
    lat, lon = session.execute(text("SELECT center_lat, center_lon FROM municipalities WHERE lg_code = :lg"),
                               {"lg": DEMO_CODE}).one()
    z, x, y = _tile_of(float(lat), float(lon), 14)
    return {key: str(value) for key, value in {
        "disaster_id": disaster_id, "building_id": building_id, "survey_id": survey_id,
        "photo_id": _scalar(session, "SELECT id FROM damage_survey_photos WHERE lg_code = :lg"),
        "victim_id": _scalar(session, "SELECT id FROM victims WHERE lg_code = :lg ORDER BY id LIMIT 1"),
        "household_id": household_id, "application_id": _location_id(application, r"/victims/certificates/(\d+)"),
        "support_application_id": support.id,
        "shelter_id": shelter_id, "opening_id": opening_id,
        "evacuee_id": _scalar(session, "SELECT id FROM evacuees WHERE lg_code = :lg ORDER BY id LIMIT 1"),
        "person_id": _scalar(session, "SELECT id FROM evac_people WHERE lg_code = :lg ORDER BY id LIMIT 1"),
        "org_id": org_id, "provision_id": _scalar(session, "SELECT id FROM evac_roster_provisions WHERE lg_code = :lg"),
        "update_id": _scalar(session, "SELECT id FROM evac_register_updates WHERE lg_code = :lg"),
        "gis_token_id": _scalar(session, "SELECT id FROM gis_tokens WHERE lg_code = :lg"),
        "recipient_id": _scalar(session, "SELECT id FROM victim_recipients WHERE lg_code = :lg"),
        "token_id": _scalar(session, "SELECT id FROM link_tokens WHERE lg_code = :lg"),
        "batch_id": _scalar(session, "SELECT id FROM link_batches WHERE lg_code = :lg ORDER BY id LIMIT 1"),
        "number": _scalar(session, "SELECT max(number) FROM generations WHERE lg_code = :lg"),
        "job_id": _scalar(session, "SELECT id FROM jobs WHERE lg_code = :lg ORDER BY id LIMIT 1"),
        "analysis_id": analysis.id, "upload_id": upload.id, "entry_id": entry.id,
        "issued_id": _scalar(session, "SELECT id FROM issued_certificates WHERE lg_code = :lg ORDER BY id LIMIT 1"),
        "user_id": user_id, "atena_no": atena_no, "feature_id": building_id, "collection_id": "buildings",
        "key": "buildings", "layer": "residents", "layer_code": "flood", "z": z, "x": x, "y": y, "ext": "pbf",
        "basemap_id": _scalar(session, "SELECT id FROM basemaps WHERE lg_code = :lg"),
        "table": "counts", "file_format": "csv", "code": "ZZZZ-ZZZZ-ZZZZ", "session_id": "none",
        "request_id": "none", "filename": "js/app.js"}.items()}


def _requests(app, values: dict[str, str]):
    """(endpoint, method, path) of every route: GET where allowed, else its one other method. Logout
    comes last, so that it ends the session only when all else was requested."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.rule)):
        def value(match, rule=rule):
            name = match.group(1)
            name = next((v for (prefix, n), v in BY_PATH.items() if n == name and rule.rule.startswith(prefix)), name)
            return values[name]

        path = PARAMETER.sub(value, rule.rule)
        methods = rule.methods - {"HEAD", "OPTIONS"}
        yield rule.endpoint, "GET" if "GET" in methods else sorted(methods)[0], path


def _text(response) -> str:
    """The body as text (JSON with its escapes undone, CSV in its charset); binary bodies say nothing."""
    if response.is_json:
        return json.dumps(response.get_json(silent=True), ensure_ascii=False)
    charset = response.mimetype_params.get("charset", "utf-8").replace("shift_jis", "cp932")
    return response.get_data().decode(charset, errors="replace")


def _send(browser, token: str, method: str, path: str):
    """The response, read to the end and closed (status, headers, body as text)."""
    if method == "GET":
        response = browser.client.get(path)
    else:
        response = browser.client.open(path, method=method, data={"csrf_token": token})
    response.body_text = _text(response) if response.status_code < 300 else ""
    response.close()
    return response


def _digest_of_a(session) -> dict[str, str]:
    """A fingerprint of every row of A (the audit log aside: refusals are recorded there)."""
    session.commit()  # a new transaction sets the system scope again (requests set theirs on the connection)
    tables = session.execute(text("""
        SELECT c.table_name FROM information_schema.columns c JOIN pg_tables t ON t.tablename = c.table_name
        WHERE c.column_name = 'lg_code' AND c.table_schema = 'public' AND t.schemaname = 'public'
          AND c.table_name NOT IN ('audit_log', 'map_tile_cache') ORDER BY 1""")).scalars().all()
    return {table: session.execute(text(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                                        f"FROM {table} t WHERE lg_code = :lg"), {"lg": DEMO_CODE}).scalar()
            for table in tables}


def _guard(app, endpoint: str):
    view = app.view_functions[endpoint]
    return getattr(view, "required_screen", None), getattr(view, "auth_scheme", None)


def _refused_anonymous(app, endpoint: str, response) -> bool:
    """Sent to the login page, or 401 for an API that wants its token (400: a form without a session)."""
    if _guard(app, endpoint)[1]:
        return response.status_code == 401
    return response.status_code == 400 or (
        response.status_code == 302 and response.headers["Location"].startswith("/login"))


def _login(app, lg_code, login_id):
    browser = new_browser(app)
    assert browser.login(lg_code, login_id).status_code == 302, login_id
    return browser, browser.csrf_token("/password")


@pytest.fixture()
def routes(app, db, system_session):
    values = _records_of_a(app, system_session)
    missing = {name for rule in app.url_map.iter_rules() for name in PARAMETER.findall(rule.rule)
               if name not in values}
    assert missing == set(), f"give the matrix a record of A for {missing}"
    return list(_requests(app, values)), a_markers(system_session, values)


def test_no_route_answers_500_or_shows_a_to_anyone_outside_a(app, routes, system_session):
    routes, markers = routes
    problems = []
    anonymous = new_browser(app)
    for endpoint, method, path in routes:
        response = _send(anonymous, "", method, path)
        if response.status_code >= 500 or not (endpoint in PUBLIC_ENDPOINTS or _refused_anonymous(app, endpoint,
                                                                                                    response)):
            problems.append(("anonymous", method, path, response.status_code))
    rule_of = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    before = _digest_of_a(system_session)
    for lg_code, login_id in ((SECOND_CODE, "admin"), (None, "jlis")):
        browser, token = _login(app, lg_code, login_id)
        for endpoint, method, path in routes:
            response = _send(browser, token, method, path)
            screen, _ = _guard(app, endpoint)
            leaked = [m for m in markers if m in response.body_text]
            if response.status_code < 300 and set(PARAMETER.findall(rule_of[endpoint])) & RECORDS_OF_A_ONLY:
                leaked.append("a record of A")
            if screen == "operator" and login_id == "jlis":
                leaked = [m for m in leaked if m != DEMO_CODE]  # its screen lists the municipalities
            if response.status_code >= 500 or leaked:
                problems.append((login_id, lg_code, method, path, response.status_code, leaked))
    after = _digest_of_a(system_session)
    changed = [table for table in before if before[table] != after[table]]
    assert problems == [] and changed == [], (problems, changed)


def test_each_role_of_a_reaches_its_screens_and_is_refused_the_others(app, routes):
    routes, _ = routes
    problems = []
    for login_id, screens in DOCUMENTED_ROLES.items():
        browser, token = _login(app, DEMO_CODE, login_id)
        for endpoint, method, path in routes:
            response = _send(browser, token, method, path)
            screen, _ = _guard(app, endpoint)
            if response.status_code >= 500:
                problems.append((login_id, method, path, response.status_code))
            elif screen and screen != LOGIN_ONLY and screen not in screens and response.status_code != 403:
                problems.append((login_id, method, path, screen, response.status_code))
    assert problems == []

"""Whatever a request brings, the answer is a clear 400/404 with a Japanese message, never a 500:
record ids beyond PostgreSQL's bigint, page numbers, NUL bytes and other characters PostgreSQL refuses."""
import inspect
import logging
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import select, text

from app.disasters.models import Disaster
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import new_browser

INTEGER_MAX, BIGINT_MAX = 2**31 - 1, 2**63 - 1
APPLICATIONS_API = "/api/applications/v1/certificate-applications"
TILE_COORDINATES = {"z", "x", "y"}
INTEGER_PARAMETER = re.compile(r"<(int|id|bigid)(?:\([^)]*\))?:(\w+)>")
ANY_PARAMETER = re.compile(r"<(?:[\w]+(?:\([^)]*\))?:)?(\w+)>")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture()
def admin(app, db):
    browser = new_browser(app)
    assert browser.login(DEMO_CODE, "admin").status_code == 302
    return browser


@pytest.fixture()
def disaster_chosen(admin, system_session):
    """The admin works on a disaster (the 安否 screens need one)."""
    disaster = Disaster(lg_code=DEMO_CODE, name="入力検査の地震", kind="地震", started_on=date(2026, 11, 1))
    system_session.add(disaster)
    system_session.commit()
    assert admin.post("/disasters/select", {"disaster_id": disaster.id}, form_page="/").status_code == 302
    return disaster


def _integer_routes(app):
    """(rule, names of its integer parameters) for every route that takes a number in its path."""
    for rule in app.url_map.iter_rules():
        names = [name for _, name in INTEGER_PARAMETER.findall(rule.rule)]
        if names:
            yield rule, names


def _path(rule, values: dict[str, str]) -> str:
    return ANY_PARAMETER.sub(lambda m: values.get(m.group(1), "1"), rule.rule)


def assert_clear_refusal(response, statuses=(400, 404)) -> str:
    """A 4xx whose message a person can read: the Japanese error page or a problem+json document.
    Returns the message."""
    assert response.status_code in statuses, (response.request.path, response.status_code)
    if response.mimetype == "application/problem+json":
        body = response.get_json()
        assert body["status"] == response.status_code and body["code"]
        message = body["title"] + body.get("detail", "")
    else:
        assert response.mimetype == "text/html"
        message = response.get_data(as_text=True)
        assert JAPANESE.search(re.search(r"<h1[^>]*>(.*?)</h1>", message, re.S).group(1)), message[:300]
    assert JAPANESE.search(message)
    return message


def test_record_ids_in_routes_use_a_database_id_converter(app):
    ints = [(rule.rule, name) for rule, names in _integer_routes(app) for name in names
            if name not in TILE_COORDINATES and not re.search(rf"<(big)?id:{name}>", rule.rule)]
    assert ints == []


def test_every_id_route_answers_404_to_ids_its_column_cannot_hold(app, admin, disaster_chosen):
    """The largest id a route accepts must reach the database as a valid key (a 404, not 'integer out
    of range', which would mean a <bigid:> route over an integer column); anything beyond, or below
    1, is no route at all."""
    token = admin.csrf_token("/")
    checked = 0
    for rule, names in _integer_routes(app):
        for name in names:
            if name in TILE_COORDINATES:
                continue
            largest = BIGINT_MAX if f"<bigid:{name}>" in rule.rule else INTEGER_MAX
            for value in dict.fromkeys((largest, largest + 1, BIGINT_MAX + 1, 2**64, -1)):
                path = _path(rule, {name: str(value)})
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    response = admin.client.open(path, method=method, data={"csrf_token": token})
                    if value == largest:  # a valid key of no record: the view answers as it does
                        assert response.status_code < 500 and response.status_code != 200, (path, method)
                    else:
                        assert_clear_refusal(response, (404,))
                    checked += 1
    assert checked > 300


@pytest.mark.parametrize("value", ["9223372036854775808", "18446744073709551616", "-1"])
def test_tile_coordinates_beyond_range_are_refused(app, admin, disaster_chosen, value):
    for rule, names in _integer_routes(app):
        if TILE_COORDINATES & set(names):
            for name in TILE_COORDINATES:
                response = admin.get(_path(rule, {name: value, "layer": "shelters"}))
                assert response.status_code in (204, 400, 404), (rule.rule, name, response.status_code)


FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)
ACTION = re.compile(r"\baction=\"([^\"]*)\"")
LINK_QUERY = re.compile(r"href=\"(/[^\"?#]*)\?([^\"#]+)\"")


def _search_parameters(app, browser):
    """(path, parameter name) of every GET form field and every link's query parameter on the pages
    a logged-in administrator can open."""
    found = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static":
            continue
        response = browser.get(rule.rule)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        for path, query in LINK_QUERY.findall(page):
            found |= {(path, name) for name, _ in parse_qsl(query.replace("&amp;", "&"), keep_blank_values=True)}
        for attributes, body in FORM.findall(page):
            if re.search(r"method=\"post\"", attributes, re.I):
                continue
            action = ACTION.search(attributes)
            target = (action.group(1) if action and action.group(1) else rule.rule).split("?")[0]
            found |= {(target.replace("&amp;", "&"), name) for name in FIELD.findall(body) if name != "csrf_token"}
    return found


def test_a_nul_byte_in_any_search_field_of_the_list_screens_is_refused(app, admin, disaster_chosen):
    forms = _search_parameters(app, admin)
    names = {name for _, name in forms}
    assert {"kana", "status", "has_plan"} <= names, names
    for action, name in sorted(forms):
        message = assert_clear_refusal(admin.get(action, query_string={name: "a\x00b"}), (400,))
        assert "使用できない文字" in message and f"「{name}」" in message, (action, name)


@pytest.mark.parametrize("path", ["/shelters/desk/search.json", "/certificates/counter", "/evac-support/plans",
                                  "/evac-support/safety", "/damage/surveys", "/victims/certificates"])
@pytest.mark.parametrize("name", ["kana", "status", "has_plan", "birth", "address"])
def test_a_nul_byte_in_a_search_parameter_is_a_400(admin, disaster_chosen, path, name):
    response = admin.get(path, query_string={name: "\x00"})
    assert_clear_refusal(response, (400,))


def test_nul_bytes_and_lone_surrogates_in_form_fields_and_json_are_refused_before_any_write(
        admin, system_session):
    before = system_session.execute(text("SELECT count(*) FROM disasters")).scalar()
    form = admin.post("/disasters/new", {"name": "災害\x00", "kind": "地震", "started_on": "2026-11-01"})
    assert_clear_refusal(form, (400,))
    assert "name" in form.get_data(as_text=True)
    api = admin.client.post(APPLICATIONS_API, data='{"card": {"certificate": "\\ud800"}}',
                            content_type="application/json", headers={"Authorization": "Bearer x"})
    assert_clear_refusal(api, (400,))
    assert api.get_json()["code"] == "unstorable_character"
    assert api.get_json()["details"]["field"] == "$.card.certificate"
    assert system_session.execute(text("SELECT count(*) FROM disasters")).scalar() == before


def test_json_nested_deeper_than_the_parser_goes_is_a_400(admin):
    deep = "[" * 100_000 + "]" * 100_000
    response = admin.client.post(APPLICATIONS_API, data=deep, content_type="application/json",
                                 headers={"Authorization": "Bearer x"})
    assert_clear_refusal(response, (400,))
    assert response.get_json()["code"] == "body_too_deep"


def test_texts_the_services_no_longer_check_for_nul_are_refused_by_the_request_check(admin, system_session):
    """The reason for printing a protected member at the counter and the typed login id reach their
    services only through these forms, which the request check refuses before any view."""
    atena_no = system_session.execute(text("SELECT atena_no FROM residents WHERE lg_code = :lg ORDER BY id LIMIT 1"),
                                      {"lg": DEMO_CODE}).scalar_one()
    issued_before = system_session.execute(text("SELECT count(*) FROM issued_certificates")).scalar()
    counter = admin.post(f"/certificates/counter/{atena_no}/issue",
                         {"document_type": "住民票の写し", "household": "y", f"decision_{atena_no}": "記載",
                          f"reason_{atena_no}": "本人\x00"}, form_page="/")
    login = new_browser(admin.client.application).login(DEMO_CODE, "adm\x00in")
    for response, field in ((counter, f"reason_{atena_no}"), (login, "login_id")):
        assert f"「{field}」" in assert_clear_refusal(response, (400,))
    assert system_session.execute(text("SELECT count(*) FROM issued_certificates")).scalar() == issued_before


@pytest.mark.parametrize("path", ["/residents/%00", "/map/layers/%00.geojson", "/ogc/collections/%00"])
def test_a_nul_byte_in_a_path_is_refused(admin, path):
    assert_clear_refusal(admin.get(path), (400, 404))


@pytest.mark.parametrize("page", ["9223372036854775807", "9223372036854775808", "18446744073709551616", "0", "-1",
                                  "abc", "1\x00"])
@pytest.mark.parametrize("path", ["/admin/audit", "/victims/register"])
def test_page_numbers_out_of_range_are_a_400(admin, disaster_chosen, path, page):
    response = admin.get(path, query_string={"page": page})
    assert_clear_refusal(response, (400,))


def test_the_last_page_that_postgresql_can_offset_is_shown_empty(admin, disaster_chosen):
    from app.inputs import BIGINT_MAX

    for path, size in (("/admin/audit", 50), ("/victims/register", 100)):
        assert admin.get(path, query_string={"page": BIGINT_MAX // size}).status_code == 200, path


@pytest.mark.parametrize("version", ["", "abc", "1.5", "-1", "１", "²", "99999999999999999999999", "9" * 5000])
def test_a_form_version_that_is_no_version_number_is_a_400_and_changes_nothing(admin, disaster_chosen,
                                                                                 system_session, version):
    page = f"/disasters/{disaster_chosen.id}"
    response = admin.post(f"{page}/status", {"status": "終了", "version": version}, form_page=page)
    assert "画面を開き直して" in assert_clear_refusal(response, (400,))
    system_session.expire_all()
    assert system_session.get(Disaster, disaster_chosen.id).status != "終了"


# What the screens' forms send besides the field under test, so that a form checked by WTForms
# (the certificate application) reaches the point where it reads the field.
FORM_BASICS = {"kind": "被災証明書", "channel": "窓口", "applicant_name": "入力", "applicant_address": "桜ヶ丘町",
               "cause": "地震", "flood_level": "", "document_type": "住民票の写し"}


@pytest.mark.parametrize("value", [str(2**40), "abc", "²"])
@pytest.mark.parametrize(("path", "field"), [
    ("/shelters/openings", "shelter_id"), ("/disasters/select", "disaster_id"),
    ("/victims/certificates/new", "building_id")])
def test_a_record_id_in_a_form_that_no_column_can_hold_is_a_400(admin, disaster_chosen, path, field, value):
    response = admin.post(path, {field: value} | FORM_BASICS, form_page="/")
    assert "画面を開き直して" in assert_clear_refusal(response, (400,))


POST_FORM = re.compile(r"<form\b([^>]*\bmethod=\"post\"[^>]*)>(.*?)</form>", re.S | re.I)
FORM_FIELD = re.compile(r'name="(\w+)"|\bform\.(\w+)\b')
FORM_ACTION = re.compile(r"url_for\('([\w.]+)'")
# Fields named *_id that are no record id chosen on the screen: login ids are typed text, and the
# role of a user is a WTForms select that checks the value against its choices.
NOT_RECORD_IDS = {"login_id", "admin_login_id", "role_id"}
# Record ids a form may leave empty: 平時 (no disaster), 未定 (no shelter yet), no person, no building,
# no recipient chosen (the service asks for one).
OPTIONAL_IDS = {("/disasters/select", "disaster_id"), ("/evac-support/people/<id:person_id>/plan", "shelter_id"),
                ("/victims/support/households/<id:household_id>/applications", "victim_id"),
                ("/victims/register/build", "building_id"), ("/victims/certificates/new", "building_id"),
                ("/victims/register/provide", "recipient_id")}


def _posted_numbers(app) -> set[tuple[str, str]]:
    """(route, field) of every version and record id that a POST form in the templates sends: to the
    form's ``url_for`` action, or else to the views that render the template (the form posts back)."""
    sources = {endpoint: inspect.getsource(view) for endpoint, view in app.view_functions.items()}
    found = set()
    for path in Path(app.root_path).rglob("templates/**/*.html"):
        template = str(path).split("/templates/", 1)[1]
        for attributes, body in POST_FORM.findall(path.read_text()):
            fields = {typed or rendered for typed, rendered in FORM_FIELD.findall(body)}
            fields = {f for f in fields if f == "version" or f.endswith("_id")} - NOT_RECORD_IDS
            action = FORM_ACTION.search(attributes)
            endpoints = [action.group(1)] if action else [
                endpoint for endpoint, source in sources.items() if f'render_template("{template}"' in source]
            found |= {(rule.rule, field) for endpoint in endpoints for rule in app.url_map.iter_rules(endpoint)
                      if "POST" in rule.methods for field in fields}
    return found


def test_the_forms_of_the_screens_post_versions_and_record_ids(app):
    posted = _posted_numbers(app)
    assert {("/disasters/<id:disaster_id>/status", "version"), ("/victims/register/<id:victim_id>", "version"),
            ("/admin/users/<id:user_id>", "version"), ("/shelters/openings", "shelter_id"),
            ("/shelters/evacuees/<id:evacuee_id>/move", "to_opening_id"),
            ("/shelters/registry/<id:shelter_id>/staff", "user_id")} <= posted
    assert posted >= OPTIONAL_IDS and len(posted) >= 30


@pytest.mark.parametrize("value", ["", "²", "1.5", "0x1", str(2**40)])
def test_every_version_and_record_id_a_form_posts_is_read_before_use(app, admin, disaster_chosen, caplog, value):
    """Whatever a screen's form posts as a version or record id, to a record that is not there: a
    malformed value is the stale-form 400 before any lookup, an empty optional id is no error at all;
    none reaches the database."""
    token = admin.csrf_token("/")
    # Choosing no disaster (平時) ends the disaster mode the other screens need: that one goes last.
    for rule, field in sorted(_posted_numbers(app), key=lambda posted: (posted[0] == "/disasters/select", posted)):
        response = admin.client.post(_record_of_no_one(rule), data={field: value, "csrf_token": token} | FORM_BASICS)
        if value == "" and (rule, field) in OPTIONAL_IDS:
            assert response.status_code < 500, (rule, field)
        else:
            assert "画面を開き直して" in assert_clear_refusal(response, (400,)), (rule, field, value)
    assert not [r for r in caplog.records if "refused by the database" in r.getMessage()]


def _record_of_no_one(rule: str) -> str:
    """The route with every record id the largest key: a record that does not exist."""
    return re.sub(r"<id:\w+>", str(INTEGER_MAX), rule)


def test_an_id_in_a_link_that_no_column_can_hold_is_not_found(admin, disaster_chosen, system_session):
    """``?issued=`` names the certificate the link shows, as a path id would: past ``integer`` or not a
    number at all, it is a certificate that is not there (404), not an input error and not the current one."""
    house = system_session.scalar(text("SELECT id FROM buildings WHERE lg_code = :lg AND is_dwelling ORDER BY id"),
                                  {"lg": DEMO_CODE})
    created = admin.post("/victims/certificates/new", FORM_BASICS | {"kind": "罹災証明書", "building_id": str(house)},
                         form_page=f"/victims/certificates/new?building_id={house}")
    assert created.status_code == 302, re.findall(r"<li>(.*?)</li>", created.get_data(as_text=True))
    pdf = created.headers["Location"].rstrip("/") + "/certificate.pdf"
    for issued in (str(2**40), "99999999999", "abc", "²", "-1", "0"):
        assert_clear_refusal(admin.get(pdf, query_string={"issued": issued}), (404,))
    for building in (str(2**40), "abc", "²"):
        assert_clear_refusal(admin.get("/victims/certificates/new", query_string={"building_id": building}), (404,))


def test_a_value_the_database_refuses_as_data_is_a_400_logged_as_a_missed_check(app, db, caplog):
    """The last line of defence: a value PostgreSQL refuses as data (here a number beyond integer)
    reaches the one error handler, which answers 400, not 500, and logs an ERROR: every value from a
    request is checked where it is read, so reaching the handler means a check is missing."""
    from sqlalchemy.exc import DataError

    with app.test_request_context("/victims/register"):
        with pytest.raises(DataError) as refused:
            db.session.execute(text("SELECT CAST(:n AS integer)"), {"n": str(2**40)})
        with caplog.at_level(logging.ERROR, logger="bcl"):
            response = app.make_response(app.handle_user_exception(refused.value))
    assert "範囲を超えています" in assert_clear_refusal(response, (400,))
    assert [r.levelno for r in caplog.records if r.name == "bcl"] == [logging.ERROR]


@pytest.mark.parametrize("value", ["", "²", "١٢", str(2**40), "9" * 5000])
def test_numbers_typed_into_forms_that_are_no_database_number_never_reach_int(admin, system_session, value):
    """Digits Python's isdigit() takes but int() or PostgreSQL refuse ("²", Arabic-Indic digits, past
    integer): the stale-form 400 on the roles grid (each role's version), an ignored age on the
    criteria form, never a 500."""
    from werkzeug.datastructures import MultiDict

    versions = system_session.execute(text("SELECT id, code, version FROM roles WHERE lg_code = :lg"),
                                      {"lg": DEMO_CODE}).all()
    fields = [(f"role-{r.id}-version", value if r.code == "04" else str(r.version)) for r in versions]
    token = admin.csrf_token("/admin/roles")
    roles = admin.client.post("/admin/roles", data=MultiDict([*fields, ("csrf_token", token)]))
    assert "画面を開き直して" in assert_clear_refusal(roles, (400,))
    criteria = admin.post("/evac-support/criteria", {"age_min": value, "alone_age_min": value},
                          form_page="/evac-support")
    assert criteria.status_code == 302


@pytest.mark.parametrize("typed", [str(2**40), "abc", "1.5", "²"])
def test_a_number_typed_into_a_form_that_no_column_holds_is_a_form_error_naming_the_field(
        admin, system_session, caplog, typed):
    """Quantities people type (toilets, capacity, a register item's order, a tax document's year): a
    Japanese error naming the field, nothing saved, never the database's refusal."""
    from app.residents.models import Resident
    from app.shelters.models import Shelter

    shelter = system_session.scalars(select(Shelter).where(Shelter.lg_code == DEMO_CODE).order_by(Shelter.id)).first()
    page = f"/shelters/registry/{shelter.id}"
    for field, label in (("toilets", "トイレの数"), ("capacity", "想定収容人数")):
        response = admin.post(page, {"version": str(shelter.version), "toilets": "2", field: typed}, form_page=page)
        assert response.status_code == 200 and f"{label}は" in response.get_data(as_text=True), field
    system_session.expire_all()
    assert system_session.get(Shelter, shelter.id).version == shelter.version

    items = admin.get("/admin/items").get_data(as_text=True)
    keys = re.findall(r'name="key" value="([a-z_0-9]+)"', items)
    data = {"key": keys} | {f"label_{key}": re.search(rf'name="label_{key}" value="([^"]+)"', items).group(1)
                            for key in keys} | {f"order_{keys[0]}": typed}
    saved = admin.post("/admin/items", data, form_page="/admin/items", follow_redirects=True)
    assert "順序は" in saved.get_data(as_text=True) and "事項の表示を保存しました" not in saved.get_data(as_text=True)

    person = system_session.scalars(select(Resident).where(Resident.lg_code == DEMO_CODE, Resident.status == "住登内")
                                    .order_by(Resident.id)).first()
    issued = admin.post(f"/certificates/counter/{person.atena_no}/issue",
                        {"document_type": "所得証明書", "fiscal_year": typed})
    assert issued.status_code == 422 and "年度" in issued.get_data(as_text=True)
    assert not [r for r in caplog.records if "refused by the database" in r.getMessage()]


def test_a_population_past_integer_is_a_form_error(app, web, system_session):
    assert web.login(None, "jlis").status_code == 302
    response = web.post("/operator", {"lg_code": "012033", "name": "小樽港市", "kind": "市", "population": str(2**40),
                                      "center_lat": "43.19", "center_lon": "141.0", "admin_login_id": "admin",
                                      "admin_name": "管理者", "admin_password": "Start-2026"})
    assert response.status_code == 200 and "人口は" in response.get_data(as_text=True)
    assert system_session.execute(text("SELECT count(*) FROM municipalities WHERE lg_code = '012033'")).scalar() == 0


def test_the_link_cli_refuses_a_generation_number_no_column_holds(app, db, tmp_path):
    result = app.test_cli_runner().invoke(args=["link", "export", "--lg-code", DEMO_CODE, "--generation",
                                                str(2**40), "--output", str(tmp_path / "g.zip")])
    assert result.exit_code == 2 and "--generation" in result.output, (result.output, result.exception)


def test_a_shelter_capacity_of_more_digits_than_int_reads_is_listed_not_failed_on(admin):
    """int() refuses a number past 4,300 digits with a ValueError: the import must list it as any
    other capacity a PostgreSQL integer cannot hold."""
    import csv
    import io

    from app.shelters.opendata import HEADER

    exported = admin.get("/shelters/registry/dataset.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    rows[1][HEADER.index("想定収容人数")] = "9" * 5000
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    page = admin.post("/shelters/registry", {"dataset": (io.BytesIO(buffer.getvalue().encode("utf-8-sig")), "s.csv")},
                      form_page="/shelters/registry", content_type="multipart/form-data", follow_redirects=True)
    assert page.status_code == 200 and "<td>2</td><td>想定収容人数</td>" in page.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["nan", "NaN", "inf", "-inf", "1e400", "sNaN", "99999999", "1,5"])
def test_a_decimal_typed_into_a_form_that_is_no_finite_number_its_column_holds_is_a_form_error(
        admin, system_session, caplog, typed):
    """A floor area or a location: float() and Decimal() take "nan", "inf" and "sNaN", which a numeric
    column stores as nonsense, refuses, or (sNaN through WTForms' NumberRange) makes a 500."""
    from app.shelters.models import Shelter

    shelter = system_session.scalars(select(Shelter).where(Shelter.lg_code == DEMO_CODE).order_by(Shelter.id)).first()
    page = f"/shelters/registry/{shelter.id}"
    saved = admin.post(page, {"version": str(shelter.version), "toilets": "2", "floor_area_m2": typed}, form_page=page)
    assert saved.status_code == 200 and "床面積は" in saved.get_data(as_text=True)
    system_session.expire_all()
    assert system_session.get(Shelter, shelter.id).version == shelter.version
    atena_no = system_session.execute(text("SELECT atena_no FROM residents WHERE lg_code = :lg ORDER BY id LIMIT 1"),
                                      {"lg": DEMO_CODE}).scalar_one()
    placed = admin.post(f"/residents/people/{atena_no}/location", {"lat": typed, "lon": "140.5"}, form_page="/")
    assert placed.status_code == 200 and '<p class="errors">' in placed.get_data(as_text=True)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


@pytest.mark.parametrize("atena_no", ["²", "１２３", "1" * 16])
def test_an_owner_atena_number_is_ascii_digits_its_column_holds(admin, system_session, caplog, atena_no):
    """str.isdigit() took "²" and full-width digits as a 宛名番号, and a 16-digit one reached the
    database; each is now the form's own message and nothing is recorded."""
    building = system_session.execute(text("SELECT id FROM buildings WHERE lg_code = :lg ORDER BY id LIMIT 1"),
                                      {"lg": DEMO_CODE}).scalar_one()
    page = f"/damage/buildings/{building}"
    response = admin.post(f"{page}/owner", {"owner_name": "所有 者", "owner_address": "桜ヶ丘町1-1",
                                            "owner_atena_no": atena_no}, form_page=page, follow_redirects=True)
    assert response.status_code == 200 and "宛名番号は" in response.get_data(as_text=True)
    assert system_session.execute(text("SELECT owner_atena_no FROM buildings WHERE id = :id"),
                                  {"id": building}).scalar() in (None, "")
    assert not [r for r in caplog.records if r.levelname == "ERROR"]

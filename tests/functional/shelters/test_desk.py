"""The shelter desk's resident search through HTTP: kana typed loosely, 和暦 birth dates, address,
combined; errors explained; every search audited; another municipality's people never found."""
import pytest
from sqlalchemy import select, text

from app.residents.models import Resident
from certificate_engine.wareki import era_of
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import new_browser


@pytest.fixture()
def person(system_session):
    return system_session.scalars(select(Resident).where(Resident.lg_code == DEMO_CODE, Resident.status == "住登内")
                                  .order_by(Resident.id).offset(7)).first()


def _search(browser, **terms):
    response = browser.get("/shelters/desk/search.json", query_string=terms)
    return response.status_code, response.get_json()


def _hiragana(katakana: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in katakana)


def test_kana_typed_loosely_finds_the_person(as_admin, person):
    family, given = person.name_kana.split("　")
    for typed in (family, _hiragana(family), family[:2], family + given[:1], family + given, f"{family} {given}"):
        status, body = _search(as_admin, kana=typed)
        assert status == 200
        assert person.atena_no in [r["atena_no"] for r in body["results"]], typed
    _, exact = _search(as_admin, kana=family + given)
    assert exact["results"][0]["name_kana"].replace("　", "") == family + given  # the best match first


def test_birth_date_in_wareki_and_address_narrow_the_search(as_admin, person):
    era, year = era_of(person.birth_date)
    letter = {"令和": "R", "平成": "H", "昭和": "S", "大正": "T", "明治": "M"}[era]
    typed = f"{letter}{year}.{person.birth_date.month}.{person.birth_date.day}"
    _, by_birth = _search(as_admin, birth=typed)
    assert person.atena_no in [r["atena_no"] for r in by_birth["results"]]
    assert all(r["birth_date"] == person.birth_date.isoformat() for r in by_birth["results"])
    family = person.name_kana.split("　")[0]
    _, both = _search(as_admin, kana=family, birth=person.birth_date.isoformat(), address=person.address[-6:])
    assert [r["atena_no"] for r in both["results"]] == [person.atena_no]


def test_errors_are_explained_and_searches_audited(as_admin, person, system_session):
    status, body = _search(as_admin, birth="H31.5.1")
    assert status == 422 and "生年月日を読めません" in body["error"]
    status, body = _search(as_admin)
    assert status == 422 and body["code"] == "nothing_to_search"
    _search(as_admin, kana=person.name_kana)
    entry = system_session.execute(text("SELECT detail->>'kana', target_ids FROM audit_log "
                                        "WHERE action = 'resident_search' ORDER BY id DESC LIMIT 1")).one()
    assert entry[0] == person.name_kana.replace("　", "") and person.atena_no in entry[1]


def test_another_municipality_finds_nobody_here(app, person):
    stranger = new_browser(app)
    stranger.login("033995", "admin")
    _, body = _search(stranger, kana=person.name_kana, birth=person.birth_date.isoformat())
    assert body["results"] == []


def test_desk_page_and_menu(as_admin):
    assert "受付（住民の検索）" in as_admin.get("/shelters").get_data(as_text=True)
    assert 'id="desk-search"' in as_admin.get("/shelters/desk").get_data(as_text=True)


def test_a_typo_still_finds_the_person_loosely(as_admin, person):
    family, given = person.name_kana.split("　")
    typo = family + given[:-1] + ("ア" if given[-1] != "ア" else "イ")  # the last letter mistyped
    _, body = _search(as_admin, kana=typo)
    assert person.atena_no in [r["atena_no"] for r in body["results"]]


@pytest.fixture()
def protected(system_session):
    """A resident under 支援措置 (the demo town has a few protected households)."""
    return system_session.scalars(select(Resident).where(Resident.lg_code == DEMO_CODE, Resident.status == "住登内",
                                                         Resident.is_protected).order_by(Resident.id)).first()


def _desk_clerk(app):
    clerk = new_browser(app)
    assert clerk.login(DEMO_CODE, "hinanjo").status_code == 302  # 避難所担当 (権限04), the lowest role
    return clerk


def test_the_desk_recognises_a_protected_person_without_reading_where_they_live(app, protected):
    clerk = _desk_clerk(app)
    response = clerk.get("/shelters/desk/search.json", query_string={"kana": protected.name_kana})
    row = next(r for r in response.get_json()["results"] if r["atena_no"] == protected.atena_no)
    assert row["is_protected"] and row["name"] == protected.name
    assert row["address"] == "" and row["birth_date"] is None and row["birth_date_wareki"] == ""
    raw = response.get_data(as_text=True)
    assert protected.address not in raw and protected.birth_date.isoformat() not in raw
    # Recognising the person still works: the birth date they tell the desk narrows the search.
    _, both = _search(clerk, kana=protected.name_kana, birth=protected.birth_date.isoformat())
    assert [r["atena_no"] for r in both["results"]] == [protected.atena_no]


def test_nobody_protected_is_found_by_address(app, protected, system_session):
    clerk = _desk_clerk(app)
    living_there = system_session.scalars(select(Resident.atena_no).where(
        Resident.address == protected.address, Resident.status == "住登内", Resident.is_protected)).all()
    for typed in (protected.address, protected.address[-6:]):
        response = clerk.get("/shelters/desk/search.json", query_string={"address": typed})
        assert response.status_code == 200
        found = response.get_json()["results"]
        assert not any(r["is_protected"] for r in found)
        assert living_there and not set(living_there) & {r["atena_no"] for r in found}


def test_the_desk_page_marks_a_protected_evacuee_and_shows_no_address(app, as_admin, protected, system_session):
    from app.shelters.models import Shelter

    as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（受付）", "kind": "地震", "started_on": "2026-11-20"})
    shelter = system_session.scalars(select(Shelter).where(Shelter.lg_code == DEMO_CODE).order_by(Shelter.id)).first()
    response = as_admin.post("/shelters/openings", {"shelter_id": str(shelter.id)}, form_page="/shelters/openings")
    opening = response.headers["Location"]
    checked = as_admin.post(f"{opening}/check-in", {"atena_no": protected.atena_no}, form_page=opening)
    assert checked.status_code == 200, checked.get_data(as_text=True)
    clerk = _desk_clerk(app)
    for page in (opening, f"{opening}/history"):
        html = clerk.get(page).get_data(as_text=True)
        row = html.split(protected.name, 1)[1].split("</td>", 1)[0]
        assert "提供抑止" in row, page
        assert protected.address not in html and protected.address_katagaki not in html

"""Provisions of the 被災者台帳 outside (災対法 90条の4) through HTTP: the recipient is one of the
registered 提供先, chosen by id and compared exactly (no wildcard, no part of a name); with 本人同意
only the people who consented to that very recipient; people under 支援措置 go only where they
consented themselves, never with address or contact; the log keeps the real recipient, and the file
lists exactly the people recorded."""
import csv
import io

import pytest
from lxml import html
from openpyxl import load_workbook
from sqlalchemy import select, text

from app.disasters import recipients
from app.disasters.models import Victim
from app.errors import ValidationError
from tests.helpers.database import tenant_session
from tests.helpers.demo import DEMO_CODE, SECOND_CODE
from tests.helpers.web import new_browser

PROVIDE = "/victims/register/provide"


@pytest.fixture()
def register(as_admin, system_session):
    """A disaster whose register holds the 町丁目 where someone under 支援措置 lives:
    (browser, that protected person's victim row, the other victims of the register)."""
    as_admin.post("/disasters/new", {"name": "令和8年桜川水害（提供）", "kind": "風水害（大雨・洪水）",
                                     "started_on": "2026-11-20"})
    code, resident_id = system_session.execute(text("""
        SELECT a.code, r.id FROM residents r JOIN admin_areas a ON ST_Intersects(a.geom, r.geom)
        WHERE r.lg_code = :lg AND r.is_protected AND r.status = '住登内' ORDER BY r.id LIMIT 1"""),
                                               {"lg": DEMO_CODE}).one()
    as_admin.post("/victims/register/build", {"area": code}, form_page="/victims/register")
    victims = system_session.scalars(select(Victim).order_by(Victim.id)).all()
    protected = next(v for v in victims if v.resident_id == resident_id)
    return as_admin, protected, [v for v in victims if not v.is_protected]


def _recipient(browser, system_session, name: str, kind: str = "社会福祉協議会") -> int:
    response = browser.post("/victims/recipients", {"name": name, "kind": kind, "contact": "担当 0225-00-0000"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return system_session.scalar(text("SELECT id FROM victim_recipients WHERE name = :n"), {"n": name})


def _victim_form(browser, victim_id: int) -> dict:
    """The victim page's update form as a browser would send it, unchanged."""
    form = html.fromstring(browser.get(f"/victims/register/{victim_id}").get_data(as_text=True)).forms[-1]
    values = {name: value for name, value in form.form_values() if name != "consented_recipient"}
    return values | {"consented_recipient": [box.get("value") for box in form.inputs
                                             if box.get("name") == "consented_recipient" and box.checked]}


def _consent(browser, system_session, victim: Victim, *recipient_ids: int):
    data = _victim_form(browser, victim.id) | {"consented_recipient": [str(i) for i in recipient_ids],
                                               "confirm_changes": "y"}
    response = browser.client.post(f"/victims/register/{victim.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


def _provide(browser, follow_redirects=False, **form):
    return browser.post(PROVIDE, {"purpose": "見守り"} | form, form_page="/victims/register",
                        follow_redirects=follow_redirects)


def _rows(response, with_header: bool = False) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv", response.get_data(as_text=True)[:400]
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))[0 if with_header else 1:]


def _provisions(system_session) -> list:
    return system_session.execute(text("SELECT recipient_id, recipient, basis, victim_ids FROM victim_provisions "
                                       "ORDER BY id")).all()


@pytest.mark.parametrize("typed", ["%", "_", "%%", "社会%", ""])
def test_a_wildcard_or_typed_recipient_provides_nobody(register, system_session, typed):
    browser = register[0]
    response = _provide(browser, recipient=typed, recipient_id=typed, basis="本人同意", follow_redirects=True)
    page = response.get_data(as_text=True)
    # A typed id that is no number is refused with every other malformed record id, before the view.
    expected = "提供先を一覧から選んでください" if typed == "" else "画面の情報が正しくありません"
    assert response.mimetype == "text/html" and expected in page
    assert _provisions(system_session) == []


def test_consent_counts_only_for_the_very_recipient_chosen(register, system_session):
    browser, _, others = register
    wide = _recipient(browser, system_session, "桜ヶ丘町社会福祉協議会")
    part = _recipient(browser, system_session, "社会福祉協議会")  # a part of the other's name
    _consent(browser, system_session, others[0], wide)
    refused = _provide(browser, recipient_id=str(part), basis="本人同意", follow_redirects=True)
    assert "同意した人がいません" in refused.get_data(as_text=True) and _provisions(system_session) == []
    rows = _rows(_provide(browser, recipient_id=str(wide), basis="本人同意"))
    assert [r[1] for r in rows] == [others[0].name]
    assert _provisions(system_session) == [(wide, "桜ヶ丘町社会福祉協議会", "本人同意", [others[0].id])]
    log = browser.get("/victims/register").get_data(as_text=True)
    assert "桜ヶ丘町社会福祉協議会</td><td>見守り</td>" in log


def test_a_protected_person_goes_only_where_they_consented_and_never_with_address(register, system_session):
    browser, protected, others = register
    council = _recipient(browser, system_session, "桜ヶ丘町社会福祉協議会")
    city = _recipient(browser, system_session, "仙台市", kind="地方公共団体")
    _consent(browser, system_session, protected, council)
    _consent(browser, system_session, others[0], council)
    rows = _rows(_provide(browser, recipient_id=str(council), basis="本人同意"))
    mine = next(r for r in rows if r[1] == protected.name)
    assert mine[6] == "" and mine[7] == "" and "支援措置" in mine[14]
    assert protected.address not in "".join(",".join(r) for r in rows)
    everyone = _rows(_provide(browser, recipient_id=str(city), basis="他自治体の援護", purpose="応急仮設住宅の提供"))
    assert protected.name not in [r[1] for r in everyone]  # no consent to 仙台市: left out
    assert sorted(r[1] for r in everyone) == sorted(v.name for v in others)
    recorded = _provisions(system_session)[-1]
    assert recorded[0] == city and protected.id not in recorded[3] and len(recorded[3]) == len(others)
    not_a_government = _provide(browser, recipient_id=str(council), basis="他自治体の援護", follow_redirects=True)
    assert "地方公共団体" in not_a_government.get_data(as_text=True) and len(_provisions(system_session)) == 2


def test_recipients_are_registered_once_and_a_stopped_one_receives_nothing(register, system_session, app):
    browser, _, others = register
    council = _recipient(browser, system_session, "桜ヶ丘町社会福祉協議会")
    _consent(browser, system_session, others[0], council)
    twice = browser.post("/victims/recipients", {"name": "桜ヶ丘町社会福祉協議会", "kind": "社会福祉協議会"},
                         follow_redirects=True).get_data(as_text=True)
    assert "既に登録されています" in twice
    page = f"/victims/recipients/{council}"
    form = {"name": "桜ヶ丘町社会福祉協議会", "kind": "社会福祉協議会", "contact": "担当 0225-00-0000",
            "is_active": "n", "version": "1"}
    assert "チェックを入れてから更新" in browser.post(page, form).get_data(as_text=True)
    assert browser.post(page, form | {"confirm_changes": "y"}).status_code == 302
    stale = browser.post(page, form | {"contact": "別の職員", "confirm_changes": "y"}).get_data(as_text=True)
    assert "他の職員が先に更新しました" in stale and "別の職員" in stale
    stopped = _provide(browser, recipient_id=str(council), basis="本人同意", follow_redirects=True)
    assert "現在提供先になっていません" in stopped.get_data(as_text=True) and _provisions(system_session) == []
    stranger = new_browser(app)
    stranger.login(SECOND_CODE, "admin")
    assert stranger.get(page).status_code == 404


def test_a_consent_to_an_unknown_recipient_is_refused(register, system_session):
    browser, _, others = register
    for chosen in (["999999"], ["%"], ["1 OR 1=1"]):
        data = _victim_form(browser, others[0].id) | {"consented_recipient": chosen, "confirm_changes": "y"}
        answer = browser.client.post(f"/victims/register/{others[0].id}", data=data)
        assert answer.status_code == 422 and "登録されていない提供先" in answer.get_data(as_text=True)
    system_session.expire_all()
    assert system_session.get(Victim, others[0].id).consented_recipient_ids == []


def test_another_municipalitys_recipient_cannot_be_chosen(register, system_session, app):
    browser = register[0]
    stranger = new_browser(app)
    stranger.login(SECOND_CODE, "admin")
    stranger.post("/victims/recipients", {"name": "北山村社会福祉協議会", "kind": "社会福祉協議会"},
                  form_page="/victims/recipients")
    foreign = system_session.scalar(text("SELECT id FROM victim_recipients WHERE lg_code = :lg"), {"lg": SECOND_CODE})
    assert foreign
    refused = _provide(browser, recipient_id=str(foreign), basis="他自治体の援護", follow_redirects=True)
    assert "提供先を一覧から選んでください" in refused.get_data(as_text=True) and _provisions(system_session) == []


def _confirmed(browser, **query):
    """A provision as staff make it: the confirmation page for ``query``, then its form sent."""
    page = browser.get(PROVIDE, query_string={"purpose": "見守り"} | query)
    assert page.status_code == 200, page.status_code
    form = html.fromstring(page.get_data(as_text=True)).get_element_by_id("provide-confirm")
    return page.get_data(as_text=True), browser.client.post(form.action, data=dict(form.form_values()))


def test_a_provision_is_confirmed_before_it_is_recorded_and_comes_as_csv_or_xlsx(register, system_session):
    browser, protected, others = register
    council = _recipient(browser, system_session, "桜ヶ丘町社会福祉協議会")
    _consent(browser, system_session, protected, council)
    _consent(browser, system_session, others[0], council)
    query = {"recipient_id": str(council), "basis": "本人同意"}
    page, answer = _confirmed(browser, **query, format="xlsx")
    assert 'id="provision-count"><strong>2 人' in page and "支援措置（DV等）の対象者 1 人" in page
    sheet = load_workbook(io.BytesIO(answer.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sorted(r[1] for r in rows[1:]) == sorted([protected.name, others[0].name])
    mine = next(r for r in rows[1:] if r[1] == protected.name)
    assert not mine[6] and not mine[7] and "支援措置" in mine[14]
    _, cp932 = _confirmed(browser, **query, format="csv", encoding="cp932")
    assert cp932.mimetype == "text/csv" and protected.name in cp932.data.decode("cp932")
    assert [(p[0], p[3]) for p in _provisions(system_session)] == [(council, sorted([protected.id, others[0].id]))] * 2


def test_the_confirmation_page_records_nothing(register, system_session):
    browser, _, others = register
    council = _recipient(browser, system_session, "桜ヶ丘町社会福祉協議会")
    _consent(browser, system_session, others[0], council)
    shown = browser.get(PROVIDE, query_string={"recipient_id": str(council), "purpose": "見守り", "basis": "本人同意"})
    assert shown.status_code == 200 and 'id="provide-confirm"' in shown.get_data(as_text=True)
    nobody = browser.get(PROVIDE, query_string={"recipient_id": "", "basis": "本人同意"}, follow_redirects=True)
    assert "提供先を一覧から選んでください" in nobody.get_data(as_text=True)
    assert _provisions(system_session) == []
    audited = system_session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'victim_provide'"))
    assert audited == 0


def test_a_protected_persons_own_items_such_as_where_they_stay_are_not_provided(register, system_session):
    """The municipality's own items (避難先, or any it adds, such as a 送付先) may say where someone
    is: for a person under 支援措置 they stay in the office like the address."""
    browser, protected, others = register
    council = _recipient(browser, system_session, "桜ヶ丘町社会福祉協議会")
    _consent(browser, system_session, protected, council)
    _consent(browser, system_session, others[0], council)
    for victim, shelter in ((protected, "青葉台の親戚宅"), (others[0], "桜ヶ丘小学校")):
        data = _victim_form(browser, victim.id) | {"opt_shelter": shelter, "confirm_changes": "y"}
        assert browser.client.post(f"/victims/register/{victim.id}", data=data).status_code == 302
    table = _rows(_provide(browser, recipient_id=str(council), basis="本人同意"), with_header=True)
    column = table[0].index("避難先")
    rows = {r[1]: r for r in table[1:]}
    assert rows[others[0].name][column] == "桜ヶ丘小学校"
    assert not any(rows[protected.name][column:]) and "青葉台の親戚宅" not in repr(table)
    assert "支援措置" in rows[protected.name][14]


def test_a_recipients_file_says_only_whether_the_person_consented_to_that_recipient(register, system_session):
    """Which other recipients someone consented to is none of a recipient's business."""
    browser, _, others = register
    council = _recipient(browser, system_session, "桜ヶ丘町社会福祉協議会")
    centre = _recipient(browser, system_session, "桜ヶ丘町地域包括支援センター", kind="専門職団体")
    city = _recipient(browser, system_session, "仙台市", kind="地方公共団体")
    _consent(browser, system_session, others[0], council, centre)
    _consent(browser, system_session, others[1], centre, city)
    table = _rows(_provide(browser, recipient_id=str(council), basis="本人同意"), with_header=True)
    assert table[0][12] == "この提供先への本人同意"
    assert [(r[1], r[12]) for r in table[1:]] == [(others[0].name, "あり")]
    assert "地域包括支援センター" not in repr(table)
    relief = _rows(_provide(browser, recipient_id=str(city), basis="他自治体の援護"))
    consents = {r[1]: r[12] for r in relief}
    assert consents[others[1].name] == "あり" and consents[others[0].name] == "なし"
    assert "社会福祉協議会" not in repr(relief) and "地域包括支援センター" not in repr(relief)


@pytest.mark.parametrize("ticked", ["²", "１", "-1", str(2 ** 40), "0"])
def test_a_consent_box_with_a_value_that_is_no_record_id_is_refused(register, system_session, ticked):
    """Digits Python's ``int`` reads or refuses ("²" passes ``str.isdigit``), a sign, a number no
    column holds: each one the same clear refusal, and the consent stays as it was."""
    browser, _, others = register
    data = _victim_form(browser, others[0].id) | {"consented_recipient": [ticked], "confirm_changes": "y"}
    answer = browser.client.post(f"/victims/register/{others[0].id}", data=data)
    assert answer.status_code == 422 and "登録されていない提供先" in answer.get_data(as_text=True)
    system_session.expire_all()
    assert system_session.get(Victim, others[0].id).consented_recipient_ids == []


@pytest.mark.parametrize("chosen", ["²", "１", "-1", str(2 ** 40), "0", " ", "1 OR 1=1"])
def test_a_chosen_recipient_that_is_no_record_id_is_refused(db, chosen):
    session = tenant_session(DEMO_CODE)
    with pytest.raises(ValidationError) as refused:
        recipients.chosen_recipient(session, chosen)
    assert refused.value.code == "recipient_unknown"
    session.close()

"""The audit list reads for people: Japanese labels, no None, ids linked to the record's page for
those who may open it; the recorded codes behind a disclosure for administrators only."""
import re

from sqlalchemy import select

from app.audit.services import Actor, record
from app.auth.models import User
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import new_browser


def _row(page: str, action: str) -> str:
    return page.split(f'data-action="{action}"')[1].split("</tr>")[0]


def test_details_read_as_labels_and_values_with_links(as_admin, system_session):
    created = as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（監査）", "kind": "地震",
                                               "started_on": "2026-11-20"})
    disaster_id = int(re.search(r"/disasters/(\d+)", created.headers["Location"]).group(1))
    record(system_session, Actor(DEMO_CODE, None, "bosai"), "evac_roster_export", "roster_provision", [],
           mode="災害時", recipient="桜ヶ丘消防団", org=None, count=3, areas=[], consents=["同意"])
    page = as_admin.get("/admin/audit").get_data(as_text=True)
    roster = _row(page, "evac_roster_export")
    assert "<dt>提供先</dt><dd>桜ヶ丘消防団</dd>" in roster and "<dd>指定なし（すべて）</dd>" in roster
    assert "<dd>3件</dd>" in roster
    visible = roster.split("<details")[0]
    assert "None" not in visible and "org=" not in visible and "[]" not in visible
    disaster = _row(page, "disaster_create")
    assert f'災害: <a href="/disasters/{disaster_id}">{disaster_id}</a>' in disaster
    assert "<dt>災害名</dt><dd>令和8年桜ヶ丘地震（監査）</dd>" in disaster
    assert '<details class="audit-raw">' in disaster and "&#34;name&#34;" in disaster


def test_links_and_codes_follow_the_viewers_screens(app, as_admin, system_session):
    auditor = system_session.scalars(select(User).where(User.lg_code == DEMO_CODE, User.login_id == "hinanjo")).one()
    auditor.granted_screens = ["audit"]
    system_session.flush()
    as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（監査2）", "kind": "地震", "started_on": "2026-11-20"})
    browser = new_browser(app)
    assert browser.login(DEMO_CODE, "hinanjo").status_code == 302
    disaster = _row(browser.get("/admin/audit").get_data(as_text=True), "disaster_create")
    assert "<dt>災害名</dt><dd>令和8年桜ヶ丘地震（監査2）</dd>" in disaster
    assert "href=" not in disaster  # 避難所担当 cannot open the disaster's page
    assert "<details" not in disaster  # the recorded codes are for administrators

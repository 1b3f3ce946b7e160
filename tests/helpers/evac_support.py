"""避難行動要支援者 as staff take them over HTTP: extracting the register, consent, 避難支援等関係者, and
the roster's confirmation step as a user goes through it: open the roster URL (a GET shows the
confirmation page and writes nothing), then send its form (a POST with the CSRF token) for the file."""
from __future__ import annotations

from lxml import html
from sqlalchemy import text

from tests.helpers.demo import DEMO_CODE

AREA_OF = """(SELECT a.code FROM admin_areas a JOIN residents r ON ST_Covers(a.geom, r.geom)
              WHERE r.id = p.resident_id ORDER BY a.code LIMIT 1)"""


def extract_register(browser) -> str:
    """Press 名簿の抽出 on the register screen; the page it ends on."""
    return browser.post("/evac-support/refresh", {}, form_page="/evac-support", follow_redirects=True
                        ).get_data(as_text=True)


def register_by_area(system_session) -> dict[str, list[int]]:
    """The ids of 桜ヶ丘町's register people by the 町丁目 they live in."""
    rows = system_session.execute(text(f"""
        SELECT {AREA_OF} AS code, p.id FROM evac_people p
        WHERE p.lg_code = :lg AND p.removed_at IS NULL ORDER BY p.id"""), {"lg": DEMO_CODE}).all()
    areas: dict[str, list[int]] = {}
    for code, person_id in rows:
        areas.setdefault(code, []).append(person_id)
    return areas


def record_consent(browser, system_session, person_id: int, consent: str = "同意"):
    version = system_session.scalar(text("SELECT version FROM evac_people WHERE id = :id"), {"id": person_id})
    return browser.post(f"/evac-support/people/{person_id}/consent",
                        {"consent": consent, "consent_on": "2026-11-01", "how": "訪問", "version": str(version)},
                        form_page="/evac-support", follow_redirects=True)


def person_name(system_session, person_id: int) -> str:
    return system_session.scalar(text("SELECT r.name FROM evac_people p JOIN residents r ON r.id = p.resident_id "
                                      "WHERE p.id = :id"), {"id": person_id})


def create_organisation(browser, name: str, areas: list[str], kind: str = "自主防災組織・自治会") -> str:
    return browser.post("/evac-support/organisations", {"name": name, "kind": kind, "contact": "会長 090-0000-0000",
                                                         "area_codes": areas, "is_active": "y"},
                        follow_redirects=True).get_data(as_text=True)


def organisation_id(system_session, name: str) -> int:
    return system_session.scalar(text("SELECT id FROM supporter_orgs WHERE name = :n"), {"n": name})


def confirmation_form(page: str, form_id: str = "roster-confirm") -> tuple[str, list[tuple[str, str]]]:
    """(action, [(name, value), …]) of the confirmation page's form."""
    form = html.fromstring(page).get_element_by_id(form_id)
    return form.get("action"), [(field.get("name"), field.get("value") or "")
                                for field in form.iter("input") if field.get("name")]


def provide(browser, path: str, follow_redirects: bool = False, **args):
    """The roster file for ``args`` (mode, recipient, area, consent, format, encoding), confirmed on
    its confirmation page; a refusal of the request itself comes back as it is (a redirect)."""
    confirm = browser.get(path, query_string=args, follow_redirects=follow_redirects)
    if confirm.status_code != 200 or 'id="roster-confirm"' not in confirm.get_data(as_text=True):
        return confirm
    action, fields = confirmation_form(confirm.get_data(as_text=True))
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return browser.client.post(action, data=data, follow_redirects=follow_redirects)

"""The roster's confirmation step as a user goes through it: open the roster URL (a GET shows the
confirmation page and writes nothing), then send its form (a POST with the CSRF token) for the file."""
from __future__ import annotations

from lxml import html


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

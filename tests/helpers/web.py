"""The HTTP side of the tests: a browser on Flask's test client that fills in CSRF tokens, and the
bearer header of the token APIs."""
from __future__ import annotations

import re
from dataclasses import dataclass

from tests.helpers.demo import PASSWORD


@dataclass
class Browser:
    """A logged-in (or not) test client with CSRF-aware form posts."""

    client: object

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def csrf_token(self, path: str = "/login") -> str:
        html = self.client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
            r'id="csrf_token"[^>]*value="([^"]+)"', html)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post(self, path, data=None, form_page: str | None = None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(form_page or path))
        return self.client.post(path, data=data, **kw)

    def login(self, lg_code: str | None, login_id: str, password: str = PASSWORD):
        return self.post("/login", {"lg_code": lg_code or "", "login_id": login_id, "password": password})


def new_browser(app) -> Browser:
    return Browser(app.test_client())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}

"""The fixtures of tests that issue a certificate through a 罹災証明書 / 被災証明書 application: a
disaster the administrator registered (``quake``, the administrator's browser) and a dwelling of
桜ヶ丘町 (``house``). The application's steps are in tests/helpers/applications.py."""
import pytest
from sqlalchemy import select

from app.damage.models import Building
from tests.helpers.demo import DEMO_CODE


@pytest.fixture()
def quake(as_admin):
    response = as_admin.post("/disasters/new", {"name": "令和8年桜ヶ丘地震（検証）", "kind": "地震",
                                                "started_on": "2026-11-20"})
    assert response.status_code == 302
    return as_admin


@pytest.fixture()
def house(system_session):
    return system_session.scalars(select(Building).where(Building.lg_code == DEMO_CODE, Building.is_dwelling)
                                  .order_by(Building.id)).first()

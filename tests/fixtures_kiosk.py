"""The kiosk fixtures, for the kiosk API's tests and the others that go through a kiosk: a module's
test JPKI (``jpki``), a store's kiosk (``kiosk``) and the kiosk API's OpenAPI document (``document``).
A module that needs a JPKI of its own defines ``jpki`` itself."""
import pytest

from tests.helpers.cards import build_jpki
from tests.helpers.kiosk import API, kiosk_client


@pytest.fixture(scope="module")
def jpki(app, tmp_path_factory):
    return build_jpki(tmp_path_factory.mktemp("kiosk-jpki"))


@pytest.fixture()
def kiosk(web, app, jpki, monkeypatch, system_session):
    """``kiosk_client`` of the store operator demo-mart."""
    return kiosk_client(web, app, jpki, monkeypatch, system_session)


@pytest.fixture()
def document(web):
    """The kiosk API's published OpenAPI document."""
    return web.client.get(API + "/openapi.json").get_json()

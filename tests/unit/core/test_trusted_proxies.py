"""The client address: X-Forwarded-For counts only behind proxies the configuration trusts."""
from flask import Flask, request

from app import trust_proxies


def _seen_address(trusted: int, **headers) -> str:
    app = Flask(__name__)
    app.config["TRUSTED_PROXIES"] = trusted
    trust_proxies(app)
    app.add_url_rule("/", "address", lambda: request.remote_addr or "")
    response = app.test_client().get("/", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.5"})
    return response.get_data(as_text=True)


def test_forwarded_for_is_ignored_by_default():
    assert _seen_address(0, **{"X-Forwarded-For": "203.0.113.9"}) == "10.0.0.5"


def test_one_trusted_proxy_gives_the_address_it_saw():
    # The client forged "198.51.100.1"; the trusted proxy appended the peer it saw.
    assert _seen_address(1, **{"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}) == "203.0.113.9"


def test_without_the_header_the_peer_address_stays():
    assert _seen_address(1) == "10.0.0.5"

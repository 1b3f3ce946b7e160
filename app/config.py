"""Configuration, read only from environment variables.

`Config` is what `make run` and production use; `TestConfig` is what the test suite uses.
Every setting has a safe default so that a fresh clone runs without any file to edit.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("BCL_INSTANCE_DIR", PROJECT_ROOT / "instance"))

GSI_TILE_LIST_URL = "https://maps.gsi.go.jp/development/ichiran.html"
GSI_TILE_URL = "https://cyberjapandata.gsi.go.jp/xyz/{t}/{z}/{x}/{y}.{ext}"


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one kept under instance/ so sessions survive restarts."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = INSTANCE_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def mynumber_keys() -> tuple[bytes, bytes]:
    """(encryption key, MAC key) for 個人番号, derived from MYNUMBER_KEY or instance/mynumber_key.

    The master key never lives in the database; losing it makes stored 個人番号 unreadable.
    """
    import hashlib
    import hmac

    master = os.environ.get("MYNUMBER_KEY")
    if not master:
        path = INSTANCE_DIR / "mynumber_key"
        if not path.exists():
            INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        master = path.read_text().strip()
    key = bytes.fromhex(master) if len(master) == 64 else master.encode()
    return (hmac.new(key, b"bcl-mynumber-enc", hashlib.sha256).digest(),
            hmac.new(key, b"bcl-mynumber-mac", hashlib.sha256).digest())


def certificate_verify_secret() -> bytes:
    """The HMAC secret of certificate verification codes: CERT_VERIFY_SECRET or instance/cert_verify_key.

    Changing it does not invalidate issued codes (they are stored), it only changes new ones.
    """
    secret = os.environ.get("CERT_VERIFY_SECRET")
    if not secret:
        path = INSTANCE_DIR / "cert_verify_key"
        if not path.exists():
            INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        secret = path.read_text().strip()
    return secret.encode()


def _paths(name: str) -> tuple[str, ...]:
    return tuple(p for p in os.environ.get(name, "").split(os.pathsep) if p)


class Config:
    """Settings for `make run` and production."""

    TESTING = False
    # None means: use the embedded PostGIS cluster under instance/ (see app/cluster.py).
    DATABASE_URL: str | None = os.environ.get("DATABASE_URL") or None
    DATABASE_NAME = os.environ.get("BCL_DATABASE_NAME", "bcl")
    SQL_ECHO = os.environ.get("SQL_ECHO") == "1"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Secure on every HTTPS request anyway (app/headers.py); production sets it for every request.
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE") == "1" or os.environ.get("BCL_ENV") == "production"
    # The scheme of URLs built outside a request (CLI, jobs), e.g. the /verify address on certificates.
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME") or (
        "https" if os.environ.get("BCL_ENV") == "production" else "http")
    SESSION_COOKIE_NAME = "bcl_session"
    # Hard limit for one login; the idle limit below is what shared tablets rely on.
    PERMANENT_SESSION_LIFETIME = _int("SESSION_LIFETIME_HOURS", 12) * 3600
    # Shared tablets in the field: a forgotten tablet logs itself out after this many seconds.
    IDLE_TIMEOUT_SECONDS = _int("IDLE_TIMEOUT_SECONDS", 15 * 60)
    LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCK_MINUTES = _int("LOGIN_LOCK_MINUTES", 30)
    # Login throttling (docs/permissions.md): failed logins counted in the database over a sliding
    # window, per client address and per account (団体コード + ユーザID), shared by every worker.
    LOGIN_THROTTLE_WINDOW_SECONDS = _int("LOGIN_THROTTLE_WINDOW_SECONDS", 600)
    LOGIN_THROTTLE_PER_ADDRESS = _int("LOGIN_THROTTLE_PER_ADDRESS", 20)
    LOGIN_THROTTLE_PER_ACCOUNT = _int("LOGIN_THROTTLE_PER_ACCOUNT", 10)
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Port are believed. 0: the
    # headers are ignored (anyone can send them): the client address is the TCP peer, HTTPS is what it saw.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)

    WTF_I18N_ENABLED = False  # use WTForms' own translations (Japanese, see app/forms.py)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_MB", 2048) * 1024 * 1024

    # Base maps (docs/basemaps.md) are the tile packages BCL serves itself. 地理院タイル from the internet
    # (this URL template) are offered only where a municipality turns them on, never on a person's page.
    BASEMAP_GSI_URL = os.environ.get("BASEMAP_GSI_URL", GSI_TILE_URL)
    BASEMAP_ATTRIBUTION_URL = GSI_TILE_LIST_URL
    # The largest package the システム管理 screen takes (the CLI takes up to BASEMAP_MAX_MB, with progress).
    BASEMAP_UPLOAD_MAX_MB = _int("BASEMAP_UPLOAD_MAX_MB", 500)
    BASEMAP_MAX_MB = _int("BASEMAP_MAX_MB", 16384)

    # "production" turns off conveniences meant for development (the generated test signing PKI).
    IS_PRODUCTION = os.environ.get("BCL_ENV") == "production"
    # Certificate signing (PEM): ECDSA P-256 key, its certificate and the CA chain (os.pathsep-separated).
    # Unset outside production: a test PKI generated under instance/pki (fixtures/signing_pki.py).
    CERT_SIGNING_KEY = os.environ.get("CERT_SIGNING_KEY") or None
    CERT_SIGNING_CERT = os.environ.get("CERT_SIGNING_CERT") or None
    CERT_SIGNING_CHAIN = _paths("CERT_SIGNING_CHAIN")
    # The public address of the /verify page printed in the QR code (default: this server's /verify).
    CERT_VERIFY_URL = os.environ.get("CERT_VERIFY_URL") or None

    AUDIT_PAGE_SIZE = 50
    # 公的個人認証 (card authentication): the trusted JPKI CA certificate(s) and CRL file(s). Unset outside
    # production, the test CA under instance/jpki/ is used (see app/cardauth/trust.py).
    JPKI_CA_CERT = os.environ.get("JPKI_CA_CERT") or None
    JPKI_CRL = os.environ.get("JPKI_CRL") or None
    # Throttles of the terminal APIs, counted in the database (docs/card-auth.md, docs/kiosk-api.md):
    # failed card answers per certificate in 15 minutes, kiosk sessions per store operator per minute.
    CARD_AUTH_FAILURES_PER_CERTIFICATE = _int("CARD_AUTH_FAILURES_PER_CERTIFICATE", 10)
    KIOSK_SESSIONS_PER_OPERATOR = _int("KIOSK_SESSIONS_PER_OPERATOR", 3000)
    # Tests and demos only: the kiosk API's clock (ISO 8601 with offset), so hours can be tried any time.
    KIOSK_FIXED_NOW = None if os.environ.get("BCL_ENV") == "production" else (os.environ.get("KIOSK_FIXED_NOW") or None)
    JPKI_TEST_CA_DIR = None if os.environ.get("BCL_ENV") == "production" else str(INSTANCE_DIR / "jpki")
    # Generations (副本) kept per municipality; older stored files are purged.
    LINK_RETENTION_GENERATIONS = _int("LINK_RETENTION_GENERATIONS", 24)

    @property
    def SECRET_KEY(self) -> str:  # noqa: N802 - Flask's name
        return _secret_key()


class TestConfig(Config):
    """Settings for the test suite: same behaviour, no outside requests, fast hashing."""

    TESTING = True
    DATABASE_NAME = "bcl_test"
    ARGON2_FAST = True  # low-cost password hashing so the suite stays quick

    @property
    def SECRET_KEY(self) -> str:  # noqa: N802
        return "test-secret-key"

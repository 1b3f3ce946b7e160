"""Every API, fuzzed from its own OpenAPI document (schemathesis, in process): no server error, and
every answer — status, content type, body — is one the document declares. Valid credentials are
sent, and a second pass pins path parameters to records that exist, so requests reach the handlers.

``FUZZ_EXAMPLES`` sets the generated cases per operation and pass (the coverage phase's boundary
cases come on top); ``make bench`` runs the long version (bench/bench_fuzz.py)."""
import os

import pytest

from tests.helpers.fuzz import arrange
from tests.helpers.fuzz.harness import Report, fuzz
from tests.helpers.web import Browser

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))


def _run(app, target: arrange.Target) -> Report:
    report = Report()
    for pinned in target.pinned:
        report.add(fuzz(app, target.document, headers=target.headers, examples=EXAMPLES, path_parameters=pinned))
    return report


def _assert_clean(report: Report, name: str) -> None:
    findings = "\n\n".join(str(f) for f in report.distinct())
    assert report.cases > 0
    assert report.server_errors == 0 and not report.findings, (
        f"{name}: {report.cases} cases, {report.server_errors} server errors\n\n{findings}")


@pytest.fixture()
def client(app, db):
    return Browser(app.test_client()).client


def test_link_api_fuzz(app, db, client, tmp_path):
    _assert_clean(_run(app, arrange.link_target(db, client, tmp_path)), "link")


def test_applications_api_fuzz(app, db):
    _assert_clean(_run(app, arrange.applications_target(db)), "applications")


def test_verify_api_fuzz(app, db):
    _assert_clean(_run(app, arrange.verify_target()), "verify")


def test_ogc_api_fuzz(app, db):
    _assert_clean(_run(app, arrange.ogc_target(db)), "ogc")


def test_kiosk_api_fuzz(app, db, client, system_session, tmp_path, monkeypatch):
    target = arrange.kiosk_target(app, client, system_session, tmp_path, monkeypatch)
    _assert_clean(_run(app, target), "kiosk")


def test_cardauth_api_fuzz(app, db, tmp_path, monkeypatch):
    _assert_clean(_run(app, arrange.cardauth_target(app, tmp_path, monkeypatch)), "cardauth")

"""The long fuzzing run: schemathesis over the OpenAPI documents of the link, applications, verify,
card-authentication, kiosk and OGC APIs (tests/helpers/fuzz, as tests/fuzz runs it), in process with
valid credentials, with enough generated cases per operation to pass 10,000 in all. Reports the cases
sent and the server errors among them (target 0), anchored on the run's duration and on the 4xx
answers it got.

It runs in a database of its own, created, migrated, loaded with the two demo towns and dropped
again, so that requests commit as on a server and nothing it writes reaches the other benchmarks."""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from bench.harness import Anchor, Result

EXAMPLES = int(os.environ.get("FUZZ_BENCH_EXAMPLES", "200"))
DATABASE = "bcl_bench_fuzz"  # a database of its own: the arranged records and the requests' writes stay there


def run(url: str) -> list[Result]:
    from sqlalchemy.engine import make_url

    from tests.helpers.database import create_empty_database, drop_database

    server = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    own = create_empty_database(server, DATABASE)
    try:
        return _measure(own)
    finally:
        from app.extensions import db

        db.dispose()
        drop_database(server, DATABASE)


def _measure(url: str) -> list[Result]:
    from alembic import command

    from app import create_app
    from app.cli import alembic_config
    from app.config import TestConfig
    from app.extensions import db

    command.upgrade(alembic_config(url), "head")
    config = TestConfig()
    config.DATABASE_URL = url
    app = create_app(config)
    _load_towns(db)
    # No application context around the requests: each request must push (and tear down) its own,
    # which ends its database session, as on a server.
    started = time.perf_counter()
    reports = _fuzz_everything(app, db)
    elapsed = time.perf_counter() - started
    total = _total(reports)
    notes = "; ".join(f"{name} {r.cases} cases, {r.server_errors} 5xx" for name, r in reports.items())
    findings = "; ".join(sorted({f"{f.operation} → {f.status}" for f in total.findings if f.status >= 500}))
    return [
        Result("fuzz.cases", total.cases, "cases", 10_000, Anchor("fuzz.seconds", elapsed, "s"), comparison=">=",
               notes=f"{EXAMPLES} generated cases per operation and pass, plus the coverage cases; {notes}"),
        Result("fuzz.server_errors", total.server_errors, "cases", 0,
               Anchor("fuzz.client_errors", total.client_errors, "cases"), notes=findings or "no 5xx"),
    ]


def _load_towns(db) -> None:
    from app.db import SYSTEM
    from fixtures import demo

    with db.unit_of_work(SYSTEM) as session:
        demo.load_demo(session, residents=600, seed=1)
        demo.load_second_town(session, residents=300, seed=2)


def _fuzz_everything(app, db) -> dict:
    """Each API's report; what the requests write is committed, as on a server."""
    from app.db import SYSTEM, set_scope
    from tests.helpers.fuzz import arrange
    from tests.helpers.fuzz.harness import Report, fuzz

    reports: dict[str, Report] = {}
    system_session = db.session_factory()
    set_scope(system_session, SYSTEM)
    with tempfile.TemporaryDirectory() as work, pytest.MonkeyPatch.context() as patch:
        client, folder = app.test_client(), Path(work)
        arrangements = [lambda: arrange.kiosk_target(app, client, system_session, folder, patch),
                        lambda: arrange.link_target(db, client, folder), lambda: arrange.applications_target(db),
                        arrange.verify_target, lambda: arrange.cardauth_target(app, folder / "cardauth", patch),
                        lambda: arrange.ogc_target(db)]
        for arranged in arrangements:
            target = arranged()
            report = reports.setdefault(target.name, Report())
            for pinned in target.pinned:
                report.add(fuzz(app, target.document, headers=target.headers, examples=EXAMPLES,
                                path_parameters=pinned))
            print(f"   {target.name}: {report.cases} cases, {report.server_errors} server errors")
    system_session.close()
    return reports


def _total(reports: dict):
    from tests.helpers.fuzz.harness import Report

    total = Report()
    for report in reports.values():
        total.add(report)
    return total

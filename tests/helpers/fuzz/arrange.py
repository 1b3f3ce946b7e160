"""What each fuzzed API needs so that requests reach its handlers: credentials, and records the
path parameters can name (a link batch and generation, a disaster open for applications, a kiosk
session verified with a virtual My Number card and a quoted request). Used by the tests and the
benchmark alike; everything is written through the services, inside the caller's transaction."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from app.audit.services import Actor
from app.db import Scope
from app.disasters.models import Disaster
from app.residents.link.tokens import create_token
from fixtures.link_batch import write_full_batch
from tests.factories import (
    issue_token,
    make_municipality,
    register,
    small_town,
    store_operator,
    terminal_token,
    with_seal_and_tax,
)
from tests.helpers.cards import build_jpki, fresh_card, heads, trust_config
from tests.helpers.demo import DEMO_CODE
from tests.helpers.kiosk import OPEN_NOW, STORE, KioskClient
from tests.helpers.link import post_batch, run_jobs
from tests.helpers.web import bearer


@dataclass
class Target:
    """One API to fuzz: where its document is, the headers every request carries, pinned path parameters."""

    name: str
    document: str
    headers: dict[str, str]
    pinned: list[dict[str, str]] = field(default_factory=lambda: [{}])


def link_target(database, client, workdir: Path) -> Target:
    """A municipality of its own with one applied full batch: batch 1's errors and generation 1 exist."""
    token = make_municipality(database)
    batch = post_batch(client, token, write_full_batch(small_town(60), workdir / "fuzz-batch.zip")).get_json()
    run_jobs(database)
    return Target("link", "/api/link/v1/openapi.json", bearer(token),
                  [{}, {"batch_id": str(batch["id"]), "number": "1"}])


def applications_target(database) -> Target:
    with database.unit_of_work(Scope.tenant(DEMO_CODE)) as session:
        session.add(Disaster(lg_code=DEMO_CODE, name="検証用の大雨", kind="風水害（大雨・洪水）",
                             started_on=date(2026, 11, 3)))
        _, token = create_token(session, Actor.system(DEMO_CODE, "fuzz"), "申請システム", purpose="applications")
    return Target("applications", "/api/applications/v1/openapi.json", bearer(token))


def cardauth_target(app, workdir: Path, monkeypatch) -> Target:
    """A terminal token and a configured trust anchor (JPKI CA and CRL), so requests reach the
    signature checks instead of stopping at 'not configured'."""
    trust_config(monkeypatch, app, build_jpki(workdir / "jpki"))
    return Target("cardauth", "/api/cardauth/v1/openapi.json", bearer(terminal_token(DEMO_CODE)))


def verify_target() -> Target:
    return Target("verify", "/api/verify/v1/openapi.json", {})


def ogc_target(database) -> Target:
    return Target("ogc", "/ogc/api", bearer(issue_token(database, DEMO_CODE, "admin")),
                  [{}, {"collectionId": "shelters"}])


def kiosk_target(app, client, system_session, workdir: Path, monkeypatch) -> Target:
    """A store operator and a kiosk session verified with the card of a 桜ヶ丘町 resident (with a seal
    and a tax record), and a request quoted in it: the session and request the pinned pass names."""
    jpki = build_jpki(workdir / "jpki")
    trust_config(monkeypatch, app, jpki)
    monkeypatch.setitem(app.config, "KIOSK_FIXED_NOW", OPEN_NOW)
    register(jpki)
    for atena_no, _ in heads(DEMO_CODE, 1):
        with_seal_and_tax(system_session, DEMO_CODE, atena_no)
    kiosk = KioskClient(client, store_operator(), dict(STORE))
    session_id, verified = kiosk.login(fresh_card(jpki, "demo-1", workdir))
    assert verified.status_code == 200, verified.get_data(as_text=True)
    quoted = kiosk.request(session_id, "住民票の写し")
    assert quoted.status_code == 201, quoted.get_data(as_text=True)
    return Target("kiosk", "/api/kiosk/v1/openapi.json", kiosk.headers(),
                  [{}, {"session_id": session_id, "request_id": quoted.get_json()["request_id"]}])

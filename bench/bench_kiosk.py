"""Kiosk benchmarks over HTTP against a real server: gunicorn with 2 sync workers (one per core) on
127.0.0.1, the client being the kiosk simulator's code path (``app.kiosk.simulator``) with virtual
cards. Client and server share the machine's 2 cores.

- ``kiosk.issue.p50_ms`` / ``p95_ms``: one whole issue, sequential — session (hours, challenge) →
  the card signs (RSA-2048) → verify → request → payment → PDF (render + sign + store + log).
  Anchor: render + sign of the same kind of document in this process (the engine alone).
- ``kiosk.sustained.per_s``: issues per second over 60 s by CLIENTS concurrent kiosks; any error
  fails the run. Anchor: the sequential rate (1000 / p50).

The virtual cards' PIN hash (PBKDF2, 100 000 rounds on the demo cards) is set to 1 000 rounds here:
the PIN is checked on the card, not the server, and a real card does it in hardware.
The documents rotate over 住民票の写し, 住民票記載事項証明書, 印鑑登録証明書, 所得証明書 and 課税証明書
(serials are gap-free per municipality and type, so issues of one type queue behind each other).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.harness import Anchor, Result, latencies_ms, p95

LG = "046990"
WORKERS = 2
CLIENTS = 4
SUSTAIN_SECONDS = 60
SEQUENTIAL = 200
DOCUMENTS = ("住民票の写し", "住民票記載事項証明書", "印鑑登録証明書", "所得証明書", "課税証明書")
ROOT = Path(__file__).resolve().parents[1]


def run(url: str) -> list[Result]:
    from fixtures import virtual_card

    virtual_card.PBKDF2_ROUNDS = 1000
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        cards, token, ca, crl = _arrange(url, work)
        server = _start_server(url, work, ca, crl)
        try:
            return _measure(server, token, cards)
        finally:
            server.terminate()
            server.wait(timeout=20)


def _arrange(url: str, work: Path):
    """Demo town (if absent), 8 registered cards with a seal and this year's tax record, a store."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from app.db import SYSTEM, set_scope
    from fixtures import demo
    from fixtures.demo_cards import issue_demo_cards
    from fixtures.demo_kiosk import ensure_demo_store
    from fixtures.virtual_card import VirtualCard
    from tests.factories import with_seal_and_tax

    engine = create_engine(url)
    with Session(engine) as session:
        set_scope(session, SYSTEM)
        demo.load_demo(session, residents=1000, seed=1)
        jpki = issue_demo_cards(session, LG, work / "jpki", count=8)
        token = ensure_demo_store(session, work / "kiosk").read_text().strip()
        session.commit()
        holders = [label for label in jpki.cards if label not in ("expired", "revoked", "forged")]
        for label in holders:
            with_seal_and_tax(session, LG, label.split("-", 1)[1])
    engine.dispose()
    return [VirtualCard.load(jpki.cards[label]) for label in holders], token, jpki.ca_cert_path, jpki.crl_path


def _start_server(url: str, work: Path, ca: Path, crl: Path) -> subprocess.Popen:
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, DATABASE_URL=url, KIOSK_FIXED_NOW="2026-11-26T10:00:00+09:00", JPKI_CA_CERT=str(ca),
               JPKI_CRL=str(crl))
    log = open(work / "server.log", "w")  # noqa: SIM115 - the process owns it until it ends
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
                               "--timeout", "60", "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=log)
    server.url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError(f"gunicorn did not start: {(work / 'server.log').read_text()[-2000:]}")


def _measure(server, token: str, cards) -> list[Result]:
    from app.kiosk.simulator import KioskClient

    client = KioskClient(server.url, token, "bench-001", "041009")
    turn = iter(range(10**9))

    def one():
        n = next(turn)
        client.issue(cards[n % len(cards)], "1234", DOCUMENTS[n % len(DOCUMENTS)])

    samples = latencies_ms(one, SEQUENTIAL, warmup=10)
    client.close()
    engine_ms = _engine_only_ms()
    rate, errors, done = _sustained(server.url, token, cards)
    p50 = statistics.median(samples)
    print(f"   kiosk: issue p50 {p50:.1f} ms, p95 {p95(samples):.1f} ms (render+sign alone {engine_ms:.1f} ms); "
          f"sustained {rate:.1f}/s with {CLIENTS} kiosks for {SUSTAIN_SECONDS} s, {done} issues, {errors} errors")
    if errors:
        raise RuntimeError(f"kiosk.sustained: {errors} errors")
    server_note = f"gunicorn {WORKERS} sync workers, client and server on the same 2 cores"
    return [Result("kiosk.issue.p50_ms", p50, "ms", 100.0, Anchor("cert.render_and_sign.ms", engine_ms, "ms"),
                   notes=f"median of {SEQUENTIAL} sequential issues over HTTP; {server_note}"),
            Result("kiosk.issue.p95_ms", p95(samples), "ms", 250.0, Anchor("cert.render_and_sign.ms", engine_ms, "ms"),
                   notes=f"95th percentile of {SEQUENTIAL}; {server_note}"),
            Result("kiosk.sustained.per_s", rate, "/s", 20.0, Anchor("kiosk.sequential.per_s", 1000 / p50, "/s"),
                   comparison=">=", notes=f"{CLIENTS} concurrent kiosks, {SUSTAIN_SECONDS} s, {done} issues, "
                                          f"0 errors; {server_note}")]


def _sustained(url: str, token: str, cards) -> tuple[float, int, int]:
    from app.kiosk.simulator import KioskClient, KioskError

    stop = time.monotonic() + SUSTAIN_SECONDS
    counts, errors = [0] * CLIENTS, [0] * CLIENTS

    def kiosk(index: int) -> None:
        client = KioskClient(url, token, f"bench-{index:03d}", "041009")
        n = index
        while time.monotonic() < stop:
            try:
                client.issue(cards[n % len(cards)], "1234", DOCUMENTS[n % len(DOCUMENTS)])
                counts[index] += 1
            except KioskError as exc:
                errors[index] += 1
                print(f"   kiosk {index}: {exc}")
            n += CLIENTS
        client.close()

    started = time.monotonic()
    threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return sum(counts) / elapsed, sum(errors), sum(counts)


def _engine_only_ms() -> float:
    """The anchor: render + sign one 住民票の写し in this process (test PKI, sample layout)."""
    import dataclasses

    from certificate_engine import issue
    from certificate_engine.signing import CertificateSigner
    from fixtures.certificate_samples import sample_documents, sample_layout
    from fixtures.signing_pki import ensure_test_pki

    layout = sample_layout()
    base = sample_documents(layout)["resident_single"]
    counter = iter(range(10**9))
    with tempfile.TemporaryDirectory() as directory:
        pki = ensure_test_pki(Path(directory))
        signer = CertificateSigner.load(pki.key, pki.cert, (pki.ca_cert,))

        def one():
            header = dataclasses.replace(base.header, serial=f"住2026-{next(counter):06d}")
            issue(dataclasses.replace(base, header=header), layout, signer)

        return statistics.median(latencies_ms(one, 60))

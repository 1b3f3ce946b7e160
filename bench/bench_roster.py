"""Roster benchmarks: 100,000 rows of the 避難行動要支援者名簿 for supporters, as CSV and as XLSX, over
the 1,000,000-resident town of bench_link (loaded here when the benchmark runs alone), the register
extracted with age ≥ 65."""
from __future__ import annotations

import time
from itertools import islice

from sqlalchemy import text

from bench.bench_link import ensure_town
from bench.harness import Anchor, Result

LG_CODE = "012033"
ROWS = 100_000


def run(url: str) -> list[Result]:
    from app import create_app
    from app.audit.services import Actor
    from app.config import Config
    from app.db import Scope
    from app.evac_support import services
    from app.exports import iter_csv, xlsx_bytes
    from app.extensions import db

    ensure_town(url)
    config = Config()
    config.DATABASE_URL = url
    app = create_app(config)
    actor = Actor.system(LG_CODE, "bench")
    with app.app_context():
        with db.unit_of_work(Scope.tenant(LG_CODE)) as session:
            services.save_criteria(session, actor, {"age_min": 65})
            extracted = services.refresh_register(session, actor)["added"]
        if extracted < ROWS:
            raise RuntimeError(f"only {extracted} people on the bench register")
        with db.unit_of_work(Scope.tenant(LG_CODE)) as session:
            ids = services.roster_selection(session, "災害時", True)[:ROWS]
            started = time.perf_counter()
            anchor_rows = session.execute(text("""
                SELECT r.name, r.address FROM evac_people p JOIN residents r ON r.id = p.resident_id
                WHERE p.removed_at IS NULL LIMIT :n"""), {"n": ROWS}).all()
            anchor = time.perf_counter() - started
            assert len(anchor_rows) == ROWS
            started = time.perf_counter()
            size = sum(len(chunk) for chunk in iter_csv(services.ROSTER_HEADER, islice(
                services.roster_rows(session, ids), ROWS), "cp932"))
            csv_seconds = time.perf_counter() - started
            started = time.perf_counter()
            data = xlsx_bytes("避難行動要支援者名簿", services.ROSTER_HEADER,
                              islice(services.roster_rows(session, ids), ROWS))
            xlsx_seconds = time.perf_counter() - started
    select_anchor = Anchor("postgres.select_roster_rows_100k.seconds", anchor, "s")
    print(f"   roster: CSV {size / 1e6:.1f} MB in {csv_seconds:.2f} s, "
          f"XLSX {len(data) / 1e6:.1f} MB in {xlsx_seconds:.2f} s")
    return [Result("roster.csv_100k.seconds", csv_seconds, "s", 2.0, select_anchor,
                   notes="100,000 rows, CP932, 提供抑止 applied, from the register of a 1M-resident town"),
            Result("roster.xlsx_100k.seconds", xlsx_seconds, "s", 15.0, select_anchor,
                   notes="100,000 rows, openpyxl write-only, styled header, filters, A4 print setup")]

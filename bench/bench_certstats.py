"""Certificate statistics benchmark: a national month of issues (about 2.9 million kiosk issues in
the seed's February 2024 figure; 3,000,000 rows here over 1,300 municipalities) and the aggregates
the operator and a large city's staff open.

Anchor: the bare ``count(*)`` of the same month's rows in the same scope, in the same run.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import psycopg
from sqlalchemy import text

from bench.harness import Anchor, Result, latencies_ms
from certificate_engine.wareki import JST

ROWS, MUNICIPALITIES, BIG_CITY_ROWS = 3_000_000, 1_300, 100_000
BIG_CITY = "990001"
KINDS = (("住民票の写し", 200, 180), ("印鑑登録証明書", 200, 180), ("所得証明書", 250, 180),
         ("住民票記載事項証明書", 200, 0), ("罹災証明書", 10, 0))
STORES = ("セブン-イレブン", "ファミリーマート", "ローソン", "ミニストップ", "セイコーマート")


def _codes() -> list[str]:
    return [f"99{n:04d}" for n in range(1, MUNICIPALITIES + 1)]


def _load(dsn: str) -> None:
    rng = random.Random(11)
    codes = _codes()
    start = datetime(2026, 10, 1, tzinfo=JST)
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.executemany("INSERT INTO municipalities (lg_code, name, name_kana, kind, population, center_lat, "
                        "center_lon, version) VALUES (%s, %s, '', '市', 50000, 38.0, 140.0, 1) ON CONFLICT DO NOTHING",
                        [(code, f"ベンチ{code}市") for code in codes])
        with cur.copy("COPY issuance_log (lg_code, document_type, channel, store_operator, store_lg_code, issued_at, "
                      "fee_yen, commission_yen, bcl_fee_yen, voided_at) FROM STDIN") as copy:
            for n in range(ROWS):
                code = BIG_CITY if n < BIG_CITY_ROWS else codes[rng.randrange(MUNICIPALITIES)]
                kind, fee, bcl = KINDS[rng.randrange(len(KINDS))]
                when = start + timedelta(seconds=rng.randrange(31 * 86400))
                kiosk = rng.random() < 0.8
                store_code = (codes[rng.randrange(MUNICIPALITIES)] if rng.random() < 0.2 else code) if kiosk else ""
                copy.write_row((code, kind, "コンビニ" if kiosk else "窓口", STORES[n % 5] if kiosk else "", store_code,
                                when, fee if kiosk else fee + 100, 117 if kiosk else 0, bcl if kiosk else 0,
                                when if n % 997 == 0 else None))
        # A quarter of the municipalities (and the big city) keep their own office hours.
        own = [(code, f"08:{30 - 15 * (n % 3):02d}", f"{17 + n % 3}:15", [5, 6] if n % 2 else [6], [])
               for n, code in enumerate([*codes[::4], BIG_CITY])]
        cur.executemany("INSERT INTO office_hours (lg_code, opens, closes, closed_weekdays, closed_days, version) "
                        "VALUES (%s, %s, %s, %s, %s::date[], 1) ON CONFLICT DO NOTHING", own)
        conn.commit()
        cur.execute("ANALYZE issuance_log")


def run(url: str) -> list[Result]:
    from sqlalchemy.engine import make_url

    from app.certificates.statistics import services as statistics
    from app.certificates.statistics.rules import Month
    from app.db import Database, Scope

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    _load(dsn)
    database = Database()
    database.configure(url)
    month = Month(2026, 10)
    count = text("SELECT count(*) FROM issuance_log WHERE issued_at >= :s AND issued_at < :e")
    pages = (
        ("operator_statistics", Scope.operator(), 10_000.0, 3,
         lambda s: statistics.operator_statistics(s, month),
         f"/operator/statistics: {ROWS:,} rows of one month, {MUNICIPALITIES:,} municipalities "
         f"({MUNICIPALITIES // 4 + 1:,} with their own office hours)"),
        ("operator_settlement", Scope.operator(), 10_000.0, 3,
         lambda s: statistics.operator_settlement(s, month),
         f"/operator/settlement: {ROWS:,} rows of one month, {MUNICIPALITIES:,} municipalities"),
        ("big_city_statistics", Scope.tenant(BIG_CITY), 1_000.0, 10,
         lambda s: (statistics.monthly_statistics(s, month), statistics.municipality_settlement(s, month)),
         f"/certificates/statistics: {BIG_CITY_ROWS:,} rows of the city in a {ROWS:,}-row table"),
    )
    results = []
    try:
        for name, scope, target, repeat, page, notes in pages:
            with database.unit_of_work(scope) as session:
                value = min(latencies_ms(lambda s=session, page=page: page(s), repeat, warmup=1))
                anchor = min(latencies_ms(lambda s=session: s.execute(count, {"s": month.start, "e": month.end}),
                                          repeat, warmup=1))
            results.append(Result(f"certstats.{name}.ms", value, "ms", target,
                                  Anchor(f"raw_count_month.{scope.role}.ms", anchor, "ms"), notes=notes))
    finally:
        database.dispose()
    return results

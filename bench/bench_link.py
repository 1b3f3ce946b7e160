"""Resident data link benchmarks: a 1M full load, its raw COPY anchor, a 10k diff and the restore export.

The batches are generated once (deterministically) and cached under instance/bench/. Loads and the
export run in a process of their own (bench/link_runner.py) so that the peak memory is the load's.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import psycopg

from app.config import INSTANCE_DIR
from app.residents.link import spec
from bench.harness import Anchor, Result
from fixtures.link_batch import write_diff_batch, write_full_batch
from fixtures.town import DEMO_TOWN, generate_town

BENCH_TOWN = replace(DEMO_TOWN, lg_code="012033", name="小樽港町", prefecture="北海道", chome_base="港")
RESIDENTS = 1_000_000
CACHE = INSTANCE_DIR / "bench"


def run(url: str) -> list[Result]:
    full, diff = _batches()
    _register_municipality(url)
    load = _runner("load", url, BENCH_TOWN.lg_code, full)
    copy_seconds = _raw_copy(url)
    diff_run = _runner("load", url, BENCH_TOWN.lg_code, diff)
    with tempfile.TemporaryDirectory(dir=CACHE) as directory:
        export = _runner("export", url, BENCH_TOWN.lg_code, "1", str(Path(directory) / "restored.zip"))
    anchor = Anchor("postgres.raw_copy_full_1m.seconds", copy_seconds, "s")
    load_anchor = Anchor("link.full_load_1m.seconds", load["seconds"], "s")
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in load.get("timings", {}).items())
    return [
        Result("link.full_load_1m.seconds", load["seconds"], "s", 30.0, anchor,
               notes=f"1,000,000 residents + seals, taxes, welfare from the ZIP, validation included ({stages})"),
        Result("link.full_load_vs_copy.ratio", load["seconds"] / copy_seconds, "x", 3.0, anchor,
               notes="full load ÷ COPY of the same typed rows into tables defined like the link tables"),
        Result("link.diff_10k.seconds", diff_run["seconds"], "s", 3.0, load_anchor,
               notes="10,000-record differential (all four kinds) on top of the 1M generation"),
        Result("link.export_1m.seconds", export["seconds"], "s", 20.0, load_anchor,
               notes="restore export of the full generation, byte-identical to the loaded file"),
        Result("link.full_load_1m.peak_rss_mb", load["peak_rss_mb"], "MB", 500.0,
               Anchor("python.app_import.peak_rss_mb", load["baseline_rss_mb"], "MB"),
               notes="peak resident set size of the loading process"),
    ]


def ensure_town(url: str) -> int:
    """The 1M bench town in the database at ``url``, loaded by the link (full batch, cached) unless it is
    there already: the benchmarks that run over it (register, roster, shelters) work alone too.
    Returns the number of its residents."""
    count = _residents(url)
    if count < RESIDENTS * 0.9:
        full, _ = _batches()
        _register_municipality(url)
        _runner("load", url, BENCH_TOWN.lg_code, full)
        count = _residents(url)
    return count


def _residents(url: str) -> int:
    with psycopg.connect(_dsn(url)) as conn:  # as the application role of the town: the table forces RLS
        conn.execute("SELECT set_config('role', 'bcl_app', true), set_config('app.lg_code', %s, true)",
                     (BENCH_TOWN.lg_code,))
        return conn.execute("SELECT count(*) FROM residents").fetchone()[0]


def _batches() -> tuple[Path, Path]:
    """The 1M full batch and the 10k diff on top of it, generated once and cached."""
    CACHE.mkdir(parents=True, exist_ok=True)
    full, diff = CACHE / "full-1m.zip", CACHE / "diff-10k.zip"
    if not full.exists() or not diff.exists():
        town = generate_town(BENCH_TOWN, residents=RESIDENTS, seed=1)
        started = time.perf_counter()
        write_full_batch(town, full)
        write_diff_batch(town, diff, changes=10_000)
        print(f"   generated link batches in {time.perf_counter() - started:.0f} s (cached in {CACHE})")
    return full, diff


def _register_municipality(url: str) -> None:
    with psycopg.connect(_dsn(url)) as conn:
        conn.execute("INSERT INTO municipalities (lg_code, name, name_kana, kind, population, center_lat, center_lon,"
                     " version) VALUES (%s, %s, '', '市', %s, %s, %s, 1) ON CONFLICT DO NOTHING",
                     (BENCH_TOWN.lg_code, BENCH_TOWN.name, RESIDENTS, BENCH_TOWN.center_lat, BENCH_TOWN.center_lon))


def _runner(*args: str) -> dict:
    completed = subprocess.run([sys.executable, "-m", "bench.link_runner", *args], capture_output=True, text=True,
                               check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"link runner {args[0]} failed:\n{completed.stderr[-3000:]}")
    outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    if outcome["status"] not in ("applied", "exported"):
        raise RuntimeError(f"link runner {args[0]} ended {outcome['status']}")
    print(f"   {args[0]} {Path(args[-1]).name}: {outcome['seconds']:.1f} s, peak {outcome['peak_rss_mb']:.0f} MB")
    return outcome


def _raw_copy(url: str) -> float:
    """COPY the rows the full load wrote, as text files, into empty tables defined like the link tables.

    The tables are created ``LIKE … INCLUDING ALL`` (same columns, defaults, indexes, constraints)
    and the COPY runs as the database owner without row-level security: the least work PostgreSQL
    can do to hold the same data.
    """
    total = 0.0
    with psycopg.connect(_dsn(url)) as conn, tempfile.TemporaryDirectory(dir=CACHE) as directory:
        for table in spec.TABLES.values():  # the tables a full load writes
            dump = Path(directory) / f"{table}.copy"
            with dump.open("wb") as out, conn.cursor().copy(f"COPY {table} TO STDOUT") as copy:
                for data in copy:
                    out.write(data)
            conn.execute(f"CREATE TABLE bench_{table} (LIKE {table} INCLUDING ALL)")
            conn.commit()
            started = time.perf_counter()
            with dump.open("rb") as source, conn.cursor().copy(f"COPY bench_{table} FROM STDIN") as copy:
                while data := source.read(1 << 20):
                    copy.write(data)
            conn.commit()
            total += time.perf_counter() - started
            conn.execute(f"DROP TABLE bench_{table}")
            conn.commit()
    return total


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")

"""Run every benchmark module (bench/bench_*.py) against a fresh database and write results.json.

    python -m bench.run            # all
    python -m bench.run foundation # only bench/bench_foundation.py (other entries of results.json are kept)
"""
from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

from bench.harness import print_table, write_results

HERE = Path(__file__).resolve().parent


def bench_database_url() -> str:
    """A freshly created and migrated database for the benchmarks (embedded cluster or DATABASE_URL server)."""
    from alembic import command
    from sqlalchemy.engine import make_url

    from app.cli import alembic_config
    from app.cluster import EmbeddedCluster
    from app.config import INSTANCE_DIR
    from tests.helpers.database import create_empty_database

    server = os.environ.get("DATABASE_URL") or EmbeddedCluster(INSTANCE_DIR).start().url("postgres")
    url = create_empty_database(make_url(server).set(database="postgres").render_as_string(hide_password=False),
                                "bcl_bench")
    command.upgrade(alembic_config(url), "head")
    return url


def main(selected: list[str]) -> int:
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if selected:
        modules = [m for m in modules if m.removeprefix("bench_") in selected]
    url = bench_database_url()
    results = []
    for name in modules:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}")
        results.extend(module.run(url))
    write_results(HERE / "results.json", results, keep_others=bool(selected))
    print_table(results)
    print(f"wrote {HERE / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Small benchmark harness: timing helpers and the results file format.

Each entry of bench/results.json is
``{"name", "value", "unit", "target", "comparison", "meets_target", "anchor": {"name", "value", "unit"}}``
where the anchor is a baseline measured in the same run (raw COPY, raw SQL, a bare request).
"""
from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path


@dataclass
class Anchor:
    name: str
    value: float
    unit: str


@dataclass
class Result:
    name: str
    value: float
    unit: str
    target: float
    anchor: Anchor
    comparison: str = "<="  # value must be <= target (">=" for throughput)
    notes: str = ""
    meets_target: bool = field(init=False)

    def __post_init__(self) -> None:
        self.value = round(self.value, 3)
        self.anchor.value = round(self.anchor.value, 3)
        self.meets_target = self.value <= self.target if self.comparison == "<=" else self.value >= self.target


def seconds(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def latencies_ms(fn: Callable[[], object], repeat: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[94]


def write_results(path: Path, results: list[Result], keep_others: bool = False) -> None:
    """Write results.json; with ``keep_others`` the entries of benchmarks not run now stay."""
    entries = [asdict(r) for r in results]
    if keep_others and path.exists():
        fresh = {e["name"] for e in entries}
        entries = [e for e in json.loads(path.read_text())["results"] if e["name"] not in fresh] + entries
    document = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "processor": platform.machine(),
                    "cpus": __import__("os").cpu_count()},
        "results": entries,
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def print_table(results: list[Result]) -> None:
    for r in results:
        mark = "OK " if r.meets_target else "MISS"
        print(f"{mark} {r.name:<40} {r.value:>10} {r.unit:<8} target {r.comparison} {r.target:<8} "
              f"anchor {r.anchor.name} = {r.anchor.value} {r.anchor.unit}")

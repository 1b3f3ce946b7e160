"""Run one link operation in a process of its own and print its time and peak memory as JSON.

    python -m bench.link_runner load   DATABASE_URL LG_CODE BATCH.zip
    python -m bench.link_runner export DATABASE_URL LG_CODE GENERATION OUT.zip

Imports happen before the clock starts; the peak resident set size is the whole process's, and
``stage_peak_rss_mb`` the highest sample taken under each progress label of the load.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

PAGE_MB = os.sysconf("SC_PAGE_SIZE") / (1 << 20)


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_MB


class StageMemory:
    """Samples the resident set size every 20 ms and keeps the highest value per progress label."""

    def __init__(self) -> None:
        self.label, self.peaks, self._stop = "受付", {}, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def on_progress(self, _job_id: int, _percent: int, label: str) -> None:
        self.label = label

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peaks[self.label] = max(self.peaks.get(self.label, 0), round(current_rss_mb()))

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        return self.peaks


def main(argv: list[str]) -> None:
    operation, url, lg_code = argv[0], argv[1], argv[2]
    from app import create_app
    from app.audit.services import Actor
    from app.config import Config
    from app.db import Scope
    from app.extensions import db
    from app.jobs.services import Worker
    from app.residents.jobs import chunk_reader
    from app.residents.link.generations import export_generation
    from app.residents.link.receive import receive_batch
    from app.residents.models import LinkBatch

    config = Config()
    config.DATABASE_URL = url
    app = create_app(config)
    outcome = {"baseline_rss_mb": current_rss_mb()}
    memory = StageMemory()
    with app.app_context():
        started = time.perf_counter()
        if operation == "load":
            with db.unit_of_work(Scope.tenant(lg_code)) as session:
                received = receive_batch(session, Path(argv[3]), lg_code=lg_code, channel="cli",
                                         actor=Actor.system(lg_code, "bench"))
                batch_id, job_id = received.batch.id, received.batch.job_id
            worker = Worker(db, settings=app.config, on_progress=memory.on_progress)
            assert worker.claim() == job_id
            worker.execute(job_id)
            with db.unit_of_work(Scope.tenant(lg_code)) as session:
                batch = session.get(LinkBatch, batch_id)
                outcome |= {"status": batch.status, "timings": batch.report.get("timings", {}),
                            "generation": batch.sequence_no}
        else:
            with db.unit_of_work(Scope.tenant(lg_code)) as session:
                export_generation(session, int(argv[3]), Path(argv[4]), chunk_reader(session))
            outcome["status"] = "exported"
        outcome["seconds"] = time.perf_counter() - started
    outcome["stage_peak_rss_mb"] = memory.stop()
    outcome["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(outcome, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])

"""Run one link operation in a process of its own and print its time and peak memory as JSON.

    python -m bench.link_runner load   DATABASE_URL LG_CODE BATCH.zip
    python -m bench.link_runner export DATABASE_URL LG_CODE GENERATION OUT.zip

Imports happen before the clock starts; the peak resident set size is the whole process's.
"""
from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


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

    config = Config()
    config.DATABASE_URL = url
    app = create_app(config)
    with app.app_context():
        started = time.perf_counter()
        if operation == "load":
            with db.unit_of_work(Scope.tenant(lg_code)) as session:
                received = receive_batch(session, Path(argv[3]), lg_code=lg_code, channel="cli",
                                         actor=Actor.system(lg_code, "bench"))
                job_id = received.batch.job_id
            worker = Worker(db, settings=app.config)
            assert worker.claim() == job_id
            worker.execute(job_id)
            with db.unit_of_work(Scope.tenant(lg_code)) as session:
                status = session.get(type(received.batch), received.batch.id).status
        else:
            with db.unit_of_work(Scope.tenant(lg_code)) as session:
                export_generation(session, int(argv[3]), Path(argv[4]), chunk_reader(session))
            status = "exported"
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_mb, "status": status}))


if __name__ == "__main__":
    main(sys.argv[1:])

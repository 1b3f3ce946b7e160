"""``flask --app wsgi jobs work|list|retry|cancel``: the worker and the administration of the queue."""
from __future__ import annotations

import click
from flask import current_app

from app.console import fail, lg_code_callback
from app.db import SYSTEM
from app.errors import DomainError
from app.extensions import db
from app.jobs import rules
from app.jobs.models import JOB_STATUSES
from app.query_params import BIGINT_MAX

JOB_ID = click.IntRange(1, BIGINT_MAX)


@click.group("jobs")
def cli() -> None:
    """Background jobs (imports, exports, the link's batches)."""


@cli.command("work")
@click.option("--once", is_flag=True, help="queue the periodic jobs that are due, run the queued jobs, then stop")
def work(once: bool) -> None:
    """Run the job worker (make run starts one)."""
    from app.console import require_database_url
    from app.jobs.services import Worker

    require_database_url()
    worker = Worker(db, settings=current_app.config)
    if once:
        worker.schedule_periodic()
        click.echo(f"ran {worker.run_pending()} job(s)")
    else:
        worker.run_forever()


@cli.command("list")
@click.option("--status", type=click.Choice(JOB_STATUSES), help="only jobs in this state")
@click.option("--lg-code", callback=lg_code_callback, help="only this municipality's jobs")
@click.option("--kind", help="only jobs of this kind")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
def list_command(status: str | None, lg_code: str | None, kind: str | None, limit: int) -> None:
    """The newest jobs: id, municipality, kind, state, attempts, progress, and why the last failed."""
    from app.jobs.admin import list_jobs

    with db.unit_of_work(SYSTEM) as session:
        jobs = list_jobs(session, status=status, lg_code=lg_code, kind=kind, limit=limit)
        for job in jobs:
            click.echo(f"{job.id:>8}  {job.lg_code or '-':<6}  {job.kind:<32}  {job.status:<7}  "
                       f"{job.attempts}/{job.max_attempts}  {job.progress:>3}%  "
                       f"{job.created_at.isoformat(timespec='seconds')}  {rules.last_line(job.error, 120)}")
    if not jobs:
        click.echo("no jobs")


@cli.command("retry")
@click.argument("job_id", type=JOB_ID)
def retry(job_id: int) -> None:
    """Queue failed job JOB_ID again with all its attempts."""
    from app.jobs.admin import retry_failed

    try:
        with db.unit_of_work(SYSTEM) as session:
            retry_failed(session, job_id)
    except DomainError as exc:
        fail(f"再実行できません [{exc.code}]: {exc.message}")
    click.echo(f"job {job_id} queued again")


@cli.command("cancel")
@click.argument("job_id", type=JOB_ID)
@click.option("--reason", required=True, help="why it is taken back (kept as the job's error)")
def cancel(job_id: int, reason: str) -> None:
    """Take back queued job JOB_ID: it ends failed and no worker runs it. A link batch whose apply
    job is cancelled stays open until it is ended (``link end-batch``) or sent again."""
    from app.jobs.admin import cancel_queued

    try:
        with db.unit_of_work(SYSTEM) as session:
            cancel_queued(session, job_id, reason)
    except DomainError as exc:
        fail(f"取り消せません [{exc.code}]: {exc.message}")
    click.echo(f"job {job_id} cancelled")


"""Pattern B on the command line: ``flask --app wsgi link load|export|status|address-points|token``."""
from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import click
from flask import current_app

from app.audit.services import Actor
from app.console import fail, lg_code_callback
from app.db import Scope
from app.errors import DomainError
from app.extensions import db
from app.query_params import INTEGER_MAX
from app.residents.link.archive import temporary_path

# A batch sequence or generation number: the link stores them in integer columns.
DATABASE_NUMBER = click.IntRange(1, INTEGER_MAX)


def _zip_of(path: Path) -> tuple[Path, bool]:
    """A batch ZIP for ``path``: the file itself, or a temporary ZIP of a directory holding manifest.json."""
    if path.is_file():
        return path, False
    if not (path / "manifest.json").exists():
        fail(f"{path} はZIPでも、manifest.json のあるフォルダでもありません。")
    zipped = temporary_path("bcl-batch-", ".zip")
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_STORED) as archive:
        for item in sorted(path.iterdir()):
            if item.is_file():
                archive.write(item, item.name)
    return zipped, True


@click.group("link")
def cli() -> None:
    """The resident data link (docs/resident-link.md)."""


@cli.command("load")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--lg-code", required=True, callback=lg_code_callback, help="地方公共団体コード")
@click.option("--wait/--no-wait", default=True, show_default=True, help="apply it now (or leave it to the worker)")
def load(path: Path, lg_code: str, wait: bool) -> None:
    """Receive the batch at PATH (ZIP or folder) and apply it, with a progress bar."""
    from app.residents.link.receive import receive_batch

    archive, temporary = _zip_of(path)
    actor = Actor.system(lg_code, "cli")
    try:
        with db.unit_of_work(Scope.tenant(lg_code)) as session:
            received = receive_batch(session, archive, lg_code=lg_code, channel="cli", actor=actor)
            batch_id, job_id, status = received.batch.id, received.batch.job_id, received.batch.status
    except DomainError as exc:
        fail(f"受け付けられません [{exc.code}]: {exc.message}")
    finally:
        if temporary:
            archive.unlink(missing_ok=True)
    click.echo(f"batch {batch_id}: {'already received (no-op)' if received.is_duplicate else 'received'}")
    if wait and status not in ("applied", "rejected"):
        _run_job(job_id)
    sys.exit(_report(lg_code, batch_id, wait))


def _run_job(job_id: int) -> None:
    from app.console import progress_bar
    from app.jobs.services import Worker

    worker = Worker(db, on_progress=lambda _id, percent, label: progress_bar("link", percent, 100),
                    settings=current_app.config)
    claimed = worker.claim()
    while claimed is not None and claimed != job_id:  # run anything queued before it, in order
        worker.execute(claimed)
        claimed = worker.claim()
    if claimed == job_id:
        worker.execute(job_id)
        progress_bar("link", 100, 100)


# Exit status of ``link load`` when the batch is neither applied nor rejected yet although the
# command was asked to wait for it (it waits for an earlier batch, or for another try).
EXIT_NOT_FINISHED = 3


def _report(lg_code: str, batch_id: int, waited: bool) -> int:
    """Print what became of the batch; the exit status: 0 applied (or left to the worker with
    --no-wait), 1 rejected or failed, EXIT_NOT_FINISHED still waiting."""
    from app.residents import services
    from app.residents.link.recovery import processing_state

    with db.unit_of_work(Scope.tenant(lg_code)) as session:
        batch = services.get_batch(session, batch_id)
        if batch.status == "applied":
            _print_counts(batch)
            return 0
        if batch.status == "rejected":
            click.secho(f"rejected: {batch.error_count} error(s); nothing was applied. Correct the batch and send "
                        f"sequence {batch.sequence_no} again.", fg="red", err=True)
            for error in services.batch_errors(session, batch_id, 0, 20):
                where = f"{error.file or '-'}:{error.line or '-'} [{error.column}]"
                click.echo(f"  {where} {error.code}: {error.message}", err=True)
            return 1
        job = services.batch_job(session, batch)
        state = processing_state(session, batch, job)
        if job is not None and job.status == "failed":
            click.secho(f"failed: sequence {batch.sequence_no} is not applied and still holds its number. "
                        f"{state.message}\n  End it with: flask --app wsgi link end-batch --lg-code {lg_code} "
                        f"--sequence {batch.sequence_no} --reason …, then send it again.", fg="red", err=True)
            return 1
        click.echo(f"{batch.status}: sequence {batch.sequence_no} is not applied yet. {state.message}")
        if not waited:
            click.echo("  A worker (flask --app wsgi jobs work) applies it.")
            return 0
        return EXIT_NOT_FINISHED


def _print_counts(batch) -> None:
    click.echo(f"applied: generation {batch.sequence_no}")
    for kind, c in batch.report.get("counts", {}).items():
        click.echo(f"  {kind:<10} read {c['read']:>8}  added {c['added']:>8}  changed {c['changed']:>8}  "
                   f"removed {c['removed']:>8}")
    if batch.report.get("character_count"):
        click.echo(f"  characters outside JIS X 0208 / 外字: {batch.report['character_count']}")


@cli.command("end-batch")
@click.option("--lg-code", required=True, callback=lg_code_callback)
@click.option("--sequence", type=DATABASE_NUMBER, required=True, help="the stuck batch's sequence number")
@click.option("--reason", required=True, help="why it is ended (kept in the batch's report and the audit log)")
def end_batch(lg_code: str, sequence: int, reason: str) -> None:
    """End a batch whose processing stopped (its worker died): it becomes rejected, nothing of it is
    applied, and SEQUENCE can be sent again. Refused while a worker is still applying it."""
    from app.residents.link import recovery

    try:
        with db.unit_of_work(Scope.tenant(lg_code)) as session:
            batch_id = recovery.open_batch_id(session, sequence)
            recovery.end_stuck_batch(session, Actor.system(lg_code, "cli"), batch_id, reason)
    except DomainError as exc:
        fail(f"終了できません [{exc.code}]: {exc.message}")
    click.echo(f"ended: batch {batch_id} (sequence {sequence}) is rejected; nothing of it was applied. "
               f"Send sequence {sequence} again.")


@cli.command("export")
@click.option("--lg-code", required=True, callback=lg_code_callback)
@click.option("--generation", "number", type=DATABASE_NUMBER, required=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True)
def export(lg_code: str, number: int, output: Path) -> None:
    """Write generation N as a batch ZIP (full generations byte for byte as received)."""
    from app.audit.services import record
    from app.residents.jobs import chunk_reader
    from app.residents.link.generations import export_generation

    try:
        with db.unit_of_work(Scope.tenant(lg_code)) as session:
            export_generation(session, number, output, chunk_reader(session))
            record(session, Actor.system(lg_code, "cli"), "link_export", "generation", [number], channel="cli")
    except DomainError as exc:
        fail(f"書き出せません [{exc.code}]: {exc.message}")
    click.echo(f"wrote {output}")


@cli.command("status")
@click.option("--lg-code", required=True, callback=lg_code_callback)
def status(lg_code: str) -> None:
    """Expected sequence, last generation and record counts."""
    from app.residents import services

    with db.unit_of_work(Scope.tenant(lg_code)) as session:
        state = services.link_status(session)
        click.echo(f"expected sequence: {state.expected_sequence}")
        click.echo(f"last generation:   {state.last_generation.number if state.last_generation else '-'}")
        click.echo("counts: " + ", ".join(f"{k} {v}" for k, v in state.counts.items()))
        click.echo(f"residents without coordinates: {state.unlocated}")


@cli.command("address-points")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lg-code", required=True, callback=lg_code_callback)
def address_points(path: Path, lg_code: str) -> None:
    """Load the 位置参照情報 (街区レベル) CSV and place residents and buildings."""
    from app.residents import services

    try:
        with db.unit_of_work(Scope.tenant(lg_code)) as session:
            result = services.load_address_points(session, Actor.system(lg_code, "cli"), path.read_bytes())
    except DomainError as exc:
        fail(f"取り込めません [{exc.code}]: {exc.message}")
    click.echo(f"address points {result['points']}, residents located {result['located']}, "
               f"buildings located {result['buildings_located']}, skipped rows {result['problem_count']}")


@cli.command("token")
@click.option("--lg-code", required=True, callback=lg_code_callback)
@click.option("--name", required=True, help="what the token is for")
def token(lg_code: str, name: str) -> None:
    """Issue a link API token (printed once)."""
    from app.residents.link.tokens import create_token

    with db.unit_of_work(Scope.tenant(lg_code)) as session:
        _, plain = create_token(session, Actor.system(lg_code, "cli"), name)
    click.echo(plain)

"""Hazard layers on the command line: ``flask --app wsgi layers import|list|delete|assign``."""
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
from layers.catalogue import CATALOGUE_BY_CODE


def _payload(path: Path) -> tuple[str, bytes]:
    """(file name, bytes) to upload: a .shp goes with its sidecars in a ZIP made here."""
    if path.suffix.lower() != ".shp":
        return path.name, path.read_bytes()
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in sorted(path.parent.glob(path.stem + ".*")):
            archive.write(part, part.name)
    return path.stem + ".zip", buffer.getvalue()


@click.group("layers")
def cli() -> None:
    """Hazard layers (docs/map-layers.md)."""


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lg-code", required=True, callback=lg_code_callback, help="地方公共団体コード")
@click.option("--layer", "layer_code", required=True, type=click.Choice(sorted(CATALOGUE_BY_CODE)))
@click.option("--crs", "epsg", type=int, help="EPSG code, only when the file has none (or an unreadable one)")
@click.option("--class-field", default="", help="attribute holding the class (default: the layer's rule)")
def import_command(path: Path, lg_code: str, layer_code: str, epsg: int | None, class_field: str) -> None:
    """Import PATH (GeoJSON, .shp with sidecars, ZIP, GeoPackage) as LAYER, replacing it atomically."""
    from app.maps.layer_services import receive_upload

    filename, data = _payload(path)
    try:
        with db.unit_of_work(Scope.tenant(lg_code)) as session:
            upload = receive_upload(session, Actor.system(lg_code, "cli"), layer_code=layer_code, filename=filename,
                                    data=data, declared_epsg=epsg, class_field=class_field)
            upload_id, job_id = upload.id, upload.job_id
    except DomainError as exc:
        fail(f"受け付けられません [{exc.code}]: {exc.message}")
    _run_job(job_id)
    _report(lg_code, upload_id)


def _run_job(job_id: int) -> None:
    from app.console import progress_bar
    from app.jobs.services import Worker

    worker = Worker(db, on_progress=lambda _id, percent, label: progress_bar("layer", percent, 100),
                    settings=current_app.config)
    claimed = worker.claim()
    while claimed is not None and claimed != job_id:  # anything queued before it runs first, in order
        worker.execute(claimed)
        claimed = worker.claim()
    if claimed == job_id:
        worker.execute(job_id)
        progress_bar("layer", 100, 100)


def _report(lg_code: str, upload_id: int) -> None:
    from app.maps.layer_services import get_upload

    with db.unit_of_work(Scope.tenant(lg_code)) as session:
        upload, job = get_upload(session, upload_id)
        layer = CATALOGUE_BY_CODE[upload.layer_code]
        if job is None or job.status != "done":
            click.secho(f"refused: {job.error if job else 'no job'} (the layer was left as it was)", fg="red", err=True)
            for row, column, reason in (job.result.get("errors", []) if job else []):
                click.echo(f"  row {row} [{column}]: {reason}", err=True)
            sys.exit(1)
        r = job.result
        click.echo(f"imported {r['total']} polygons into {layer.code} (replaced {r['replaced']}); "
                   f"EPSG:{r['source_epsg']} via {r['transformation']}; class field {r['class_field']}")
        for code, count in r["counts"].items():
            click.echo(f"  {layer.style_of(code).label:<20} {count:>8}")
        for row, why in r["repaired"]:
            click.echo(f"  repaired row {row}: {why}")
        click.echo(f"residents inside: {r['residents_inside']}")


@cli.command("list")
@click.option("--lg-code", required=True, callback=lg_code_callback)
def list_command(lg_code: str) -> None:
    """Polygons (and residents) per layer and class."""
    from app.maps.layer_services import layer_summary

    with db.unit_of_work(Scope.tenant(lg_code)) as session:
        for layer in layer_summary(session):
            click.echo(f"{layer['code']:<12} {layer['polygons']:>8}  {layer['name']}")
            for c in layer["classes"]:
                if c["polygons"]:
                    click.echo(f"  {c['code']:<4} {c['polygons']:>8} polygons {c['residents']:>8} residents"
                               f"  {c['label']}")


@cli.command("delete")
@click.option("--lg-code", required=True, callback=lg_code_callback)
@click.option("--layer", "layer_code", required=True, type=click.Choice(sorted(CATALOGUE_BY_CODE)))
def delete_command(lg_code: str, layer_code: str) -> None:
    """Remove every polygon of LAYER."""
    from app.maps.layer_services import delete_layer

    with db.unit_of_work(Scope.tenant(lg_code)) as session:
        removed = delete_layer(session, Actor.system(lg_code, "cli"), layer_code)
    click.echo(f"deleted {removed} polygons of {layer_code}")


@cli.command("assign")
@click.option("--lg-code", required=True, callback=lg_code_callback)
def assign_command(lg_code: str) -> None:
    """Re-assign every resident's hazard classes (after new resident data)."""
    from app.maps.layer_services import assign_all

    with db.unit_of_work(Scope.tenant(lg_code)) as session:
        counts = assign_all(session, Actor.system(lg_code, "cli"))
    click.echo(", ".join(f"{code} {count}" for code, count in counts.items()))

"""Hazard layer imports: receive a file, import it in a job (all or nothing), list and delete layers.

The file is stored with the upload (``hazard_uploads``) in the same transaction as its job, so the
worker can read it wherever it runs. The job reads it with ``layers.importers`` (which validates
every feature first), then replaces the tenant's polygons of that layer in its one transaction:
a refused file leaves the previous layer exactly as it was. See docs/map-layers.md.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.errors import NotFound, ValidationError
from app.jobs.models import Job
from app.jobs.services import enqueue
from app.maps.models import HazardUpload
from app.residents.rules import REGISTERED
from gis.analysis import assign_resident_hazards
from gis.crs import CrsRefused, check_declared
from layers.catalogue import CATALOGUE, CATALOGUE_BY_CODE
from layers.importers import SUFFIXES, LayerImportError, read_layer

IMPORT_JOB = "hazard_layer_import"
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
COPY_COLUMNS = "lg_code, layer_code, class_code, name, geom"


def layer_or_error(layer_code: str):
    layer = CATALOGUE_BY_CODE.get(layer_code)
    if layer is None:
        raise ValidationError(f"ハザードレイヤ「{layer_code}」はカタログにありません。", code="layer_unknown")
    return layer


def receive_upload(session: Session, actor: Actor, *, layer_code: str, filename: str, data: bytes,
                   declared_epsg: int | None = None, class_field: str = "") -> HazardUpload:
    """Store an uploaded file and queue its import; quick checks only (the job validates the content)."""
    layer_or_error(layer_code)
    if not filename or Path(filename).suffix.lower() not in SUFFIXES:
        raise ValidationError("GeoJSON（.geojson）・Shapefile（.shp 一式のZIP）・GeoPackage（.gpkg）を選んでください。",
                              code="format_unknown")
    if not data:
        raise ValidationError("ファイルが空です。", code="empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError("ファイルが大きすぎます（200MBまで）。", code="too_large")
    if Path(filename).suffix.lower() == ".shp":
        raise ValidationError("Shapefile は .shp・.shx・.dbf・.prj（・.cpg）をまとめたZIPで送ってください。",
                              code="sidecar_missing")
    try:
        check_declared(declared_epsg)
    except CrsRefused as exc:
        raise ValidationError(exc.reason, code=exc.code) from exc
    upload = HazardUpload(lg_code=actor.lg_code, layer_code=layer_code, filename=Path(filename).name[:200], data=data,
                          declared_epsg=declared_epsg, class_field=(class_field or "").strip()[:60],
                          uploaded_by=actor.login_id or "")
    session.add(upload)
    session.flush()
    upload.job_id = enqueue(session, IMPORT_JOB, {"upload_id": upload.id}, actor.lg_code).id
    record(session, actor, "hazard_layer_upload", "hazard_layer", [layer_code], upload_id=upload.id,
           filename=upload.filename)
    return upload


def import_upload(session: Session, upload_id: int, progress: Callable[[int, str], None]) -> dict:
    """The job: read the stored file, replace the layer's polygons, assign residents; the report."""
    upload = session.get(HazardUpload, upload_id)
    if upload is None or upload.data is None:
        raise ValidationError("取込むファイルが見つかりません。", code="upload_missing")
    progress(5, "ファイルを読み込んでいます")
    with tempfile.TemporaryDirectory(prefix="bcl-upload-") as folder:
        path = Path(folder) / upload.filename
        path.write_bytes(upload.data)
        try:
            layer_rows = read_layer(path, upload.layer_code, class_field=upload.class_field or None,
                                    declared_epsg=upload.declared_epsg)
        except LayerImportError as exc:
            raise ValidationError(exc.reason, code=exc.code, details=_refusal(upload, exc)) from exc
    progress(50, f"{len(layer_rows.rows):,}件の区域を登録しています")
    replaced = replace_layer(session, upload.lg_code, upload.layer_code, layer_rows.rows)
    progress(80, "住民の区分を判定しています")
    layer = CATALOGUE_BY_CODE[upload.layer_code]
    residents = assign_resident_hazards(session, layer.code, tuple(c.code for c in layer.classes))
    upload.data = None
    report = {"upload_id": upload.id, "layer_code": layer.code, "filename": upload.filename,
              "counts": layer_rows.counts, "total": len(layer_rows.rows), "replaced": replaced,
              "repaired": layer_rows.repaired, "source_epsg": layer_rows.source_epsg,
              "encoding": layer_rows.encoding, "class_field": layer_rows.class_field,
              "transformation": layer_rows.transformation, "residents_inside": residents}
    actor = Actor.system(upload.lg_code, upload.uploaded_by or "job")
    record(session, actor, "hazard_layer_import", "hazard_layer", [layer.code],
           **{k: v for k, v in report.items() if k != "repaired"}, repaired=len(layer_rows.repaired))
    return report


def _refusal(upload: HazardUpload, exc: LayerImportError) -> dict:
    return {"upload_id": upload.id, "layer_code": upload.layer_code, "filename": upload.filename,
            "errors": [list(e) for e in exc.errors], "error_count": exc.error_count}


def replace_layer(session: Session, lg_code: str, layer_code: str, rows) -> int:
    """Delete the tenant's polygons of ``layer_code`` and put ``rows`` (class, name, hex EWKB) in,
    in the caller's transaction. Returns how many polygons were replaced.

    COPY cannot write to a table under row-level security, so the rows are COPYed into a temporary
    table and moved with one INSERT … SELECT (which the tenant policy checks)."""
    removed = session.execute(text("DELETE FROM hazard_areas WHERE layer_code = :layer"),
                              {"layer": layer_code}).rowcount
    session.execute(text("CREATE TEMP TABLE IF NOT EXISTS hazard_staging (class_code text, name text, geom text) "
                         "ON COMMIT DROP"))
    session.execute(text("TRUNCATE hazard_staging"))
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy("COPY hazard_staging (class_code, name, geom) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    session.execute(text(f"""INSERT INTO hazard_areas ({COPY_COLUMNS})
                             SELECT :lg_code, :layer, class_code, name, CAST(geom AS geometry) FROM hazard_staging"""),
                    {"lg_code": lg_code, "layer": layer_code})
    session.execute(text("TRUNCATE hazard_staging"))
    return removed


def delete_layer(session: Session, actor: Actor, layer_code: str) -> int:
    """Remove every polygon of a layer (and its residents' assignment); returns how many."""
    layer_or_error(layer_code)
    removed = session.execute(text("DELETE FROM hazard_areas WHERE layer_code = :layer"),
                              {"layer": layer_code}).rowcount
    session.execute(text("DELETE FROM resident_hazards WHERE layer_code = :layer"), {"layer": layer_code})
    record(session, actor, "hazard_layer_delete", "hazard_layer", [layer_code], removed=removed)
    return removed


def layer_summary(session: Session) -> list[dict]:
    """Each catalogue layer with its polygons and residents per class and the last update."""
    polygons = session.execute(text("""SELECT layer_code, class_code, count(*), max(updated_at)
                                       FROM hazard_areas GROUP BY layer_code, class_code""")).all()
    people = session.execute(text("""SELECT h.layer_code, h.class_code, count(*) FROM resident_hazards h
                                     JOIN residents r ON r.id = h.resident_id AND r.status = :registered
                                     GROUP BY h.layer_code, h.class_code"""), {"registered": REGISTERED}).all()
    summary = []
    for layer in CATALOGUE:
        mine = [row for row in polygons if row[0] == layer.code]
        classes = [{"code": c.code, "label": c.label, "color": c.color,
                    "polygons": sum(r[2] for r in mine if r[1] == c.code),
                    "residents": sum(r[2] for r in people if r[0] == layer.code and r[1] == c.code)}
                   for c in layer.classes]
        summary.append({"code": layer.code, "name": layer.name, "classes": classes,
                        "polygons": sum(r[2] for r in mine), "updated_at": max((r[3] for r in mine), default=None)})
    return summary


def recent_uploads(session: Session, limit: int = 10) -> list[tuple[HazardUpload, Job | None]]:
    uploads = session.scalars(select(HazardUpload).order_by(HazardUpload.id.desc()).limit(limit)).all()
    jobs = {j.id: j for j in session.scalars(select(Job).where(Job.id.in_([u.job_id for u in uploads])))}
    return [(u, jobs.get(u.job_id)) for u in uploads]


def get_upload(session: Session, upload_id: int) -> tuple[HazardUpload, Job | None]:
    upload = session.get(HazardUpload, upload_id)
    if upload is None:
        raise NotFound("指定された取込はありません。", target_type="hazard_layer", target_id=upload_id)
    return upload, session.get(Job, upload.job_id) if upload.job_id else None


def assign_all(session: Session, actor: Actor) -> dict[str, int]:
    """Re-assign every resident's class in every layer (after a link batch moved people)."""
    counts = {layer.code: assign_resident_hazards(session, layer.code, tuple(c.code for c in layer.classes))
              for layer in CATALOGUE}
    record(session, actor, "hazard_assign", "municipality", [actor.lg_code], **counts)
    return counts

"""空間分析 as a job: start an analysis, run it (the job), and read its stored result.

Pressing 分析 validates the choice at once and queues a ``spatial_analysis`` job; the job computes
the spatial selection once and stores what it found by reference (``spatial_analysis_items``: ids
and hazard classes, never names or addresses) with the counts. The result page, its map features
and its CSV/XLSX exports join those ids to the current records, so none of them repeats the spatial
query. A result belongs to the user who ran it (another user of the town gets "not found", as
another town does by row-level security) and is purged after ``ANALYSIS_RESULT_HOURS``.
See docs/map-layers.md.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.clock import format_date
from app.errors import NotFound, ValidationError
from app.jobs.models import Job
from app.jobs.services import enqueue
from app.maps.analysis import KINDS, LIST_LIMIT, MAP_LIMIT, PROTECTED_NOTE, SEX, Selection, selection
from app.maps.models import SpatialAnalysis
from app.maps.rules import ANALYSIS_RESULT_HOURS, ANALYSIS_STEPS, analysis_step
from gis.analysis import (
    Area,
    store_buildings,
    store_evac_people,
    store_residents,
    store_shelters,
    stored_buildings,
    stored_residents,
    stored_shelters,
)

ANALYSIS_JOB = "spatial_analysis"
WAITING_LABEL = "分析を待っています"


def start(session: Session, actor: Actor, *, polygon: str = "", layer_code: str = "",
          min_class: str = "") -> SpatialAnalysis:
    """Validate the choice (ValidationError in Japanese, at once) and queue its analysis job."""
    chosen = selection(polygon=polygon, layer_code=layer_code, min_class=min_class)
    drawn = chosen.area.is_polygon
    analysis = SpatialAnalysis(
        lg_code=actor.lg_code, user_id=actor.user_id, polygon=polygon.strip() if drawn else "",
        layer_code="" if drawn else chosen.layer_code, min_class="" if drawn else min_class,
        description=chosen.description, counts={},
        expires_at=func.now() + timedelta(hours=ANALYSIS_RESULT_HOURS))
    session.add(analysis)
    session.flush()
    analysis.job_id = enqueue(session, ANALYSIS_JOB, {"analysis_id": analysis.id}, actor.lg_code).id
    session.flush()
    return analysis


def run(session: Session, analysis_id: int, progress: Callable[[int, str], None]) -> dict:
    """The job: purge expired results of the town, then store this analysis's items and counts."""
    purged = purge_expired(session)
    analysis = session.get(SpatialAnalysis, analysis_id)
    if analysis is None:
        raise ValidationError("分析の条件が見つかりません（保存期間が過ぎました）。", code="analysis_missing")
    area = selection(polygon=analysis.polygon, layer_code=analysis.layer_code, min_class=analysis.min_class).area
    steps = {"residents": lambda: store_residents(session, area, analysis.id),
             "evac_people": lambda: store_evac_people(session, analysis.id),
             "buildings": lambda: store_buildings(session, area, analysis.id),
             "shelters": lambda: store_shelters(session, area, analysis.id)}
    counts = {}
    for number, (kind, label, percent) in enumerate(ANALYSIS_STEPS, start=1):
        progress(percent, f"{label}を抽出しています（{number}/{len(ANALYSIS_STEPS)}）")
        counts[kind] = steps[kind]()
    analysis.counts = counts
    session.flush()
    return {"analysis_id": analysis.id, "counts": counts, "purged": purged}


def purge_expired(session: Session) -> int:
    """Delete the town's results past their expiry (their items go with them); returns how many."""
    return session.execute(delete(SpatialAnalysis).where(SpatialAnalysis.expires_at < func.now())).rowcount


def get_result(session: Session, actor: Actor, analysis_id: int) -> SpatialAnalysis:
    """The user's own unexpired result; anyone else's (or an expired one) is not found."""
    analysis = session.get(SpatialAnalysis, analysis_id)
    if analysis is None or analysis.user_id != actor.user_id:
        raise NotFound("指定された分析結果はありません。", target_type="spatial_analysis", target_id=analysis_id)
    if analysis.expires_at <= datetime.now(UTC):
        raise NotFound(f"分析結果の保存期間（{ANALYSIS_RESULT_HOURS}時間）が過ぎました。もう一度分析してください。",
                       code="analysis_expired")
    return analysis


def status(session: Session, analysis: SpatialAnalysis) -> dict:
    """The job's state for the progress bar: status, percent, label, finished steps, error."""
    job = session.get(Job, analysis.job_id) if analysis.job_id else None
    if job is None:
        return {"status": "failed", "progress": 0, "label": "", "step": 0, "error": "分析の処理が見つかりません。"}
    if job.status == "done":
        label = "分析が終わりました"
    elif job.status == "queued" and not job.attempts:
        label = WAITING_LABEL
    else:
        label = job.progress_label or "分析しています"
    return {"status": job.status, "progress": job.progress, "label": label,
            "step": analysis_step(job.progress, job.status), "error": job.error if job.status == "failed" else ""}


def labels(analysis: SpatialAnalysis) -> Selection:
    """The selection's description and hazard-class labels for a stored result."""
    return Selection(Area(), analysis.description, analysis.layer_code)


def overview(session: Session, actor: Actor, analysis: SpatialAnalysis) -> dict:
    """Counts and the first ``LIST_LIMIT`` rows of each list; the people shown are audited."""
    result = {"counts": analysis.counts,
              "residents": stored_residents(session, analysis.id, limit=LIST_LIMIT),
              "evac_people": stored_residents(session, analysis.id, "evac_people", limit=LIST_LIMIT),
              "buildings": stored_buildings(session, analysis.id, limit=LIST_LIMIT),
              "shelters": stored_shelters(session, analysis.id, limit=LIST_LIMIT)}
    shown = sorted({row.id for row in result["residents"]} | {row.id for row in result["evac_people"]})
    record(session, actor, "hazard_analysis_view", "resident", shown, area=analysis.description,
           counts=analysis.counts, analysis=analysis.id)
    return result


def features(session: Session, analysis: SpatialAnalysis) -> dict:
    """The result as one GeoJSON FeatureCollection; people under 支援措置 are never included.
    Every 要支援者 is drawn, other residents up to ``MAP_LIMIT`` (most severe zones first)."""
    chosen, collection = labels(analysis), []
    people = [*stored_residents(session, analysis.id, "evac_people", mappable=True),
              *(r for r in stored_residents(session, analysis.id, limit=MAP_LIMIT, mappable=True) if not r.is_evac)]
    for row in people:
        kind = "evac_people" if row.is_evac else "residents"
        collection.append(_feature(row.lon, row.lat, {"kind": kind, "label": KINDS[kind], "name": row.name,
                                                       "class": chosen.class_label(row.class_code)}))
    for row in stored_buildings(session, analysis.id):
        collection.append(_feature(row.lon, row.lat, {"kind": "buildings", "label": "建物", "name": row.address,
                                                       "class": chosen.class_label(row.class_code)}))
    for row in stored_shelters(session, analysis.id):
        collection.append(_feature(row.lon, row.lat, {"kind": "shelters", "label": row.kind, "name": row.name,
                                                       "class": chosen.class_label(row.class_code)}))
    return {"type": "FeatureCollection", "features": collection}


def _feature(lon: float, lat: float, properties: dict) -> dict:
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}}


def export_rows(analysis: SpatialAnalysis, kind: str) -> Callable[[Session], Iterator[tuple]]:
    """The rows of one list for CSV/XLSX (``HEADERS[kind]``) as a reader of a session of its own
    (a streamed download outlives the request): 支援措置 people without address/phone."""
    analysis_id, chosen = analysis.id, labels(analysis)
    return lambda session: _export_rows(session, analysis_id, chosen, kind)


def _export_rows(session: Session, analysis_id: int, chosen: Selection, kind: str) -> Iterator[tuple]:
    if kind in ("residents", "evac_people"):
        for r in stored_residents(session, analysis_id, kind, stream=True):
            address, phone = ("", "") if r.is_protected else (r.address, r.phone)
            middle = ("要支援者" if r.is_evac else "") if kind == "residents" else r.reasons
            yield (r.atena_no, r.name, r.name_kana, format_date(r.birth_date), SEX.get(r.sex, ""), address, phone,
                   middle, chosen.class_label(r.class_code), PROTECTED_NOTE if r.is_protected else "")
    elif kind == "buildings":
        for b in stored_buildings(session, analysis_id, stream=True):
            yield (b.id, b.address, b.structure, b.floors, "住家" if b.is_dwelling else "非住家",
                   chosen.class_label(b.class_code))
    else:
        for s in stored_shelters(session, analysis_id, stream=True):
            yield (s.code, s.name, s.kind, s.address, s.capacity, chosen.class_label(s.class_code))


def audit_export(session: Session, actor: Actor, analysis: SpatialAnalysis, kind: str, file_format: str) -> None:
    """Refuse an unknown list; record the download (who, which analysis, which list, which format)."""
    if kind not in KINDS:
        raise ValidationError(f"出力の種類「{kind}」はありません。", code="kind_unknown")
    record(session, actor, "hazard_analysis_export", "municipality", [actor.lg_code], area=analysis.description,
           kind=kind, format=file_format, analysis=analysis.id)

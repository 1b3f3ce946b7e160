"""Use cases of the damage survey (被害認定調査): start, record findings, confirm the grade, photos.

A survey is started for a building in a disaster, filled in on a tablet (findings by method, GPS
position, photos), judged by ``rules.judge`` and made final only by a reviewer other than its
surveyor. A final survey is never edited; a 再調査 is a new survey. Every step appends an event
with a snapshot (``SurveyEvent``) and an audit entry.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.clock import format_datetime
from app.damage import rules
from app.damage.models import SURVEY_HAZARDS, Building, DamageSurvey, SurveyEvent, SurveyPhoto
from app.db import get_or_not_found
from app.disasters.models import Disaster
from app.disasters.rules import RESPONDING
from app.errors import ValidationError, require_version
from app.residents.rules import REGISTERED

OPEN_STATUSES = (rules.SURVEYING, rules.AWAITING_REVIEW)
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
PHOTO_MAX_BYTES = 15 * 1024 * 1024
THUMBNAIL_SIZE = (320, 320)


@dataclass(frozen=True)
class Position:
    """A GPS fix from the tablet (WGS84) and its accuracy in metres."""

    lat: float
    lon: float
    accuracy_m: float | None = None

    def __post_init__(self) -> None:
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise ValidationError("位置情報（緯度・経度）が正しくありません。", code="position_invalid")


def get_building(session: Session, building_id: int) -> Building:
    return get_or_not_found(session, Building, building_id, "指定された建物は見つかりません。", "building")


def get_survey(session: Session, survey_id: int) -> DamageSurvey:
    return get_or_not_found(session, DamageSurvey, survey_id, "指定された被害認定調査は見つかりません。",
                            "damage_survey")


def building_surveys(session: Session, building_id: int, disaster_id: int | None = None) -> list[DamageSurvey]:
    """The building's surveys, newest first (of one disaster when given)."""
    query = select(DamageSurvey).where(DamageSurvey.building_id == building_id)
    if disaster_id is not None:
        query = query.where(DamageSurvey.disaster_id == disaster_id)
    return list(session.scalars(query.order_by(DamageSurvey.id.desc())))


def list_surveys(session: Session, disaster_id: int, status: str | None = None) -> list[tuple[DamageSurvey, Building]]:
    """Surveys of a disaster with their buildings, open ones first, newest first."""
    query = (select(DamageSurvey, Building).join(Building, Building.id == DamageSurvey.building_id)
             .where(DamageSurvey.disaster_id == disaster_id))
    if status:
        query = query.where(DamageSurvey.status == status)
    order = case({rules.SURVEYING: 0, rules.AWAITING_REVIEW: 1}, value=DamageSurvey.status, else_=2)
    return [(s, b) for s, b in session.execute(query.order_by(order, DamageSurvey.id.desc()))]


def certified_grade(session: Session, disaster_id: int, building_id: int) -> str | None:
    """The grade a 罹災証明書 states: that of the latest final survey (None while none is final)."""
    surveys = building_surveys(session, building_id, disaster_id)
    return rules.final_grade((s.id, s.final_grade if s.status == rules.FINAL else None) for s in surveys)


def start_survey(session: Session, actor: Actor, *, disaster_id: int, building_id: int, survey_round: str,
                 hazard: str) -> DamageSurvey:
    """Open a survey of a building. One open survey per building and disaster; a 再調査 needs a
    final survey to re-examine; a disaster that has ended takes no new surveys."""
    disaster = get_or_not_found(session, Disaster, disaster_id, "指定された災害は見つかりません。", "disaster")
    building = get_building(session, building_id)
    if disaster.status != RESPONDING:
        raise ValidationError(f"災害「{disaster.name}」は終了しています。", code="disaster_closed")
    if survey_round not in rules.SURVEY_ROUNDS:
        raise ValidationError(f"調査の区分「{survey_round}」はありません。", code="round_unknown")
    if hazard not in SURVEY_HAZARDS:
        raise ValidationError(f"災害の種別「{hazard}」はありません。", code="hazard_unknown")
    existing = building_surveys(session, building.id, disaster.id)
    if any(s.status in OPEN_STATUSES for s in existing):
        raise ValidationError("この建物には確定していない調査があります。その調査を続けてください。",
                              code="survey_open")
    if survey_round == rules.RESURVEY and not any(s.status == rules.FINAL for s in existing):
        raise ValidationError("再調査は、判定が確定した調査がある建物に行います。", code="nothing_to_resurvey")
    survey = DamageSurvey(lg_code=actor.lg_code, disaster_id=disaster.id, building_id=building.id,
                          round=survey_round, hazard=hazard, status=rules.SURVEYING, findings={}, note="")
    session.add(survey)
    session.flush()
    _event(session, actor, survey, "開始")
    record(session, actor, "damage_survey_start", "damage_survey", [survey.id], building=building.id,
           round=survey_round)
    return survey


def record_findings(session: Session, actor: Actor, survey_id: int, *, version: int, findings: dict,
                    note: str = "", position: Position | None = None, confirmed: bool = False) -> DamageSurvey:
    """Save what the surveyor found and judge it. Changing findings already judged needs the
    surveyor's confirmation (変更事項の確認); a stale form is refused (optimistic lock)."""
    survey = get_survey(session, survey_id)
    _check_version(survey, version)
    if survey.status == rules.FINAL:
        raise ValidationError("確定した調査は変更できません。再調査を開始してください。", code="survey_final")
    if survey.status == rules.AWAITING_REVIEW and not confirmed:
        raise ValidationError("変更内容を確認し、「変更内容を確認しました」にチェックしてから更新してください。",
                              code="confirmation_required")
    building = session.get(Building, survey.building_id)
    ratio, grade = rules.judge(building.structure, building.floors, survey.round, survey.hazard, findings)
    survey.findings, survey.note = findings, (note or "").strip()
    survey.loss_ratio, survey.computed_grade, survey.status = ratio, grade, rules.AWAITING_REVIEW
    survey.surveyed_by, survey.surveyed_at = actor.login_id, datetime.now(UTC)
    if position is not None:
        survey.geom = f"SRID=4326;POINT({position.lon} {position.lat})"
        survey.position_accuracy_m = position.accuracy_m
    session.flush()
    _event(session, actor, survey, "記録")
    record(session, actor, "damage_survey_record", "damage_survey", [survey.id], grade=grade)
    return survey


def finalise(session: Session, actor: Actor, survey_id: int, *, version: int) -> DamageSurvey:
    """The reviewer makes the judged grade final; a surveyor cannot confirm their own survey."""
    survey = get_survey(session, survey_id)
    _check_version(survey, version)
    refusal = rules.finalise_refusal(survey.status, survey.surveyed_by, actor.login_id)
    if refusal:
        code, message = refusal
        raise ValidationError(message, code=code)
    survey.final_grade, survey.status = survey.computed_grade, rules.FINAL
    survey.reviewed_by, survey.reviewed_at = actor.login_id, datetime.now(UTC)
    session.flush()
    _event(session, actor, survey, "確定")
    record(session, actor, "damage_survey_finalise", "damage_survey", [survey.id], grade=survey.final_grade)
    return survey


def add_photo(session: Session, actor: Actor, survey_id: int, data: bytes, caption: str = "") -> SurveyPhoto:
    """Store a JPEG or PNG photo of an open survey with a thumbnail (turned upright by its EXIF)."""
    survey = get_survey(session, survey_id)
    if survey.status == rules.FINAL:
        raise ValidationError("確定した調査には写真を追加できません。", code="survey_final")
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError("写真は15MBまでです。", code="photo_too_large")
    image = _open_image(data)
    thumbnail = ImageOps.exif_transpose(image)
    thumbnail.thumbnail(THUMBNAIL_SIZE)
    buffer = io.BytesIO()
    thumbnail.convert("RGB").save(buffer, "JPEG", quality=80)
    photo = SurveyPhoto(lg_code=actor.lg_code, survey_id=survey.id, content_type=PHOTO_TYPES[image.format],
                        content=data, thumbnail=buffer.getvalue(), width=image.width, height=image.height,
                        caption=(caption or "").strip()[:100], uploaded_by=actor.login_id)
    session.add(photo)
    session.flush()
    record(session, actor, "damage_photo_add", "damage_survey", [survey.id], photo=photo.id)
    return photo


def get_photo(session: Session, photo_id: int) -> SurveyPhoto:
    return get_or_not_found(session, SurveyPhoto, photo_id, "指定された写真は見つかりません。", "damage_survey")


def survey_photos(session: Session, survey_id: int) -> list[SurveyPhoto]:
    return list(session.scalars(select(SurveyPhoto).where(SurveyPhoto.survey_id == survey_id)
                                .order_by(SurveyPhoto.id)))


def survey_history(session: Session, survey_id: int) -> list[SurveyEvent]:
    return list(session.scalars(select(SurveyEvent).where(SurveyEvent.survey_id == survey_id)
                                .order_by(SurveyEvent.id)))


def _open_image(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise ValidationError("写真を読み込めません。JPEG または PNG の画像を選んでください。",
                              code="photo_unreadable") from exc
    if image.format not in PHOTO_TYPES:
        raise ValidationError("写真は JPEG または PNG にしてください。", code="photo_type")
    return image


def _check_version(survey: DamageSurvey, version: int) -> None:
    require_version(survey.version, version,
                    "この調査は他の職員が先に更新しました。最新の内容を確認してから、もう一度更新してください。",
                    {"状態": survey.status, "判定": survey.computed_grade, "調査者": survey.surveyed_by})


def _event(session: Session, actor: Actor, survey: DamageSurvey, action: str) -> None:
    snapshot = {"status": survey.status, "round": survey.round, "findings": survey.findings,
                "loss_ratio": str(survey.loss_ratio) if survey.loss_ratio is not None else None,
                "computed_grade": survey.computed_grade, "final_grade": survey.final_grade, "note": survey.note}
    session.add(SurveyEvent(lg_code=survey.lg_code, survey_id=survey.id, action=action, actor=actor.login_id,
                            snapshot=snapshot))
    session.flush()


SURVEY_EXPORT_HEADER = ("所在地", "住家", "構造", "階数", "調査の区分", "被害の原因", "状態", "損害割合（%）", "判定",
                        "確定した判定", "調査者", "調査日時", "確定者", "確定日時", "備考")


def survey_rows(session: Session, disaster_id: int):
    """The survey list of a disaster for export, one row per survey."""
    for survey, building in list_surveys(session, disaster_id):
        yield (building.address, "住家" if building.is_dwelling else "非住家", building.structure, building.floors,
               survey.round, survey.hazard, survey.status,
               float(survey.loss_ratio) if survey.loss_ratio is not None else "", survey.computed_grade,
               survey.final_grade or "", survey.surveyed_by, format_datetime(survey.surveyed_at), survey.reviewed_by,
               format_datetime(survey.reviewed_at), survey.note)


def export_surveys(session: Session, actor: Actor, disaster_id: int, file_format: str) -> None:
    """Audit an export of the survey list (the caller streams ``survey_rows``)."""
    record(session, actor, "damage_survey_export", "disaster", [disaster_id], format=file_format)


@dataclass(frozen=True)
class Occupant:
    atena_no: str
    name: str
    household_no: str
    is_household_head: bool
    is_protected: bool


def occupants(session: Session, actor: Actor, building_id: int) -> list[Occupant]:
    """The residents (住登内) living at the building's address, by household; the viewing audited."""
    from app.residents.models import Resident

    building = get_building(session, building_id)
    rows = session.scalars(select(Resident).where(Resident.address == building.address, Resident.status == REGISTERED)
                           .order_by(Resident.household_no, Resident.is_household_head.desc(), Resident.id))
    found = [Occupant(r.atena_no, r.name, r.household_no, r.is_household_head, r.is_protected) for r in rows]
    if found:
        record(session, actor, "record_view", "building", [building.id], occupants=len(found))
    return found


def set_owner(session: Session, actor: Actor, building_id: int, *, owner_name: str, owner_address: str,
              owner_atena_no: str = "") -> Building:
    """Record who owns the building (needed for 罹災証明書 and repairs when the owner lives elsewhere)."""
    building = get_building(session, building_id)
    owner_name, owner_address = (owner_name or "").strip(), (owner_address or "").strip()
    if bool(owner_name) != bool(owner_address):
        raise ValidationError("所有者の氏名と住所は両方入力してください。", code="owner_incomplete")
    owner_atena_no = (owner_atena_no or "").strip()
    if owner_atena_no and not re.fullmatch(r"[0-9]{1,15}", owner_atena_no):  # isdigit() takes "²" and "１"
        raise ValidationError("所有者の宛名番号は15桁以内の半角数字です。", code="owner_atena_invalid")
    building.owner_name, building.owner_address, building.owner_atena_no = owner_name, owner_address, owner_atena_no
    session.flush()
    record(session, actor, "building_owner_set", "building", [building.id])
    return building

"""Pure rules of the 避難行動要支援者関連システム: the criteria a municipality sets, who may receive
the roster (49条の11), the supporter organisations, what a 個別避難計画 needs (49条の14) and the
states of 安否確認."""
from __future__ import annotations

import json
import re

from app.errors import ValidationError

CARE_LEVELS = ("11", "12", "21", "22", "23", "24", "25")  # 要支援1–2, 要介護1–5
DEFAULT_CRITERIA = {
    "age_min": 75,  # everyone this old
    "alone_age_min": 65,  # living alone and this old
    "care_levels": ["23", "24", "25"],  # 要介護3–5
    "physical_grades": ["1", "2"],  # 身体障害者手帳 1・2級
    "mental_grades": ["1"],  # 精神障害者保健福祉手帳 1級
    "intellectual": ["A"],  # 療育手帳 A
    "intractable": True,  # 難病
}
ALLOWED = {"care_levels": CARE_LEVELS, "physical_grades": ("1", "2", "3", "4", "5", "6"),
           "mental_grades": ("1", "2", "3"), "intellectual": ("A", "B")}
NORMAL, DISASTER = "平常時", "災害時"
# The person's answer to their data going to supporters in normal times (49条の11).
CONSENT_UNANSWERED, CONSENTED, CONSENT_REFUSED = "未回答", "同意", "不同意"
CONSENT_STATES = (CONSENT_UNANSWERED, CONSENTED, CONSENT_REFUSED)
ROSTER_FORMATS = ("csv", "xlsx")
# The register screen's reason filter: what is chosen → what the extraction writes into the reasons
# (app.evac_support.services._criteria_sql).
REASON_FILTERS = {"年齢": "歳以上", "独居高齢者": "独居高齢者", "要介護度": "要介護度",
                  "身体障害者手帳": "身体障害者手帳", "精神障害者保健福祉手帳": "精神障害者保健福祉手帳",
                  "療育手帳": "療育手帳", "難病": "難病"}


def validate_criteria(config: dict) -> dict:
    """The criteria with their types checked; unknown keys and values are refused."""
    unknown = set(config) - set(DEFAULT_CRITERIA)
    if unknown:
        raise ValidationError(f"基準にない項目です: {'、'.join(sorted(unknown))}", code="criteria_unknown")
    checked = dict(DEFAULT_CRITERIA) | config
    for key in ("age_min", "alone_age_min"):
        value = checked[key]
        if value is not None and (not isinstance(value, int) or not 0 <= value <= 120):
            raise ValidationError("年齢は0〜120の整数か、空欄（使わない）です。", code="age_invalid")
    for key, allowed in ALLOWED.items():
        values = checked[key]
        if not isinstance(values, list) or any(v not in allowed for v in values):
            raise ValidationError(f"{key} に選べない値があります。", code="value_unknown")
    checked["intractable"] = bool(checked["intractable"])
    return checked


def may_receive(mode: str, consent: str, disaster_declared: bool) -> bool:
    """49条の11: in normal times only people who consented go to the supporters; when a disaster
    occurs or threatens, everyone on the register does."""
    if mode == DISASTER:
        return disaster_declared
    return consent == CONSENTED


# 避難支援等関係者 --------------------------------------------------------------------------------

ORG_KINDS = ("消防", "警察", "民生委員", "社会福祉協議会", "自主防災組織・自治会", "その他")


def validate_org(name: str, kind: str, contact: str, area_codes: list[str], known_areas: set[str]) -> dict:
    """An organisation's fields, checked: a name, a known kind and at least one known 町丁目."""
    name, contact = (name or "").strip(), (contact or "").strip()
    if not name:
        raise ValidationError("団体名を入力してください。", code="org_name_missing")
    if len(name) > 100 or len(contact) > 200:
        raise ValidationError("団体名は100文字、連絡先は200文字までです。", code="org_too_long")
    if kind not in ORG_KINDS:
        raise ValidationError(f"種別「{kind}」はありません。", code="org_kind_unknown")
    codes = sorted(set(area_codes or ()))
    if not codes:
        raise ValidationError("担当する町丁目を1つ以上選んでください。", code="org_areas_missing")
    unknown = [c for c in codes if c not in known_areas]
    if unknown:
        raise ValidationError(f"町丁目コード {'、'.join(unknown)} はありません。", code="org_area_unknown")
    return {"name": name, "kind": kind, "contact": contact, "area_codes": codes}


# 個別避難計画 ------------------------------------------------------------------------------------

MAX_SUPPORTERS = 5
SUPPORTER_FIELDS = ("name", "address", "phone", "relation")
_PHONE = re.compile(r"^[0-9０-９+()（）\- ー－]{0,20}$")


def require_consent_for_plan(consent: str) -> None:
    """49条の14: an individual plan is made only with the person's consent."""
    if consent != CONSENTED:
        raise ValidationError(f"この方の同意の状況は「{consent}」です。個別避難計画は本人の同意（同意）を"
                              "記録してから作成してください（災対法49条の14）。", code="plan_without_consent")


def clean_supporters(rows: list[dict]) -> list[dict]:
    """The supporters typed in: empty rows dropped; each kept one needs a name, a phone number
    made of digits and hyphens; at most ``MAX_SUPPORTERS``."""
    kept = []
    for index, row in enumerate(rows, start=1):
        values = {key: str(row.get(key, "") or "").strip() for key in SUPPORTER_FIELDS}
        if not any(values.values()):
            continue
        if not values["name"]:
            raise ValidationError(f"避難支援者{index}の氏名を入力してください。", code="supporter_name_missing")
        if not _PHONE.match(values["phone"]):
            raise ValidationError(f"避難支援者{index}の電話番号は数字とハイフンで入力してください。",
                                  code="supporter_phone_invalid")
        if len(values["name"]) > 60 or len(values["address"]) > 200 or len(values["relation"]) > 40:
            raise ValidationError(f"避難支援者{index}の入力が長すぎます。", code="supporter_too_long")
        kept.append(values)
    if len(kept) > MAX_SUPPORTERS:
        raise ValidationError(f"避難支援者は{MAX_SUPPORTERS}人までです。", code="too_many_supporters")
    return kept


def route_coordinates(geojson: str | None) -> list[tuple[float, float]] | None:
    """The route drawn on the map (a GeoJSON LineString, lon/lat) as coordinates; empty → None."""
    if not geojson or not geojson.strip():
        return None
    try:
        shape = json.loads(geojson)
        if shape.get("type") == "Feature":
            shape = shape.get("geometry") or {}
        if shape.get("type") != "LineString":
            raise ValueError
        points = [(float(x), float(y)) for x, y, *_ in shape["coordinates"]]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValidationError("避難経路は地図上で線として描いてください。", code="route_invalid") from exc
    if len(points) < 2:
        raise ValidationError("避難経路には2点以上が必要です。", code="route_too_short")
    if any(not (-180 <= x <= 180 and -90 <= y <= 90) for x, y in points):
        raise ValidationError("避難経路の座標が経度・緯度の範囲外です。", code="route_out_of_range")
    return points


# 安否確認 ----------------------------------------------------------------------------------------

UNCONFIRMED, SAFE, EVACUATED, NEEDS_RESCUE = "未確認", "無事", "避難済", "要救助"
NOT_AT_HOME, DEAD, OTHER = "不在", "死亡", "その他"
SAFETY_STATES = (UNCONFIRMED, SAFE, EVACUATED, NEEDS_RESCUE, NOT_AT_HOME, DEAD, OTHER)
SAFETY_COLORS = {UNCONFIRMED: "#90a4ae", SAFE: "#2e7d32", EVACUATED: "#1e88e5", NEEDS_RESCUE: "#d32f2f",
                 NOT_AT_HOME: "#f9a825", DEAD: "#212121", OTHER: "#8e24aa"}
# States that answer the question "is this person safe / where are they": 不在 (nobody answered
# at home) and その他 still need follow-up, so they do not count as confirmed.
CONFIRMED_STATES = (SAFE, EVACUATED, NEEDS_RESCUE, DEAD)


def check_safety_state(state: str) -> str:
    if state not in SAFETY_STATES:
        raise ValidationError(f"安否の状態「{state}」はありません。", code="safety_state_unknown")
    return state


def confirmed_percent(counts: dict[str, int]) -> float:
    """Share of people (in %, one decimal) whose state is confirmed, from counts by state."""
    total = sum(counts.values())
    if not total:
        return 0.0
    return round(100 * sum(counts.get(s, 0) for s in CONFIRMED_STATES) / total, 1)

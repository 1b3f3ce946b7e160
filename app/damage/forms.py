"""Reading the survey form of the tablet screen into the findings ``rules.judge`` takes."""
from __future__ import annotations

from collections.abc import Mapping

from app.damage import rules
from app.damage.services import Position
from app.errors import ValidationError

FLOOD_LEVELS = (("", "浸水なし・判定に使わない"), ("below", "床下浸水"), ("above", "床上浸水"))


def parts_for(structure: str, hazard: str, survey_round: str) -> list[str]:
    """The parts the screen asks for (empty when no 構成比 table fits the building)."""
    weights = rules.PART_WEIGHTS.get((structure, hazard, rules.weights_survey(survey_round)))
    return list(weights or ())


def findings_from_form(form: Mapping[str, str], parts: list[str]) -> dict:
    """The findings of the submitted form; blank fields are methods not used."""
    findings: dict = {"collapsed": form.get("collapsed") == "y"}
    tilts = [form.get(f"tilt_{i}", "").strip() for i in range(1, 5)]
    if any(tilts):
        if not all(tilts):
            raise ValidationError("傾斜は四隅の4か所すべてを入力してください。", code="four_corners")
        findings["tilts"] = tilts
    damaged = {part: form.get(f"part_{part}", "").strip() for part in parts}
    if any(damaged.values()):
        findings["parts"] = {part: value for part, value in damaged.items() if value}
    if form.get("floor_area_share", "").strip():
        findings["floor_area_share"] = form["floor_area_share"].strip()
    level = form.get("flood_level", "")
    if level:
        findings["flood"] = {"above_floor": level == "above", "depth_m": form.get("flood_depth_m", "").strip() or "0",
                             "external_force": form.get("flood_external_force") == "y"}
    return findings


def position_from_form(form: Mapping[str, str]) -> Position | None:
    """The GPS fix the screen's 「現在地を記録」 put in the hidden fields, if any."""
    lat, lon = form.get("lat", "").strip(), form.get("lon", "").strip()
    if not lat or not lon:
        return None
    try:
        accuracy = form.get("accuracy", "").strip()
        return Position(float(lat), float(lon), float(accuracy) if accuracy else None)
    except ValueError as exc:
        raise ValidationError("位置情報（緯度・経度）が正しくありません。", code="position_invalid") from exc


def form_values(findings: Mapping, parts: list[str]) -> dict[str, str]:
    """The form fields of saved findings (the inverse of ``findings_from_form``)."""
    values = {"collapsed": "y" if findings.get("collapsed") else ""}
    for i, tilt in enumerate(findings.get("tilts") or ["", "", "", ""], start=1):
        values[f"tilt_{i}"] = str(tilt)
    for part in parts:
        values[f"part_{part}"] = str((findings.get("parts") or {}).get(part, ""))
    values["floor_area_share"] = str(findings.get("floor_area_share") or "")
    flood = findings.get("flood") or {}
    values["flood_level"] = ("above" if flood.get("above_floor") else "below") if flood else ""
    values["flood_depth_m"] = str(flood.get("depth_m", "")) if flood else ""
    values["flood_external_force"] = "y" if flood.get("external_force") else ""
    return values

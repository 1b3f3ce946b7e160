"""Spatial analysis use cases: the user's choice of area (a drawn polygon or a hazard class), and the
要支援者 in each hazard zone ("people at risk") for priority contact. The analysis of a chosen area
runs as a job and is read from its stored result (``app.maps.analysis_results``).

People under 支援措置 are marked and never carry address, phone or location in lists meant to leave
the screen (CSV/XLSX) or on the map; every list and export is audited. See docs/map-layers.md.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.clock import format_date
from app.errors import ValidationError
from app.maps.layer_services import layer_or_error
from gis.analysis import Area, residents_in
from gis.geometry import repaired
from layers.catalogue import CATALOGUE

LIST_LIMIT = 500
MAP_LIMIT = 20_000  # residents drawn on the map (要支援者 always all); lists and downloads have everyone
PROTECTED_NOTE = "支援措置対象（住所・連絡先・位置は表示・提供しません）"
SEX = {"1": "男", "2": "女"}
KINDS = {"residents": "住民", "evac_people": "要支援者", "buildings": "建物", "shelters": "避難所"}
HEADERS = {
    "residents": ("宛名番号", "氏名", "氏名カナ", "生年月日", "性別", "住所", "電話番号", "要支援者", "区分", "備考"),
    "evac_people": ("宛名番号", "氏名", "氏名カナ", "生年月日", "性別", "住所", "電話番号",
                    "避難支援等を必要とする事由", "区分", "備考"),
    "buildings": ("建物ID", "所在地", "構造", "階数", "住家", "区分"),
    "shelters": ("コード", "名称", "種別", "所在地", "想定収容人数", "区分"),
}


@dataclass(frozen=True)
class Selection:
    """What the user chose: a polygon (GeoJSON text) or a layer and its minimum class."""

    area: Area
    description: str
    layer_code: str = ""

    def class_label(self, code: str) -> str:
        if not self.layer_code or not code:
            return ""
        return layer_or_error(self.layer_code).style_of(code).label


def selection(*, polygon: str = "", layer_code: str = "", min_class: str = "") -> Selection:
    """Validate the user's choice into a Selection (ValidationError with a Japanese message)."""
    if polygon.strip():
        return Selection(Area(polygon_wkt=_polygon_wkt(polygon)), "地図上で描いた範囲")
    if not layer_code:
        raise ValidationError("地図上で範囲を描くか、ハザードレイヤと区分を選んでください。", code="area_missing")
    layer = layer_or_error(layer_code)
    codes = layer.classes_from(min_class or layer.classes[0].code)
    if not codes:
        raise ValidationError(f"区分「{min_class}」は{layer.name}にありません。", code="class_unknown")
    severity = tuple(c.code for c in layer.classes)
    return Selection(Area(layer_code=layer.code, class_codes=codes, severity=severity),
                     f"{layer.name}（{layer.at_least_label(codes[0])}）", layer.code)


def _polygon_wkt(geojson: str) -> str:
    try:
        data = json.loads(geojson)
        geometry = shape(data.get("geometry", data) if data.get("type") == "Feature" else data)
    except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.GEOSException) as exc:
        raise ValidationError("描いた範囲を読み取れません。もう一度描いてください。", code="polygon_invalid") from exc
    if not isinstance(geometry, Polygon | MultiPolygon) or geometry.is_empty:
        raise ValidationError("範囲は多角形で描いてください。", code="polygon_invalid")
    geometry, _ = repaired(geometry)
    minx, miny, maxx, maxy = geometry.bounds
    if not (120 <= minx <= maxx <= 155 and 20 <= miny <= maxy <= 46):
        raise ValidationError("範囲が日本の外にあります。", code="polygon_outside")
    return geometry.wkt


AT_RISK_HEADER = ("区分", "宛名番号", "氏名", "氏名カナ", "生年月日", "性別", "住所", "電話番号",
                  "避難支援等を必要とする事由", "備考")


def at_risk(session: Session, layer_code: str) -> tuple[Selection, list]:
    """The 要支援者 inside any class of the layer, the most severe class first."""
    chosen = selection(layer_code=layer_code)
    return chosen, residents_in(session, chosen.area, evac_only=True)


def at_risk_view(session: Session, actor: Actor, layer_code: str) -> tuple[Selection, list]:
    chosen, rows = at_risk(session, layer_code)
    record(session, actor, "hazard_at_risk_view", "resident", [r.id for r in rows], layer=layer_code)
    return chosen, rows


def at_risk_rows(session: Session, layer_code: str) -> Iterator[tuple]:
    chosen, rows = at_risk(session, layer_code)
    for r in rows:
        address, phone = ("", "") if r.is_protected else (r.address, r.phone)
        yield (chosen.class_label(r.class_code), r.atena_no, r.name, r.name_kana, format_date(r.birth_date),
               SEX.get(r.sex, ""), address, phone, r.reasons, PROTECTED_NOTE if r.is_protected else "")


def audit_at_risk_export(session: Session, actor: Actor, layer_code: str, file_format: str) -> None:
    layer_or_error(layer_code)
    record(session, actor, "hazard_at_risk_export", "municipality", [actor.lg_code], layer=layer_code,
           format=file_format)


def layer_choices() -> list[dict]:
    """Layers and classes for the screen's selectors."""
    return [{"code": layer.code, "name": layer.name,
             "classes": [{"code": c.code, "label": layer.at_least_label(c.code)} for c in layer.classes]}
            for layer in CATALOGUE]

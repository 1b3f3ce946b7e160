"""Coordinate reference systems of Japan: JGD2011, JGD2000, their plane rectangular zones, Tokyo Datum.

Geometry is stored in EPSG:4326 (JGD2011 longitude/latitude treated as WGS 84, sub-metre);
areas and distances are computed in the municipality's plane rectangular zone. A file's CRS is
taken from the file, reconciled with the one a user states, and must be one of ``ALLOWED_EPSG``;
everything is brought to EPSG:4326 with pyproj's best available operation, so Tokyo Datum (4301,
some 400 m off) goes through a datum shift and an operation without one is refused.

pyproj and shapely are imported only by the functions that need them: the fixture writers use the
zone tables here without them.
"""
from __future__ import annotations

import warnings

WGS84 = 4326
JGD2011 = 6668
JGD2000 = 4612
TOKYO_DATUM = 4301


class CrsRefused(ValueError):
    """A CRS that cannot be used: ``reason`` for the user (Japanese) and ``code`` for machines
    (crs_not_allowed, crs_mismatch, crs_missing, crs_unknown, no_transformation)."""

    def __init__(self, reason: str, code: str):
        super().__init__(reason)
        self.reason, self.code = reason, code


def plane_rectangular_epsg(zone: int) -> int:
    """JGD2011 平面直角座標系 zone I–XIX (1–19) → EPSG:6669–6687."""
    if not 1 <= zone <= 19:
        raise ValueError(f"plane rectangular zone must be 1..19, not {zone}")
    return 6668 + zone


def jgd2000_plane_rectangular_epsg(zone: int) -> int:
    """JGD2000 平面直角座標系 zone I–XIX → EPSG:2443–2461."""
    if not 1 <= zone <= 19:
        raise ValueError(f"plane rectangular zone must be 1..19, not {zone}")
    return 2442 + zone


ZONES = range(1, 20)
# The CRSs a hazard layer may come in: longitude/latitude of WGS 84, JGD2011, JGD2000 and Tokyo
# Datum, and the plane rectangular zones of JGD2011 and JGD2000.
ALLOWED_EPSG = frozenset({WGS84, JGD2011, JGD2000, TOKYO_DATUM, *map(plane_rectangular_epsg, ZONES),
                          *map(jgd2000_plane_rectangular_epsg, ZONES)})


def allowed_text() -> str:
    """``ALLOWED_EPSG`` as a user reads it in a message."""
    return "4326, 6668, 4612, 4301, 6669〜6687, 2443〜2461"


def check_declared(epsg: int | None) -> int | None:
    """The EPSG code a user stated, when it is one of ``ALLOWED_EPSG`` (None: nothing stated);
    CrsRefused ``crs_not_allowed`` otherwise."""
    if epsg is not None and epsg not in ALLOWED_EPSG:
        raise CrsRefused(f"EPSG:{epsg} は指定できません（{allowed_text()}）。", "crs_not_allowed")
    return epsg


def source_epsg(crs, declared: int | None) -> int:
    """The EPSG code of a file's CRS (a pyproj ``CRS`` or None), reconciled with the one the user
    stated: a recognised allowed CRS wins and must agree with the stated one; without one the
    stated CRS is used; otherwise CrsRefused (crs_mismatch, crs_missing, crs_unknown)."""
    found = None
    if crs is not None:
        found = WGS84 if crs.to_string() in ("OGC:CRS84", "EPSG:4326") else crs.to_epsg(min_confidence=70)
    if found is not None and found in ALLOWED_EPSG:
        if declared is not None and declared != found:
            raise CrsRefused(f"ファイルの座標参照系は EPSG:{found} です。指定の EPSG:{declared} と"
                             "異なるため取り込みません。", "crs_mismatch")
        return found
    if declared is not None:
        return declared
    if crs is None:
        raise CrsRefused("ファイルに座標参照系の情報（.prj など）がありません。座標参照系を指定してください"
                         f"（{allowed_text()}）。", "crs_missing")
    label = f"EPSG:{found}" if found else (crs.name or "不明")
    raise CrsRefused(f"座標参照系「{label}」は扱えません。{allowed_text()} のいずれかで作成するか、"
                     "正しい座標参照系を指定してください。", "crs_unknown")


def transformer_to_wgs84(epsg: int):
    """pyproj's best available operation from ``epsg`` to EPSG:4326 (the first of its ranked
    candidates, so the choice is fixed and reportable); a ballpark one (no datum shift) is refused
    with CrsRefused ``no_transformation``."""
    from pyproj.transformer import TransformerGroup

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "best transformation is not available" (TKY2JGD grid)
        candidates = TransformerGroup(epsg, WGS84, always_xy=True).transformers
    transformer = candidates[0] if candidates else None
    if transformer is None or "ballpark" in transformer.description.lower():
        raise CrsRefused(f"EPSG:{epsg} から緯度経度への測地系変換が利用できません。", "no_transformation")
    return transformer


def transform(geometry, transformer):
    """``geometry`` (shapely) with every coordinate passed through ``transformer`` (x, y order)."""
    import numpy as np
    import shapely

    def project(xy):
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, project)


# The zone that covers most of each prefecture (国土交通省告示第九号). 北海道 spans XI–XIII, 東京都's
# islands and 沖縄県 more than one: callers that need the exact zone of a place pass it themselves.
PREFECTURE_ZONE = {
    "北海道": 12, "青森県": 10, "岩手県": 10, "宮城県": 10, "秋田県": 10, "山形県": 10, "福島県": 9, "茨城県": 9,
    "栃木県": 9, "群馬県": 9, "埼玉県": 9, "千葉県": 9, "東京都": 9, "神奈川県": 9, "新潟県": 8, "富山県": 7,
    "石川県": 7, "福井県": 6, "山梨県": 8, "長野県": 8, "岐阜県": 7, "静岡県": 8, "愛知県": 7, "三重県": 6,
    "滋賀県": 6, "京都府": 6, "大阪府": 6, "兵庫県": 5, "奈良県": 6, "和歌山県": 6, "鳥取県": 5, "島根県": 3,
    "岡山県": 5, "広島県": 3, "山口県": 3, "徳島県": 4, "香川県": 4, "愛媛県": 4, "高知県": 4, "福岡県": 2,
    "佐賀県": 2, "長崎県": 1, "熊本県": 2, "大分県": 2, "宮崎県": 2, "鹿児島県": 2, "沖縄県": 15,
}


def prefecture_zone(prefecture: str) -> int:
    """The plane rectangular zone of most of ``prefecture``."""
    try:
        return PREFECTURE_ZONE[prefecture]
    except KeyError as exc:
        raise ValueError(f"unknown prefecture {prefecture!r}") from exc

"""Coordinate reference systems of Japan: JGD2011, its plane rectangular zones, Tokyo Datum.

Geometry is stored in EPSG:4326 (JGD2011 longitude/latitude treated as WGS 84, sub-metre);
areas and distances are computed in the municipality's plane rectangular zone.
"""
from __future__ import annotations

JGD2011 = 6668
TOKYO_DATUM = 4301


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

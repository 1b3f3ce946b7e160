"""Pure rules of the OGC API and the GIS tokens: query parameters, paging, token format and lifetime,
and which collections a user's screens allow. No database, no Flask."""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from app.errors import ValidationError
from app.query_params import BIGINT_MAX, InvalidParameter, integer_parameter
from app.tenants.rules import normalize_lg_code

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000  # a larger limit is lowered to this (OGC API – Features /req/core/fc-limit-response-1)
TOKEN_PREFIX = "bclgis"
TOKEN_DAYS_DEFAULT = 90
TOKEN_DAYS_MAX = 365
BASE_SCREEN = "map"  # every collection is a map layer: no 地図 screen, no OGC API
# Query parameters the items resource understands; anything else is refused (/req/core/query-param-unknown).
ITEMS_PARAMETERS = frozenset({"f", "limit", "offset", "bbox", "bbox-crs"})
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def check_parameters(names: Iterable[str], allowed: frozenset[str]) -> None:
    """Refuse query parameters the resource does not define."""
    unknown = sorted(set(names) - allowed)
    if unknown:
        raise InvalidParameter(f"このリソースでは使えないパラメータです: {', '.join(unknown)}",
                               details={"parameters": unknown})


JSON_FORMATS = ("json", "geojson", "application/json", "application/geo+json")
HTML_FORMATS = ("html", "text/html")


def check_format(value: str | None) -> None:
    """JSON (``f=json``; GeoJSON for features) or HTML (``f=html``) is served."""
    if value not in (None, "", *JSON_FORMATS, *HTML_FORMATS):
        raise InvalidParameter(f"f={value} には対応していません。f=json または f=html を指定してください。",
                               details={"parameter": "f"})


def output_format(value: str | None, prefers_html: bool) -> str:
    """``"html"`` or ``"json"``: ``f=`` decides; without it, HTML only for a client that asks for HTML
    before JSON (a browser), so GIS clients (GDAL, QGIS) keep getting JSON."""
    check_format(value)
    if value in HTML_FORMATS:
        return "html"
    return "html" if value in (None, "") and prefers_html else "json"


def parse_limit(value: str | None) -> int:
    """The page size: default 100, at least 1; values above the maximum are lowered to it, as
    /req/core/fc-limit-response-1 allows when the API definition states the maximum (it does)."""
    return min(integer_parameter(value, "limit", default=DEFAULT_LIMIT, minimum=1, maximum=None), MAX_LIMIT)


def parse_offset(value: str | None) -> int:
    """Where the page starts: 0 … 2⁶³−1 (PostgreSQL's OFFSET is a bigint)."""
    return integer_parameter(value, "offset", default=0, minimum=0, maximum=BIGINT_MAX)


def parse_bbox(value: str | None, crs: str | None = None) -> tuple[float, float, float, float] | None:
    """``minLon,minLat,maxLon,maxLat`` (or six numbers with heights) in CRS84, or None when absent."""
    if crs not in (None, "", CRS84):
        raise InvalidParameter(f"bbox-crs は {CRS84} のみ対応しています。", details={"parameter": "bbox-crs"})
    if value in (None, ""):
        return None
    try:
        numbers = [float(part) for part in value.split(",")]
    except ValueError as exc:
        raise InvalidParameter("bbox は4つ（または6つ）の数値をカンマ区切りで指定してください。",
                               details={"parameter": "bbox"}) from exc
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise InvalidParameter("bbox は4つ（または6つ）の数値をカンマ区切りで指定してください。",
                               details={"parameter": "bbox"})
    min_lon, min_lat, max_lon, max_lat = numbers
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise InvalidParameter("bbox の経度・緯度が範囲外です（経度 -180〜180、緯度 -90〜90、南端 ≤ 北端）。",
                               details={"parameter": "bbox"})
    if min_lon > max_lon:
        raise InvalidParameter("日付変更線をまたぐ bbox には対応していません（西端 ≤ 東端）。",
                               details={"parameter": "bbox"})
    return min_lon, min_lat, max_lon, max_lat


def next_offset(offset: int, returned: int, matched: int) -> int | None:
    """Where the next page starts, or None when this page is the last."""
    following = offset + returned
    return following if returned and following < matched else None


def previous_offset(offset: int, limit: int) -> int | None:
    return max(0, offset - limit) if offset > 0 else None


def may_read(collection_screen: str | None, screens: frozenset[str]) -> bool:
    """Whether a user with ``screens`` may read a collection that also needs ``collection_screen``."""
    return BASE_SCREEN in screens and (collection_screen is None or collection_screen in screens)


def token_days(value: int | None) -> int:
    """The lifetime of a new token in days (1–365; default 90)."""
    if value is None:
        return TOKEN_DAYS_DEFAULT
    if not 1 <= value <= TOKEN_DAYS_MAX:
        raise ValidationError(f"有効期間は1〜{TOKEN_DAYS_MAX}日で指定してください。", code="token_days_invalid")
    return value


def token_municipality(plain: str) -> str | None:
    """The 団体コード a token names (``bclgis.<lg_code>.<secret>``), or None when it is not such a token."""
    parts = plain.split(".")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[2]:
        return None
    try:
        return normalize_lg_code(parts[1])
    except ValidationError:
        return None


def query_string(args: Mapping[str, str], **changes) -> str:
    """The query of a paging link: ``args`` with ``changes`` applied (None removes a parameter)."""
    from urllib.parse import urlencode

    merged = {k: v for k, v in args.items() if k != "offset"} | changes
    return urlencode({k: v for k, v in merged.items() if v is not None})

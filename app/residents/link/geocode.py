"""Coordinates from addresses: the 国土交通省 位置参照情報 (街区レベル) and matching 住所 to it.

A 住所 like 「宮城県桜ヶ丘町桜ヶ丘三丁目12番4号」 matches the 街区 「宮城県 + 桜ヶ丘町 + 桜ヶ丘三丁目 + 12」:
the text up to the first run of digits followed by 番 / - / の, with full-width digits made ASCII.
The same normalisation runs in SQL (residents in bulk) and in Python (address points, tests).
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

import psycopg

from app.errors import ValidationError
from app.exports import decode_spreadsheet_text

HEADER = ("都道府県名", "市区町村名", "大字・町丁目名", "小字・通称名", "街区符号・地番", "座標系番号",
          "Ｘ座標", "Ｙ座標", "緯度", "経度", "住居表示フラグ", "代表フラグ", "更新前履歴フラグ", "更新後履歴フラグ")
_FULLWIDTH = str.maketrans("０１２３４５６７８９－", "0123456789-")
_KEY = re.compile(r"^(.+?[^0-9])([0-9]+)(?:番|-|の|$)")
# The same rule in SQL: translate full-width digits, then take the text up to the block number.
KEY_SQL = ("substring(translate({col}, '０１２３４５６７８９－', '0123456789-') "
           "from '^(.+?[^0-9][0-9]+)(?:番|-|の|$)')")


def address_key(address: str) -> str | None:
    """The 街区 key of a 住所, or None when it has no block number."""
    match = _KEY.match(address.translate(_FULLWIDTH).strip())
    return f"{match.group(1)}{match.group(2)}" if match else None


@dataclass(frozen=True)
class AddressPoint:
    key: str
    town_area: str
    block: str
    lat: float
    lon: float


def parse_address_points(data: bytes, lg_prefecture: str, lg_name: str) -> tuple[list[AddressPoint], list[str]]:
    """Rows of a 位置参照情報 CSV (CP932 or UTF-8) for this municipality; returns (points, problems)."""
    text = decode_spreadsheet_text(data, "位置参照情報")
    rows = csv.reader(io.StringIO(text))
    header = tuple(next(rows, ()))
    if header != HEADER:
        raise ValidationError("位置参照情報（街区レベル）の見出し行ではありません。"
                              f"先頭の列は「{'、'.join(HEADER[:5])}…」です。", code="header")
    points, problems = {}, []
    for line, row in enumerate(rows, start=2):
        point, problem = _point(row, line, lg_prefecture, lg_name)
        if problem:
            problems.append(problem)
        elif point and (point.key not in points or row[11] == "1"):
            points[point.key] = point  # the representative point (代表フラグ 1) wins
    if not points:
        raise ValidationError(f"この団体（{lg_prefecture}{lg_name}）の街区が1件もありません。", code="empty")
    return list(points.values()), problems


def _point(row: list[str], line: int, prefecture: str, name: str) -> tuple[AddressPoint | None, str | None]:
    if len(row) != len(HEADER):
        return None, f"{line}行目: 列の数が{len(HEADER)}ではありません。"
    if row[0] != prefecture or row[1] != name:
        return None, None  # another municipality's rows in a prefecture-wide file: skipped
    try:
        lat, lon = float(row[8]), float(row[9])
    except ValueError:
        return None, f"{line}行目: 緯度・経度が数値ではありません。"
    if not (20 <= lat <= 46 and 122 <= lon <= 154):
        return None, f"{line}行目: 緯度・経度が日本の範囲にありません。"
    key = address_key(f"{row[0]}{row[1]}{row[2]}{row[3]}{row[4]}番")
    if key is None:
        return None, f"{line}行目: 街区符号「{row[4]}」が数字ではありません。"
    return AddressPoint(key, row[2] + row[3], row[4], lat, lon), None


def replace_address_points(conn: psycopg.Connection, lg_code: str, points: Iterable[AddressPoint]) -> int:
    """Swap the municipality's address points for ``points`` (in the caller's transaction)."""
    conn.execute("DELETE FROM address_points WHERE lg_code = %s", (lg_code,))
    # COPY into a scratch table, then INSERT: COPY FROM is refused on tables under row-level security.
    conn.execute("CREATE TEMP TABLE address_points_load (match_key text, town_area text, block text, lon float8, "
                 "lat float8) ON COMMIT DROP")
    with conn.cursor() as cursor, cursor.copy("COPY address_points_load FROM STDIN") as copy:
        for point in points:
            copy.write_row((point.key, point.town_area, point.block, point.lon, point.lat))
    count = conn.execute("""INSERT INTO address_points (lg_code, match_key, town_area, block, geom)
                            SELECT %s, match_key, town_area, block, ST_SetSRID(ST_MakePoint(lon, lat), 4326)
                            FROM address_points_load""", (lg_code,)).rowcount
    conn.execute("DROP TABLE address_points_load")
    return count


def locate_residents(conn: psycopg.Connection, lg_code: str) -> int:
    """Give residents without coordinates the point of their 街区; returns how many were placed."""
    return _locate(conn, "residents", lg_code)


def locate_buildings(conn: psycopg.Connection, lg_code: str) -> int:
    """Buildings with an address but no geometry get their 街区's point."""
    return _locate(conn, "buildings", lg_code)


def _locate(conn: psycopg.Connection, table: str, lg_code: str) -> int:
    # The 街区 key of each unplaced row is computed once (materialised) and hash-joined with the
    # address points: right after a large load the statistics are stale, and a plan that
    # re-evaluates the key per address point would take minutes for 100,000 people.
    if not conn.execute("SELECT EXISTS (SELECT 1 FROM address_points WHERE lg_code = %(lg)s)",
                        {"lg": lg_code}).fetchone()[0]:
        return 0
    conn.execute("SET LOCAL enable_nestloop = off")
    try:
        return conn.execute(f"""
            WITH unplaced AS MATERIALIZED (
                SELECT t.id, {KEY_SQL.format(col='t.address')} AS match_key
                FROM {table} t WHERE t.lg_code = %(lg)s AND t.geom IS NULL)
            UPDATE {table} t SET geom = ap.geom, location_source = 'address_point'
            FROM unplaced u JOIN address_points ap ON ap.lg_code = %(lg)s AND ap.match_key = u.match_key
            WHERE t.id = u.id""", {"lg": lg_code}).rowcount
    finally:
        conn.execute("SET LOCAL enable_nestloop = on")

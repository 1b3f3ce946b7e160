"""The layers the OGC API serves, as SQL run under the tenant's row-level security.

Each collection's SQL returns ``id`` (the feature id), ``subject_id`` (the resident, for personal
layers: the audit log names them), ``props`` (json, Japanese keys in a fixed order) and ``geom``
(EPSG:4326). ``{bbox}`` is replaced by a ``geom && envelope`` test on the indexed column, so a
bbox request uses the GIST index, or by ``true``.

People under 支援措置 (DV etc.) are left out of personal layers entirely: a map feature is a
location, and the attributes alone (name, reasons) would be of no use without it.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.damage.rules import SHOWN_GRADE_PARAMS, SHOWN_GRADE_SQL
from layers.catalogue import CATALOGUE

# bcl_ids_in_box (migration 0020) finds the ids through the GIST index for the transaction's own
# tenant: under row-level security && itself (not leakproof) cannot drive an index. The outer
# query still runs under the policy and tests the box again.
BBOX_TEST = ("{alias}.id IN (SELECT bcl_ids_in_box('{table}', :min_lon, :min_lat, :max_lon, :max_lat)) "
             "AND {alias}.geom && ST_MakeEnvelope(:min_lon, :min_lat, :max_lon, :max_lat, 4326)")


@dataclass(frozen=True)
class Collection:
    """One layer: its id and title, its SQL, the attribute types (for GeoPackage) and who may read it."""

    id: str
    title: str
    description: str
    sql: str
    alias: str  # the alias of the table whose geom the bbox tests
    table: str  # that table
    fields: tuple[tuple[str, str], ...]  # (property name, "string" | "integer")
    geometry_type: str  # GeoPackage geometry type: Point, MultiPolygon, Unknown (mixed)
    extent_sql: str
    screen: str | None = None  # a screen needed besides 地図 (personal layers)
    params: tuple[tuple[str, object], ...] = ()

    @property
    def is_personal(self) -> bool:
        return self.screen is not None

    def query(self, bbox: bool) -> str:
        """The collection's SQL with the bbox test in place (or none)."""
        return self.sql.replace("{bbox}", BBOX_TEST.format(alias=self.alias, table=self.table) if bbox else "true")


SHELTERS = Collection(
    "shelters", "避難所・避難場所", "指定緊急避難場所・指定避難所・福祉避難所（デジタル庁 推奨データセットの項目）",
    """SELECT s.id, NULL::int AS subject_id, json_build_object(
              '名称', s.name, '名称カナ', s.name_kana, '種別', s.kind, '所在地', s.address,
              '想定収容人数', s.capacity, '対象災害', array_to_string(s.hazards, '・'), '電話番号', s.phone,
              'ID', s.code) AS props, s.geom
       FROM shelters s WHERE {bbox}""", "s", "shelters",
    (("名称", "string"), ("名称カナ", "string"), ("種別", "string"), ("所在地", "string"),
     ("想定収容人数", "integer"), ("対象災害", "string"), ("電話番号", "string"), ("ID", "string")),
    "Point", "SELECT ST_Extent(geom) FROM shelters")

ADMIN_AREAS = Collection(
    "admin-areas", "町丁目", "町丁目の区域",
    """SELECT a.id, NULL::int AS subject_id, json_build_object('町丁目コード', a.code, '町丁目名', a.name) AS props,
              a.geom
       FROM admin_areas a WHERE {bbox}""", "a", "admin_areas",
    (("町丁目コード", "string"), ("町丁目名", "string")), "MultiPolygon", "SELECT ST_Extent(geom) FROM admin_areas")

DISASTERS = Collection(
    "disasters", "被災地域", "登録された災害の被災地域（区域が登録された災害のみ）",
    """SELECT d.id, NULL::int AS subject_id, json_build_object(
              '災害名', d.name, '種類', d.kind, '発生日', to_char(d.started_on, 'YYYY-MM-DD'),
              '状態', d.status) AS props, d.geom
       FROM disasters d WHERE d.geom IS NOT NULL AND {bbox}""", "d", "disasters",
    (("災害名", "string"), ("種類", "string"), ("発生日", "string"), ("状態", "string")), "MultiPolygon",
    "SELECT ST_Extent(geom) FROM disasters")

# The survey shown is the latest one of the most recent disaster in which the building was surveyed
# (one DISTINCT ON pass over the surveys, hash-joined: no per-building subquery).
BUILDINGS = Collection(
    "buildings", "建物（被害認定）", "建物と、直近の災害での被害認定調査の状態・判定（所有者の情報は含みません）",
    f"""SELECT b.id, NULL::int AS subject_id, json_build_object(
              '所在地', b.address, '区分', CASE WHEN b.is_dwelling THEN '住家' ELSE '非住家' END,
              '構造', b.structure, '階数', b.floors, '災害名', coalesce(s.disaster_name, ''),
              '被害の程度', coalesce(s.grade, :not_surveyed)) AS props, b.geom
       FROM buildings b
       LEFT JOIN (
           SELECT DISTINCT ON (d.building_id) d.building_id, ds.name AS disaster_name,
                  {SHOWN_GRADE_SQL} AS grade
           FROM damage_surveys d JOIN disasters ds ON ds.id = d.disaster_id
           ORDER BY d.building_id, ds.started_on DESC, d.id DESC) s ON s.building_id = b.id
       WHERE b.geom IS NOT NULL AND {{bbox}}""", "b", "buildings",
    (("所在地", "string"), ("区分", "string"), ("構造", "string"), ("階数", "integer"), ("災害名", "string"),
     ("被害の程度", "string")), "Unknown", "SELECT ST_Extent(geom) FROM buildings", params=SHOWN_GRADE_PARAMS)

# Personal: people on the 避難行動要支援者名簿 with a known location, never those under 支援措置.
EVAC_PEOPLE = Collection(
    "evac-people", "避難行動要支援者", "避難行動要支援者名簿に載っている方の位置（支援措置対象者は含みません）",
    """SELECT p.id, r.id AS subject_id, json_build_object(
              '氏名', r.name, '氏名カナ', r.name_kana, '避難支援等を必要とする事由', p.reasons,
              '同意', p.consent) AS props, r.geom
       FROM evac_people p JOIN residents r ON r.id = p.resident_id
       WHERE p.removed_at IS NULL AND NOT r.is_protected AND r.geom IS NOT NULL AND {bbox}""", "r", "residents",
    (("氏名", "string"), ("氏名カナ", "string"), ("避難支援等を必要とする事由", "string"), ("同意", "string")),
    "Point", """SELECT ST_Extent(r.geom) FROM evac_people p JOIN residents r ON r.id = p.resident_id
                WHERE p.removed_at IS NULL AND NOT r.is_protected""",
    screen="evac_support")


def _hazard(layer) -> Collection:
    labels = {c.code: c.label for c in layer.classes}
    return Collection(
        f"hazard-{layer.code.replace('_', '-')}", layer.name, f"ハザード区域: {layer.name}",
        """SELECT h.id, NULL::int AS subject_id, json_build_object(
                  '区域名', h.name, '区分コード', h.class_code,
                  '区分', coalesce(CAST(:labels AS jsonb) ->> h.class_code, h.class_code)) AS props, h.geom
           FROM hazard_areas h WHERE h.layer_code = :layer_code AND {bbox}""", "h", "hazard_areas",
        (("区域名", "string"), ("区分コード", "string"), ("区分", "string")), "MultiPolygon",
        "SELECT ST_Extent(geom) FROM hazard_areas WHERE layer_code = :layer_code",
        params=(("layer_code", layer.code), ("labels", _json(labels))))


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


HAZARDS = tuple(_hazard(layer) for layer in CATALOGUE)
# The order of /collections: reference layers first, then the disaster, then personal layers.
ALL = (SHELTERS, *HAZARDS, ADMIN_AREAS, DISASTERS, BUILDINGS, EVAC_PEOPLE)
BY_ID = {c.id: c for c in ALL}

"""Use cases of the OGC API – Features: the collections a user may read, their extents, pages of
features (GeoJSON built by PostGIS) and single features. Every read of features is audited, one
entry per request."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.errors import NotFound
from app.ogc import rules
from app.ogc.collections import ALL, BY_ID, HAZARDS, Collection

Extent = tuple[float, float, float, float]
_FEATURE = ("json_build_object('type', 'Feature', 'id', q.id, 'geometry', ST_AsGeoJSON(q.geom, 7)::json, "
            "'properties', q.props)::text")


@dataclass(frozen=True)
class Page:
    """One page of features: the GeoJSON text of each feature, and how many match in all."""

    features: list[str]
    matched: int
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        return rules.next_offset(self.offset, len(self.features), self.matched)


def _params(collection: Collection, bbox: Extent | None = None) -> dict:
    params = dict(collection.params)
    if bbox:
        params.update(zip(("min_lon", "min_lat", "max_lon", "max_lat"), bbox, strict=True))
    return params


def extent(session: Session, collection: Collection) -> Extent | None:
    """(min lon, min lat, max lon, max lat) of the collection's features, or None when it has none."""
    row = session.execute(text(f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM ({collection.extent_sql}) "
                               "AS x(e)"), dict(collection.params)).one()
    return None if row[0] is None else tuple(row)


def list_collections(session: Session, screens: frozenset[str]) -> list[tuple[Collection, Extent | None]]:
    """The collections ``screens`` allow, with their extents; hazard layers only where there is data."""
    found = []
    for collection in ALL:
        if not rules.may_read(collection.screen, screens):
            continue
        box = extent(session, collection)
        if box is None and collection in HAZARDS:
            continue
        found.append((collection, box))
    return found


def get_collection(session: Session, collection_id: str, screens: frozenset[str]) -> Collection:
    """One collection the user may read; a personal one without the right looks like a missing one,
    and so does a hazard layer without data."""
    collection = BY_ID.get(collection_id)
    if collection is None or not rules.may_read(collection.screen, screens):
        raise NotFound(f"コレクション「{collection_id}」はないか、閲覧する権限がありません。",
                       code="collection_not_found")
    if collection in HAZARDS and not session.scalar(
            text(f"SELECT EXISTS (SELECT 1 FROM ({collection.query(False)}) AS q)"), _params(collection)):
        raise NotFound(f"ハザードレイヤ「{collection.title}」にはデータがありません。", code="collection_not_found")
    return collection


def items(session: Session, actor: Actor, collection: Collection, *, bbox: Extent | None, limit: int,
          offset: int) -> Page:
    """A page of the collection's features in id order, counted and audited (one entry)."""
    sql, params = collection.query(bbox is not None), _params(collection, bbox)
    if bbox:
        # psycopg prepares a statement after a few runs, and PostgreSQL's generic plan for it cannot
        # see the box: it re-runs the index lookup per row (10x slower). Plan each box on its own.
        session.execute(text("SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"))
    matched = session.execute(text(f"SELECT count(*) FROM ({sql}) AS q"), params).scalar_one()
    # The page's ids first (skipped rows cost an id each), then the GeoJSON of those rows only.
    rows = session.execute(text(f"""SELECT q.subject_id, {_FEATURE} FROM ({collection.query(False)}) AS q
                                    WHERE q.id IN (SELECT p.id FROM ({sql}) AS p ORDER BY p.id
                                                   LIMIT :page_limit OFFSET :page_offset)
                                    ORDER BY q.id"""),
                           params | {"page_limit": limit, "page_offset": offset}).all()
    audit_read(session, actor, collection, [r[0] for r in rows], channel="ogc", bbox=list(bbox) if bbox else None,
               offset=offset)
    return Page([r[1] for r in rows], matched, offset, limit)


def feature(session: Session, actor: Actor, collection: Collection, feature_id: int) -> str:
    """One feature's GeoJSON text; audited like a page of one."""
    sql, params = collection.query(False), _params(collection)
    row = session.execute(text(f"SELECT q.subject_id, {_FEATURE} FROM ({sql}) AS q WHERE q.id = :fid"),
                          params | {"fid": feature_id}).first()
    if row is None:
        raise NotFound(f"地物 {feature_id} は「{collection.title}」にありません。", code="feature_not_found")
    audit_read(session, actor, collection, [row[0]], channel="ogc")
    return row[1]


def audit_read(session: Session, actor: Actor, collection: Collection, subject_ids: list, *, channel: str,
               action: str = "ogc_items", count: int | None = None, **detail) -> None:
    """One audit entry for a read of ``collection``: personal layers name the residents read."""
    count = len(subject_ids) if count is None else count
    if collection.is_personal:
        record(session, actor, action, "resident", subject_ids, collection=collection.id, count=count,
               channel=channel, **detail)
    else:
        record(session, actor, action, "map_layer", [collection.id], count=count, channel=channel, **detail)


def iter_rows(session: Session, collection: Collection) -> Iterator[tuple]:
    """Every feature as (id, subject_id, props dict, WKB geometry), in id order, fetched in batches."""
    rows = session.execute(
        text(f"SELECT q.id, q.subject_id, q.props, ST_AsBinary(q.geom) FROM ({collection.query(False)}) AS q "
             "ORDER BY q.id").execution_options(yield_per=2000), _params(collection))
    yield from rows


def iter_features(session: Session, collection: Collection) -> Iterator[str]:
    """Every feature's GeoJSON text in id order, fetched in batches (for streamed downloads)."""
    sql = f"SELECT {_FEATURE} FROM ({collection.query(False)}) AS q ORDER BY q.id"
    rows = session.execute(text(sql).execution_options(yield_per=2000), _params(collection))
    for (feature_text,) in rows:
        yield feature_text


def count(session: Session, collection: Collection) -> int:
    """How many features the collection has."""
    return session.execute(text(f"SELECT count(*) FROM ({collection.query(False)}) AS q"),
                           _params(collection)).scalar_one()


def subject_ids(session: Session, collection: Collection) -> list:
    """The residents of a personal collection (for the audit of a download); empty for other layers."""
    if not collection.is_personal:
        return []
    return list(session.scalars(text(f"SELECT q.subject_id FROM ({collection.query(False)}) AS q ORDER BY q.id"),
                                _params(collection)))

"""Base maps served by BCL itself (docs/basemaps.md): tile packages imported per municipality or for
the whole installation, their tiles, and the municipality's choice of 地理院タイル from the internet.

- A package (MBTiles or PMTiles, raster or vector) is checked whole by ``gis.basemap`` while its tiles
  are copied into ``basemap_tiles`` in the caller's transaction: a refused file leaves nothing, and an
  import under a name already used replaces that package in the same transaction.
- Row-level security decides who sees a package: a municipality reads its own and the
  installation's (lg_code NULL) and writes only its own; the installation's are written by the CLI
  in the system scope.
- Tiles hold no personal data, so reading them is not audited; importing, deleting and the setting are.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.errors import Conflict, NotFound, ValidationError
from app.maps.models import Basemap, BasemapSetting
from gis.basemap import PackageError, PackageInfo, TilePackage, open_package
from gis.tiles import valid_tile

NAME_MAX = 60
ATTRIBUTION_MAX = 300
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportResult:
    basemap: Basemap
    replaced: bool


@dataclass(frozen=True)
class BasemapTileData:
    """A stored tile (``data`` None when the package has no tile there) and its package's format."""

    tile_format: str
    data: bytes | None


def import_package(session: Session, actor: Actor, path: Path, *, lg_code: str | None, name: str = "",
                   attribution: str = "", source_name: str = "", max_bytes: int | None = None,
                   progress: Progress | None = None) -> ImportResult:
    """Import the tile package at ``path`` for municipality ``lg_code`` (None: the installation).

    ``name`` (else the package's own name, else the file name) identifies it: an import under a name
    the owner already uses replaces that package. ``attribution`` (else the package's) is required.
    Raises ValidationError naming what is wrong; the caller's transaction then holds nothing of it.
    """
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise ValidationError(f"ファイルが大きすぎます（{size / 2**20:,.1f} MB、上限 {max_bytes / 2**20:,.0f} MB）。",
                              code="basemap_too_big")
    source_name = (source_name or path.name)[:200]
    try:
        with open_package(path) as package:
            return _store(session, actor, package, lg_code=lg_code, name=_name(name, package.info, source_name),
                          attribution=_attribution(attribution, package.info), source_name=source_name,
                          total_bytes=size, progress=progress)
    except PackageError as exc:
        raise ValidationError(f"背景地図として取り込めません: {exc.message}", code=f"basemap_{exc.code}") from None


def _name(given: str, info: PackageInfo, source_name: str) -> str:
    name = " ".join((given or info.name or Path(source_name).stem).split())
    if not name or len(name) > NAME_MAX:
        raise ValidationError(f"背景地図の名前は1〜{NAME_MAX}文字にしてください。", code="basemap_name_invalid")
    return name


def _attribution(given: str, info: PackageInfo) -> str:
    attribution = " ".join((given or info.attribution).split())
    if not attribution:
        raise ValidationError("出典（attribution）がありません。パッケージのメタデータに書くか、出典を指定してください"
                              "（例: 国土地理院「地理院タイル（淡色地図）」を加工して作成）。",
                              code="basemap_attribution_missing")
    if len(attribution) > ATTRIBUTION_MAX:
        raise ValidationError(f"出典は{ATTRIBUTION_MAX}文字以内にしてください。", code="basemap_attribution_too_long")
    return attribution


def _store(session: Session, actor: Actor, package: TilePackage, *, lg_code: str | None, name: str,
           attribution: str, source_name: str, total_bytes: int, progress: Progress | None) -> ImportResult:
    info = package.info
    if info.tile_count == 0:
        raise ValidationError("パッケージにタイルがありません。", code="basemap_empty")
    replaced = _remove_same_name(session, actor, lg_code, name)
    basemap = Basemap(lg_code=lg_code, name=name, kind=info.kind, tile_format=info.tile_format,
                      min_zoom=info.min_zoom, max_zoom=info.max_zoom, west=info.bounds[0], south=info.bounds[1],
                      east=info.bounds[2], north=info.bounds[3], attribution=attribution,
                      vector_layers=list(info.vector_layers), tile_count=0, total_bytes=total_bytes,
                      source_name=source_name, imported_by=actor.login_id[:60])
    session.add(basemap)
    session.flush()
    basemap.tile_count = _copy_tiles(session, basemap, package.tiles(), info.tile_count, progress)
    if basemap.tile_count == 0:
        raise ValidationError("パッケージにタイルがありません。", code="basemap_empty")
    session.flush()
    record(session, actor, "basemap_import", "basemap", [basemap.id], name=name, shared=lg_code is None,
           format=info.tile_format, container=info.container, zooms=f"{info.min_zoom}-{info.max_zoom}",
           tiles=basemap.tile_count, replaced=replaced)
    return ImportResult(basemap, replaced)


def _remove_same_name(session: Session, actor: Actor, lg_code: str | None, name: str) -> bool:
    owner = Basemap.lg_code.is_(None) if lg_code is None else Basemap.lg_code == lg_code
    old = session.scalars(select(Basemap).where(owner, Basemap.name == name)).first()
    if old is None:
        return False
    _delete(session, actor, old)
    return True


BATCH_TILES = 2000
# COPY cannot write into a table under row-level security: each batch of tiles is copied into a
# temporary table, then inserted (the policy checks every row) and the batch emptied.
_BATCH_TABLE = text("""CREATE TEMPORARY TABLE IF NOT EXISTS basemap_tile_batch
    (z smallint, x integer, y integer, data bytea) ON COMMIT DROP""")
_INSERT_BATCH = text("""INSERT INTO basemap_tiles (basemap_id, lg_code, z, x, y, data)
    SELECT :id, :lg_code, z, x, y, data FROM basemap_tile_batch ON CONFLICT DO NOTHING""")


def _copy_tiles(session: Session, basemap: Basemap, tiles, expected: int, progress: Progress | None) -> int:
    """Store the package's tiles (checked one by one as they are read) in batches; returns the count."""
    session.execute(_BATCH_TABLE)
    raw = session.connection().connection.driver_connection
    count, batch = 0, []
    for tile in tiles:
        batch.append(tile)
        if len(batch) == BATCH_TILES:
            count += _store_batch(session, raw, basemap, batch)
            batch = []
            if progress:
                progress(count, expected)
    count += _store_batch(session, raw, basemap, batch)
    if progress:
        progress(count, max(count, expected))
    return count


def _store_batch(session: Session, raw, basemap: Basemap, batch: list) -> int:
    if not batch:
        return 0
    with raw.cursor() as cursor, cursor.copy("COPY basemap_tile_batch (z, x, y, data) FROM STDIN") as copy:
        for row in batch:
            copy.write_row(row)
    stored = session.execute(_INSERT_BATCH, {"id": basemap.id, "lg_code": basemap.lg_code}).rowcount
    session.execute(text("TRUNCATE basemap_tile_batch"))
    if stored != len(batch):
        raise PackageError(f"同じ位置（z/x/y）のタイルが {len(batch) - stored} 件重複しています。", "tile_duplicate")
    return stored


def visible_basemaps(session: Session) -> list[Basemap]:
    """The packages the session's municipality may show: its own first, then the installation's,
    newest first within each (row-level security leaves out every other municipality's)."""
    return list(session.scalars(select(Basemap).order_by(Basemap.lg_code.is_(None), Basemap.created_at.desc(),
                                                         Basemap.id.desc())))


def get_basemap(session: Session, basemap_id: int) -> Basemap:
    found = session.get(Basemap, basemap_id)
    if found is None:
        raise NotFound("その背景地図はありません。", code="basemap_not_found")
    return found


def delete_basemap(session: Session, actor: Actor, basemap_id: int) -> Basemap:
    """Remove a package and its tiles (a municipality's own, or the installation's in the system scope)."""
    found = get_basemap(session, basemap_id)
    if found.lg_code != actor.lg_code and actor.lg_code is not None:
        raise ValidationError("全団体共通の背景地図は、コマンド（flask basemap delete）で削除してください。",
                              code="basemap_shared")
    _delete(session, actor, found)
    return found


def _delete(session: Session, actor: Actor, basemap: Basemap) -> None:
    record(session, actor, "basemap_delete", "basemap", [basemap.id], name=basemap.name,
           shared=basemap.lg_code is None)
    session.execute(text("DELETE FROM basemap_tiles WHERE basemap_id = :id"), {"id": basemap.id})
    session.delete(basemap)
    session.flush()


_TILE = text("""
    SELECT b.tile_format, t.data FROM basemaps b
    LEFT JOIN basemap_tiles t ON t.basemap_id = b.id AND t.z = :z AND t.x = :x AND t.y = :y
    WHERE b.id = :id""")


def get_tile(session: Session, basemap_id: int, z: int, x: int, y: int, ext: str) -> BasemapTileData:
    """Tile z/x/y of a package the session may see; NotFound for a package it may not see, a tile
    outside the XYZ grid or an extension that is not the package's."""
    if not valid_tile(z, x, y):
        raise NotFound("そのタイルはありません。", code="tile_not_found")
    row = session.execute(_TILE, {"id": basemap_id, "z": z, "x": x, "y": y}).first()
    if row is None or row.tile_format != ext:
        raise NotFound("その背景地図はありません。", code="basemap_not_found")
    return BasemapTileData(row.tile_format, bytes(row.data) if row.data is not None else None)


# The municipality's setting -----------------------------------------------------------------------------

def setting(session: Session, lg_code: str) -> BasemapSetting:
    """The municipality's base-map setting; the default (地理院タイル off) when never saved. Not stored
    by reading it."""
    found = session.get(BasemapSetting, lg_code)
    return found if found is not None else BasemapSetting(lg_code=lg_code, gsi_online=False, version=0)


def gsi_online(session: Session, lg_code: str | None) -> bool:
    """Whether the municipality offers 地理院タイル from the internet on its maps (never on a page
    about one person: callers ask only for the other pages)."""
    return lg_code is not None and setting(session, lg_code).gsi_online


def save_gsi_online(session: Session, actor: Actor, on: bool, version: int) -> BasemapSetting:
    """Turn 地理院タイル from the internet on or off for the actor's municipality (audited).

    ``version`` is the one the form was rendered with (0: never saved); another save in between is
    a Conflict."""
    found = session.get(BasemapSetting, actor.lg_code)
    current = found.version if found is not None else 0
    if version != current:
        raise Conflict("ほかの職員が背景地図の設定を変更しました。画面を開き直してください。",
                       current={"地理院タイル（インターネット）": "使う" if found and found.gsi_online else "使わない"})
    if found is None:
        found = BasemapSetting(lg_code=actor.lg_code, gsi_online=on, updated_by=actor.login_id[:60])
        session.add(found)
    else:
        found.gsi_online, found.updated_by = on, actor.login_id[:60]
    session.flush()
    record(session, actor, "basemap_setting", "municipality", [actor.lg_code], gsi_online=on)
    return found

"""Reference areas on the map: hazard zones and administrative areas (町丁目), hazard uploads, the
hazard classes assigned to residents, and the stored results of spatial analyses."""
from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, TenantOwned, TimestampMixin, Versioned


class HazardArea(TenantOwned, TimestampMixin, Base):
    """One polygon of a hazard layer (layers/ catalogue code + the class within it)."""

    __tablename__ = "hazard_areas"
    __table_args__ = (Index("ix_hazard_areas_lg_code_layer_code", "lg_code", "layer_code"),)
    lg_code_indexed = False

    id: Mapped[int] = mapped_column(primary_key=True)
    layer_code: Mapped[str] = mapped_column(String(40))
    class_code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100), default="")
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False)


class AdminArea(TenantOwned, TimestampMixin, Base):
    """A 町丁目 (town block area) of the municipality."""

    __tablename__ = "admin_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(60))
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False)


class HazardUpload(TenantOwned, Base):
    """A hazard layer file as uploaded, kept until its import job has run (the worker reads it here)."""

    __tablename__ = "hazard_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    layer_code: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)  # cleared once imported
    declared_epsg: Mapped[int | None] = mapped_column(Integer)
    class_field: Mapped[str] = mapped_column(String(60), default="")
    job_id: Mapped[int | None] = mapped_column(BigInteger)
    uploaded_by: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ResidentHazard(Base):
    """The class of each hazard layer a resident's location lies in, as last assigned.

    A derived snapshot rebuilt by every import and by ``layers assign``; it has no foreign keys (a
    million row-by-row checks would cost more than the spatial join), so readers join residents.
    """

    __tablename__ = "resident_hazards"

    lg_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    layer_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    resident_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    class_code: Mapped[str] = mapped_column(String(20))


class MapLayerVersion(TenantOwned, Base):
    """The data version of a tile layer of a municipality; tile cache keys carry it.

    Statement triggers on the source tables (see migration 0019) set it to a fresh value of the
    sequence ``map_layer_version_seq`` on every write, so a cached tile of an older version is
    never used again, in any worker process. Sequence values are never reused, even when the
    writing transaction rolls back.
    """

    __tablename__ = "map_layer_versions"
    lg_code_is_key = True

    layer: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class MapTileCache(Base):
    """A rendered vector tile, shared by every worker and app server of the database.

    UNLOGGED: no WAL is written for it and a crash empties it, which a cache can afford. The key
    carries the municipality (row-level security too), the layer, its variant (the chosen disaster
    of per-disaster layers), the layer's data version and z/x/y; a tile of an older version is
    never read again and is pruned by the next miss of that layer (``app.maps.tiles``).
    """

    __tablename__ = "map_tile_cache"
    __table_args__ = {"prefixes": ["UNLOGGED"]}

    lg_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    layer: Mapped[str] = mapped_column(String(40), primary_key=True)
    variant: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    z: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    x: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    y: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SpatialAnalysis(TenantOwned, Base):
    """One run of 空間分析: what was chosen, by whom, its job, and the counts once the job has run.

    The items found are stored by reference in ``spatial_analysis_items``; the result belongs to the
    user who ran it and expires at ``expires_at`` (purged by the next analysis job of the town).
    """

    __tablename__ = "spatial_analyses"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(BigInteger)
    polygon: Mapped[str] = mapped_column(Text, default="")  # the drawn area as GeoJSON, as it came
    layer_code: Mapped[str] = mapped_column(String(40), default="")
    min_class: Mapped[str] = mapped_column(String(20), default="")
    description: Mapped[str] = mapped_column(String(200), default="")
    counts: Mapped[dict] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SpatialAnalysisItem(Base):
    """One resident, 要支援者, building or shelter found by an analysis: ids only, no copies.

    ``position`` is the list order fixed by the job (most severe class first, then by address), so
    the first rows of a list and the map's share are an index range, not a sort of the whole result.
    """

    __tablename__ = "spatial_analysis_items"
    __table_args__ = (
        CheckConstraint("kind IN ('residents','evac_people','buildings','shelters')", name="kind_known"),
    )

    analysis_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("spatial_analyses.id", ondelete="CASCADE"),
                                             primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    lg_code: Mapped[str] = mapped_column(String(6))
    item_id: Mapped[int] = mapped_column(Integer)
    class_code: Mapped[str] = mapped_column(String(20), default="")


class Basemap(Base):
    """A base-map tile package imported into BCL (MBTiles or PMTiles): what it holds and where.

    ``lg_code`` is the municipality whose users see it; NULL is a package of the installation, seen
    by every municipality. The tiles themselves are rows of ``basemap_tiles``. A package is never
    changed after its import: a new import of the same name replaces the row (and its id), so a
    browser's cached tiles of the old one are never shown for the new one.
    """

    __tablename__ = "basemaps"
    __table_args__ = (
        UniqueConstraint("lg_code", "name"),
        # lg_code is NULL for the installation's packages, and NULLs never collide in the constraint above.
        Index("uq_basemaps_shared_name", "name", unique=True, postgresql_where=text("lg_code IS NULL")),
        CheckConstraint("kind IN ('raster','vector')", name="kind_known"),
        CheckConstraint("tile_format IN ('png','jpg','webp','pbf')", name="tile_format_known"),
        CheckConstraint("min_zoom BETWEEN 0 AND 22 AND max_zoom BETWEEN min_zoom AND 22", name="zooms_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lg_code: Mapped[str | None] = mapped_column(String(6), ForeignKey("municipalities.lg_code"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(10))
    tile_format: Mapped[str] = mapped_column(String(8))
    min_zoom: Mapped[int] = mapped_column(SmallInteger)
    max_zoom: Mapped[int] = mapped_column(SmallInteger)
    west: Mapped[float] = mapped_column(Float)
    south: Mapped[float] = mapped_column(Float)
    east: Mapped[float] = mapped_column(Float)
    north: Mapped[float] = mapped_column(Float)
    attribution: Mapped[str] = mapped_column(String(300))
    # The layer names of a vector package (its metadata's vector_layers), which the styles address.
    vector_layers: Mapped[list] = mapped_column(JSONB, default=list)
    tile_count: Mapped[int] = mapped_column(Integer)
    total_bytes: Mapped[int] = mapped_column(BigInteger)
    source_name: Mapped[str] = mapped_column(String(200))
    imported_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BasemapTile(Base):
    """One tile of a base-map package, stored as it came (PNG/JPEG/WebP, or an MVT, gzip or not).

    ``y`` is in the XYZ scheme (north at 0); MBTiles' TMS rows are flipped on import. ``lg_code``
    repeats the package's, so that row-level security decides without a join who may read a tile.
    """

    __tablename__ = "basemap_tiles"

    basemap_id: Mapped[int] = mapped_column(ForeignKey("basemaps.id", ondelete="CASCADE"), primary_key=True)
    z: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    x: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    y: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    lg_code: Mapped[str | None] = mapped_column(String(6))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class BasemapSetting(TenantOwned, Versioned, Base):
    """A municipality's base-map choices: whether 地理院タイル from the internet are offered beside
    the server's packages (off unless turned on; never on a page about one person)."""

    __tablename__ = "basemap_settings"
    lg_code_is_key = True

    gsi_online: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[str] = mapped_column(String(60), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                 onupdate=func.now())

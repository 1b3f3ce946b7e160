"""Whole-layer downloads: a GeoPackage written by GDAL (pyogrio) and a streamed GeoJSON, both audited.

The GeoPackage keeps the Japanese attribute names and values as they are (GeoPackage text is
UTF-8) and states EPSG:4326 (JGD2011 longitude/latitude are stored as WGS 84; they differ by less
than a metre)."""
from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.orm import Session

from app.audit.services import Actor
from app.ogc import services
from app.ogc.collections import Collection

GPKG_TYPE = "application/geopackage+sqlite3"
GEOJSON_TYPE = "application/geo+json"
_DTYPES = {"integer": "int64", "string": "object"}
FEATURE_ID = "地物ID"  # the OGC API feature id (GeoPackage keeps its own fid; field names ignore case)


def write_geopackage(session: Session, actor: Actor, collection: Collection, channel: str) -> Path:
    """Write the whole collection to a new GeoPackage in a temporary folder and audit the download.
    The caller removes the folder (``remove``) once the file is sent."""
    import geopandas as gpd
    import pandas as pd
    import pyogrio
    import shapely

    ids, subjects, props, shapes = [], [], [], []
    for feature_id, subject_id, properties, wkb in services.iter_rows(session, collection):
        ids.append(feature_id)
        subjects.append(subject_id)
        props.append(properties)
        shapes.append(bytes(wkb) if wkb is not None else None)
    columns = {FEATURE_ID: pd.Series(ids, dtype="int64")}
    for name, kind in collection.fields:
        columns[name] = pd.Series([p.get(name) for p in props], dtype=_DTYPES[kind])
    frame = gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries(shapely.from_wkb(shapes), crs="EPSG:4326"))
    path = Path(tempfile.mkdtemp(prefix="bcl-layer-")) / f"{collection.id}.gpkg"
    pyogrio.write_dataframe(frame, path, layer=collection.id, driver="GPKG", geometry_type=collection.geometry_type,
                            layer_options={"IDENTIFIER": collection.title, "DESCRIPTION": collection.description})
    services.audit_read(session, actor, collection, subjects, channel=channel, action="layer_download",
                        format="gpkg")
    return path


def remove(path: Path) -> None:
    shutil.rmtree(path.parent, ignore_errors=True)


def audit_geojson(session: Session, actor: Actor, collection: Collection, channel: str) -> None:
    """Audit a GeoJSON download before it is streamed (personal layers name every resident)."""
    subjects = services.subject_ids(session, collection)
    count = len(subjects) if collection.is_personal else services.count(session, collection)
    services.audit_read(session, actor, collection, subjects, channel=channel, action="layer_download",
                        count=count, format="geojson")


def geojson_chunks(session: Session, collection: Collection) -> Iterator[str]:
    """The whole collection as one FeatureCollection, in pieces (the session is read as it streams)."""
    yield '{"type":"FeatureCollection","name":' + json.dumps(collection.id) + ',"features":['
    for index, feature in enumerate(services.iter_features(session, collection)):
        yield ("," if index else "") + feature
    yield "]}"

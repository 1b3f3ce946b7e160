"""Read a hazard layer file into validated rows for ``hazard_areas`` (framework-free).

Formats: GeoJSON, Shapefile (a ``.shp`` with its sidecars, or a ZIP holding them) and GeoPackage,
read with pyogrio. Rules (docs/map-layers.md):

* **CRS** comes from the file (``.prj``, the GeoPackage's srs, a GeoJSON is lon/lat). It must be
  one of ``gis.crs.ALLOWED_EPSG``; a missing or unknown CRS is refused unless the user states one
  from that list. A stated CRS that contradicts a recognised one in the file is refused too.
* Everything is transformed to EPSG:4326 with pyproj's best *available* operation
  (``gis.crs.transformer_to_wgs84``); Tokyo Datum (4301) goes through the EPSG Tokyo→WGS 84 datum
  shift, and a ballpark (no datum shift) transformation is refused.
* **Encoding** of Shapefile attributes: the ``.cpg`` when there is one, else CP932 (国土数値情報
  and most municipal data are Shift_JIS without a ``.cpg``).
* Only polygons: points and lines are refused with their row numbers. Invalid polygons are
  repaired (``gis.geometry.polygonal``: GEOS MakeValid, polygonal parts kept) and reported; a
  feature with nothing polygonal left is refused. Class values are mapped by ``layers.classes``;
  unknown ones are refused with their row numbers. Nothing is returned unless every feature is acceptable.
"""
from __future__ import annotations

import codecs
import tempfile
import warnings
import zipfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyogrio
import shapely
from pyproj import Transformer

from gis.crs import WGS84, CrsRefused, check_declared, source_epsg, transform, transformer_to_wgs84
from gis.geometry import polygonal
from layers.catalogue import CATALOGUE_BY_CODE, HazardLayer
from layers.classes import class_of, normalize_value

SUFFIXES = (".geojson", ".json", ".shp", ".gpkg", ".zip")
NAME_FIELDS = ("name", "名称", "区域名", "河川名", "A31_002")
MAX_ERRORS = 200  # rows listed in a refusal; the count is always complete


class LayerImportError(Exception):
    """A refused file: ``reason`` (Japanese) and ``errors`` as (row, column, reason) triples."""

    def __init__(self, reason: str, code: str, errors: list[tuple[int, str, str]] | None = None,
                 error_count: int | None = None):
        super().__init__(reason)
        self.reason, self.code = reason, code
        self.errors = (errors or [])[:MAX_ERRORS]
        self.error_count = len(errors or []) if error_count is None else error_count


@dataclass
class LayerRows:
    """A validated file: rows (class code, name, hex EWKB of a 4326 MultiPolygon) and what was done."""

    layer_code: str
    rows: list[tuple[str, str, str]]
    source_epsg: int
    encoding: str
    class_field: str
    transformation: str
    repaired: list[tuple[int, str]] = field(default_factory=list)  # (row, why it was invalid)

    @property
    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(code for code, _, _ in self.rows).items()))


def read_layer(path: Path, layer_code: str, *, class_field: str | None = None,
               declared_epsg: int | None = None) -> LayerRows:
    """Read ``path`` as layer ``layer_code`` of the catalogue; raise LayerImportError on any problem."""
    layer = CATALOGUE_BY_CODE.get(layer_code)
    if layer is None:
        raise LayerImportError(f"ハザードレイヤ「{layer_code}」はカタログにありません。", "layer_unknown")
    with _crs_refusal():
        check_declared(declared_epsg)
    with tempfile.TemporaryDirectory(prefix="bcl-layer-") as folder:
        source = _unpack(Path(path), Path(folder))
        encoding = shapefile_encoding(source)
        frame = _read_frame(source, encoding)
    with _crs_refusal():
        epsg = source_epsg(frame.crs, declared_epsg)
    field_name = _class_field(layer, list(frame.columns), class_field)
    with _crs_refusal():
        transformer = transformer_to_wgs84(epsg)
    rows, repaired, errors = _rows(frame, layer, field_name, transformer)
    if errors:
        raise LayerImportError(f"取り込めない地物が{len(errors)}件あります。ファイルを修正してください。",
                               "rows_refused", errors)
    if not rows:
        raise LayerImportError("ファイルに地物がありません。", "empty")
    return LayerRows(layer.code, rows, epsg, encoding or "", field_name, transformer.description, repaired)


@contextmanager
def _crs_refusal():
    """A CRS that gis.crs refuses, as a refused file (its reason and code unchanged)."""
    try:
        yield
    except CrsRefused as exc:
        raise LayerImportError(exc.reason, exc.code) from exc


def _unpack(path: Path, folder: Path) -> Path:
    """The dataset to open: the file itself, or the one dataset inside a ZIP."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise LayerImportError(f"「{path.name}」は読み込めない形式です（GeoJSON・Shapefile・GeoPackage・ZIP）。",
                               "format_unknown")
    if suffix != ".zip":
        return path
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/") and "__MACOSX" not in n]
            archive.extractall(folder, members=names)
    except (zipfile.BadZipFile, OSError) as exc:
        raise LayerImportError("ZIPファイルを開けません。壊れていないか確認してください。", "unreadable") from exc
    found = [folder / n for n in names if Path(n).suffix.lower() in (".shp", ".gpkg", ".geojson", ".json")]
    if len(found) != 1:
        what = "ありません" if not found else f"{len(found)}個あります（1つにしてください）"
        raise LayerImportError(f"ZIPの中に Shapefile・GeoPackage・GeoJSON が{what}。", "zip_contents")
    return found[0]


def shapefile_encoding(source: Path) -> str | None:
    """The attribute encoding of a Shapefile: its ``.cpg``, else CP932; None for other formats."""
    if source.suffix.lower() != ".shp":
        return None
    cpg = next((p for p in source.parent.glob(source.stem + ".*") if p.suffix.lower() == ".cpg"), None)
    if cpg is None:
        return "cp932"
    declared = cpg.read_bytes().decode("ascii", errors="replace").strip().lower()
    aliases = {"932": "cp932", "sjis": "cp932", "shift_jis": "cp932", "shift-jis": "cp932", "65001": "utf-8",
               "utf8": "utf-8", "utf-8": "utf-8", "ansi 932": "cp932"}
    name = aliases.get(declared, declared)
    try:
        return codecs.lookup(name).name
    except LookupError as exc:
        raise LayerImportError(f".cpg の文字コード「{declared}」は扱えません（UTF-8 または CP932）。",
                               "encoding_unknown") from exc


def _read_frame(source: Path, encoding: str | None):
    if source.suffix.lower() == ".shp":
        missing = [s for s in (".shx", ".dbf") if not any(source.parent.glob(source.stem + s))
                   and not any(source.parent.glob(source.stem + s.upper()))]
        if missing:
            raise LayerImportError(f"Shapefile の {'・'.join(missing)} がありません（ZIPにまとめてください）。",
                                   "sidecar_missing")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return pyogrio.read_dataframe(source, encoding=encoding) if encoding else pyogrio.read_dataframe(source)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, UnicodeDecodeError, OSError) as exc:
        raise LayerImportError(f"ファイルを読めません（{type(exc).__name__}）。形式と内容を確認してください。",
                               "unreadable") from exc


def _class_field(layer: HazardLayer, columns: list[str], chosen: str | None) -> str:
    if chosen:
        if chosen not in columns:
            raise LayerImportError(f"属性「{chosen}」はファイルにありません（属性: {'、'.join(columns[:-1])}）。",
                                   "class_field_missing")
        return chosen
    for name in layer.class_fields:
        if name in columns:
            return name
    raise LayerImportError(f"区分を表す属性が分かりません。区分の属性名を指定してください（属性: "
                           f"{'、'.join(c for c in columns if c != 'geometry')}）。", "class_field_unknown")


def _rows(frame, layer: HazardLayer, field_name: str, transformer: Transformer):
    name_field = next((n for n in NAME_FIELDS if n in frame.columns and n != field_name), None)
    rows, repaired, errors = [], [], []
    geometries = frame.geometry.values
    for index, (value, geometry) in enumerate(zip(frame[field_name], geometries, strict=True)):
        row = index + 1
        code = class_of(layer, value)
        if code is None:
            errors.append((row, field_name, f"区分「{normalize_value(value)}」は{layer.name}にありません"))
            continue
        polygon, problem, why = polygonal(geometry)
        if problem:
            errors.append((row, "geometry", problem))
            continue
        if why:
            repaired.append((row, why))
        polygon = transform(polygon, transformer)
        name = _text(frame[name_field].iloc[index]) if name_field else ""
        ewkb = shapely.to_wkb(shapely.set_srid(polygon, WGS84), hex=True, include_srid=True, output_dimension=2)
        rows.append((code, name[:100], ewkb))
    return rows, repaired, errors


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()

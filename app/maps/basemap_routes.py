"""Base maps on the web: the tiles of the imported packages, the システム管理 screen that imports them
and turns 地理院タイル on or off, and ``page_basemaps``, which every page with a map asks for its
base layers (docs/basemaps.md)."""
from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from markupsafe import escape

from app.auth import rules as auth_rules
from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.headers import allow_image_host
from app.inputs import form_version
from app.maps import basemaps, bp
from app.maps.models import Basemap
from app.web import current_actor, refuse, screen_required
from gis.basemap import FORMAT_NAMES
from gis.folium_map import BLANK_BASEMAP, BaseMap, gsi_basemaps

MIMETYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp",
             "pbf": "application/vnd.mapbox-vector-tile"}
# A package never changes under its id (a new import is a new id), so a tile may be kept a day.
TILE_CACHE = "private, max-age=86400, immutable"


@bp.get("/basemaps/<id:basemap_id>/<int:z>/<int:x>/<int:y>.<ext>")
@screen_required(auth_rules.LOGIN_ONLY)
def basemap_tile(basemap_id: int, z: int, x: int, y: int, ext: str):
    """A tile of a package the user's municipality may show: 204 where the package has none, 404 for
    a package it may not see or coordinates outside the grid."""
    if current_actor().lg_code is None:  # the operator's screens show no maps
        raise NotFound("その背景地図はありません。", code="basemap_not_found")
    etag = f'"basemap-{basemap_id}-{z}-{x}-{y}"'
    tile = basemaps.get_tile(db.session, basemap_id, z, x, y, ext)
    if etag in request.headers.get("If-None-Match", ""):
        return _tile_headers(Response(status=304), etag)
    if tile.data is None:
        return _tile_headers(Response(status=204), etag)
    data, encoding = tile.data, None
    if data[:2] == b"\x1f\x8b":  # a gzip'd vector tile: sent as it is stored to a client that takes gzip
        if "gzip" in request.accept_encodings:
            encoding = "gzip"
        else:
            data = gzip.decompress(data)
    response = Response(data, mimetype=MIMETYPES[tile.tile_format])
    if encoding:
        response.content_encoding = encoding
    response.vary.add("Accept-Encoding")
    return _tile_headers(response, etag)


def _tile_headers(response: Response, etag: str) -> Response:
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = TILE_CACHE
    return response


# What a page offers ----------------------------------------------------------------------------------------

def package_basemap(package: Basemap) -> BaseMap:
    """The page's description of an imported package (its attribution shown as text)."""
    url = url_for("maps.basemap_tile", basemap_id=package.id, z=0, x=0, y=0, ext=package.tile_format)
    template = url.replace("/0/0/0.", "/{z}/{x}/{y}.")
    shared = "（全団体共通）" if package.lg_code is None else ""
    return BaseMap(f"basemap:{package.id}", f"{package.name}{shared}", template, str(escape(package.attribution)),
                   max_native_zoom=package.max_zoom, min_native_zoom=package.min_zoom, kind=package.kind,
                   bounds=(package.west, package.south, package.east, package.north))


def page_basemaps(lg_code: str | None, *, personal: bool = False) -> list[BaseMap]:
    """The base maps a page offers, the default first: the server's packages (the municipality's own,
    then the installation's), 地理院タイル from the internet when the municipality turned them on —
    never on a page about one person (``personal``) — and the blank map, which needs nothing."""
    choices = [package_basemap(p) for p in basemaps.visible_basemaps(db.session)] if lg_code else []
    if not personal and basemaps.gsi_online(db.session, lg_code):
        config = current_app.config
        choices += [b for b in gsi_basemaps(config["BASEMAP_GSI_URL"], config["BASEMAP_ATTRIBUTION_URL"]) if b.outside]
        allow_image_host(config["BASEMAP_GSI_URL"])
    return [*choices, BLANK_BASEMAP]


def chosen_basemap(choices: list[BaseMap], requested: str | None) -> BaseMap:
    """The base map ``requested`` (a key, e.g. the print form's) when offered, else the default."""
    return next((b for b in choices if b.key == requested), choices[0])


def page_basemap_configs(lg_code: str | None, *, personal: bool = False) -> list[dict]:
    """``page_basemaps`` as the JSON the hand-built maps give to /static/js/basemap.js."""
    return [b.js_config() for b in page_basemaps(lg_code, personal=personal)]


# システム管理: 背景地図 -----------------------------------------------------------------------------------

def _admin_page(status: int = 200, error: str = "", conflict: Conflict | None = None):
    actor = current_actor()
    return render_template("maps/basemaps.html", packages=basemaps.visible_basemaps(db.session),
                           setting=basemaps.setting(db.session, actor.lg_code), format_names=FORMAT_NAMES,
                           max_mb=current_app.config["BASEMAP_UPLOAD_MAX_MB"], error=error,
                           conflict=conflict), status


@bp.get("/admin/basemaps")
@screen_required("admin")
def basemap_admin():
    return _admin_page()


@bp.post("/admin/basemaps")
@screen_required("admin")
def basemap_import():
    upload = request.files.get("package")
    if upload is None or not upload.filename:
        return _admin_page(422, "取り込むファイル（.mbtiles・.pmtiles）を選んでください。")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "package"
        upload.save(path)
        try:
            result = basemaps.import_package(
                db.session, current_actor(), path, lg_code=current_actor().lg_code,
                name=request.form.get("name", ""), attribution=request.form.get("attribution", ""),
                source_name=upload.filename, max_bytes=current_app.config["BASEMAP_UPLOAD_MAX_MB"] * 2**20)
        except ValidationError as exc:
            refuse(exc)
            return _admin_page(exc.status, exc.message)
    verb = "置き換えました" if result.replaced else "取り込みました"
    flash(f"背景地図「{result.basemap.name}」（{result.basemap.tile_count:,}タイル）を{verb}。", "success")
    return redirect(url_for("maps.basemap_admin"))


@bp.post("/admin/basemaps/<id:basemap_id>/delete")
@screen_required("admin")
def basemap_delete(basemap_id: int):
    try:
        removed = basemaps.delete_basemap(db.session, current_actor(), basemap_id)
    except ValidationError as exc:
        refuse(exc)
        return _admin_page(exc.status, exc.message)
    flash(f"背景地図「{removed.name}」を削除しました。", "success")
    return redirect(url_for("maps.basemap_admin"))


@bp.post("/admin/basemaps/setting")
@screen_required("admin")
def basemap_setting():
    version = form_version(request.form)
    try:
        saved = basemaps.save_gsi_online(db.session, current_actor(), request.form.get("gsi_online") == "y", version)
    except Conflict as exc:
        return _admin_page(409, conflict=refuse(exc))
    state = "選べるようにしました。" if saved.gsi_online else "使わない設定にしました。"
    flash(f"地理院タイル（インターネット）を{state}", "success")
    return redirect(url_for("maps.basemap_admin"))

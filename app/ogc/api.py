"""OGC API – Features (Part 1: core, GeoJSON, OpenAPI 3.0) at /ogc for GIS clients, with a
personal token. Views parse the request, call one service and serialise; the documents' links are
absolute, as the standard asks."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import wraps

from flask import current_app, g, redirect, request, url_for
from flask_login import current_user

from app.audit.services import Actor
from app.db import get_scope
from app.errors import PermissionDenied
from app.extensions import db
from app.ogc import api_bp, downloads, html, rules, services, tokens
from app.ogc.openapi import OPENAPI_TYPE as OPENAPI
from app.ogc.openapi import document
from app.tenants.services import get_municipality

JSON = "application/json"
GEOJSON = "application/geo+json"
CONFORMANCE = [f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{c}"
               for c in ("core", "geojson", "html", "oas30")]
_SIMPLE = frozenset({"f"})


def _staff_session() -> bool:
    """A municipal staff member logged in to the web screens (not the operator)."""
    return current_user.is_authenticated and current_user.lg_code is not None


def gis_token_required(view):
    """Authenticate the GIS client by its personal token; the request then acts for the token's
    user, in that user's municipality and with that user's screens (地図 needed).

    Without an Authorization header, a staff member's logged-in web session is accepted the same
    way (their own municipality and screens, audited as them): a browser cannot send the token. A
    browser asking for an HTML page without either is sent to the login screen.
    """
    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization")
        if not header and _staff_session():
            user = current_user
        elif not header and _wants_html():
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        else:
            user = tokens.authenticate(db.session, header).user
        g.api_actor = Actor(user.lg_code, user.id, user.login_id, request.remote_addr, request.path)
        g.gis_screens = user.screens
        if rules.BASE_SCREEN not in g.gis_screens:
            raise PermissionDenied("トークンの利用者に「地図」画面の権限がないため、GIS連携は使えません。",
                                   details={"screen": rules.BASE_SCREEN})
        return view(*args, **kwargs)

    wrapped.auth_scheme = "gis_token"
    return wrapped


@api_bp.after_request
def _challenge(response):
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="BCL OGC API"'
    return response


def _json(body: dict | str, mimetype: str = JSON, status: int = 200):
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return current_app.response_class(text, status=status, mimetype=mimetype)


def _wants_html() -> bool:
    """Whether to answer with the HTML page: f=html, or a browser's Accept preferring HTML to JSON."""
    best = request.accept_mimetypes.best_match([JSON, GEOJSON, "text/html"])
    try:
        return rules.output_format(request.args.get("f"), best == "text/html") == "html"
    except rules.InvalidParameter:
        return False


def _simple_request() -> bool:
    """Check the parameters of a resource that takes only f=; True when HTML is asked for."""
    rules.check_parameters(request.args.keys(), _SIMPLE)
    rules.check_format(request.args.get("f"))
    return _wants_html()


def _html(page: str):
    return current_app.response_class(page, mimetype="text/html")


def _link(href: str, rel: str, mimetype: str = JSON, title: str | None = None) -> dict:
    link = {"href": href, "rel": rel, "type": mimetype}
    return link | ({"title": title} if title else {})


@api_bp.get("/")
@gis_token_required
def landing():
    as_html = _simple_request()
    municipality = get_municipality(db.session, g.api_actor.lg_code)
    ext = {"_external": True}
    body = {
        "title": f"BCL 地図レイヤ（{municipality.full_name}）",
        "description": "OGC API – Features。個人用トークンの利用者が読めるレイヤだけを返します。",
        "links": [
            _link(url_for("ogc_api.landing", **ext), "self", title="このページ"),
            _link(url_for("ogc_api.api_definition", **ext), "service-desc", OPENAPI, "API 定義（OpenAPI 3.0）"),
            _link(url_for("ogc_api.conformance", **ext), "conformance", title="適合クラス"),
            _link(url_for("ogc_api.conformance", **ext), "http://www.opengis.net/def/rel/ogc/1.0/conformance"),
            _link(url_for("ogc_api.collections", **ext), "data", title="コレクション一覧"),
            _link(url_for("ogc_api.collections", **ext), "http://www.opengis.net/def/rel/ogc/1.0/data"),
        ]}
    return _html(html.landing(body, url_for("ogc_api.landing", **ext))) if as_html else _json(body)


@api_bp.get("/conformance")
@gis_token_required
def conformance():
    body = {"conformsTo": CONFORMANCE}
    if _simple_request():
        return _html(html.conformance(body, url_for("ogc_api.conformance", _external=True),
                                      url_for("ogc_api.landing", _external=True)))
    return _json(body)


@api_bp.get("/api")
@gis_token_required
def api_definition():
    _simple_request()
    return _json(document(url_for("ogc_api.landing", _external=True).rstrip("/")), OPENAPI)


def _collection_json(collection, extent) -> dict:
    ext = {"_external": True}
    cid = collection.id
    body = {
        "id": cid, "title": collection.title, "description": collection.description, "itemType": "feature",
        "crs": [rules.CRS84],
        "links": [
            _link(url_for("ogc_api.collection", collection_id=cid, **ext), "self"),
            _link(url_for("ogc_api.items", collection_id=cid, **ext), "items", GEOJSON, "地物（GeoJSON）"),
            _link(url_for("ogc_api.download_gpkg", collection_id=cid, **ext), "enclosure", downloads.GPKG_TYPE,
                  "レイヤ全体（GeoPackage）"),
            _link(url_for("ogc_api.download_geojson", collection_id=cid, **ext), "enclosure", GEOJSON,
                  "レイヤ全体（GeoJSON）"),
        ],
    }
    if extent:
        body["extent"] = {"spatial": {"bbox": [list(extent)], "crs": rules.CRS84}}
    return body


@api_bp.get("/collections")
@gis_token_required
def collections():
    as_html = _simple_request()
    found = services.list_collections(db.session, g.gis_screens)
    here = url_for("ogc_api.collections", _external=True)
    body = {"links": [_link(here, "self")], "collections": [_collection_json(c, e) for c, e in found]}
    if as_html:
        return _html(html.collections(body, here, url_for("ogc_api.landing", _external=True)))
    return _json(body)


@api_bp.get("/collections/<collection_id>")
@gis_token_required
def collection(collection_id: str):
    as_html = _simple_request()
    found = services.get_collection(db.session, collection_id, g.gis_screens)
    body = _collection_json(found, services.extent(db.session, found))
    if as_html:
        return _html(html.collection(body, body["links"][0]["href"], url_for("ogc_api.collections", _external=True)))
    return _json(body)


@api_bp.get("/collections/<collection_id>/items")
@gis_token_required
def items(collection_id: str):
    args = request.args
    rules.check_parameters(args.keys(), rules.ITEMS_PARAMETERS)
    rules.check_format(args.get("f"))
    bbox = rules.parse_bbox(args.get("bbox"), args.get("bbox-crs"))
    limit, offset = rules.parse_limit(args.get("limit")), rules.parse_offset(args.get("offset"))
    found = services.get_collection(db.session, collection_id, g.gis_screens)
    page = services.items(db.session, g.api_actor, found, bbox=bbox, limit=limit, offset=offset)
    document = _feature_collection(page, collection_id)
    if _wants_html():
        return _html(html.items(
            found, document, request.url, url_for("ogc_api.collection", collection_id=collection_id, _external=True),
            lambda fid: url_for("ogc_api.item", collection_id=collection_id, feature_id=fid, _external=True)))
    return _json(document, GEOJSON)


def _feature_collection(page: services.Page, collection_id: str) -> str:
    """The page as GeoJSON text: the features as PostGIS wrote them, then the counts and links."""
    here = url_for("ogc_api.items", collection_id=collection_id, _external=True)
    args = request.args.to_dict() | {"limit": str(page.limit)}
    links = [_link(f"{here}?{rules.query_string(args, offset=page.offset or None)}", "self", GEOJSON),
             _link(url_for("ogc_api.collection", collection_id=collection_id, _external=True), "collection")]
    if page.next_offset is not None:
        links.append(_link(f"{here}?{rules.query_string(args, offset=page.next_offset)}", "next", GEOJSON,
                           "次のページ"))
    previous = rules.previous_offset(page.offset, page.limit)
    if previous is not None:
        links.append(_link(f"{here}?{rules.query_string(args, offset=previous or None)}", "prev", GEOJSON,
                           "前のページ"))
    tail = {"numberMatched": page.matched, "numberReturned": len(page.features),
            "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"), "links": links}
    return ('{"type":"FeatureCollection","features":[' + ",".join(page.features) + "],"
            + json.dumps(tail, ensure_ascii=False)[1:])


@api_bp.get("/collections/<collection_id>/items/<id:feature_id>")
@gis_token_required
def item(collection_id: str, feature_id: int):
    as_html = _simple_request()
    found = services.get_collection(db.session, collection_id, g.gis_screens)
    feature = json.loads(services.feature(db.session, g.api_actor, found, feature_id))
    feature["links"] = [
        _link(url_for("ogc_api.item", collection_id=collection_id, feature_id=feature_id, _external=True), "self",
              GEOJSON),
        _link(url_for("ogc_api.collection", collection_id=collection_id, _external=True), "collection")]
    if as_html:
        return _html(html.item(found, feature, feature["links"][0]["href"], feature["links"][1]["href"],
                               url_for("ogc_api.items", collection_id=collection_id, _external=True)))
    return _json(feature, GEOJSON)


@api_bp.get("/collections/<collection_id>/download.gpkg")
@gis_token_required
def download_gpkg(collection_id: str):
    found = services.get_collection(db.session, collection_id, g.gis_screens)
    return geopackage_response(found, downloads.write_geopackage(db.session, g.api_actor, found, "ogc"))


@api_bp.get("/collections/<collection_id>/download.geojson")
@gis_token_required
def download_geojson(collection_id: str):
    found = services.get_collection(db.session, collection_id, g.gis_screens)
    downloads.audit_geojson(db.session, g.api_actor, found, "ogc")
    return geojson_response(found)


def geopackage_response(collection, path):
    """Stream the written GeoPackage and remove it once sent (or once the client goes away)."""
    from app.downloads import attachment

    def stream():
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 16):
                    yield chunk
        finally:
            downloads.remove(path)

    response = attachment(stream(), f"{collection.id}.gpkg", downloads.GPKG_TYPE)
    response.content_length = path.stat().st_size
    return response


def geojson_response(collection):
    """Stream the layer as GeoJSON, read through a session of its own in the request's tenant."""
    from app.downloads import attachment

    export_session = db.new_session(get_scope(db.session))

    def stream():
        try:
            yield from downloads.geojson_chunks(export_session, collection)
        finally:
            export_session.close()

    return attachment(stream(), f"{collection.id}.geojson", GEOJSON)

"""The OpenAPI 3.0 document of the OGC API – Features (served at /ogc/api)."""
from __future__ import annotations

from app.ogc import rules

_PROBLEM = {"$ref": "#/components/schemas/Problem"}
_JSON = "application/json"
_GEOJSON = "application/geo+json"


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/problem+json": {"schema": _PROBLEM}}}


_ERRORS = {"401": _error("トークンがない・形式誤り・失効・期限切れ（detail と details.reason に理由）"),
           "403": _error("トークンの利用者に「地図」画面の権限がない")}
_NOT_FOUND = _error("ないか権限がない")
_COLLECTION_ID = {"name": "collectionId", "in": "path", "required": True, "schema": {"type": "string"}}
_F = {"name": "f", "in": "query", "required": False, "schema": {"type": "string", "enum": ["json", "html"]}}


def _get(summary: str, responses: dict, parameters: list | None = None) -> dict:
    return {"get": {"summary": summary, "parameters": parameters or [], "responses": {**responses, **_ERRORS}}}


def _ok(description: str, media: str = _JSON) -> dict:
    return {"200": {"description": description, "content": {media: {"schema": {"type": "object"}}}}}


def _page(description: str, media: str = _JSON) -> dict:
    """A resource served as JSON and, with f=html or to a browser, as an HTML page."""
    ok = _ok(description, media)
    ok["200"]["content"]["text/html"] = {"schema": {"type": "string"}}
    return ok


def document(server_url: str) -> dict:
    """The API definition; ``server_url`` is the absolute URL of /ogc."""
    items_parameters = [
        _COLLECTION_ID, _F,
        {"name": "limit", "in": "query", "required": False, "style": "form", "explode": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": rules.MAX_LIMIT, "default": rules.DEFAULT_LIMIT}},
        {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0,
                                                                        "default": 0}},
        {"name": "bbox", "in": "query", "required": False, "style": "form", "explode": False,
         "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}},
        {"name": "bbox-crs", "in": "query", "required": False,
         "schema": {"type": "string", "enum": [rules.CRS84]}},
    ]
    return {
        "openapi": "3.0.3",
        "info": {"title": "BCL OGC API – Features", "version": "1.0.0",
                 "description": "団体の地図レイヤ（避難所・ハザード区域・町丁目・被災地域・建物・避難行動要支援者）を"
                                "GeoJSON で読む API。個人用トークンで認証し、"
                                "その利用者の画面権限で読めるレイヤだけが見えます。"},
        "servers": [{"url": server_url}],
        "security": [{"gisToken": []}, {"basicToken": []}],
        "paths": {
            "/": _get("ランディングページ", _page("リンク一覧"), [_F]),
            "/conformance": _get("適合クラス", _page("conformsTo"), [_F]),
            "/api": _get("この API 定義", _ok("OpenAPI 3.0", "application/vnd.oai.openapi+json;version=3.0")),
            "/collections": _get("コレクション一覧", _page("collections"), [_F]),
            "/collections/{collectionId}": _get("コレクション", {**_page("collection"), "404": _NOT_FOUND},
                                                [_COLLECTION_ID, _F]),
            "/collections/{collectionId}/items": _get(
                "地物（ページ単位、id 順、next リンクで続き）",
                {**_page("FeatureCollection", _GEOJSON), "400": _error("パラメータの誤り"), "404": _NOT_FOUND},
                items_parameters),
            "/collections/{collectionId}/items/{featureId}": _get(
                "地物1件", {**_page("Feature", _GEOJSON), "404": _error("ない")},
                [_COLLECTION_ID, {"name": "featureId", "in": "path", "required": True, "schema": {"type": "integer"}},
                 _F]),
            "/collections/{collectionId}/download.gpkg": _get(
                "レイヤ全体の GeoPackage（EPSG:4326）", _ok("GeoPackage", "application/geopackage+sqlite3"),
                [_COLLECTION_ID]),
            "/collections/{collectionId}/download.geojson": _get(
                "レイヤ全体の GeoJSON", _ok("FeatureCollection", _GEOJSON), [_COLLECTION_ID]),
        },
        "components": {
            "securitySchemes": {
                "gisToken": {"type": "http", "scheme": "bearer",
                             "description": "Authorization: Bearer bclgis.<団体コード>.<…>（個人用トークン）"},
                "basicToken": {"type": "http", "scheme": "basic",
                               "description": "Basic 認証だけのクライアント向け: ユーザ名は任意、パスワードにトークン"},
            },
            "schemas": {"Problem": {"type": "object", "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"}, "code": {"type": "string"}, "details": {"type": "object"}}}},
        },
    }

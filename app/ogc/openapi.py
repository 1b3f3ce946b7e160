"""The OpenAPI 3.0 document of the OGC API – Features (served at /ogc/api).

It states every answer the server gives: the 400/401/403/404 problem documents, and the Japanese
HTML pages that replace them (and the resources) when HTML is asked for. The parameters are
components referenced with ``$ref``, the form of the standard's own building blocks (clients such as
GDAL look the ``limit`` maximum and default up there). A ``limit`` above the maximum is lowered to it,
as /req/core/fc-limit-response-1 allows once the definition states the maximum, and as pygeoapi does
by default; GDAL asks for 1,000 features a page whatever the maximum, so a 400 would break it."""
from __future__ import annotations

from app.ogc import rules
from app.openapi_common import PROBLEM_SCHEMA, problem_response
from app.query_params import BIGINT_MAX

_JSON = "application/json"
_GEOJSON = "application/geo+json"
_HTML = "text/html"
OPENAPI_TYPE = "application/vnd.oai.openapi+json;version=3.0"
_HTML_NOTE = ("f=html（又は Accept で text/html を JSON より優先するブラウザ）には、同じ内容の日本語 HTML ページ"
              "を返す。")


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _problem(description: str) -> dict:
    """An error answered as a problem document, or as a Japanese HTML page when HTML was asked for."""
    response = problem_response(description + " " + _HTML_NOTE)
    response["content"][_HTML] = {"schema": {"type": "string"}}
    return response


_RESPONSES = {
    "BadRequest": _problem("パラメータの誤り（invalid_parameter。details.parameter 又は details.parameters に名前）。"
                           "定義にないパラメータ、f=json・f=html 以外の f も 400。"),
    "Unauthorized": _problem("トークンがない・形式誤り・失効・期限切れ・利用者が無効（code は unauthorized、"
                             "details.reason に missing / malformed / unknown / revoked / expired / user_inactive）。"
                             "WWW-Authenticate: Bearer を付ける。"),
    "Forbidden": _problem("トークンの利用者に「地図」画面の権限がない（forbidden）。"),
    "NotFound": _problem("コレクション又は地物がないか、閲覧する権限がない"
                         "（collection_not_found, feature_not_found）。"),
    "LoginRedirect": {"description": "HTML を求められ、トークンもログイン中のセッションもない: "
                                     "ログイン画面へ（戻り先付き）。",
                      "headers": {"Location": {"schema": {"type": "string"}}}},
}


def _parameters() -> dict:
    return {
        "collectionId": {"name": "collectionId", "in": "path", "required": True, "schema": {"type": "string"}},
        "featureId": {"name": "featureId", "in": "path", "required": True,
                      "schema": {"type": "integer", "minimum": 1}},
        "f": {"name": "f", "in": "query", "required": False,
              "description": "出力形式。json（地物は GeoJSON）又は html。省略時は Accept による。",
              "schema": {"type": "string", "enum": ["json", "html"]}},
        "limit": {"name": "limit", "in": "query", "required": False, "style": "form", "explode": False,
                  "description": f"1ページの地物数（既定 {rules.DEFAULT_LIMIT}、最大 {rules.MAX_LIMIT}）。"
                                 f"{rules.MAX_LIMIT} を超える値は {rules.MAX_LIMIT} に下げて返す"
                                 "（/req/core/fc-limit-response-1）。1 未満・整数でない値は 400。",
                  "schema": {"type": "integer", "minimum": 1, "maximum": rules.MAX_LIMIT,
                             "default": rules.DEFAULT_LIMIT}},
        "offset": {"name": "offset", "in": "query", "required": False,
                   "description": "先頭から飛ばす地物数（id 順）。next・prev リンクが使う。",
                   "schema": {"type": "integer", "format": "int64", "minimum": 0, "maximum": BIGINT_MAX, "default": 0}},
        "bbox": {"name": "bbox", "in": "query", "required": False, "style": "form", "explode": False,
                 "description": "CRS84 の 最小経度,最小緯度,最大経度,最大緯度（又は高さを含む6つ）。"
                                "日付変更線をまたぐ範囲は 400。",
                 "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}},
        "bbox-crs": {"name": "bbox-crs", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": [rules.CRS84]}},
    }


def _get(summary: str, ok: dict, parameters: list[str], errors: list[str]) -> dict:
    """A GET operation; ``errors`` names the problem responses besides 401/403 that it can give."""
    responses = {**ok, **{code: _ref("responses", name) for code, name in (
        ("400", "BadRequest"), ("404", "NotFound")) if code in errors},
        "401": _ref("responses", "Unauthorized"), "403": _ref("responses", "Forbidden"),
        "302": _ref("responses", "LoginRedirect")}
    return {"get": {"summary": summary, "parameters": [_ref("parameters", p) for p in parameters],
                    "responses": responses}}


def _ok(description: str, media: str = _JSON, html: bool = True) -> dict:
    content = {media: {"schema": {"type": "object"}}}
    if html:
        content[_HTML] = {"schema": {"type": "string"}}
    return {"200": {"description": description, "content": content}}


def document(server_url: str) -> dict:
    """The API definition; ``server_url`` is the absolute URL of /ogc."""
    collection = ["collectionId"]
    return {
        "openapi": "3.0.3",
        "info": {"title": "BCL OGC API – Features", "version": "1.0.0",
                 "description": "団体の地図レイヤ（避難所・ハザード区域・町丁目・被災地域・建物・避難行動要支援者）を"
                                "GeoJSON で読む API。個人用トークンで認証し、"
                                "その利用者の画面権限で読めるレイヤだけが見えます。" + _HTML_NOTE},
        "servers": [{"url": server_url}],
        "security": [{"gisToken": []}, {"basicToken": []}],
        "paths": {
            "/": _get("ランディングページ", _ok("リンク一覧"), ["f"], ["400"]),
            "/conformance": _get("適合クラス", _ok("conformsTo"), ["f"], ["400"]),
            "/api": _get("この API 定義", _ok("OpenAPI 3.0", OPENAPI_TYPE, html=False), ["f"], ["400"]),
            "/collections": _get("コレクション一覧", _ok("collections"), ["f"], ["400"]),
            "/collections/{collectionId}": _get("コレクション", _ok("collection"), [*collection, "f"], ["400", "404"]),
            "/collections/{collectionId}/items": _get(
                "地物（ページ単位、id 順、next リンクで続き）", _ok("FeatureCollection", _GEOJSON),
                [*collection, "f", "limit", "offset", "bbox", "bbox-crs"], ["400", "404"]),
            "/collections/{collectionId}/items/{featureId}": _get(
                "地物1件", _ok("Feature", _GEOJSON), [*collection, "featureId", "f"], ["400", "404"]),
            "/collections/{collectionId}/download.gpkg": _get(
                "レイヤ全体の GeoPackage（EPSG:4326）", _ok("GeoPackage", "application/geopackage+sqlite3", html=False),
                collection, ["404"]),
            "/collections/{collectionId}/download.geojson": _get(
                "レイヤ全体の GeoJSON", _ok("FeatureCollection", _GEOJSON, html=False), collection, ["404"]),
        },
        "components": {
            "securitySchemes": {
                "gisToken": {"type": "http", "scheme": "bearer",
                             "description": "Authorization: Bearer bclgis.<団体コード>.<…>（個人用トークン）"},
                "basicToken": {"type": "http", "scheme": "basic",
                               "description": "Basic 認証だけのクライアント向け: ユーザ名は任意、パスワードにトークン"},
            },
            "parameters": _parameters(),
            "responses": _RESPONSES,
            "schemas": {"Problem": PROBLEM_SCHEMA},
        },
    }

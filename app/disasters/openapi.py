"""The OpenAPI 3.1 document of the online applications API (served at /api/applications/v1/openapi.json)."""
from __future__ import annotations

from app.disasters.rules import APPLICATION_CHANNELS, APPLICATION_STATUSES, CERTIFICATE_KINDS
from app.disasters.schemas import NEW_APPLICATION
from app.openapi_common import PROBLEM_SCHEMA
from app.query_params import INTEGER_MAX

_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_UNAUTHORIZED = {"description": "トークンがない・無効・オンライン申請用でない (unauthorized)", "content": _PROBLEM}
_APPLICATION = {"application/json": {"schema": {"$ref": "#/components/schemas/Application"}}}
_ID = {"type": "integer", "format": "int32", "minimum": 1, "maximum": INTEGER_MAX}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "BCL オンライン申請 API（罹災証明書・被災証明書）", "version": "1.0.0",
             "description": "docs/victim-support.md「Online applications API」。団体のオンライン申請システムが、"
                            "住民の申請を送り、その進み具合（申請 → 調査 → 判定 → 交付）を確かめる。"},
    "servers": [{"url": "/api/applications/v1"}],
    "security": [{"applicationsToken": []}],
    "paths": {
        "/disasters": {"get": {
            "summary": "申請を受け付けている（対応中の）災害",
            "responses": {
                "200": {"description": "災害の一覧", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["disasters"], "properties": {"disasters": {
                        "type": "array", "items": {"$ref": "#/components/schemas/Disaster"}}}}}}},
                "401": _UNAUTHORIZED}}},
        "/certificate-applications": {"post": {
            "summary": "申請を送る",
            "requestBody": {"required": True, "description": f"JSON、{NEW_APPLICATION.max_bytes} バイトまで",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/NewApplication"}}}},
            "responses": {
                "201": {"description": "受け付けた", "content": _APPLICATION,
                        "headers": {"Location": {"description": "この申請の URL", "schema": {"type": "string"}}}},
                "400": {"description": "文字列に使えない文字（NUL など）がある (unstorable_character)、"
                                       "入れ子が深すぎる (body_too_deep)、その他の形の誤り (body_invalid)",
                        "content": _PROBLEM},
                "413": {"description": f"本文が {NEW_APPLICATION.max_bytes} バイトを超える (body_too_large)",
                        "content": _PROBLEM},
                "422": {"description": "受け付けられない（code: not_json, not_an_object, disaster_unknown, "
                                       "not_a_string, too_long, invalid_character, missing, kind_unknown, "
                                       "choice_unknown, building_unknown, dwelling_required, property_missing。"
                                       "本文の誤りは details.field と details.reason も）",
                        "content": _PROBLEM},
                "401": _UNAUTHORIZED}}},
        "/certificate-applications/{application_id}": {"get": {
            "summary": "申請の状態（交付されれば証明番号）",
            "parameters": [{"name": "application_id", "in": "path", "required": True, "schema": _ID}],
            "responses": {
                "200": {"description": "申請", "content": _APPLICATION},
                "404": {"description": "ない（他団体の申請を含む）(not_found)", "content": _PROBLEM},
                "401": _UNAUTHORIZED}}},
    },
    "components": {
        "securitySchemes": {"applicationsToken": {
            "type": "http", "scheme": "bearer",
            "description": "住民情報連携 → 連携トークンで種類「オンライン申請の受付」として発行したトークン"
                           "（bcl.<団体コード>.<秘密>）"}},
        "schemas": {
            "Disaster": {"type": "object", "required": ["id", "name", "kind", "started_on"], "properties": {
                "id": _ID, "name": {"type": "string"}, "kind": {"type": "string"},
                "started_on": {"type": "string", "format": "date"}}},
            "NewApplication": NEW_APPLICATION.schema,
            "Application": {"type": "object", "required": ["id", "kind", "status", "disaster_id", "channel", "url"],
                            "properties": {
                                "id": _ID, "kind": {"enum": list(CERTIFICATE_KINDS)},
                                "status": {"enum": list(APPLICATION_STATUSES)},
                                "disaster_id": _ID, "channel": {"enum": list(APPLICATION_CHANNELS)},
                                "certificate_no": {"type": ["string", "null"], "description": "交付後の証明番号"},
                                "issued_at": {"type": ["string", "null"], "format": "date-time"},
                                "url": {"type": "string"}}},
            "Problem": PROBLEM_SCHEMA,
        },
    },
}

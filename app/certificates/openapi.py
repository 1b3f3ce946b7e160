"""The OpenAPI 3.1 document of the public verification API (served at /api/verify/v1/openapi.json)."""
from __future__ import annotations

from certificate_engine.verification import GROUP, LENGTH

OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "BCL 証明書の真正性確認 API", "version": "1.0.0",
             "description": "docs/certificates.md。交付した証明書に印字した確認コード（QR コードの中身）から、"
                            "BCL が交付した本物か、証明書の種類・交付日・有効か無効（再交付・取消）かだけを返す。"
                            "個人の情報は返さない。認証は不要。"},
    "servers": [{"url": "/api/verify/v1"}],
    "security": [],
    "paths": {
        "/{code}": {"get": {
            "summary": "確認コードを調べる",
            "parameters": [{
                "name": "code", "in": "path", "required": True,
                "description": f"確認コード（{LENGTH} 文字を {GROUP} 文字ずつハイフンで区切った形。大小文字・"
                               "空白・ハイフンの有無・読み違えやすい文字は読み替える）。"
                               "コードの形でない文字列は genuine: false。",
                "schema": {"type": "string", "minLength": 1}}],
            "responses": {"200": {
                "description": "結果（本物でなければ genuine: false だけ）",
                "headers": {"Cache-Control": {"description": "no-store", "schema": {"type": "string"}}},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Verification"}}}}}}},
    },
    "components": {"schemas": {"Verification": {
        "type": "object", "required": ["genuine"], "properties": {
            "genuine": {"type": "boolean"}, "document_type": {"type": "string", "description": "証明書の種類"},
            "issued_on": {"type": "string", "format": "date"},
            "issued_on_wareki": {"type": "string", "description": "交付日（和暦）"},
            "status": {"enum": ["有効", "無効"]}},
        "if": {"properties": {"genuine": {"const": True}}},
        "then": {"required": ["document_type", "issued_on", "issued_on_wareki", "status"]},
        "else": {"maxProperties": 1}}}},
}

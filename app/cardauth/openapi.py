"""The OpenAPI 3.1 document of the card authentication API (served at /api/cardauth/v1/openapi.json)."""
from __future__ import annotations

from app.cardauth.rules import MESSAGES

_PROBLEM = {"$ref": "#/components/schemas/Problem"}
_REFUSALS = sorted(set(MESSAGES) - {"other_municipality", "not_configured", "revocation_unknown"})

OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "BCL カード認証 API（公的個人認証・利用者証明）", "version": "1.0.0",
             "description": "docs/card-auth.md。端末はチャレンジを受け取り、カード（暗証番号はカードが確認）が"
                            "そのチャレンジに署名し、端末は証明書と署名を送る。サーバは証明書の連鎖・有効期間・失効（CRL）・"
                            "署名・チャレンジの未使用と期限を確かめ、カードの持ち主（住民）を返す。"},
    "servers": [{"url": "/api/cardauth/v1"}],
    "security": [{"cardReaderToken": []}],
    "paths": {
        "/challenges": {"post": {
            "summary": "チャレンジ（32バイトの乱数、5分間・1回限り）を発行する",
            "responses": {
                "201": {"description": "発行した",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Challenge"}}}},
                "401": {"description": "端末のトークンがない・無効 (unauthorized)",
                        "content": {"application/problem+json": {"schema": _PROBLEM}}}}}},
        "/verify": {"post": {
            "summary": "カードの応答（証明書と、チャレンジへの署名）を検証し、持ち主を返す",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/CardAnswer"}}}},
            "responses": {
                "200": {"description": "本人を確認した",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Holder"}}}},
                "401": {"description": "拒否。code は " + ", ".join(_REFUSALS) + "、"
                                       "他団体の住民のカードは other_municipality、端末のトークンの誤りは unauthorized",
                        "content": {"application/problem+json": {"schema": _PROBLEM}}},
                "503": {"description": "失効情報を確認できない (revocation_unknown)・"
                                       "信頼する認証局が未設定 (not_configured)",
                        "content": {"application/problem+json": {"schema": _PROBLEM}}}}}},
    },
    "components": {
        "securitySchemes": {"cardReaderToken": {
            "type": "http", "scheme": "bearer",
            "description": "団体が発行する種類「カードリーダー端末」のトークン（bcl.<団体コード>.<秘密>）"}},
        "schemas": {
            "Challenge": {"type": "object", "required": ["challenge_id", "challenge", "expires_at"], "properties": {
                "challenge_id": {"type": "string", "format": "uuid"},
                "challenge": {"type": "string", "description": "署名する32バイト（base64url、パディングなし）"},
                "expires_at": {"type": "string", "format": "date-time"},
                "purpose": {"type": "string"}}},
            "CardAnswer": {"type": "object", "required": ["challenge_id", "certificate", "signature"], "properties": {
                "challenge_id": {"type": "string", "format": "uuid"},
                "certificate": {"type": "string", "description": "利用者証明用電子証明書（PEM、又は DER の base64）"},
                "signature": {"type": "string", "description": "チャレンジのバイト列そのものへの署名（base64url）。"
                                                              "RSA PKCS#1 v1.5 / ECDSA、SHA-256"}}},
            "Holder": {"type": "object", "properties": {
                "lg_code": {"type": "string"}, "atena_no": {"type": "string"}, "household_no": {"type": "string"},
                "certificate_serial": {"type": "string", "description": "16進"}}},
            "Problem": {"type": "object", "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string", "description": "画面に出す日本語の理由"},
                "code": {"type": "string", "description": "理由のコード"}}},
        },
    },
}

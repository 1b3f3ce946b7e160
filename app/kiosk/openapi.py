"""The OpenAPI 3.1 document of the kiosk API (served at /api/kiosk/v1/openapi.json)."""
from __future__ import annotations

from app.cardauth.rules import MESSAGES as CARD_MESSAGES
from app.certificates.rules import MESSAGES as ISSUE_MESSAGES
from app.kiosk.services import MESSAGES as KIOSK_MESSAGES

_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_STORE_HEADERS = [
    {"name": "X-Kiosk-Store-Id", "in": "header", "required": True, "schema": {"type": "string", "maxLength": 40},
     "description": "店舗ID（事業者が付ける英数字）"},
    {"name": "X-Kiosk-Store-Lg-Code", "in": "header", "required": True,
     "schema": {"type": "string", "pattern": "^[0-9]{6}$"}, "description": "店舗の所在地の全国地方公共団体コード"},
]


def _json(ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


def _op(summary: str, ok: str, ok_schema: dict, refusals: str, body: str | None = None, status: str = "200") -> dict:
    operation = {"summary": summary, "parameters": _STORE_HEADERS,
                 "responses": {status: {"description": ok, "content": ok_schema},
                               "4XX": {"description": refusals, "content": _PROBLEM},
                               "503": {"description": "利用時間外・年末年始・保守日 (closed_*)", "content": _PROBLEM}}}
    if body:
        operation["requestBody"] = {"required": True, "content": _json(body)}
    return operation


_UUID = {"type": "string", "format": "uuid"}
OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "BCL コンビニ交付 API", "version": "1.0.0",
             "description": "docs/kiosk-api.md。店舗の端末が事業者トークンで呼び出し、"
                            "マイナンバーカードで本人を確認し、手数料を示し、店舗が支払いを確認した後に署名付きPDFを1回だけ発行する。"},
    "servers": [{"url": "/api/kiosk/v1"}],
    "security": [{"storeOperatorToken": []}],
    "paths": {
        "/sessions": {"post": _op("利用を開始する（利用時間の確認とカード用チャレンジの発行）", "開始した",
                                  _json("Session"), "unauthorized, store_invalid", status="201")},
        "/sessions/{session_id}/verify": {"post": _op(
            "カードの応答（証明書・署名）を検証し、本人と利用の可否を返す", "本人を確認した", _json("Verified"),
            "カード認証の拒否 (challenge_replayed, certificate_expired, certificate_revoked, untrusted_issuer, "
            "bad_signature …), session_unknown, session_expired", body="CardAnswer")},
        "/sessions/{session_id}/menu": {"get": _op(
            "住所地の団体が取り扱う証明書と手数料（発行できないものは理由付き）", "一覧", _json("Menu"),
            "session_not_verified, session_unknown")},
        "/sessions/{session_id}/requests": {"post": _op(
            "証明書を請求し、手数料を示す（まだ発行しない）", "請求を受け付けた", _json("Request"),
            "document_unknown, under_age, protected, moved_out, no_tax_record …", body="NewRequest", status="201")},
        "/requests/{request_id}/payment": {"post": _op(
            "店舗が手数料の支払いを確認する", "支払いを記録した", _json("Request"),
            "payment_mismatch, payment_done, request_expired, request_unknown", body="Payment")},
        "/requests/{request_id}/pdf": {"get": _op(
            "署名付きPDF（初回に発行し、以後は同じ文書を返す）", "PDF",
            {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "payment_not_confirmed (402), request_unknown")},
    },
    "components": {
        "securitySchemes": {"storeOperatorToken": {"type": "http", "scheme": "bearer",
                                                   "description": "事業者トークン kiosk.<事業者コード>.<秘密>"}},
        "schemas": {
            "Session": {"type": "object", "properties": {
                "session_id": _UUID, "challenge_id": _UUID, "challenge": {"type": "string"},
                "expires_at": {"type": "string", "format": "date-time"}, "purpose": {"const": "kiosk"}}},
            "CardAnswer": {"type": "object", "required": ["challenge_id", "certificate", "signature"], "properties": {
                "challenge_id": _UUID, "certificate": {"type": "string", "description": "PEM or base64 DER"},
                "signature": {"type": "string", "description": "base64url, over exactly the challenge bytes"}}},
            "Verified": {"type": "object", "properties": {
                "session_id": _UUID, "lg_code": {"type": "string"}, "municipality": {"type": "string"},
                "eligible": {"type": "boolean"}, "refusal": {"$ref": "#/components/schemas/Refusal"}}},
            "Refusal": {"type": ["object", "null"], "properties": {"code": {"type": "string"},
                                                                    "message": {"type": "string"}}},
            "Menu": {"type": "object", "properties": {"session_id": _UUID, "documents": {"type": "array", "items": {
                "type": "object", "properties": {
                    "document_type": {"type": "string"}, "fee_yen": {"type": "integer"},
                    "available": {"type": "boolean"}, "refusal": {"$ref": "#/components/schemas/Refusal"}}}}}},
            "NewRequest": {"type": "object", "required": ["document_type"], "properties": {
                "document_type": {"type": "string", "examples": ["住民票の写し", "印鑑登録証明書", "所得証明書"]},
                "options": {"type": "object", "properties": {
                    "head_and_relationship": {"type": "boolean"}, "honseki": {"type": "boolean"},
                    "my_number": {"type": "boolean"},
                    "fiscal_year": {"type": "integer"}, "submitted_to": {"type": "string"},
                    "purpose": {"type": "string"}}, "additionalProperties": False}}},
            "Request": {"type": "object", "properties": {
                "request_id": _UUID, "document_type": {"type": "string"}, "options": {"type": "object"},
                "fee_yen": {"type": "integer"}, "status": {"enum": ["quoted", "paid", "issued"]},
                "expires_at": {"type": "string", "format": "date-time"}}},
            "Payment": {"type": "object", "required": ["amount_yen"],
                        "properties": {"amount_yen": {"type": "integer"}}},
            "Problem": {"type": "object", "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"}, "code": {"type": "string", "enum": sorted(
                    {"unauthorized", "store_invalid", *CARD_MESSAGES, *ISSUE_MESSAGES, *KIOSK_MESSAGES})}}},
        },
    },
}

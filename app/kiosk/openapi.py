"""The OpenAPI 3.1 document of the kiosk API (served at /api/kiosk/v1/openapi.json).

It is built from what the server enforces: the store headers' patterns (``stores``), the body
schemas and size limits the views validate with (``schemas``, ``bodies``), and for every operation
each status it answers with the problem ``code`` values it can carry."""
from __future__ import annotations

from app.bodies import CARD_ANSWER, EMPTY, BodySpec
from app.cardauth.openapi import problem_response
from app.cardauth.rules import MESSAGES as CARD_MESSAGES
from app.cardauth.rules import NOT_THE_CARDS_FAILURE
from app.certificates.issuance import PERSON_CODES
from app.kiosk import schemas, stores
from app.kiosk.models import REQUEST_STATUSES
from app.openapi_common import PROBLEM_SCHEMA

STORE = {401: ["unauthorized"], 413: ["body_too_large"], 422: ["store_invalid"]}
BODY = {400: ["body_invalid", "body_too_deep"]}
CLOSED = {503: ["closed_hours", "closed_year_end", "closed_maintenance"]}
SESSION = {404: ["session_unknown"], 409: ["store_mismatch"], 410: ["session_expired"]}
REQUEST = {404: ["request_unknown"], 409: ["store_mismatch"]}
PERSON = {403: ["no_contract", *sorted(PERSON_CODES)]}
DOCUMENT = {422: ["document_unknown", "not_offered", "weekday_only", "no_tax_record", "tax_year_not_current",
                  "no_seal", "no_final_grade"]}
# The card's refusals (docs/card-auth.md), but other_municipality: a kiosk serves every municipality.
CARD = {401: sorted(set(CARD_MESSAGES) - NOT_THE_CARDS_FAILURE - {"other_municipality"}),
        429: ["too_many_attempts"], 503: ["revocation_unknown", "not_configured"]}
STATUS_TEXT = {400: "本文の誤り", 401: "認証の失敗", 402: "支払い未確認", 403: "利用できない人・団体",
               404: "見つからない", 409: "状態が合わない", 410: "有効時間切れ", 413: "本文が大きすぎる",
               422: "受け付けられない内容", 429: "回数の制限", 500: "発行中の障害（請求は refund_due）",
               503: "利用時間外・確認できない"}


def _codes(*groups: dict[int, list[str]]) -> dict[int, list[str]]:
    merged: dict[int, set[str]] = {}
    for group in groups:
        for status, codes in group.items():
            merged.setdefault(status, set()).update(codes)
    return {status: sorted(codes) for status, codes in sorted(merged.items())}


def _json(ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


_UUID = {"type": "string", "format": "uuid"}
_STORE_HEADERS = [
    {"name": "X-Kiosk-Store-Id", "in": "header", "required": True,
     "schema": {"type": "string", "pattern": f"^{stores.STORE_ID_PATTERN.pattern}$"},
     "description": "店舗ID（事業者が付ける英数字・-・_、40文字まで）。利用の開始時と同じものを送る"},
    {"name": "X-Kiosk-Store-Lg-Code", "in": "header", "required": True,
     "schema": {"type": "string", "pattern": f"^{stores.STORE_LG_CODE_PATTERN.pattern}$"},
     "description": "店舗の所在地の全国地方公共団体コード（半角数字6桁。6桁目は検査数字で、誤りは store_invalid）。"
                    "利用の開始時に手続きに結び付き、以後の呼出しで異なれば store_mismatch"},
]


def _operation(summary: str, ok: tuple[str, str, dict], codes: dict[int, list[str]], *,
               path_parameter: str | None = None, body: tuple[str, BodySpec] | None = None) -> dict:
    status, description, content = ok
    parameters = list(_STORE_HEADERS)
    if path_parameter:
        parameters.insert(0, {"name": path_parameter, "in": "path", "required": True, "schema": _UUID})
    operation = {"summary": summary, "parameters": parameters,
                 "responses": {status: {"description": description, "content": content},
                               **{str(code): problem_response(code, STATUS_TEXT[code], listed)
                                  for code, listed in codes.items()}}}
    if body:
        name, spec = body
        operation["requestBody"] = {"required": spec.required, "content": _json(name),
                                    "description": f"JSON、{spec.max_bytes} バイトまで"}
    return operation


_PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
PATHS = {
    "/sessions": {"post": _operation(
        "利用を開始する（利用時間の確認、事業者ごとの回数制限、カード用チャレンジの発行）",
        ("201", "開始した。3分以内にカードで本人確認をする", _json("Session")),
        _codes(STORE, BODY, CLOSED, {429: ["too_many_sessions"]}), body=("Empty", EMPTY))},
    "/sessions/{session_id}/verify": {"post": _operation(
        "カードの応答（証明書・署名）を検証し、本人と利用の可否を返す",
        ("200", "本人を確認した（以後10分間有効）", _json("Verified")),
        _codes(STORE, BODY, CLOSED, SESSION, CARD, {409: ["session_verified"]}),
        path_parameter="session_id", body=("CardAnswer", CARD_ANSWER))},
    "/sessions/{session_id}/menu": {"get": _operation(
        "住所地の団体が取り扱う証明書と手数料（発行できないものは理由付き）", ("200", "一覧", _json("Menu")),
        _codes(STORE, CLOSED, SESSION, {403: ["no_contract"], 409: ["session_not_verified"]}),
        path_parameter="session_id")},
    "/sessions/{session_id}/requests": {"post": _operation(
        "証明書を請求し、手数料を示す（まだ発行しない）", ("201", "請求を受け付けた", _json("Request")),
        _codes(STORE, BODY, CLOSED, SESSION, PERSON, DOCUMENT, {400: ["option_unknown", "option_invalid"],
                                                                409: ["session_not_verified"]}),
        path_parameter="session_id", body=("NewRequest", schemas.NEW_REQUEST))},
    "/requests/{request_id}": {"get": _operation(
        "請求の状態（支払い後に発行できなかったものは返金の理由付き）", ("200", "請求", _json("Request")),
        _codes(STORE, REQUEST), path_parameter="request_id")},
    "/requests/{request_id}/payment": {"post": _operation(
        "店舗が手数料の支払いを確認する（利用時間外でも記録する）", ("200", "支払いを記録した", _json("Request")),
        _codes(STORE, BODY, REQUEST, {409: ["payment_done"], 410: ["request_expired"], 422: ["payment_mismatch"]}),
        path_parameter="request_id", body=("Payment", schemas.PAYMENT))},
    "/requests/{request_id}/refund": {"post": _operation(
        "店舗が手数料を返金したことを確認する（refund_due の請求、又は発行を求めない支払済みの請求）",
        ("200", "返金を記録した", _json("Request")),
        _codes(STORE, BODY, REQUEST, {409: ["refund_not_due"], 422: ["refund_mismatch"]}),
        path_parameter="request_id", body=("Refund", schemas.REFUND))},
    "/requests/{request_id}/issue": {"post": _operation(
        "支払い済みの請求の証明書を発行し、署名付きPDFを返す。再送しても二重に発行せず同じ文書を返す（200）。"
        "支払い後に発行できなければ請求は refund_due",
        ("201", "発行した。PDF（ヘッダ X-Certificate-Serial は URL エンコード、X-Verification-Code）", _PDF),
        _codes(STORE, BODY, CLOSED, REQUEST, PERSON, DOCUMENT,
               {402: ["payment_not_confirmed"], 409: ["refund_due"], 410: ["request_expired"],
                422: ["layout_missing", "unsupported_characters"], 500: ["issue_failed"]}),
        path_parameter="request_id", body=("Empty", EMPTY))},
    "/requests/{request_id}/pdf": {"get": _operation(
        "発行済みの証明書のPDFをもう一度受け取る（用紙詰まりなど）。読むだけで、発行はしない",
        ("200", "PDF（ヘッダ X-Certificate-Serial は URL エンコード、X-Verification-Code）", _PDF),
        _codes(STORE, REQUEST, {402: ["payment_not_confirmed"], 409: ["not_issued", "refund_due"]}),
        path_parameter="request_id")},
}
_CERTIFICATE_HEADERS = {
    "X-Certificate-Serial": {"schema": {"type": "string"}, "description": "証明番号（URL エンコード）"},
    "X-Verification-Code": {"schema": {"type": "string"}, "description": "検証コード"}}
PATHS["/requests/{request_id}/issue"]["post"]["responses"]["201"]["headers"] = _CERTIFICATE_HEADERS
PATHS["/requests/{request_id}/issue"]["post"]["responses"]["200"] = {
    "description": "発行済み（再送）。同じPDF", "content": _PDF, "headers": _CERTIFICATE_HEADERS}
PATHS["/requests/{request_id}/pdf"]["get"]["responses"]["200"]["headers"] = _CERTIFICATE_HEADERS

_DATE_TIME = {"type": "string", "format": "date-time"}
_REFUSAL = {"type": ["object", "null"], "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}
COMPONENT_SCHEMAS = {
    "Empty": EMPTY.schema,
    "CardAnswer": CARD_ANSWER.schema,
    "NewRequest": schemas.NEW_REQUEST.schema,
    "Payment": schemas.PAYMENT.schema,
    "Refund": schemas.REFUND.schema,
    "Session": {"type": "object", "required": ["session_id", "challenge_id", "challenge", "expires_at", "purpose"],
                "properties": {"session_id": _UUID, "challenge_id": _UUID, "challenge": {"type": "string"},
                               "expires_at": _DATE_TIME, "purpose": {"const": "kiosk"}}},
    "Verified": {"type": "object", "required": ["session_id", "lg_code", "municipality", "eligible", "refusal"],
                 "properties": {"session_id": {"type": "string"}, "lg_code": {"type": "string"},
                                "municipality": {"type": "string"}, "eligible": {"type": "boolean"},
                                "refusal": _REFUSAL}},
    "Menu": {"type": "object", "required": ["session_id", "documents"], "properties": {
        "session_id": {"type": "string"}, "documents": {"type": "array", "items": {
            "type": "object", "required": ["document_type", "fee_yen", "available", "refusal"], "properties": {
                "document_type": {"type": "string"}, "fee_yen": {"type": "integer"},
                "available": {"type": "boolean"}, "refusal": _REFUSAL}}}}},
    "Request": {"type": "object", "required": ["request_id", "document_type", "options", "fee_yen", "status",
                                               "expires_at", "paid_at", "refund"], "properties": {
        "request_id": _UUID, "document_type": {"type": "string"}, "options": {"type": "object"},
        "fee_yen": {"type": "integer"}, "status": {"enum": list(REQUEST_STATUSES)}, "expires_at": _DATE_TIME,
        "paid_at": {"type": ["string", "null"], "format": "date-time"},
        "refund": {"type": ["object", "null"], "required": ["reason", "message", "amount_yen", "due_at",
                                                            "refunded_at"],
                   "description": "支払い後に発行できなかった請求の返金（reason は拒否の code、又は store_cancelled）",
                   "properties": {"reason": {"type": "string"}, "message": {"type": "string"},
                                  "amount_yen": {"type": "integer"}, "due_at": _DATE_TIME,
                                  "refunded_at": {"type": ["string", "null"], "format": "date-time"}}}}},
    "Problem": PROBLEM_SCHEMA,
}
OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "BCL コンビニ交付 API", "version": "1.1.0",
             "description": "docs/kiosk-api.md。店舗の端末が事業者トークンで呼び出し、"
                            "マイナンバーカードで本人を確認し、手数料を示し、店舗が支払いを確認した後に署名付きPDFを1回だけ発行する。"
                            "支払い後に発行できなかった請求は refund_due になり、店舗が返金を確認する。"},
    "servers": [{"url": "/api/kiosk/v1"}],
    "security": [{"storeOperatorToken": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"storeOperatorToken": {"type": "http", "scheme": "bearer",
                                                   "description": "事業者トークン kiosk.<事業者コード>.<秘密>"}},
        "schemas": COMPONENT_SCHEMAS,
    },
}

"""The OpenAPI 3.1 document of the card authentication API (served at /api/cardauth/v1/openapi.json):
the body schemas and limits the views validate with (``bodies``) and, for each status, the problem
``code`` values the server answers with."""
from __future__ import annotations

from app import openapi_common
from app.bodies import CARD_ANSWER, EMPTY
from app.cardauth.rules import MESSAGES

_SERVER_SIDE = {"not_configured", "revocation_unknown", "too_many_attempts"}
VERIFY_CODES = {400: ["body_invalid", "body_too_deep"],
                401: sorted({"unauthorized", *MESSAGES} - _SERVER_SIDE), 413: ["body_too_large"],
                429: ["too_many_attempts"], 503: ["not_configured", "revocation_unknown"]}
CHALLENGE_CODES = {400: ["body_invalid", "body_too_deep"], 401: ["unauthorized"], 413: ["body_too_large"]}
_TEXT = {400: "本文の誤り", 401: "端末のトークン、又はカードの応答の拒否", 413: "本文が大きすぎる",
         429: "このカードでの認証の失敗が続いている", 503: "失効情報を確認できない・信頼する認証局が未設定"}


def problem_response(status: int, what: str, codes: list[str]) -> dict:
    """An error response: a problem document whose ``code`` is one of ``codes``; a 429 also says
    when to come back (Retry-After)."""
    response = openapi_common.problem_response(f"{what}: " + ", ".join(codes), codes)
    if status == 429:
        response["headers"] = {"Retry-After": {"description": "次に受け付ける時までの秒数",
                                               "schema": {"type": "integer", "minimum": 1}}}
    return response


def _json(ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "BCL カード認証 API（公的個人認証・利用者証明）", "version": "1.1.0",
             "description": "docs/card-auth.md。端末はチャレンジを受け取り、カード（暗証番号はカードが確認）が"
                            "そのチャレンジに署名し、端末は証明書と署名を送る。サーバは証明書の連鎖・有効期間・失効（CRL）・"
                            "署名・チャレンジの未使用と期限を確かめ、カードの持ち主（住民）を返す。"},
    "servers": [{"url": "/api/cardauth/v1"}],
    "security": [{"cardReaderToken": []}],
    "paths": {
        "/challenges": {"post": {
            "summary": "チャレンジ（32バイトの乱数、5分間・1回限り）を発行する",
            "requestBody": {"required": False, "content": _json("Empty"),
                            "description": f"なし、又は空のオブジェクト（{EMPTY.max_bytes} バイトまで）"},
            "responses": {
                "201": {"description": "発行した", "content": _json("Challenge")},
                **{str(status): problem_response(status, _TEXT[status], codes)
                   for status, codes in CHALLENGE_CODES.items()}}}},
        "/verify": {"post": {
            "summary": "カードの応答（証明書と、チャレンジへの署名）を検証し、持ち主を返す",
            "requestBody": {"required": True, "content": _json("CardAnswer"),
                            "description": f"JSON、{CARD_ANSWER.max_bytes} バイトまで"},
            "responses": {
                "200": {"description": "本人を確認した", "content": _json("Holder")},
                **{str(status): problem_response(status, _TEXT[status], codes)
                   for status, codes in VERIFY_CODES.items()}}}},
    },
    "components": {
        "securitySchemes": {"cardReaderToken": {
            "type": "http", "scheme": "bearer",
            "description": "団体が発行する種類「カードリーダー端末」のトークン（bcl.<団体コード>.<秘密>）"}},
        "schemas": {
            "Empty": EMPTY.schema,
            "CardAnswer": CARD_ANSWER.schema,
            "Challenge": {"type": "object", "required": ["challenge_id", "challenge", "expires_at", "purpose"],
                          "properties": {
                              "challenge_id": {"type": "string", "format": "uuid"},
                              "challenge": {"type": "string",
                                            "description": "署名する32バイト（base64url、パディングなし）"},
                              "expires_at": {"type": "string", "format": "date-time"},
                              "purpose": {"type": "string"}}},
            "Holder": {"type": "object", "required": ["lg_code", "atena_no", "household_no", "certificate_serial"],
                       "properties": {
                           "lg_code": {"type": "string"}, "atena_no": {"type": "string"},
                           "household_no": {"type": "string"},
                           "certificate_serial": {"type": "string", "description": "16進"}}},
            "Problem": openapi_common.PROBLEM_SCHEMA,
        },
    },
}

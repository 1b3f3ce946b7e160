"""What the OpenAPI documents of every API share: the problem document refusals are answered with.

Every refusal of an API is an RFC 9457 problem document (``application/problem+json``) written by
``app.web._render_problem`` (the card-reader and kiosk APIs' own handler,
``app.cardauth.adapter.problem``, writes the same members). Each document publishes this one
schema as its component ``Problem``, so that a client, and the fuzz tests' response checks, hold
every answer to what the server really writes. It uses only keywords that OpenAPI 3.0 (the OGC
document) and 3.1 read alike.
"""
from __future__ import annotations

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "additionalProperties": False,
    "properties": {
        "type": {"type": "string", "description": "about:blank（理由は code で区別する）"},
        "title": {"type": "string", "description": "日本語の見出し"},
        "status": {"type": "integer", "description": "HTTP のステータスコード"},
        "detail": {"type": "string", "description": "画面に出せる日本語の理由"},
        "code": {"type": "string", "description": "理由のコード（クライアントはこれで判断する）"},
        "details": {"type": "object",
                    "description": "理由ごとの補足: field と reason（本文の誤り）、parameter 又は parameters"
                                   "（パラメータの誤り）、option（記載事項）、limit（バイト数）、retry_after（秒）、"
                                   "request_status（refund_due）、problems（行・列・理由）など"},
        "current": {"type": "object", "description": "更新の競合（conflict）: ほかの人が保存した値"},
    },
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def problem_response(description: str, codes: list[str] | None = None) -> dict:
    """An OpenAPI response whose body is a problem document (the component ``Problem``); with
    ``codes``, its ``code`` is one of them."""
    schema = {"allOf": [PROBLEM_REF], "properties": {"code": {"enum": codes}}} if codes else PROBLEM_REF
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}}}

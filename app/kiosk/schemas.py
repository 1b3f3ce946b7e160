"""The kiosk API's request bodies: JSON Schemas (published as they are in the OpenAPI document) with
each endpoint's size limit, and the options each document type declares at kiosks.

The options are the kiosk's own subset of what the issuance service knows (``issuance.OPTION_KEYS``:
the counter's 世帯全員 ``household`` is not one of them), with the limits printing imposes: 提出先 60
and 使用目的 40 characters; the 年度 is a four-digit year and a disaster id a positive 32-bit integer."""
from __future__ import annotations

from app.bodies import ONE_LINE, REASONS, BodyRefused, BodySpec, text
from app.certificates import rules
from app.query_params import INTEGER_MAX, INTEGER_MIN

FLAG = {"type": "boolean"}
FISCAL_YEAR = {"type": "integer", "minimum": 1, "maximum": 9999,
               "description": "年度（西暦）。コンビニ交付では最新の年度のみ（省略時は最新の年度）"}
DISASTER_ID = {"type": "integer", "minimum": 1, "maximum": INTEGER_MAX,
               "description": "災害のID（省略時は世帯に罹災証明書が交付された最新の災害）"}
RESIDENT_OPTIONS = {"head_and_relationship": {**FLAG, "description": "世帯主・続柄"},
                    "honseki": {**FLAG, "description": "本籍・筆頭者"},
                    "my_number": {**FLAG, "description": "個人番号"}}
OPTIONS = {
    rules.RESIDENT_COPY: RESIDENT_OPTIONS,
    rules.RESIDENT_ITEMS: {**RESIDENT_OPTIONS, "submitted_to": text(60, description="提出先")},
    rules.SEAL: {},
    rules.INCOME: {"fiscal_year": FISCAL_YEAR},
    rules.ASSESSMENT: {"fiscal_year": FISCAL_YEAR},
    rules.INCOME_TAX: {"fiscal_year": FISCAL_YEAR},
    rules.PAYMENT: {"fiscal_year": FISCAL_YEAR, "purpose": text(40, description="使用目的")},
    rules.DISASTER: {"disaster_id": DISASTER_ID},
}
# A document type the kiosk does not know is refused by the service (document_unknown); its options
# are only held to what any option may be.
ANY_OPTION = {"type": ["boolean", "integer", "string"], "minimum": INTEGER_MIN, "maximum": INTEGER_MAX,
              "maxLength": 60, "pattern": ONE_LINE}


def options_schema(document_type: str) -> dict:
    """The options object one document type accepts at kiosks (nothing undeclared)."""
    return {"type": "object", "additionalProperties": False, "properties": OPTIONS[document_type]}


NEW_REQUEST = BodySpec({
    "type": "object", "required": ["document_type"], "additionalProperties": False,
    "properties": {
        "document_type": text(20, 1, description="証明書の種類", examples=list(OPTIONS)),
        "options": {"type": "object", "maxProperties": 8, "propertyNames": text(40, 1),
                    "additionalProperties": ANY_OPTION,
                    "description": "記載事項（オプション）。証明書の種類ごとに決まったものだけ"},
    },
    "allOf": [{"if": {"properties": {"document_type": {"const": document_type}}, "required": ["document_type"]},
               "then": {"properties": {"options": options_schema(document_type)}}} for document_type in OPTIONS],
}, max_bytes=4096)
AMOUNT = {"type": "object", "required": ["amount_yen"], "additionalProperties": False,
          "properties": {"amount_yen": {"type": "integer", "minimum": 0, "maximum": 100_000}}}
PAYMENT = BodySpec({**AMOUNT, "description": "店舗が受け取った手数料（円）"})
REFUND = BodySpec({**AMOUNT, "description": "店舗が利用者に返した手数料（円）"})


def option_refusal(refused: BodyRefused) -> BodyRefused:
    """A refused field under ``/options/<name>`` named as the option: ``option_unknown`` for one the
    document type does not declare, ``option_invalid`` for a wrong value (400, the option named)."""
    pointer = refused.details.get("field", "")
    if not pointer.startswith("/options/"):
        return refused
    name, reason = pointer.split("/")[2], refused.details.get("reason", "")
    if reason == "unknown":
        code, message = "option_unknown", f"記載事項（オプション）「{name}」はこの証明書では選べません。"
    else:
        why = REASONS.get(reason, "値が正しくありません")
        code, message = "option_invalid", f"記載事項（オプション）「{name}」の値が正しくありません（{why}）。"
    named = BodyRefused(code, message, option=name, reason=reason)
    named.body = refused.body
    return named

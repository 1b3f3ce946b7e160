"""The online applications API's request body: the JSON Schema its OpenAPI document publishes (and
``app.bodies.read_body`` checks with), its size limit, and the documented codes its refusals keep
(docs/victim-support.md "Online applications API")."""
from __future__ import annotations

from app.bodies import BodyRefused, BodySpec, text
from app.disasters.applications import DISASTER_UNKNOWN, FLOOD_LEVELS
from app.disasters.rules import CERTIFICATE_KINDS
from app.errors import DomainError, ValidationError
from app.query_params import INTEGER_MAX

# The free-text fields an online application may carry, with the lengths their columns hold
# (building_address is compared with buildings.address).
TEXT_FIELDS = {
    "applicant_name": (100, "世帯主の氏名"),
    "applicant_address": (200, "世帯主の住所"),
    "applicant_phone": (20, "電話番号"),
    "cause": (200, "罹災原因"),
    "building_address": (200, "被災した住家の所在地（建物の所在地と同じ表記。罹災証明書は必須）"),
    "damaged_property": (200, "被災証明書: 被害を受けた建物（住家以外）又は家財等"),
}
NEW_APPLICATION = BodySpec({
    "type": "object", "required": ["disaster_id", "kind", "applicant_name", "applicant_address", "cause"],
    "properties": {
        "disaster_id": {"type": "integer", "format": "int32", "minimum": 1, "maximum": INTEGER_MAX,
                        "description": "GET /disasters の id"},
        "kind": {"type": "string", "enum": list(CERTIFICATE_KINDS)},
        **{name: text(limit, description=description) for name, (limit, description) in TEXT_FIELDS.items()},
        "flood_level": {"type": "string", "enum": list(FLOOD_LEVELS), "description": "浸水区分（任意）"},
    }}, max_bytes=8 * 1024)

MESSAGES = {
    "not_json": "本文は JSON で送ってください。",
    "not_an_object": "本文は JSON のオブジェクトで送ってください。",
    "disaster_unknown": DISASTER_UNKNOWN,
}
# A member's refusal by the reason the schema gives (the member itself decides first).
MEMBER_CODES = {"disaster_id": "disaster_unknown", "kind": "kind_unknown", "flood_level": "choice_unknown"}
REASON_CODES = {"missing": "missing", "type": "not_a_string", "maxLength": "too_long", "pattern": "invalid_character"}


def refusal_code(field: str, reason: str) -> str | None:
    """The documented code of a body refused at ``field`` (a JSON pointer) for ``reason``, or None
    when the shape error has no code of its own (it stays ``body_invalid``)."""
    member = field.lstrip("/")
    if reason in ("json", "encoding") or (not member and reason == "missing"):
        return "not_json"
    if not member:
        return "not_an_object"
    if reason == "type" and member in ("kind", "flood_level"):
        return "not_a_string"
    return MEMBER_CODES.get(member) or REASON_CODES.get(reason)


def documented(refused: BodyRefused) -> DomainError:
    """A refused body as the API documents it: 422 with its code (``details`` naming the field and
    the reason); the size and depth limits keep theirs (413 ``body_too_large``, 400 ``body_too_deep``)."""
    code = refusal_code(refused.details.get("field", ""), refused.details.get("reason", ""))
    if refused.code != "body_invalid" or code is None:
        return refused
    return ValidationError(MESSAGES.get(code, refused.message), code=code, details=refused.details)

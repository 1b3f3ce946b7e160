"""The terminal APIs' body checks at their boundaries: nesting depth, JSON that is not JSON, numbers,
control characters and surrogates, each schema limit of the kiosk bodies, the options named."""

import pytest

from app.bodies import CARD_ANSWER, EMPTY, MAX_DEPTH, BodyRefused, nesting_depth, parse_json, shown
from app.certificates import issuance, rules
from app.kiosk import schemas


def _refusal(spec, value) -> BodyRefused:
    with pytest.raises(BodyRefused) as caught:
        spec.check(value)
    return caught.value


def test_nesting_depth_skips_strings_and_stops_past_the_limit():
    assert nesting_depth('{"a": "[[[{{{", "b": [1, {"c": "\\"]]"}]}') == 3
    assert nesting_depth("[" * MAX_DEPTH + "]" * MAX_DEPTH) == MAX_DEPTH
    assert nesting_depth("[" * 100_000) == MAX_DEPTH + 1
    assert parse_json(("[" * MAX_DEPTH + "]" * MAX_DEPTH).encode()) == [[[[]]]]
    with pytest.raises(BodyRefused) as caught:
        parse_json(("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)).encode())
    assert (caught.value.code, caught.value.status) == ("body_too_deep", 400)


@pytest.mark.parametrize("raw", [b"{", b"NaN", b'{"a": Infinity}', b"1e400", b"\xff{}", b"[1,]",
                                 b"1" * 5000])
def test_what_is_not_json_is_refused(raw):
    with pytest.raises(BodyRefused) as caught:
        parse_json(raw)
    assert caught.value.code == "body_invalid" and caught.value.status == 400


def test_integral_numbers_are_integers():
    assert parse_json(b'{"fiscal_year": 2026.0, "x": 1.5, "big": 1e3}') == {"fiscal_year": 2026, "x": 1.5,
                                                                            "big": 1000}


def test_an_absent_body_is_empty_where_optional_and_refused_where_required():
    assert EMPTY.parse(b"") == {} and EMPTY.parse(b" {} ") == {}
    assert _refusal(EMPTY, {"x": 1}).details == {"field": "/x", "reason": "unknown"}
    with pytest.raises(BodyRefused) as caught:
        CARD_ANSWER.parse(b"  ")
    assert caught.value.details["reason"] == "missing"


@pytest.mark.parametrize(("value", "valid"), [
    ("-----BEGIN CERTIFICATE-----\r\nMIIB\tAA==\n-----END CERTIFICATE-----\n", True),
    ("MIIB\u0000", False), ("MIIB\u007f", False), ("MIIB\u001b", False), ("A" * 8192, True), ("A" * 8193, False),
    ("", False)])
def test_card_answer_strings_allow_line_breaks_and_nothing_else_below_space(value, valid):
    body = {"challenge_id": "x", "certificate": value, "signature": "c2ln"}
    if valid:
        assert CARD_ANSWER.check(body) == body
    else:
        assert _refusal(CARD_ANSWER, body).details["field"] == "/certificate"


def test_an_unpaired_surrogate_is_refused_and_shown_safely():
    refused = _refusal(CARD_ANSWER, {"challenge_id": "\ud800", "certificate": "x", "signature": "y"})
    assert refused.details["reason"] == "encoding"
    assert shown("a\ud800b\u0000c") == "a\ufffdb\ufffdc" and shown("x" * 50, 5) == "xxxxx"


@pytest.mark.parametrize(("options", "field"), [
    ({"fiscal_year": 1}, None), ({"fiscal_year": 9999}, None), ({"fiscal_year": 10000}, "fiscal_year"),
    ({"fiscal_year": 0}, "fiscal_year"), ({"fiscal_year": True}, "fiscal_year"),
    ({"fiscal_year": "2026"}, "fiscal_year"), ({"fiscal_year": 2026, "purpose": "あ" * 40}, None),
    ({"purpose": "あ" * 41}, "purpose"), ({"purpose": "融資\n"}, "purpose"), ({"household": True}, "household")])
def test_tax_payment_options_at_their_limits(options, field):
    body = {"document_type": rules.PAYMENT, "options": options}
    if field is None:
        assert schemas.NEW_REQUEST.check(body) == body
    else:
        named = schemas.option_refusal(_refusal(schemas.NEW_REQUEST, body))
        assert named.details["option"] == field and named.code in ("option_unknown", "option_invalid")
        assert named.code == ("option_unknown" if field == "household" else "option_invalid")


@pytest.mark.parametrize(("document_type", "valid"), [("あ" * 20, True), ("あ" * 21, False), ("", False),
                                                      ("住民票\u0000", False)])
def test_document_type_limits(document_type, valid):
    body = {"document_type": document_type}
    if valid:
        assert schemas.NEW_REQUEST.check(body) == body
    else:
        refused = schemas.option_refusal(_refusal(schemas.NEW_REQUEST, body))
        assert (refused.code, refused.details["field"]) == ("body_invalid", "/document_type")


@pytest.mark.parametrize(("disaster_id", "valid"), [(1, True), (2**31 - 1, True), (2**31, False), (0, False)])
def test_disaster_id_is_a_positive_32_bit_integer(disaster_id, valid):
    body = {"document_type": rules.DISASTER, "options": {"disaster_id": disaster_id}}
    assert schemas.NEW_REQUEST.accepts(body) is valid


def test_an_unknown_document_type_keeps_any_option_small_and_scalar():
    check = schemas.NEW_REQUEST.accepts
    assert check({"document_type": "戸籍謄本", "options": {"x": True, "y": 2**31 - 1, "z": "あ" * 60}})
    assert not check({"document_type": "戸籍謄本", "options": {"x": {"nested": 1}}})
    assert not check({"document_type": "戸籍謄本", "options": {"x": 2**31}})
    assert not check({"document_type": "戸籍謄本", "options": {f"o{n}": 1 for n in range(9)}})


def test_the_kiosk_options_are_the_kiosk_documents_and_known_to_the_issuance_service():
    assert set(schemas.OPTIONS) == set(rules.KIOSK_DOCUMENTS)
    for document_type, options in schemas.OPTIONS.items():
        assert set(options) <= issuance.OPTION_KEYS[document_type], document_type
    assert "household" not in schemas.OPTIONS[rules.RESIDENT_COPY]


@pytest.mark.parametrize(("amount", "valid"), [(0, True), (100_000, True), (100_001, False), (-1, False),
                                               (200.5, False), (None, False)])
def test_amounts_are_whole_yen_within_range(amount, valid):
    assert schemas.PAYMENT.accepts({"amount_yen": amount}) is valid

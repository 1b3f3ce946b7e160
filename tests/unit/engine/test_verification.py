"""Verification codes: HMAC-derived, typable, normalised from what people type."""
import re

from certificate_engine.verification import make_code, normalise


def test_certengine_code_is_short_grouped_and_secret_bound():
    code = make_code(b"secret-1", "046990", "罹2026-000001")
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", code)
    assert code == make_code(b"secret-1", "046990", "罹2026-000001")
    assert code != make_code(b"secret-2", "046990", "罹2026-000001")
    assert code != make_code(b"secret-1", "046990", "罹2026-000002")
    assert code != make_code(b"secret-1", "033995", "罹2026-000001")
    many = {make_code(b"s", "046990", f"{n:06d}") for n in range(5000)}
    assert len(many) == 5000


def test_certengine_typed_codes_are_normalised():
    code = make_code(b"secret-1", "046990", "2026-000123")
    assert normalise(code.lower().replace("-", " ")) == code
    assert normalise("0000-1111-2222".replace("0", "O").replace("1", "l")) == "0000-1111-2222"
    assert normalise("ABCD-EFGH-JKM") is None and normalise("ABCD-EFGH-JKMU") is None and normalise("") is None

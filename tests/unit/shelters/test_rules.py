"""How the shelter desk reads typed kana and birth dates."""
from datetime import date

import pytest

from app.shelters import rules


@pytest.mark.parametrize(("typed", "normalized"), [
    ("やまもと しょうた", "ヤマモトショウタ"), ("ﾔﾏﾓﾄ", "ヤマモト"), ("ヤマモト　ショウタ", "ヤマモトショウタ"),
    ("ゆうこ", "ユウコ"), ("ｺｰﾋｰ", "コーヒー"), ("サトー", "サトー"), ("", ""),
])
def test_normalize_kana(typed, normalized):
    assert rules.normalize_kana(typed) == normalized


@pytest.mark.parametrize(("typed", "day"), [
    ("1997-05-01", date(1997, 5, 1)), ("1997/5/1", date(1997, 5, 1)), ("19970501", date(1997, 5, 1)),
    ("H9.5.1", date(1997, 5, 1)), ("h9.5.1", date(1997, 5, 1)), ("平成9年5月1日", date(1997, 5, 1)),
    ("令和元年5月1日", date(2019, 5, 1)), ("R1.5.1", date(2019, 5, 1)), ("Ｈ９．５．１", date(1997, 5, 1)),
    ("S64.1.7", date(1989, 1, 7)), ("S64.1.8", None), ("H31.5.1", None), ("R1.4.30", None),
    ("2023-02-29", None), ("1997-13-01", None), ("ヤマモト", None), ("", None),
])
def test_parse_birth_date(typed, day):
    assert rules.parse_birth_date(typed) == day


def test_card_codes_are_read_from_qr_text_and_typing():
    code = rules.new_card_code()
    assert len(code) == 8 and set(code) <= set(rules.CARD_ALPHABET)
    assert rules.read_card_code(f"{rules.CARD_QR_PREFIX}{code}") == code
    assert rules.read_card_code(rules.format_card_code(code).lower()) == code
    assert rules.read_card_code("ＡＣＤＥ　ＦＧＨＪ") == "ACDEFGHJ"  # full-width, as some IMEs type it
    assert rules.read_card_code("ACDE-FGH0") is None  # 0 is never used
    assert rules.read_card_code("ACDEFGH") is None and rules.read_card_code("") is None


def test_toilets_follow_fifty_then_twenty_people_per_toilet():
    assert rules.guidance(0, 0, None, 0).toilets_needed == 0
    first = rules.guidance(51, 1, None, 6)
    assert (first.toilets_needed, first.toilets_short, first.prolonged) == (2, 1, False)
    prolonged = rules.guidance(51, 1, None, 7)
    assert (prolonged.toilets_needed, prolonged.prolonged) == (3, True)
    assert rules.guidance(40, 3, None, 2, prolonged_after_days=2).toilets_needed == 2


def test_space_per_person_against_the_sphere_standard():
    roomy = rules.guidance(10, 0, 40.0, 0)
    assert roomy.space_per_person_m2 == 4.0 and not roomy.space_short and roomy.space_needed_m2 == 35.0
    crowded = rules.guidance(20, 0, 60.0, 0)
    assert crowded.space_per_person_m2 == 3.0 and crowded.space_short
    assert rules.guidance(5, 0, None, 0).space_per_person_m2 is None


def test_day_and_night_counts():
    assert rules.day_and_night({"終日": 5, "昼のみ": 2, "夜のみ": 3}) == (7, 8)
    assert rules.day_and_night({}) == (0, 0)

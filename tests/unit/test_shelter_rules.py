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

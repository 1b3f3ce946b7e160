import pytest

from app.errors import ValidationError
from app.tenants import rules


@pytest.mark.parametrize("code", ["131016", "011002", "271403", "473812", "046990", "033995"])
def test_normalize_lg_code_accepts_valid_codes(code):
    assert rules.normalize_lg_code(code) == code


def test_check_digit_handles_remainders_zero_and_one():
    # remainder 1 -> 11-1 = 10 -> 0 ; remainder 0 -> 11 -> 1
    assert rules.check_digit("04699") == "0"
    zero_remainder = next(f"{n:05d}" for n in range(1000, 99999)
                          if sum(int(d) * w for d, w in zip(f"{n:05d}", (6, 5, 4, 3, 2), strict=True)) % 11 == 0)
    assert rules.check_digit(zero_remainder) == "1"


def test_normalize_lg_code_accepts_fullwidth_digits_and_spaces():
    assert rules.normalize_lg_code(" １３１０１６ ") == "131016"


@pytest.mark.parametrize(("raw", "code", "fragment"), [
    ("", "lg_code_missing", "入力してください"),
    ("13101", "lg_code_format", "6桁の数字ではありません"),
    ("13101a", "lg_code_format", "6桁の数字ではありません"),
    ("991012", "lg_code_prefecture", "01〜47"),
    ("131017", "lg_code_check_digit", "6桁目は 6 になるはず"),
])
def test_normalize_lg_code_refuses_with_a_precise_message(raw, code, fragment):
    with pytest.raises(ValidationError) as caught:
        rules.normalize_lg_code(raw)
    assert caught.value.code == code
    assert fragment in caught.value.message


@pytest.mark.parametrize(("raw", "fragment"), [
    ("046990", None), ("131016", None), ("011002", None), ("473812", None),
    ("０４６９９０", "半角数字6桁ではありません"), ("04699０", "半角数字6桁ではありません"),
    ("٠٤٦٩٩٠", "半角数字6桁ではありません"),  # Arabic-Indic digits are digits too, but not ASCII
    ("46990", "半角数字6桁ではありません"), ("0469900", "半角数字6桁ではありません"),
    (" 046990", "半角数字6桁ではありません"), ("046990 ", "半角数字6桁ではありません"),
    ("046990\n", "半角数字6桁ではありません"), ("04699O", "半角数字6桁ではありません"),
    ("001236", "都道府県コード）は01〜47"), ("481234", "都道府県コード）は01〜47"), ("991012", "01〜47"),
    ("046991", "6桁目は 0 になるはず"), ("131017", "6桁目は 6 になるはず"),
    ("", "入力してください"), (None, "入力してください"),
])
def test_lg_code_problem_takes_only_six_ascii_digits_with_prefecture_and_check_digit(raw, fragment):
    found = rules.lg_code_problem(raw)
    assert (found is None) if fragment is None else (fragment in found), found


def test_strict_normalize_returns_the_code_as_written():
    assert rules.normalize_lg_code("046990", strict=True) == "046990"
    with pytest.raises(ValidationError) as caught:
        rules.normalize_lg_code("０４６９９０", strict=True)
    assert caught.value.code == "lg_code_format"


def test_lg_code_pattern_admits_exactly_the_prefectures():
    for prefecture in (f"{n:02d}" for n in range(100)):
        assert bool(rules.LG_CODE_PATTERN.fullmatch(f"{prefecture}1234")) is (prefecture in rules.PREFECTURES)
    assert not rules.LG_CODE_PATTERN.fullmatch("０４６９９０")


def test_prefecture_of_reads_the_first_two_digits():
    assert rules.prefecture_of("046990") == "宮城県"
    assert rules.prefecture_of("473812") == "沖縄県"


@pytest.mark.parametrize(("kind", "population", "expected"), [
    ("政令市", 1_000_000, "政令市（人口100万人以上）"),
    ("政令市", 999_999, "政令市（人口100万人未満）"),
    ("市", 150_000, "市・特別区（人口15万人以上）"),
    ("特別区", 149_999, "市・特別区（人口5万人以上15万人未満）"),
    ("市", 50_000, "市・特別区（人口5万人以上15万人未満）"),
    ("市", 49_999, "市・特別区（人口3万人以上5万人未満）"),
    ("市", 30_000, "市・特別区（人口3万人以上5万人未満）"),
    ("市", 29_999, "市・特別区（人口3万人未満）"),
    ("町", 500_000, "町村"),
    ("村", 100, "町村"),
])
def test_size_class_boundaries(kind, population, expected):
    assert rules.size_class(kind, population) == expected


def test_size_class_refuses_unknown_kind():
    with pytest.raises(ValidationError):
        rules.size_class("郡", 1000)

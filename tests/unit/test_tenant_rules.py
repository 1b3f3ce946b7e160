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

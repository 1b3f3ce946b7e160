"""The 内閣府 grades at every boundary (../shared/DOMAIN.md): loss ratio, floor area, tilt, flood depth."""
from decimal import Decimal

import pytest

from app.damage import rules
from app.damage.rules import CHUKIBO, DAIKIBO, HANKAI, ICHIBU, JUNHANKAI, ZENKAI
from app.errors import ValidationError


@pytest.mark.parametrize(("ratio", "grade"), [
    (100, ZENKAI), (50, ZENKAI), ("49.99", DAIKIBO), (40, DAIKIBO), ("39.999", CHUKIBO), (30, CHUKIBO),
    ("29.9", HANKAI), (20, HANKAI), ("19.99", JUNHANKAI), (10, JUNHANKAI), ("9.99", ICHIBU), (0, ICHIBU),
])
def test_loss_ratio_bands_include_the_lower_bound(ratio, grade):
    assert rules.grade_for_loss_ratio(ratio) == grade


@pytest.mark.parametrize("ratio", [-1, "100.01", "abc", float("nan")])
def test_loss_ratio_outside_0_to_100_is_refused(ratio):
    with pytest.raises(ValidationError):
        rules.grade_for_loss_ratio(ratio)


def test_weights_of_each_survey_sum_to_100():
    for weights in rules.PART_WEIGHTS.values():
        assert sum(weights.values()) == 100


def test_loss_ratio_is_the_weighted_sum_of_part_damage():
    first = rules.part_weights("木造", "地震", "第1次")
    # 屋根 15 × 100 % + 外壁 75 × 40 % + 基礎 10 × 50 % = 15 + 30 + 5 = 50 → 全壊 exactly at the bound
    ratio = rules.loss_ratio(first, {"屋根": 100, "外壁": 40, "基礎": 50})
    assert ratio == 50 and rules.grade_for_loss_ratio(ratio) == ZENKAI
    just_below = rules.loss_ratio(first, {"屋根": 100, "外壁": "39.9", "基礎": 50})
    assert rules.grade_for_loss_ratio(just_below) == DAIKIBO
    second = rules.part_weights("木造", "地震", "第2次")
    assert rules.loss_ratio(second, {"柱": 100, "内壁": 100}) == 30  # parts not given count as 0
    assert rules.loss_ratio(first, {"外壁": "0.1"}) == Decimal("0.075")  # exact, no float rounding


def test_unknown_parts_weights_and_ranges_are_refused():
    first = rules.part_weights("木造", "地震", "第1次")
    with pytest.raises(ValidationError, match="柱"):
        rules.loss_ratio(first, {"柱": 10})
    with pytest.raises(ValidationError):
        rules.loss_ratio(first, {"屋根": 101})
    with pytest.raises(ValidationError):
        rules.part_weights("非木造", "地震", "第1次")


@pytest.mark.parametrize(("share", "grade"), [
    (100, ZENKAI), (70, ZENKAI), ("69.99", DAIKIBO), (50, DAIKIBO), ("49.99", CHUKIBO), (30, CHUKIBO),
    ("29.99", HANKAI), (20, HANKAI), ("19.99", JUNHANKAI), (10, JUNHANKAI), ("9.99", None), (0, None),
])
def test_floor_area_criterion_has_five_bands(share, grade):
    assert rules.grade_for_floor_area(share) == grade


@pytest.mark.parametrize("share", [-1, "100.01", "abc"])
def test_floor_area_outside_0_to_100_is_refused(share):
    with pytest.raises(ValidationError):
        rules.grade_for_floor_area(share)


def test_collapse_and_tilt():
    assert rules.grade_for_appearance(True) == ZENKAI
    assert rules.grade_for_appearance(False) is None
    assert rules.grade_for_appearance(False, ["1/20"] * 4) == ZENKAI
    assert rules.grade_for_appearance(False, ["1/10", "1/20", "1/40", "1/40"]) == ZENKAI  # average 1/20
    assert rules.grade_for_appearance(False, ["0.05", "0.05", "0.05", "0.0499"]) is None
    assert rules.average_tilt([0.05, 0.05, 0.05, 0.05]) == rules.TILT_COLLAPSE
    with pytest.raises(ValidationError):
        rules.average_tilt(["1/20"] * 3)
    with pytest.raises(ValidationError):
        rules.average_tilt(["1/0", "0", "0", "0"])


@pytest.mark.parametrize(("above", "depth", "external", "grade"), [
    (True, "1.8", True, ZENKAI), (True, "1.79", True, DAIKIBO), (True, "1.0", True, DAIKIBO),
    (True, "0.99", True, CHUKIBO), (True, "0.5", True, CHUKIBO), (True, "0.49", True, HANKAI),
    (True, "0", True, HANKAI), (False, "0", True, ICHIBU),
    (True, "3.0", False, DAIKIBO), (True, "1.8", False, DAIKIBO), (True, "1.79", False, CHUKIBO),
    (True, "1.0", False, CHUKIBO), (True, "0.99", False, HANKAI), (True, "0.1", False, HANKAI),
    (True, "0.09", False, JUNHANKAI), (True, 0, False, JUNHANKAI), (False, "0.5", False, ICHIBU),
])
def test_flood_depth_with_and_without_external_force(above, depth, external, grade):
    assert rules.grade_for_flood(above, depth, external_force=external) == grade


def test_flood_method_applies_to_low_wooden_houses_and_refuses_negative_depth():
    assert rules.flood_first_survey_applies("木造", 2)
    assert not rules.flood_first_survey_applies("木造", 3)
    assert not rules.flood_first_survey_applies("非木造", 1)
    with pytest.raises(ValidationError):
        rules.grade_for_flood(True, "-0.1")


def test_most_severe_and_final_grade():
    assert rules.most_severe([None, HANKAI, ZENKAI, JUNHANKAI]) == ZENKAI
    with pytest.raises(ValidationError):
        rules.most_severe([None])
    with pytest.raises(ValidationError):
        rules.most_severe(["大破"])
    # 第1次 半壊 final, 第2次 not yet final, 再調査 大規模半壊 final → the latest final one counts
    assert rules.final_grade([(1, HANKAI), (2, None), (3, DAIKIBO)]) == DAIKIBO
    assert rules.final_grade([(1, HANKAI), (2, None)]) == HANKAI
    assert rules.final_grade([(1, None)]) is None


def test_judge_takes_the_most_severe_method_and_the_round_weights():
    findings = {"parts": {"屋根": 100, "外壁": 20, "基礎": 0}, "floor_area_share": 0}
    # 第1次: 15 + 15 = 30 % → 中規模半壊
    assert rules.judge("木造", 2, "第1次", "地震", findings) == (Decimal(30), CHUKIBO)
    # 第2次 weights: 屋根 15 + 外壁 10 × 20 % = 17 % → 準半壊
    assert rules.judge("木造", 2, "再調査", "地震", findings) == (Decimal(17), JUNHANKAI)
    assert rules.judge("木造", 2, "第1次", "地震", findings | {"tilts": ["1/20"] * 4})[1] == ZENKAI
    assert rules.judge("木造", 2, "第1次", "地震", findings | {"floor_area_share": 55})[1] == DAIKIBO
    assert rules.judge("木造", 2, "第1次", "地震", {"floor_area_share": 10}) == (None, JUNHANKAI)
    flood = {"flood": {"above_floor": True, "depth_m": "1.2", "external_force": False}}
    assert rules.judge("木造", 1, "第1次", "水害", flood) == (None, CHUKIBO)
    with pytest.raises(ValidationError, match="浸水深"):
        rules.judge("非木造", 5, "第1次", "水害", flood)
    with pytest.raises(ValidationError, match="判定に使える"):
        rules.judge("木造", 2, "第1次", "地震", {})

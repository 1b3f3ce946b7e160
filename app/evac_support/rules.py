"""Pure rules of the 避難行動要支援者名簿: the criteria a municipality sets, and who may receive it."""
from __future__ import annotations

from app.errors import ValidationError

CARE_LEVELS = ("11", "12", "21", "22", "23", "24", "25")  # 要支援1–2, 要介護1–5
DEFAULT_CRITERIA = {
    "age_min": 75,  # everyone this old
    "alone_age_min": 65,  # living alone and this old
    "care_levels": ["23", "24", "25"],  # 要介護3–5
    "physical_grades": ["1", "2"],  # 身体障害者手帳 1・2級
    "mental_grades": ["1"],  # 精神障害者保健福祉手帳 1級
    "intellectual": ["A"],  # 療育手帳 A
    "intractable": True,  # 難病
}
ALLOWED = {"care_levels": CARE_LEVELS, "physical_grades": ("1", "2", "3", "4", "5", "6"),
           "mental_grades": ("1", "2", "3"), "intellectual": ("A", "B")}
NORMAL, DISASTER = "平常時", "災害時"


def validate_criteria(config: dict) -> dict:
    """The criteria with their types checked; unknown keys and values are refused."""
    unknown = set(config) - set(DEFAULT_CRITERIA)
    if unknown:
        raise ValidationError(f"基準にない項目です: {'、'.join(sorted(unknown))}", code="criteria_unknown")
    checked = dict(DEFAULT_CRITERIA) | config
    for key in ("age_min", "alone_age_min"):
        value = checked[key]
        if value is not None and (not isinstance(value, int) or not 0 <= value <= 120):
            raise ValidationError("年齢は0〜120の整数か、空欄（使わない）です。", code="age_invalid")
    for key, allowed in ALLOWED.items():
        values = checked[key]
        if not isinstance(values, list) or any(v not in allowed for v in values):
            raise ValidationError(f"{key} に選べない値があります。", code="value_unknown")
    checked["intractable"] = bool(checked["intractable"])
    return checked


def may_receive(mode: str, consent: str, disaster_declared: bool) -> bool:
    """49条の11: in normal times only people who consented go to the supporters; when a disaster
    occurs or threatens, everyone on the register does."""
    if mode == DISASTER:
        return disaster_declared
    return consent == "同意"

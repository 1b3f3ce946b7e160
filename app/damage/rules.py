"""The 内閣府 damage grades (災害に係る住家の被害認定基準運用指針, 2021 revision), as pure functions.

Every boundary is a lower bound included (以上) and an upper bound excluded (未満); values are
handled as ``Decimal`` so that 0.5 m or a loss ratio of 20 % falls exactly on its side. The
weights of the parts are data (``PART_WEIGHTS``), the methods are one function each, and
``most_severe`` combines the grades the methods of one survey found. See ../shared/DOMAIN.md.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from app.errors import ValidationError

ZENKAI = "全壊"
DAIKIBO = "大規模半壊"
CHUKIBO = "中規模半壊"
HANKAI = "半壊"
JUNHANKAI = "準半壊"
ICHIBU = "準半壊に至らない"
# From the most to the least severe; 準半壊に至らない is also called 一部損壊.
GRADES = (ZENKAI, DAIKIBO, CHUKIBO, HANKAI, JUNHANKAI, ICHIBU)

# 被害認定調査: its round, and its state from opening to the reviewer's confirmation.
FIRST_ROUND, SECOND_ROUND, RESURVEY = "第1次", "第2次", "再調査"
SURVEY_ROUNDS = (FIRST_ROUND, SECOND_ROUND, RESURVEY)
SURVEYING, AWAITING_REVIEW, FINAL = "調査中", "判定待ち", "確定"
SURVEY_STATUSES = (SURVEYING, AWAITING_REVIEW, FINAL)



def finalise_refusal(status: str, surveyed_by: str, reviewer: str) -> tuple[str, str] | None:
    """Why ``reviewer`` may not confirm a survey's grade, as (code, Japanese message); None when they may.

    Only a judged survey (判定待ち) is confirmed, and never by the staff member who surveyed it: a
    second person checks every grade before it is certified."""
    if status != AWAITING_REVIEW:
        return "not_judged", "判定待ちの調査だけを確定できます。"
    if surveyed_by == reviewer:
        return "own_survey", "自分が調査した判定は確定できません。別の職員が確認してください。"
    return None


# What maps and layers show of a building in a disaster: the grade once a survey is final, else
# the state of its latest survey, or 未調査 without one. As SQL over a survey ``d``, with the values
# as bind parameters (``SHOWN_GRADE_PARAMS``, which name 未調査 ``:not_surveyed``).
NOT_SURVEYED = "未調査"
SHOWN_GRADE_SQL = ("CASE WHEN d.status = :survey_final THEN d.final_grade WHEN d.status = :survey_awaiting "
                   "THEN :survey_awaiting ELSE :survey_open END")
SHOWN_GRADE_PARAMS = (("survey_final", FINAL), ("survey_awaiting", AWAITING_REVIEW), ("survey_open", SURVEYING),
                      ("not_surveyed", NOT_SURVEYED))

# Loss ratio (損害割合, %) bands: (lower bound included, grade).
LOSS_RATIO_BANDS = ((Decimal(50), ZENKAI), (Decimal(40), DAIKIBO), (Decimal(30), CHUKIBO),
                    (Decimal(20), HANKAI), (Decimal(10), JUNHANKAI), (Decimal(0), ICHIBU))

# Share of the 延床面積 lost (%), 災害の被害認定基準 as revised 2021: (lower bound included, grade).
# Below 10 % the criterion decides nothing and the other methods apply.
FLOOR_AREA_BANDS = ((Decimal(70), ZENKAI), (Decimal(50), DAIKIBO), (Decimal(30), CHUKIBO),
                    (Decimal(20), HANKAI), (Decimal(10), JUNHANKAI))

# 構成比 (%) of each part, wooden/prefab houses, earthquake (kept as data: revisions change them).
PART_WEIGHTS = {
    ("木造", "地震", FIRST_ROUND): {"屋根": 15, "外壁": 75, "基礎": 10},
    ("木造", "地震", SECOND_ROUND): {"屋根": 15, "柱": 15, "床": 10, "外壁": 10, "内壁": 15, "天井": 5, "建具": 10,
                             "設備": 10, "基礎": 10},
}

TILT_COLLAPSE = Fraction(1, 20)  # average tilt of the four corners at or above this: 全壊

# Flood, 第1次 survey of wooden/prefab houses of 1–2 storeys, depth above the floor (m) at the
# shallowest point: (lower bound included, grade); below the floor is always 準半壊に至らない.
FLOOD_WITH_EXTERNAL_FORCE = ((Decimal("1.8"), ZENKAI), (Decimal("1.0"), DAIKIBO), (Decimal("0.5"), CHUKIBO),
                             (Decimal(0), HANKAI))
FLOOD_WITHOUT_EXTERNAL_FORCE = ((Decimal("1.8"), DAIKIBO), (Decimal("1.0"), CHUKIBO), (Decimal("0.1"), HANKAI),
                                (Decimal(0), JUNHANKAI))


def number(value, what: str) -> Decimal:
    """``value`` as an exact Decimal (floats go through their shortest text: 0.1 stays 0.1)."""
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(f"{what}は数値で入力してください（値: {value}）。", code="not_a_number") from exc
    if not result.is_finite():
        raise ValidationError(f"{what}は数値で入力してください（値: {value}）。", code="not_a_number")
    return result


def _percent(value, what: str) -> Decimal:
    result = number(value, what)
    if not Decimal(0) <= result <= Decimal(100):
        raise ValidationError(f"{what}は0〜100（%）で入力してください（値: {value}）。", code="out_of_range")
    return result


def _band(value: Decimal, bands) -> str:
    for lower, grade in bands:
        if value >= lower:
            return grade
    raise ValidationError(f"値 {value} はどの区分にも当たりません。", code="out_of_range")


def grade_for_loss_ratio(ratio_percent) -> str:
    """The grade of a loss ratio in %: ≥50 全壊, 40–<50 大規模半壊, 30–<40 中規模半壊, 20–<30 半壊,
    10–<20 準半壊, <10 準半壊に至らない."""
    return _band(_percent(ratio_percent, "損害割合"), LOSS_RATIO_BANDS)


def loss_ratio(weights: Mapping[str, int], damage_percent: Mapping[str, object]) -> Decimal:
    """Σ 構成比 × 部位の損傷率 (%, 0–100) over the parts of ``weights``; a part not given counts as 0.

    Unknown parts are refused (a typo must not silently lower the ratio)."""
    unknown = sorted(set(damage_percent) - set(weights))
    if unknown:
        raise ValidationError(f"この調査にない部位です: {'、'.join(unknown)}", code="unknown_part")
    total = sum((Decimal(weights[part]) * _percent(damage_percent.get(part, 0), f"{part}の損傷率")
                 for part in weights), Decimal(0))
    return total / Decimal(100)


def part_weights(structure: str, hazard: str, survey: str) -> dict[str, int]:
    """The 構成比 table of a structure (木造), hazard (地震) and survey (第1次/第2次)."""
    try:
        return dict(PART_WEIGHTS[(structure, hazard, survey)])
    except KeyError as exc:
        raise ValidationError(f"{structure}・{hazard}・{survey}の部位別構成比は定められていません。",
                              code="no_weights") from exc


def grade_for_floor_area(lost_share_percent) -> str | None:
    """Share of the 延床面積 lost: ≥70 全壊, 50–<70 大規模半壊, 30–<50 中規模半壊, 20–<30 半壊,
    10–<20 準半壊; below 10 % this criterion decides nothing (None) and the other methods apply."""
    share = _percent(lost_share_percent, "損壊した床面積の割合")
    return _band(share, FLOOR_AREA_BANDS) if share >= FLOOR_AREA_BANDS[-1][0] else None


def average_tilt(corners: Iterable[object]) -> Fraction:
    """The average of the tilts measured at the four corners, each as a ratio (0.05 or "1/20")."""
    values = [_tilt(c) for c in corners]
    if len(values) != 4:
        raise ValidationError("傾斜は四隅の4か所で測ってください。", code="four_corners")
    return sum(values, Fraction(0)) / 4


def _tilt(value) -> Fraction:
    try:
        tilt = Fraction(str(value))
    except (ValueError, ZeroDivisionError) as exc:
        raise ValidationError(f"傾斜は 1/20 や 0.05 のように入力してください（値: {value}）。",
                              code="not_a_number") from exc
    if tilt < 0:
        raise ValidationError(f"傾斜は0以上です（値: {value}）。", code="out_of_range")
    return tilt


def grade_for_appearance(collapsed: bool, corner_tilts: Iterable[object] | None = None) -> str | None:
    """Earthquake, external look: a collapsed house or storey, or an average tilt ≥ 1/20 → 全壊;
    otherwise this method decides nothing (None)."""
    if collapsed:
        return ZENKAI
    if corner_tilts is not None and average_tilt(corner_tilts) >= TILT_COLLAPSE:
        return ZENKAI
    return None


def flood_first_survey_applies(structure: str, floors: int) -> bool:
    """The depth method of the 第1次 flood survey is for wooden/prefab houses of 1–2 storeys."""
    return structure == "木造" and 1 <= floors <= 2


def grade_for_flood(above_floor: bool, depth_m=0, external_force: bool = False) -> str:
    """Flood, 第1次 survey: the grade from the depth above the floor (m) at the shallowest point.

    With external force (flow, debris, levee breach): ≥1.8 全壊, 1.0–<1.8 大規模半壊, 0.5–<1.0
    中規模半壊, above the floor <0.5 半壊. Inland flooding without external force (since 2023-05):
    ≥1.8 大規模半壊 (never 全壊), 1.0–<1.8 中規模半壊, 0.1–<1.0 半壊, above the floor <0.1 準半壊.
    Water below the floor is 準半壊に至らない either way.
    """
    if not above_floor:
        return ICHIBU
    depth = number(depth_m, "床上浸水の深さ")
    if depth < 0:
        raise ValidationError(f"床上浸水の深さは0以上です（値: {depth_m}）。", code="out_of_range")
    return _band(depth, FLOOD_WITH_EXTERNAL_FORCE if external_force else FLOOD_WITHOUT_EXTERNAL_FORCE)


def most_severe(grades: Iterable[str | None]) -> str:
    """The most severe of the grades the methods of one survey found (None: method not used)."""
    found = [g for g in grades if g is not None]
    for grade in found:
        if grade not in GRADES:
            raise ValidationError(f"被害の程度「{grade}」はありません。", code="unknown_grade")
    if not found:
        raise ValidationError("判定に使える調査結果がありません。", code="no_result")
    return min(found, key=GRADES.index)


def final_grade(surveys: Iterable[tuple[int, str | None]]) -> str | None:
    """The grade that is certified: that of the latest survey (by order, 再調査 last) whose grade a
    reviewer made final; None while no survey is final."""
    final = [(order, grade) for order, grade in surveys if grade is not None]
    return max(final)[1] if final else None


def weights_survey(survey_round: str) -> str:
    """The 構成比 table a round uses: 第1次 its own; 第2次 and 再調査 (internal) the 第2次 one."""
    return FIRST_ROUND if survey_round == FIRST_ROUND else SECOND_ROUND


def judge(structure: str, floors: int, survey_round: str, hazard: str, findings: Mapping) -> tuple[Decimal | None, str]:
    """(loss ratio or None, grade) of one survey from what the surveyor found, method by method.

    ``findings`` may hold ``collapsed`` (bool) and ``tilts`` (four corners) for the external look,
    ``parts`` ({part: damage %}) for the loss ratio, ``floor_area_share`` (%) and ``flood``
    ({above_floor, depth_m, external_force}); the most severe grade of the methods used counts.
    """
    grades: list[str | None] = [grade_for_appearance(bool(findings.get("collapsed")), findings.get("tilts") or None)]
    ratio = None
    if findings.get("parts"):
        weights = part_weights(structure, hazard, weights_survey(survey_round))
        ratio = loss_ratio(weights, findings["parts"])
        grades.append(grade_for_loss_ratio(ratio))
    if findings.get("floor_area_share") not in (None, ""):
        grades.append(grade_for_floor_area(findings["floor_area_share"]))
    flood = findings.get("flood")
    if flood:
        if not flood_first_survey_applies(structure, floors):
            raise ValidationError("浸水深による判定は木造・プレハブの1〜2階建てに使います。"
                                  "部位別の損傷で判定してください。", code="flood_method_not_applicable")
        grades.append(grade_for_flood(bool(flood.get("above_floor")), flood.get("depth_m") or 0,
                                      external_force=bool(flood.get("external_force"))))
    return ratio, most_severe(grades)

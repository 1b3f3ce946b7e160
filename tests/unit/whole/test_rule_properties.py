"""Hypothesis properties of the pure rules, over their whole input ranges: damage grades never fall
as the damage grows, money is never negative, and 和暦 dates survive writing and reading back."""
import re
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.certificates import rules as fees
from app.damage import rules as damage
from app.disasters import rules as support
from app.residents.link.spec import parse_link_date
from certificate_engine import wareki
from fixtures.link_batch.dates import wareki_of

# Most severe first; None (the criterion decides nothing) is the mildest of all.
SEVERITY = {grade: rank for rank, grade in enumerate(reversed(damage.GRADES), start=1)} | {None: 0}
percent = st.decimals(min_value=0, max_value=100, allow_nan=False, allow_infinity=False, places=3)
depth = st.decimals(min_value=0, max_value=10, allow_nan=False, allow_infinity=False, places=3)
# The two-digit year of the link format reaches 令和99 (2117).
link_days = st.dates(min_value=date(1868, 1, 25), max_value=date(2117, 12, 31))
certificate_days = st.dates(min_value=date(1868, 1, 25), max_value=date(9999, 12, 31))


@given(percent, percent)
def test_grade_never_falls_as_the_loss_ratio_rises(a, b):
    low, high = sorted((a, b))
    assert SEVERITY[damage.grade_for_loss_ratio(low)] <= SEVERITY[damage.grade_for_loss_ratio(high)]


@given(percent)
def test_loss_ratio_bands_are_the_domain_bands(ratio):
    expected = (damage.ZENKAI if ratio >= 50 else damage.DAIKIBO if ratio >= 40 else damage.CHUKIBO if ratio >= 30
                else damage.HANKAI if ratio >= 20 else damage.JUNHANKAI if ratio >= 10 else damage.ICHIBU)
    assert damage.grade_for_loss_ratio(ratio) == expected


@given(percent, percent)
def test_grade_never_falls_as_more_floor_area_is_lost(a, b):
    low, high = sorted((a, b))
    assert SEVERITY[damage.grade_for_floor_area(low)] <= SEVERITY[damage.grade_for_floor_area(high)]


@given(percent)
def test_floor_area_bands_are_the_domain_bands(share):
    """DOMAIN.md (災害の被害認定基準, 2021): ≥70 全壊, 50–<70 大規模半壊, 30–<50 中規模半壊, 20–<30 半壊,
    10–<20 準半壊; below 10 % the criterion decides nothing."""
    expected = (damage.ZENKAI if share >= 70 else damage.DAIKIBO if share >= 50 else damage.CHUKIBO if share >= 30
                else damage.HANKAI if share >= 20 else damage.JUNHANKAI if share >= 10 else None)
    assert damage.grade_for_floor_area(share) == expected


@given(depth, depth, st.booleans())
def test_grade_never_falls_as_the_water_rises(a, b, external_force):
    low, high = sorted((a, b))
    below_floor = damage.grade_for_flood(False, 0, external_force)
    shallow = damage.grade_for_flood(True, low, external_force)
    deep = damage.grade_for_flood(True, high, external_force)
    assert SEVERITY[below_floor] <= SEVERITY[shallow] <= SEVERITY[deep]


@given(depth)
def test_external_force_never_makes_a_flood_milder_and_only_it_makes_zenkai(level):
    with_force = damage.grade_for_flood(True, level, external_force=True)
    without = damage.grade_for_flood(True, level, external_force=False)
    assert SEVERITY[with_force] >= SEVERITY[without] and without != damage.ZENKAI
    assert (with_force == damage.ZENKAI) == (level >= Decimal("1.8"))


@given(st.sampled_from(fees.DOCUMENT_TYPES), st.sampled_from(fees.CHANNELS))
def test_default_fees_are_never_negative(document_type, channel):
    assert fees.default_fee(document_type, channel) >= 0


@given(st.sampled_from(fees.DOCUMENT_TYPES), st.sampled_from(fees.CHANNELS), st.integers(0, 100_000))
def test_what_the_applicant_pays_and_the_charges_are_never_negative(document_type, channel, fee):
    charged = fees.charges(document_type, channel, fee)
    assert charged.fee_yen >= 0 and charged.commission_yen >= 0 and charged.bcl_fee_yen >= 0
    assert charged.fee_yen >= fee or (channel == fees.KIOSK and document_type == fees.DISASTER)


grades = st.sampled_from([None, *damage.GRADES])
plans = st.sampled_from(support.PLANS)


@given(grades, st.integers(1, 20), st.one_of(st.none(), plans), st.booleans(), st.booleans())
def test_support_amounts_are_never_negative(grade, size, plan, demolished, evacuated):
    grant = support.support_grant(grade, size, plan, demolished=demolished, long_term_evacuation=evacuated)
    assert grant.base >= 0 and grant.top_up >= 0 and grant.total >= 0


@given(st.sampled_from(support.SITUATIONS), st.integers(1, 20), plans, st.lists(plans, max_size=3))
def test_top_ups_are_never_negative_and_never_pay_past_the_largest_plan(situation, size, plan, earlier):
    later = support.top_up_grant(situation, size, plan, tuple(earlier))
    paid = sum(support.top_up_grant(situation, size, p, tuple(earlier[:i])) for i, p in enumerate(earlier))
    largest = max(support.top_up_grant(situation, size, p) for p in support.PLANS)
    assert later >= 0 and paid + later <= largest + 0


@given(st.booleans())
def test_condolence_and_disability_money_are_positive(breadwinner):
    assert support.condolence_money(breadwinner) > 0 and support.disability_money(breadwinner) > 0


_FORMATTED = re.compile(r"(明治|大正|昭和|平成|令和)(元|[0-9]+)年([0-9]+)月([0-9]+)日")
_ERA_START = {name: start for start, name in wareki.ERAS}


@given(certificate_days, st.booleans())
def test_wareki_format_reads_back_to_the_same_day(day, gannen):
    era, year, month, day_of_month = _FORMATTED.fullmatch(wareki.format_date(day, gannen=gannen)).groups()
    number = 1 if year == "元" else int(year)
    assert (gannen or year != "元") and (year != "元" or number == 1)
    assert date(_ERA_START[era].year + number - 1, int(month), int(day_of_month)) == day
    assert day >= _ERA_START[era]


@given(link_days)
def test_link_wareki_dates_read_back_to_the_same_day(day):
    assert parse_link_date(wareki_of(day.toordinal())) == day
    assert parse_link_date(day.isoformat()) == day


@given(link_days)
def test_the_link_and_the_certificates_agree_on_the_era(day):
    letter = wareki_of(day.toordinal())[0]
    assert {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}[letter] == wareki.era_of(day)[0]


@given(link_days, st.sampled_from("MTSHR"))
def test_a_date_written_in_another_era_is_refused(day, letter):
    own = wareki_of(day.toordinal())
    start = {"M": 1868, "T": 1912, "S": 1926, "H": 1989, "R": 2019}[letter]
    year = day.year - start + 1
    if letter == own[0] or not 1 <= year <= 99:
        return
    assert parse_link_date(f"{letter}{year:02d}.{day.month:02d}.{day.day:02d}") is None

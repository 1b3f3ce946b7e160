"""Unit tests of the synthetic town generator (no database, no application)."""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from datetime import date

import pytest
import shapely
import shapely.wkt
from shapely.geometry import box

from fixtures import names
from fixtures.town import DEMO_TOWN, SECOND_TOWN, Town, generate_town
from fixtures.town.numerals import _kana_numeral, _kanji_numeral
from fixtures.town.vocabulary import HAZARD_TYPES, SHELTER_KINDS

KATAKANA = "[\u30a1-\u30f6\u30fc]+"   # ァ..ヶ and the long vowel mark ー
PERSON_KANA = re.compile(f"^{KATAKANA}\u3000{KATAKANA}$")
NUMBER = re.compile(r"^\d{15}$")
PHONE = re.compile(r"^(0\d{2}-\d{3}-\d{4}|0[789]0-\d{4}-\d{4})$")
CHOME = "[一二三四五六七八九十百千]+丁目"
DEMO_ADDRESS = re.compile(f"^宮城県桜ヶ丘町桜ヶ丘({CHOME})(\\d+)番(\\d+)号$")
REFERENCE = DEMO_TOWN.reference_date
M_PER_DEG_LAT = 111_320.0
SIZE = 20_000

# Resident row positions.
ATENA, HOUSEHOLD, NAME, KANA, BIRTH, SEX, RELATION, IS_HEAD, ADDRESS, KATAGAKI, PHONE_NO, STATUS, PROTECTED, GEOM = (
    range(14))


def parse(ewkt: str):
    srid, wkt = ewkt.split(";", 1)
    assert srid == "SRID=4326"
    return shapely.wkt.loads(wkt)


def age_on(birth: date, day: date = REFERENCE) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def metres(lon_deg: float, lat_deg: float, lat: float) -> tuple[float, float]:
    return lon_deg * M_PER_DEG_LAT * math.cos(math.radians(lat)), lat_deg * M_PER_DEG_LAT


@pytest.fixture(scope="module")
def town() -> Town:
    return generate_town(DEMO_TOWN, residents=SIZE, seed=7)


@pytest.fixture(scope="module")
def residents(town) -> list[tuple]:
    return list(town.iter_residents())


@pytest.fixture(scope="module")
def households(residents) -> dict[str, list[tuple]]:
    grouped = defaultdict(list)
    for row in residents:
        grouped[row[HOUSEHOLD]].append(row)
    return grouped


@pytest.fixture(scope="module")
def buildings(town) -> list[tuple]:
    return list(town.iter_buildings())


@pytest.fixture(scope="module")
def hazards(town) -> list[tuple]:
    return town.hazard_areas()


# --- Data -----------------------------------------------------------------------------------------------

def test_name_data_is_large_varied_and_read_in_katakana():
    assert len(names.SURNAMES) >= 150
    assert [s for s, _, _ in names.SURNAMES[:4]] == ["佐藤", "鈴木", "高橋", "田中"]
    surnames = {s: kana for s, kana, _ in names.SURNAMES}
    for variant, reading in (("髙橋", "タカハシ"), ("山﨑", "ヤマザキ"), ("渡邊", "ワタナベ"), ("齋藤", "サイトウ"),
                             ("𠮷田", "ヨシダ")):
        assert surnames[variant] == reading
    assert ord("𠮷田"[0]) > 0xFFFF
    for table in (names.MALE_GIVEN_NAMES, names.FEMALE_GIVEN_NAMES):
        assert set(table) == set(names.GENERATION_BIRTH_YEARS)
        assert len({name for pool in table.values() for name, _ in pool}) >= 80
    readings = [kana for _, kana, _ in names.SURNAMES] + [
        kana for table in (names.MALE_GIVEN_NAMES, names.FEMALE_GIVEN_NAMES) for pool in table.values()
        for _, kana in pool]
    assert all(re.fullmatch(KATAKANA, kana) for kana in readings)


def test_kanji_and_kana_numerals():
    assert [_kanji_numeral(n) for n in (1, 4, 10, 11, 20, 99, 100, 111, 1667, 20_003)] == [
        "一", "四", "十", "十一", "二十", "九十九", "百", "百十一", "千六百六十七", "二万三"]
    assert [_kana_numeral(n) for n in (4, 7, 9, 14, 300, 600, 800, 3000)] == [
        "ヨン", "ナナ", "キュウ", "ジュウヨン", "サンビャク", "ロッピャク", "ハッピャク", "サンゼン"]


# --- Determinism and sizes ------------------------------------------------------------------------------

def _all_rows(town: Town) -> tuple:
    return (list(town.iter_residents()), list(town.iter_buildings()), town.admin_areas(), town.shelters(),
            town.hazard_areas(), town.extent())


def test_same_inputs_give_identical_rows():
    first = _all_rows(generate_town(DEMO_TOWN, 3000, seed=11))
    assert first == _all_rows(generate_town(DEMO_TOWN, 3000, seed=11))
    town = generate_town(DEMO_TOWN, 3000, seed=11)
    assert list(town.iter_residents()) == list(town.iter_residents())


def test_seed_and_town_change_the_rows():
    base = list(generate_town(DEMO_TOWN, 3000, seed=11).iter_residents())
    assert base != list(generate_town(DEMO_TOWN, 3000, seed=12).iter_residents())
    other = list(generate_town(SECOND_TOWN, 3000, seed=11).iter_residents())
    assert {row[NAME] for row in base} != {row[NAME] for row in other}
    assert all(row[ADDRESS].startswith("岩手県北山村北山") for row in other)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 7, 599, 2345])
def test_exact_number_of_residents(size):
    town = generate_town(SECOND_TOWN, size, seed=3)
    rows = list(town.iter_residents())
    assert len(rows) == size
    assert len({row[HOUSEHOLD] for row in rows}) == town.count_households()
    assert sum(1 for _ in town.iter_buildings()) == town.count_buildings() >= town.count_households() * 0.5


def test_counts_match_rows(town, households, buildings):
    assert town.count_households() == len(households)
    assert town.count_buildings() == len(buildings)


def test_invalid_size_is_rejected():
    with pytest.raises(ValueError):
        generate_town(DEMO_TOWN, -1)


# --- Residents ------------------------------------------------------------------------------------------

def test_numbers_are_unique_15_digit_strings(residents, households):
    atena = [row[ATENA] for row in residents]
    assert len(set(atena)) == len(atena)
    assert all(NUMBER.match(number) for number in atena)
    assert all(NUMBER.match(number) for number in households)


def test_every_household_has_exactly_one_adult_head(households):
    for members in households.values():
        heads = [row for row in members if row[IS_HEAD]]
        assert len(heads) == 1
        assert heads[0][RELATION] == "世帯主"
        assert members[0] is heads[0]
        assert age_on(heads[0][BIRTH]) >= 18


def test_members_share_dwelling_and_family_name(households):
    for members in households.values():
        assert len({(row[ADDRESS], row[KATAGAKI], row[GEOM], row[PROTECTED]) for row in members}) == 1
        family = {row[NAME].split("\u3000")[0] for row in members if row[RELATION] != "同居人"}
        assert len(family) == 1


def test_relationships_are_consistent(households):
    seen = Counter()
    for members in households.values():
        head = members[0]
        head_age = age_on(head[BIRTH])
        for row in members[1:]:
            relation, age = row[RELATION], age_on(row[BIRTH])
            seen[relation] += 1
            if relation in ("妻", "夫"):
                assert row[SEX] != head[SEX]
                assert row[SEX] == ("2" if relation == "妻" else "1")
                assert abs(age - head_age) <= 8
            elif relation == "子":
                assert 20 <= head_age - age <= 45
            elif relation in ("父", "母"):
                assert row[SEX] == ("1" if relation == "父" else "2")
                assert 20 <= age - head_age <= 40
            elif relation == "孫":
                children = [age_on(r[BIRTH]) for r in members if r[RELATION] == "子"]
                assert children and all(20 <= child - age <= 45 for child in children)
    assert {"妻", "夫", "子", "父", "母", "孫", "同居人"} <= set(seen)


def test_household_structure_is_realistic(households):
    sizes = [len(members) for members in households.values()]
    assert 2.0 <= sum(sizes) / len(sizes) <= 2.4
    assert 0.25 <= sizes.count(1) / len(sizes) <= 0.38
    elderly_alone = sum(1 for m in households.values() if len(m) == 1 and age_on(m[0][BIRTH]) >= 65)
    assert elderly_alone / len(sizes) >= 0.10
    apartments = sum(1 for members in households.values() if members[0][KATAGAKI])
    assert 0.15 <= apartments / len(sizes) <= 0.25


def test_names_and_readings(residents):
    for row in residents:
        family, given = row[NAME].split("\u3000")
        assert family and given and " " not in row[NAME]
        assert PERSON_KANA.match(row[KANA]), row[KANA]


def test_birth_dates_and_sexes(residents):
    ages = [age_on(row[BIRTH]) for row in residents]
    assert all(isinstance(row[BIRTH], date) for row in residents)
    assert min(ages) >= 0 and max(ages) <= 105
    assert 0.2 <= sum(age >= 65 for age in ages) / len(ages) <= 0.4
    assert sum(age < 15 for age in ages) > 0
    assert {row[SEX] for row in residents} == {"1", "2"}


def test_status_protection_and_phones(residents, households):
    status = Counter(row[STATUS] for row in residents)
    assert set(status) <= {"住登内", "転出", "死亡"}
    assert 0.001 <= (len(residents) - status["住登内"]) / len(residents) <= 0.01
    protected = sum(row[PROTECTED] for row in residents)
    assert 0.001 <= protected / len(residents) <= 0.007
    phones = [row[PHONE_NO] for row in residents]
    assert 0.25 <= phones.count("") / len(phones) <= 0.4
    assert all(PHONE.match(phone) for phone in phones if phone)
    assert any(phone.startswith("022-") for phone in phones)


def test_addresses_and_katagaki(residents):
    for row in residents:
        assert DEMO_ADDRESS.match(row[ADDRESS]), row[ADDRESS]
        assert row[KATAGAKI] == "" or re.fullmatch(r".+[1-5]\d\d", row[KATAGAKI]), row[KATAGAKI]


# --- Geometry -------------------------------------------------------------------------------------------

def test_all_geometries_are_valid_and_inside_the_extent(town, residents, buildings, hazards):
    min_lon, min_lat, max_lon, max_lat = town.extent()
    frame = box(min_lon - 1e-9, min_lat - 1e-9, max_lon + 1e-9, max_lat + 1e-9)
    ewkts = ({row[GEOM] for row in residents} | {row[-1] for row in buildings}
             | {row[-1] for row in town.admin_areas() + town.shelters() + hazards})
    for ewkt in ewkts:
        geometry = parse(ewkt)
        assert geometry.is_valid and not geometry.is_empty, ewkt[:80]
        assert frame.covers(geometry), ewkt[:80]
    assert {parse(row[GEOM]).geom_type for row in residents} == {"Point"}
    assert {parse(row[-1]).geom_type for row in buildings} == {"Polygon"}
    assert {parse(row[-1]).geom_type for row in hazards} == {"MultiPolygon"}


def test_residents_stand_inside_their_building(residents, buildings):
    footprints = {row[0]: row for row in buildings}
    assert len(footprints) == len(buildings), "building addresses are unique"
    for row in residents[::5]:
        building = footprints[row[ADDRESS]]
        assert building[1], "people live in dwellings"
        assert parse(building[-1]).contains(parse(row[GEOM]))
    apartments = {row[ADDRESS] for row in residents if row[KATAGAKI]}
    for address in apartments:
        assert 2 <= footprints[address][3] <= 5


def test_buildings(buildings):
    structures = Counter(row[2] for row in buildings)
    assert set(structures) == {"木造", "非木造"}
    assert 0.65 <= structures["木造"] / len(buildings) <= 0.85
    assert 0.05 <= sum(not row[1] for row in buildings) / len(buildings) <= 0.15
    assert all(1 <= row[3] <= 5 for row in buildings)
    for row in buildings[::50]:
        polygon = parse(row[-1])
        lon0, lat0, lon1, lat1 = polygon.bounds
        width, height = metres(lon1 - lon0, lat1 - lat0, lat0)
        assert 7.9 <= width <= 14.1 and 7.9 <= height <= 14.1
        assert math.isclose(polygon.area, (lon1 - lon0) * (lat1 - lat0), rel_tol=1e-6), "axis-aligned rectangle"


def test_admin_areas_tile_the_extent(town, residents):
    areas = town.admin_areas()
    assert len(areas) == max(4, round(SIZE / 600))
    assert [code for code, _, _ in areas] == [f"{n:03d}" for n in range(1, len(areas) + 1)]
    expected = [f"桜ヶ丘{n}丁目" for n in ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一")]
    assert [name for _, name, _ in areas][:11] == expected
    polygons = [parse(ewkt) for _, _, ewkt in areas]
    extent = box(*town.extent())
    assert math.isclose(sum(p.area for p in polygons), extent.area, rel_tol=1e-9)
    assert math.isclose(shapely.union_all(polygons).area, extent.area, rel_tol=1e-9)
    by_name = {name: polygon for (_, name, _), polygon in zip(areas, polygons, strict=True)}
    for row in residents[::20]:
        chome = DEMO_ADDRESS.match(row[ADDRESS]).group(1)
        assert by_name[f"桜ヶ丘{chome}"].contains(parse(row[GEOM]))


def test_shelters(town):
    shelters = town.shelters()
    assert len(shelters) == max(6, round(SIZE / 400))
    codes = [row[0] for row in shelters]
    assert codes == [f"046990-{n:03d}" for n in range(1, len(shelters) + 1)]
    assert len({row[1] for row in shelters}) == len(shelters)
    assert {row[3] for row in shelters} == set(SHELTER_KINDS)
    for _, name, kana, kind, address, capacity, hazards, phone, _ in shelters:
        assert re.fullmatch(KATAKANA, kana), kana
        assert DEMO_ADDRESS.match(address), address
        assert 50 <= capacity <= 800
        assert isinstance(hazards, list) and hazards and set(hazards) <= set(HAZARD_TYPES)
        assert phone == "" or PHONE.match(phone)
        if kind == "指定緊急避難場所":
            assert name.endswith("公園")
        if kind == "福祉避難所":
            assert "福祉" in name
    assert any(name.endswith("小学校体育館") for _, name, *_ in shelters)
    assert any(name.endswith("総合体育館") for _, name, *_ in shelters)


def test_flood_bands_are_disjoint_and_cover_part_of_town(residents, hazards):
    flood = {row[1]: row for row in hazards if row[0] == "flood"}
    assert sorted(flood) == ["1", "2", "3", "4"]
    assert all("洪水浸水想定区域" in row[2] for row in flood.values())
    polygons = {code: parse(row[3]) for code, row in flood.items()}
    codes = sorted(polygons)
    for i, first in enumerate(codes):
        for second in codes[i + 1:]:
            assert polygons[first].intersection(polygons[second]).area < 1e-12
    union = shapely.union_all(list(polygons.values()))
    points = [parse(geom) for geom in {row[GEOM] for row in residents}]
    flooded = shapely.contains(union, points).sum() / len(points)
    assert 0.15 <= flooded <= 0.30
    # Nested bands, deepest at the river: each class borders the next one and no other.
    for deeper, shallower in (("4", "3"), ("3", "2"), ("2", "1")):
        assert polygons[deeper].touches(polygons[shallower])
    assert polygons["4"].distance(polygons["2"]) > 0 and polygons["4"].distance(polygons["1"]) > 0
    assert polygons["3"].distance(polygons["1"]) > 0


def test_sediment_zones(hazards):
    sediment = [row for row in hazards if row[0] == "sediment"]
    warning = [parse(row[3]) for row in sediment if row[1] == "1"]
    special = [parse(row[3]) for row in sediment if row[1] == "2"]
    assert 3 <= len(warning) == len(special) <= 8
    assert {row[1] for row in sediment} == {"1", "2"}
    for outer, inner in zip(warning, special, strict=True):
        assert outer.intersection(inner).area < 1e-12, "class 1 is stored as the difference"
        whole = shapely.Polygon(outer.geoms[0].exterior)
        assert whole.contains(inner)
    assert shapely.union_all(warning).intersection(shapely.union_all(special)).area < 1e-12


def test_extent_grows_with_population():
    def size_km(town: Town) -> tuple[float, float]:
        min_lon, min_lat, max_lon, max_lat = town.extent()
        width, height = metres(max_lon - min_lon, max_lat - min_lat, min_lat)
        return width / 1000, height / 1000

    small = size_km(generate_town(DEMO_TOWN, 5000))
    large = size_km(generate_town(DEMO_TOWN, 1_000_000))
    assert small[0] < 2 and small[1] < 2
    assert 10 <= large[0] <= 15 and 10 <= large[1] <= 15


@pytest.mark.parametrize("size", [0, 1, 300])
def test_tiny_towns_still_have_every_layer(size):
    town = generate_town(SECOND_TOWN, size, seed=2)
    assert len(town.admin_areas()) == 4
    assert len(town.shelters()) == 6
    layers = Counter(row[0] for row in town.hazard_areas())
    assert layers["flood"] == 4 and 6 <= layers["sediment"] <= 16
    for row in town.admin_areas() + town.shelters() + town.hazard_areas():
        assert parse(row[-1]).is_valid

"""Pure rules of the resident data link: dates (西暦/和暦), 個人番号, manifests, address keys, zones."""
from datetime import date

import pytest

from app.residents.link import spec
from app.residents.link.archive import BatchRefused, LineCounter, parse_manifest
from app.residents.link.geocode import address_key
from gis.crs import plane_rectangular_epsg, prefecture_zone

VALID = {"format": "bcl-resident-link", "version": "1.0", "lg_code": "046990", "mode": "full", "sequence": 1,
         "reference_at": "2026-11-25T03:00:00+09:00",
         "files": [{"kind": k, "name": f"{k}.csv", "encoding": "UTF-8", "records": 0, "sha256": "0" * 64}
                   for k in spec.KINDS]}


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-25", date(2026, 11, 25)), ("2024-02-29", date(2024, 2, 29)), ("2023-02-29", None),
    ("H05.02.20", date(1993, 2, 20)), ("H31.04.30", date(2019, 4, 30)), ("H31.05.01", None),
    ("R01.05.01", date(2019, 5, 1)), ("R01.04.30", None), ("S64.01.07", date(1989, 1, 7)), ("S64.01.08", None),
    ("T15.12.24", date(1926, 12, 24)), ("M45.07.29", date(1912, 7, 29)), ("R00.01.01", None),
    ("2026/11/25", None), ("", None), ("H5.2.20", None), ("X05.02.20", None), ("0000-01-01", None),
])
def test_parse_link_date(text, expected):
    assert spec.parse_link_date(text) == expected


@pytest.mark.parametrize(("number", "valid"), [
    ("123456789018", True), ("123456789010", False), ("12345678901", False), ("12345678901a", False),
    ("000000000000", True),
])
def test_mynumber_check_digit(number, valid):
    assert spec.mynumber_valid(number) is valid


def test_every_kind_has_keys_that_are_columns():
    for kind in spec.KINDS:
        names = {c.name for c in spec.columns(kind)}
        assert set(spec.KEYS[kind]) <= names
        assert len(spec.header(kind, diff=True)) == len(spec.header(kind)) + 3


def test_parse_manifest_accepts_the_documented_example():
    manifest = parse_manifest(VALID)
    assert manifest.lg_code == "046990" and manifest.mode == "full" and len(manifest.files) == 4


@pytest.mark.parametrize(("change", "fragment"), [
    ({"format": "x"}, "format"), ({"version": "2.0"}, "version"), ({"lg_code": "046991"}, "検査数字"),
    ({"mode": "partial"}, "mode"), ({"sequence": 0}, "sequence"), ({"sequence": True}, "sequence"),
    ({"reference_at": "yesterday"}, "reference_at"), ({"reference_at": "2026-11-25T03:00:00"}, "時差"),
    ({"files": []}, "files"),
])
def test_parse_manifest_refusals_name_the_problem(change, fragment):
    with pytest.raises(BatchRefused) as caught:
        parse_manifest({**VALID, **change})
    assert caught.value.code == "manifest_invalid" and fragment in caught.value.message


def test_full_manifest_needs_all_four_kinds_and_distinct_kinds():
    with pytest.raises(BatchRefused, match="welfare"):
        parse_manifest({**VALID, "files": VALID["files"][:3]})
    with pytest.raises(BatchRefused, match="同じ種類"):
        parse_manifest({**VALID, "mode": "diff", "files": [VALID["files"][0], VALID["files"][0]]})


def test_line_counter_counts_records_with_or_without_final_newline():
    for data, records in ((b"h\r\n1\r\n2\r\n", 2), (b"h\r\n1\r\n2", 2), (b"h\r\n", 0), (b"h", 0), (b"", 0)):
        counter = LineCounter()
        for i in range(0, len(data), 2):
            counter.feed(data[i:i + 2])
        assert counter.records == records, data


@pytest.mark.parametrize(("address", "key"), [
    ("宮城県桜ヶ丘町桜ヶ丘三丁目12番4号", "宮城県桜ヶ丘町桜ヶ丘三丁目12"),
    ("宮城県桜ヶ丘町桜ヶ丘三丁目１２番４号", "宮城県桜ヶ丘町桜ヶ丘三丁目12"),
    ("宮城県桜ヶ丘町桜ヶ丘三丁目12-4", "宮城県桜ヶ丘町桜ヶ丘三丁目12"),
    ("宮城県桜ヶ丘町大字北1234", "宮城県桜ヶ丘町大字北1234"),
    ("宮城県桜ヶ丘町コーポ", None),
])
def test_address_key(address, key):
    assert address_key(address) == key


def test_plane_rectangular_zones():
    assert plane_rectangular_epsg(prefecture_zone("宮城県")) == 6678
    assert plane_rectangular_epsg(9) == 6677 and plane_rectangular_epsg(19) == 6687
    with pytest.raises(ValueError):
        plane_rectangular_epsg(20)
    with pytest.raises(ValueError):
        prefecture_zone("架空県")

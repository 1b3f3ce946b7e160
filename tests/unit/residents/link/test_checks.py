"""The vectorised (Arrow) checks agree with the row-by-row rules of ``spec`` and report exact lines."""
import random
from datetime import date

import pyarrow as pa

from app.residents.link import checks, spec
from app.residents.link.checks import FileChecks


def test_mynumber_twin_agrees_with_the_spec_rule():
    rnd = random.Random(7)
    numbers = [f"{rnd.randrange(10 ** 12):012d}" for _ in range(3000)]
    numbers += ["", "12345678901", "12345678901a", "１２３４５６７８９０１８", "123456789018", "000000000000"]
    vectorised = checks._mynumber_valid(pa.array(numbers)).to_pylist()
    assert vectorised == [spec.mynumber_valid(n) for n in numbers]
    assert sum(vectorised) > 200  # about one in eleven random bodies has the right check digit


def test_date_twin_agrees_with_the_spec_rule():
    values = ["2026-11-25", "2024-02-29", "2023-02-29", "2026-1-5", "2026/11/25", "H05.02.20", "H31.05.01",
              "R01.05.01", "S64.01.08", "T15.12.24", "R00.01.01", "X05.02.20", "0000-01-01", "2026-13-01",
              "20261125", "2026-11-25 ", "M45.07.29"]
    bad = checks._bad_dates(pa.array(values)).to_pylist()
    assert bad == [spec.parse_link_date(v) is None for v in values]


def _kept(**columns) -> FileChecks:
    result = FileChecks("residents.csv")
    lines = list(range(2, 2 + len(next(iter(columns.values())))))
    result.keys = {name: [pa.array(values, pa.string())] for name, values in columns.items()}
    result.keys["line"] = [pa.array(lines, pa.int64())]
    return result


def test_duplicates_name_the_first_line_of_each_key():
    result = _kept(atena_no=["5", "1", "5", "2", "5", "1"])
    checks.check_duplicates(result, "residents")
    found = [(f.line, f.message) for f in result.findings]
    assert found == [(4, "宛名番号が2行目と重複しています。"), (6, "宛名番号が2行目と重複しています。"),
                     (7, "宛名番号が3行目と重複しています。")]


def test_duplicates_of_a_composite_key_need_every_part():
    result = FileChecks("taxes.csv")
    result.keys = {"atena_no": [pa.array(["1", "1", "1"])], "fiscal_year": [pa.array(["2025", "2026", "2026"])],
                   "line": [pa.array([2, 3, 4], pa.int64())]}
    checks.check_duplicates(result, "taxes")
    assert [(f.line, f.column) for f in result.findings] == [(4, "宛名番号・年度")]


def test_households_need_exactly_one_living_head():
    result = _kept(household_no=["9", "9", "3", "3", "7", "7", "8"],
                   is_household_head=["1", "0", "0", "0", "1", "1", "1"],
                   status=["1", "1", "1", "1", "1", "1", "2"],
                   atena_no=["1", "2", "3", "4", "5", "6", "7"])
    checks.check_households(result)
    assert [(f.line, f.code) for f in result.findings] == [(4, "household_head"), (6, "household_head")]
    assert "世帯番号 3 の住登内の世帯主が0人" in result.findings[0].message
    assert "世帯番号 7 の住登内の世帯主が2人" in result.findings[1].message


def test_households_spread_over_blocks_and_lines_are_counted_together():
    result = FileChecks("residents.csv")
    result.keys = {"household_no": [pa.array(["5", "12", "5"]), pa.array(["12", "40", "5", "40", "x1"])],
                   "is_household_head": [pa.array(["0", "1", "0"]), pa.array(["1", "1", "1", "0", "0"])],
                   "status": [pa.array(["1", "1", "1"]), pa.array(["1", "3", "1", "3", "1"])],
                   "line": [pa.array([2, 3, 4], pa.int64()), pa.array([5, 6, 7, 8, 9], pa.int64())]}
    checks.check_households(result)
    # 12 has two living heads (lines 3 and 5), 5 has one (line 7), 40 has nobody living, and the
    # malformed x1 (reported by the row rules too) has no head.
    assert [(f.line, f.message) for f in result.findings] == [
        (3, "世帯番号 12 の住登内の世帯主が2人です（1人である必要があります）。"),
        (9, "世帯番号 x1 の住登内の世帯主が0人です（1人である必要があります）。")]


def test_households_of_nobody_living_are_not_checked():
    result = _kept(household_no=["1", "1"], is_household_head=["0", "0"], status=["2", "3"], atena_no=["1", "2"])
    checks.check_households(result)
    assert result.findings == []


def test_check_file_reports_file_line_and_column(tmp_path):
    columns = spec.columns("welfare")
    row = {c.name: "" for c in columns} | {"atena_no": "12", "has_intractable_disease": "0", "lives_alone": "1",
                                              "elderly_only_household": "0"}
    good = ",".join(row[c.name] for c in columns)
    bad = ",".join((row | {"atena_no": "1x"})[c.name] for c in columns)
    path = tmp_path / "welfare.body"
    path.write_text(f"{good}\n{bad}\n", encoding="utf-8")
    result = checks.check_file(path, "welfare", "welfare.csv", False, date(2026, 11, 25))
    assert [(f.file, f.line, f.column, f.code) for f in result.findings] == [("welfare.csv", 3, "宛名番号", "format")]


def test_references_find_unknown_residents_exactly():
    residents = _kept(atena_no=["12", "7", "0012", "999999999999999"])
    seals = FileChecks("seals.csv")
    seals.keys = {"atena_no": [pa.array(["7", "012", "12", "1x", "999999999999999", "0012"])],
                  "line": [pa.array([2, 3, 4, 5, 6, 7], pa.int64())]}
    known = checks.check_references(seals, residents)
    assert [(f.line, f.message) for f in seals.findings] == [(3, "宛名番号 012 の住民がいません。"),
                                                            (5, "宛名番号 1x の住民がいません。")]
    again = FileChecks("welfare.csv")
    again.keys = {"atena_no": [pa.array(["7"])], "line": [pa.array([2], pa.int64())]}
    assert checks.check_references(again, residents, known) is known and again.findings == []


def test_reason_codes_go_with_their_operations():
    reasons = pa.array(["51", "52", "53", "53", "99", "51", "53", "14"])
    ops = pa.array(["1", "2", "2", "3", "3", "2", "1", "2"])
    assert checks._bad_reasons(reasons, ops, "welfare").to_pylist() == [False, False, False, False, False,
                                                                        True, True, True]


def test_link_dates_read_both_forms_as_the_spec_rule_does():
    values = ["2026-11-25", "R08.11.25", "R08.12.31", "H05.02.20", "1993-02-20", "H31.05.01", "S64.01.08",
              "2023-02-29", "R05.02.29", "", "X05.02.20", "2026-1-5"]
    read = checks.link_dates(pa.array(values)).to_pylist()
    assert [d.date() if d else None for d in read] == [spec.parse_link_date(v) for v in values]


def _spool(tmp_path, kind: str, rows: list[dict], diff: bool = False):
    """A staged-style spool (UTF-8, no header) of ``rows``, each a partial {column name: value}."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([row.get(c.name, "") for c in spec.columns(kind, diff)])
    path = tmp_path / f"{kind}.body"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _consistency(result: FileChecks) -> list[tuple[int, str, str]]:
    return [(f.line, f.column, f.message) for f in result.findings if f.code == "consistency"]


def test_a_birth_date_after_the_reference_date_is_refused_in_either_form(tmp_path):
    births = ["R08.12.31", "2026-12-31", "R08.11.25", "2026-11-25", "R08.11.26", "S50.01.01"]
    path = _spool(tmp_path, "residents", [{"birth_date": b, "status": "1"} for b in births])
    result = checks.check_file(path, "residents", "residents.csv", False, date(2026, 11, 25))
    assert [(line, column) for line, column, _ in _consistency(result)] == [
        (2, "生年月日"), (3, "生年月日"), (6, "生年月日")]


def test_every_date_rule_holds_for_wareki_too(tmp_path):
    # 廃止日 before 登録日, in every mix of the two forms; the same day and later days pass.
    pairs = [("R05.04.01", "R05.03.31"), ("2023-04-01", "R05.03.31"), ("R05.04.01", "2023-03-31"),
             ("H30.04.01", "H30.04.01"), ("2018-04-01", "R01.05.01"), ("R01.05.01", "H31.04.30")]
    path = _spool(tmp_path, "seals", [{"registration_no": str(n), "atena_no": "1", "registered_on": r,
                                       "abolished_on": a} for n, (r, a) in enumerate(pairs)])
    result = checks.check_file(path, "seals", "seals.csv", False, date(2026, 11, 25))
    assert [(line, column) for line, column, _ in _consistency(result)] == [
        (2, "廃止日"), (3, "廃止日"), (4, "廃止日"), (7, "廃止日")]


def test_a_birth_date_rule_applies_to_diff_rows_that_keep_a_record(tmp_path):
    rows = [{"op": "1", "reason": "02", "event_on": "R08.11.20", "birth_date": "R08.12.01", "status": "1"},
            {"op": "3", "reason": "99", "event_on": "R08.11.20", "birth_date": "R08.12.01"}]
    path = _spool(tmp_path, "residents", rows, diff=True)
    result = checks.check_file(path, "residents", "residents.csv", True, date(2026, 11, 25))
    assert [(line, column) for line, column, _ in _consistency(result)] == [(2, "生年月日")]


def test_resident_codes_are_unique_and_a_repeat_names_both_lines():
    result = _kept(resident_code=["12345678901", "22222222222", "", "12345678901", "", "22222222222"])
    checks.check_resident_codes(result)
    assert [(f.line, f.column, f.code, f.message) for f in result.findings] == [
        (5, "住民票コード", "duplicate", "住民票コードが2行目と重複しています。"),
        (7, "住民票コード", "duplicate", "住民票コードが3行目と重複しています。")]


def test_a_diff_row_that_removes_a_record_gives_its_resident_code_up():
    result = _kept(resident_code=["12345678901", "12345678901", "12345678901"], op=["3", "1", "2"])
    checks.check_resident_codes(result)
    assert [(f.line, f.message) for f in result.findings] == [(4, "住民票コードが3行目と重複しています。")]


def test_a_file_of_only_its_header_has_no_rows_and_no_findings(tmp_path):
    path = tmp_path / "welfare.body"
    path.write_bytes(b"")
    result = checks.check_file(path, "welfare", "welfare.csv", False, date(2026, 11, 25), keep=("atena_no",))
    checks.check_duplicates(result, "welfare")
    residents = _kept(atena_no=["1", "2"])
    checks.check_references(result, residents)
    assert (result.total, result.findings, checks.kept_table(result).num_rows) == (0, [], 0)

"""Per-row and cross-row rules of the link format, checked with Apache Arrow (vectorised).

A million-row file is read in blocks with pyarrow's streaming CSV reader; every rule of
``spec`` is one vectorised expression over a block (RE2 regular expressions, casts, arithmetic),
so the checks cost a few seconds instead of minutes. Only failing rows are turned into findings,
with the value quoted where that helps. Rules that need the current copy (diff keys, references
after a diff, households) run in SQL (``validate``).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from app.residents.link import spec
from app.residents.link.staging import Finding

MAX_FINDINGS = 1000
KANA = r"^[ァ-ヶー・　 ]+$"
BLOCK = 8 << 20


@dataclass
class FileChecks:
    """Findings of one file, and the key columns kept for the cross-row rules."""

    name: str
    total: int = 0
    findings: list[Finding] = field(default_factory=list)
    keys: dict[str, list] = field(default_factory=dict)

    def add(self, line: int, column: str, code: str, message: str) -> None:
        self.total += 1
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(Finding(self.name, line, column, code, message))


def read_blocks(path: Path, names: list[str]) -> Iterator[pa.RecordBatch]:
    """The staged UTF-8 CSV (header already removed) as record batches of text columns."""
    # An OSFile is read in blocks; a plain path would be memory-mapped, and the whole file would
    # count against the process's memory.
    reader = pcsv.open_csv(
        pa.OSFile(str(path)), read_options=pcsv.ReadOptions(column_names=names, block_size=BLOCK, use_threads=True),
        convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False))
    yield from reader


def check_file(path: Path, kind: str, name: str, diff: bool, reference_date: date,
               keep: tuple[str, ...] = ()) -> FileChecks:
    """Every per-row rule over the staged file; keeps ``keep`` columns (for cross-row rules)."""
    columns = spec.columns(kind, diff)
    names = [c.name for c in columns]
    result = FileChecks(name, keys={k: [] for k in keep})
    first_line = 2
    for block in read_blocks(path, names):
        for column in columns:
            _check_column(block, column, kind, diff, first_line, result)
        for header, mask, message in _consistency(block, kind, diff, reference_date):
            _report(result, mask, first_line, header, "consistency", lambda _i, m=message: m)
        for key in keep:
            result.keys[key].append(block.column(key))
        if keep:
            result.keys.setdefault("line", []).append(pa.array(range(first_line, first_line + block.num_rows),
                                                               pa.int64()))
        first_line += block.num_rows
    return result


def kept_table(result: FileChecks) -> pa.Table:
    return pa.table({name: pa.chunked_array(chunks, type=pa.int64() if name == "line" else pa.string())
                     for name, chunks in result.keys.items()})


def check_duplicates(result: FileChecks, kind: str) -> None:
    """A key appears at most once in a file (full or diff)."""
    keys = list(spec.KEYS[kind])
    table = kept_table(result)
    grouped = table.group_by(keys).aggregate([("line", "min"), ("line", "count")])
    repeated = grouped.filter(pc.greater(grouped["line_count"], 1))
    if repeated.num_rows == 0:
        return
    first = {tuple(r[k] for k in keys): r["line_min"] for r in repeated.to_pylist()}
    headers = "・".join(c.header for c in spec.columns(kind) if c.name in keys)
    rows = table.filter(pc.is_in(table["line"], pa.array(_duplicate_lines(table, keys, first))))
    for row in sorted(rows.to_pylist(), key=lambda r: r["line"]):
        result.add(row["line"], headers, "duplicate", f"{headers}が{first[tuple(row[k] for k in keys)]}行目と重複しています。")


def _duplicate_lines(table: pa.Table, keys: list[str], first: dict) -> list[int]:
    lines = []
    for row in table.filter(pc.is_in(table[keys[0]], pa.array([k[0] for k in first]))).to_pylist():
        key = tuple(row[k] for k in keys)
        if key in first and row["line"] != first[key]:
            lines.append(row["line"])
    return lines


def check_households(result: FileChecks) -> None:
    """Full residents: every 世帯 with a 住登内 member has exactly one 住登内 世帯主."""
    table = kept_table(result)
    living = table.filter(pc.equal(table["status"], "1"))
    heads = pc.cast(pc.equal(living["is_household_head"], "1"), pa.int64())
    grouped = living.append_column("heads", heads).group_by("household_no").aggregate(
        [("heads", "sum"), ("line", "min")])
    bad = grouped.filter(pc.not_equal(grouped["heads_sum"], 1))
    for row in sorted(bad.to_pylist(), key=lambda r: r["line_min"]):
        result.add(row["line_min"], "世帯主", "household_head",
                   f"世帯番号 {row['household_no']} の住登内の世帯主が{row['heads_sum']}人です（1人である必要があります）。")


def check_references(result: FileChecks, residents: FileChecks) -> None:
    """Full batch: the 宛名番号 of seals, taxes and welfare are residents of the same batch."""
    table = kept_table(result)
    known = pc.unique(kept_table(residents)["atena_no"])
    missing = table.filter(pc.invert(pc.is_in(table["atena_no"], known)))
    for row in sorted(missing.to_pylist(), key=lambda r: r["line"])[:MAX_FINDINGS]:
        result.add(row["line"], "宛名番号", "reference", f"宛名番号 {row['atena_no']} の住民がいません。")
    result.total += max(0, missing.num_rows - MAX_FINDINGS)


def _report(result: FileChecks, mask, first_line: int, header: str, code: str, message) -> None:
    failing = pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist()
    for index in failing:
        if len(result.findings) >= MAX_FINDINGS:
            result.total += len(failing) - failing.index(index)
            return
        result.add(first_line + index, header, code, message(index))


def _check_column(block: pa.RecordBatch, column: spec.Column, kind: str, diff: bool, first_line: int,
                  result: FileChecks) -> None:
    values = block.column(column.name)
    present = pc.not_equal(values, "")
    only_if = present
    if diff and column not in spec.DIFF_COLUMNS and column.name not in spec.KEYS[kind]:
        keeping = pc.not_equal(block.column("op"), "3")  # rows that remove a record need only the key
        only_if = pc.and_(present, keeping)
        if column.required:
            _report(result, pc.and_(pc.invert(present), keeping), first_line, column.header, "required",
                    lambda _i, h=column.header: f"{h}が空です。")
    elif column.required:
        _report(result, pc.invert(present), first_line, column.header, "required",
                lambda _i, h=column.header: f"{h}が空です。")
    bad, code, message = _rule(values, column, kind, block)
    if bad is not None:
        _report(result, pc.and_(only_if, bad), first_line, column.header, code,
                lambda i, v=values, m=message: m(v[i].as_py()))


def _rule(values, column: spec.Column, kind: str, block):
    """(mask of bad present values, code, message(value)) for the column's format rule."""
    rule, _, arg = column.rule.partition(":")
    h = column.header
    quote = _quote
    if rule in ("digits", "alnum"):
        low, high = arg.split("-")
        chars = "0-9" if rule == "digits" else "A-Za-z0-9"
        span = low if low == high else f"{low}〜{high}"
        what = "桁の数字" if rule == "digits" else "文字の英数字"
        return _not_matching(values, f"^[{chars}]{{{low},{high}}}$"), "format", \
            lambda v: f"{h}は{span}{what}です（値: {quote(v)}）。"
    if rule == "text":
        return pc.greater(pc.utf8_length(values), int(arg)), "format", lambda v: f"{h}は{arg}文字以内です。"
    if rule == "kana":
        bad = pc.or_(_not_matching(values, KANA), pc.greater(pc.utf8_length(values), int(arg)))
        return bad, "format", lambda v: f"{h}は全角カタカナ（{arg}文字以内）で記載してください（値: {quote(v)}）。"
    if rule == "date":
        return _bad_dates(values), "date", \
            lambda v: f"{h}「{quote(v)}」は日付として正しくありません（YYYY-MM-DD または 和暦 GYY.MM.DD）。"
    if rule in ("code", "flag"):
        allowed = arg.split(",") if rule == "code" else ["0", "1"]
        return pc.invert(pc.is_in(values, pa.array(allowed))), "format", \
            lambda v: f"{h}は {'/'.join(allowed)} のいずれかです（値: {quote(v)}）。"
    if rule == "amount":
        return _not_matching(values, r"^[0-9]{1,12}$"), "format", lambda v: f"{h}は0以上の整数（円）です（値: {quote(v)}）。"
    if rule == "count":
        return _not_matching(values, r"^[0-9]{1,2}$"), "format", lambda v: f"{h}は0〜99の整数です（値: {quote(v)}）。"
    if rule == "year":
        return _not_matching(values, r"^(19|20)[0-9]{2}$"), "format", lambda v: f"{h}は西暦4桁です（値: {quote(v)}）。"
    if rule == "mynumber":
        return pc.invert(_mynumber_valid(values)), "check_digit", \
            lambda v: f"{h}は12桁の数字で、検査数字が正しい必要があります（値は表示しません）。"
    if rule == "card":
        return _not_matching(values, r"^[A-Z]{2}[0-9]{8}[A-Z]{2}$"), "format", \
            lambda v: f"{h}は英字2桁・数字8桁・英字2桁です（値: {quote(v)}）。"
    if rule == "phone":
        return _not_matching(values, r"^[0-9-]{1,20}$"), "format", \
            lambda v: f"{h}は数字とハイフン（20文字以内）です（値: {quote(v)}）。"
    if rule == "png":
        # Base64 of a PNG (it starts "iVBORw0KGgo") of at most 64 KiB decoded.
        length = pc.utf8_length(values)
        bad = pc.or_(pc.or_(_not_matching(values, r"^iVBORw0KGgo[A-Za-z0-9+/]*={0,2}$"),
                            pc.not_equal(pc.bit_wise_and(length, 3), 0)), pc.greater(length, 87384))
        return bad, "format", lambda v: f"{h}はPNG画像をBase64（改行なし、64KiB以内）で記載してください。"
    if rule == "reason":
        return _bad_reasons(values, block.column("op"), kind), "format", \
            lambda v: f"{h}「{quote(v)}」はこの異動区分に使えません（{kind} の事由コードは仕様 3.5）。"
    return None, "", None


def _quote(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _not_matching(values, pattern: str):
    return pc.invert(pc.match_substring_regex(values, pattern))


def _bad_dates(values):
    """Present values that are neither a valid YYYY-MM-DD nor a valid 和暦 date."""
    iso = pc.strptime(values, format="%Y-%m-%d", unit="s", error_is_null=True)
    bad = pc.and_(pc.is_null(iso), pc.not_equal(values, ""))
    # strptime accepts a few forms the link does not (no zero padding): require the exact shape too.
    bad = pc.or_(bad, pc.and_(pc.invert(pc.is_null(iso)), _not_matching(values, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")))
    candidates = pc.indices_nonzero(pc.fill_null(pc.and_(bad, pc.match_substring_regex(values, r"^[MTSHR]")),
                                                 False)).to_pylist()
    if not candidates:
        return bad
    fixed = bad.to_pylist()
    for index in candidates:  # 和暦: rare, checked one by one with the same rule as SQL bcl_link_date
        fixed[index] = spec.parse_link_date(values[index].as_py()) is None
    return pa.array(fixed, pa.bool_())


_WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _mynumber_valid(values):
    shaped = pc.match_substring_regex(values, r"^[0-9]{12}$")
    safe = pc.if_else(shaped, values, "000000000000")
    digits = [pc.cast(pc.utf8_slice_codeunits(safe, i, i + 1), pa.int32()) for i in range(12)]
    total = pc.multiply(digits[0], _WEIGHTS[0])
    for digit, weight in zip(digits[1:11], _WEIGHTS[1:], strict=True):
        total = pc.add(total, pc.multiply(digit, weight))
    # check = 0 when the remainder is 0 or 1, else 11 - remainder: ((11 - r) mod 11) mod 10
    check = _mod(_mod(pc.subtract(11, _mod(total, 11)), 11), 10)
    return pc.and_(shaped, pc.equal(check, digits[11]))


def _mod(values, divisor: int):
    return pc.subtract(values, pc.multiply(pc.divide(values, divisor), divisor))


def _bad_reasons(reasons, ops, kind: str):
    allowed = [f"{code}:{op}" for code, (op, _) in spec.DIFF_REASONS[kind].items()]
    combined = pc.binary_join_element_wise(reasons, ops, ":")
    return pc.invert(pc.is_in(combined, pa.array(allowed)))


def _consistency(block: pa.RecordBatch, kind: str, diff: bool, reference_date: date):
    """(header, mask, message) of the rules between values of one row."""
    col = block.column
    eq, ne = pc.equal, pc.not_equal
    rules = []
    if kind == "residents":
        foreign, japanese = eq(col("resident_kind"), "2"), eq(col("resident_kind"), "1")
        removed = pc.is_in(col("status"), pa.array(["2", "3", "4"]))
        birth = pc.strptime(col("birth_date"), format="%Y-%m-%d", unit="s", error_is_null=True)
        after = pc.greater(birth, pa.scalar(reference_date.isoformat() + " 00:00:00").cast(pa.timestamp("s")))
        rules = [
            ("国籍・地域", pc.and_(foreign, pc.or_(eq(col("nationality"), ""), eq(col("residence_status"), ""))),
             "外国人住民には国籍・地域と在留資格が必要です。"),
            ("国籍・地域", pc.and_(japanese, pc.or_(pc.or_(ne(col("nationality"), ""), ne(col("residence_status"), "")),
                                                 ne(col("residence_card_no"), ""))),
             "日本人住民に外国人住民の項目（国籍・地域、在留資格、在留カード等番号）は記載できません。"),
            ("本籍", pc.and_(foreign, pc.or_(ne(col("honseki"), ""), ne(col("hittousha"), ""))),
             "外国人住民に本籍・筆頭者は記載できません。"),
            ("旧氏カナ", pc.and_(ne(col("former_surname"), ""), eq(col("former_surname_kana"), "")),
             "旧氏がある場合は旧氏カナが必要です。"),
            ("通称カナ", pc.and_(ne(col("alias_name"), ""), eq(col("alias_kana"), "")),
             "通称がある場合は通称カナが必要です。"),
            ("消除日", pc.and_(removed, eq(col("removed_on"), "")),
             "住民状態が転出・死亡・職権消除のときは消除日が必要です。"),
            ("消除日", pc.and_(eq(col("status"), "1"), ne(col("removed_on"), "")), "住登内の住民に消除日は記載できません。"),
            ("生年月日", after, "生年月日が基準日時より後です。"),
        ]
        if diff:
            for reason, status in spec.REASON_STATUS.items():
                rules.append(("住民状態", pc.and_(eq(col("reason"), reason), ne(col("status"), status)),
                              f"異動事由 {reason} の住民状態は {status}（{spec.RESIDENT_STATUS[status]}）です。"))
    elif kind == "seals":
        registered = pc.strptime(col("registered_on"), format="%Y-%m-%d", unit="s", error_is_null=True)
        abolished = pc.strptime(col("abolished_on"), format="%Y-%m-%d", unit="s", error_is_null=True)
        rules = [("廃止日", pc.less(abolished, registered), "廃止日が登録日より前です。"),
                 ("印影", pc.and_(eq(col("abolished_on"), ""), eq(col("impression"), "")),
                  "廃止されていない登録には印影が必要です。")]
    elif kind == "taxes":
        rules = _tax_rules(col)
    if diff:
        keeping = ne(col("op"), "3")
        rules = [(h, pc.and_(keeping, mask), m) for h, mask, m in rules]
    return rules


def _tax_rules(col):
    def number(name):
        return pc.cast(pc.if_else(pc.match_substring_regex(col(name), r"^[0-9]{1,12}$"), col(name), "0"), pa.int64())

    annual, paid = number("annual_tax"), number("paid_amount")
    status, eq = col("payment_status"), pc.equal
    inconsistent_status = pc.or_(pc.or_(
        pc.and_(eq(status, "1"), pc.less(paid, annual)),
        pc.and_(eq(status, "3"), pc.not_equal(paid, 0))),
        pc.and_(eq(status, "2"), pc.or_(eq(paid, 0), pc.greater_equal(paid, annual))))
    return [
        ("年税額", pc.not_equal(annual, pc.add(number("per_capita_levy"), number("income_levy"))),
         "年税額が均等割額と所得割額の合計と一致しません。"),
        ("年税額", pc.and_(eq(col("tax_class"), "2"), pc.not_equal(col("annual_tax"), "0")), "非課税の年税額は0です。"),
        ("納税状況", inconsistent_status, "納税状況が納付済額・年税額と合いません（1 完納・2 一部納付・3 未納）。"),
    ]

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

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from app.residents.link import spec
from app.residents.link.staging import Finding

MAX_FINDINGS = 1000
KANA = r"^[ァ-ヶー・　 ]+$"
# The CSV reader allocates several times a block per text column while converting it: 4 MiB blocks
# keep a million-row load within its memory budget at nearly the speed of larger ones.
BLOCK = 2 << 20


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


def use_returning_memory_pool() -> None:
    """Arrow's jemalloc pool with immediate decay, where pyarrow has it: freed blocks go back to the
    operating system at once. The default mimalloc pool keeps what the multi-threaded CSV reader
    and the sorts freed, which held a million-row load ~150 MB above its live data."""
    try:
        pool = pa.jemalloc_memory_pool()
        pa.jemalloc_set_decay_ms(0)
    except NotImplementedError:  # a pyarrow built without jemalloc keeps its default pool
        return
    pa.set_memory_pool(pool)


def read_blocks(path: Path, names: list[str]) -> Iterator[pa.RecordBatch]:
    """The staged UTF-8 CSV (header already removed) as record batches of text columns."""
    if path.stat().st_size == 0:  # a file of only its header line (a kind the municipality does not link)
        return
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
    result = FileChecks(name, keys={k: [] for k in (*keep, "line")} if keep else {})
    first_line = 2
    for block in read_blocks(path, names):
        for column in columns:
            _check_column(block, column, kind, diff, first_line, result)
        for header, mask, message in _consistency(block, kind, diff, reference_date):
            _report(result, mask, first_line, header, "consistency", lambda _i, m=message: m)
        for key in keep:
            result.keys[key].append(block.column(key))
        if keep:
            result.keys["line"].append(pa.array(range(first_line, first_line + block.num_rows), pa.int64()))
        first_line += block.num_rows
    return result


def kept_table(result: FileChecks) -> pa.Table:
    return pa.table({name: pa.chunked_array(chunks, type=pa.int64() if name == "line" else pa.string())
                     for name, chunks in result.keys.items()})


def check_duplicates(result: FileChecks, kind: str) -> None:
    """A key appears at most once in a file (full or diff); a repeat names the line it repeats."""
    keys = list(spec.KEYS[kind])
    headers = "・".join(c.header for c in spec.columns(kind) if c.name in keys)
    _report_repeats(result, kept_table(result).select([*keys, "line"]), keys, headers)


def check_resident_codes(result: FileChecks) -> None:
    """住民票コード is unique in a municipality: no two people of a residents file share one (in a
    diff, no two of its 追加/更新 rows; a 削除 row gives its record's code up). Card authentication
    finds the resident by this code. An empty code is reported by the ``required`` rule instead."""
    table = kept_table(result)
    rows = pc.not_equal(table["resident_code"], "")
    if "op" in table.column_names:
        rows = pc.and_(rows, pc.not_equal(table["op"], "3"))
    _report_repeats(result, table.select(["resident_code", "line"]).filter(rows), ["resident_code"], "住民票コード")


def _report_repeats(result: FileChecks, table: pa.Table, keys: list[str], headers: str) -> None:
    """Report every row of ``table`` (``keys`` + ``line``) whose keys an earlier line already had.

    Sorting the keys and comparing neighbours needs a few bytes per row, where a hash aggregation
    over a million distinct keys would hold a large hash table.
    """
    ordered = table.take(pc.sort_indices(table, [(k, "ascending") for k in keys] + [("line", "ascending")]))
    if ordered.num_rows < 2:
        return
    same = None
    for key in keys:
        column = ordered[key]
        equal = pc.equal(column.slice(1), column.slice(0, ordered.num_rows - 1))
        same = equal if same is None else pc.and_(same, equal)
    repeats = pc.indices_nonzero(same).to_pylist()
    if not repeats:
        return
    lines = ordered["line"]
    found = []
    first, previous = None, -2
    for index in repeats:  # index + 1 repeats index; runs of repeats point at the run's first line
        if index != previous + 1:
            first = lines[index].as_py()
        found.append((lines[index + 1].as_py(), first))
        previous = index
    for line, original in sorted(found):
        result.add(line, headers, "duplicate", f"{headers}が{original}行目と重複しています。")


def check_households(result: FileChecks) -> None:
    """Full residents: every 世帯 with a 住登内 member has exactly one 住登内 世帯主.

    The living members' 世帯番号 are numbered by their distinct values and the heads counted per
    number (numpy): a few bytes per row, without sorting a copy of the strings.
    """
    table = kept_table(result)
    living = pc.equal(table["status"], "1")
    households = table["household_no"].filter(living).combine_chunks()
    if len(households) == 0:
        return
    # Each 世帯番号 as a small integer (its position in the dictionary of distinct numbers): the
    # heads are counted per integer, so no copy of the strings is sorted.
    encoded = pc.dictionary_encode(households)
    codes = encoded.indices.to_numpy()
    heads = pc.equal(table["is_household_head"].filter(living), "1").to_numpy(zero_copy_only=False)
    per_household = np.bincount(codes, weights=heads, minlength=len(encoded.dictionary)).astype(np.int64)
    _, first = np.unique(codes, return_index=True)  # lines ascend, so the first row is the first line
    first_lines = table["line"].filter(living).to_numpy()[first]
    wrong = np.flatnonzero(per_household != 1)
    for index in wrong[np.argsort(first_lines[wrong], kind="stable")]:
        result.add(int(first_lines[index]), "世帯主", "household_head",
                   f"世帯番号 {encoded.dictionary[int(index)].as_py()} の住登内の世帯主が{per_household[index]}人です"
                   "（1人である必要があります）。")


def check_references(result: FileChecks, residents: FileChecks, known: np.ndarray | None = None) -> np.ndarray:
    """Full batch: the 宛名番号 of seals, taxes and welfare are residents of the same batch.

    ``known`` (returned, so the next kind can reuse it) is the sorted residents' 宛名番号 as numbers
    (``atena_numbers``): a binary search over 8 bytes a person instead of a hash set of strings.
    """
    if known is None:
        known = np.sort(atena_numbers(kept_table(residents)["atena_no"]))
    table = kept_table(result)
    numbers = atena_numbers(table["atena_no"])
    positions = np.minimum(np.searchsorted(known, numbers), max(len(known) - 1, 0))
    missing = np.flatnonzero(known[positions] != numbers) if len(known) else np.arange(len(numbers))
    lines = table["line"].to_numpy()
    atena = table["atena_no"]
    for index in missing[np.argsort(lines[missing], kind="stable")][:MAX_FINDINGS]:
        result.add(int(lines[index]), "宛名番号", "reference",
                   f"宛名番号 {atena[int(index)].as_py()} の住民がいません。")
    result.total += max(0, len(missing) - MAX_FINDINGS)
    return known


def atena_numbers(values: pa.ChunkedArray) -> np.ndarray:
    """宛名番号 (1–15 digits) as distinct int64 values: length × 10¹⁵ + value, so "012" ≠ "12".
    A value that is not 1–15 digits (reported by the row rules) becomes -1 and matches nothing."""
    shaped = pc.match_substring_regex(values, r"^[0-9]{1,15}$")
    digits = pc.cast(pc.if_else(shaped, values, "0"), pa.int64())
    numbers = pc.add(pc.multiply(pc.cast(pc.utf8_length(values), pa.int64()), 10 ** 15), digits)
    return pc.if_else(shaped, numbers, -1).to_numpy()


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
        return _not_matching(values, r"^[0-9]{1,12}$"), "format", \
            lambda v: f"{h}は0以上の整数（円）です（値: {quote(v)}）。"
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
    return pc.and_(pc.is_null(link_dates(values)), pc.not_equal(values, ""))


_NO_DATE = pa.scalar(None, pa.timestamp("s"))


def link_dates(values) -> pa.Array:
    """The dates of a link date column (YYYY-MM-DD or 和暦 GYY.MM.DD) as timestamps at midnight;
    null where the value is empty or not a valid date. Every rule that compares dates reads them
    through here, so both forms are held to the same rules."""
    iso = pc.strptime(values, format="%Y-%m-%d", unit="s", error_is_null=True)
    # strptime also takes unpadded forms and rolls 2023-02-29 over to March: a valid date is one
    # that reads back as exactly the text it came from.
    exact = pc.and_(pc.equal(pc.strftime(iso, format="%Y-%m-%d"), values),
                    pc.invert(pc.starts_with(values, "0000")))  # there is no year 0
    dates = pc.if_else(pc.fill_null(exact, False), iso, _NO_DATE)
    wareki = pc.match_substring_regex(values, r"^[MTSHR]")
    candidates = pc.indices_nonzero(wareki).to_pylist()
    if not candidates:
        return dates
    # 和暦: rare, read one by one with the same rule as SQL bcl_link_date
    parsed = [spec.parse_link_date(values[index].as_py()) for index in candidates]
    return pc.replace_with_mask(dates, wareki, pa.array(parsed, pa.date32()).cast(pa.timestamp("s")))


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
    allowed = [f"{code}:{op}" for code, (ops, _) in spec.DIFF_REASONS[kind].items() for op in ops]
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
        after = pc.greater(link_dates(col("birth_date")),
                           pa.scalar(reference_date.isoformat() + " 00:00:00").cast(pa.timestamp("s")))
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
            ("消除日", pc.and_(eq(col("status"), "1"), ne(col("removed_on"), "")),
             "住登内の住民に消除日は記載できません。"),
            ("生年月日", after, "生年月日が基準日時より後です。"),
        ]
        if diff:
            for reason, status in spec.REASON_STATUS.items():
                rules.append(("住民状態", pc.and_(eq(col("reason"), reason), ne(col("status"), status)),
                              f"異動事由 {reason} の住民状態は {status}（{spec.RESIDENT_STATUS[status]}）です。"))
    elif kind == "seals":
        rules = [("廃止日", pc.less(link_dates(col("abolished_on")), link_dates(col("registered_on"))),
                  "廃止日が登録日より前です。"),
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

"""Decode a stored file and COPY it into a temporary staging table of text columns.

PostgreSQL parses the CSV (COPY … FORMAT csv), which is what makes a million rows cheap; Python
only decodes (CP932 → UTF-8), checks the header, and looks for characters outside JIS X 0208
and 外字 on the way through. Line numbers count the header as line 1.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import psycopg

from app.residents.link import spec
from app.residents.link.archive import temporary_path

MAX_LISTED_CHARACTERS = 1000


@dataclass
class Finding:
    file: str
    line: int | None
    column: str
    code: str
    message: str


@dataclass
class StagedFile:
    kind: str
    name: str
    table: str
    diff: bool
    rows: int = 0
    spool: Path | None = None  # the file as UTF-8 without its header, for the Arrow checks
    findings: list[Finding] = field(default_factory=list)
    characters: list[dict] = field(default_factory=list)  # outside JIS X 0208 / 外字
    character_count: int = 0


class StagingFailed(Exception):
    """The file cannot be read as the specification's CSV; ``finding`` says where and why."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


def staging_table(kind: str, purpose: str = "stg") -> str:
    return f"{purpose}_{kind}"


def create_staging_table(conn: psycopg.Connection, kind: str, diff: bool, name: str) -> None:
    cols = ", ".join(f"{c.name} text NOT NULL" for c in spec.columns(kind, diff))
    conn.execute(f"CREATE TEMP TABLE {name} (line_no bigint GENERATED ALWAYS AS IDENTITY (START WITH 2), "
                 f"{cols}) ON COMMIT DROP")


def stage(conn: psycopg.Connection, kind: str, name: str, encoding: str, chunks: Iterable[bytes], *,
          diff: bool, table: str | None = None, spool: bool = False) -> StagedFile:
    """Load one file's ``chunks`` (bytes, in order) into a new staging table and return what was found.

    With ``spool`` the UTF-8 text also goes to a temporary file (``StagedFile.spool``; the caller
    removes it), from which the Arrow checks read while the database keeps its own copy.
    """
    staged = StagedFile(kind, name, table or staging_table(kind), diff)
    create_staging_table(conn, kind, diff, staged.table)
    expected = spec.header(kind, diff)
    names = ", ".join(c.name for c in spec.columns(kind, diff))
    reader = _LineReader(encoding, name, expected, staged)
    if spool:
        staged.spool = temporary_path("bcl-stage-", ".csv")
    try:
        with conn.cursor() as cursor, cursor.copy(
                f"COPY {staged.table} ({names}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({names}))") as copy, \
                (staged.spool.open("wb") if spool else contextlib.nullcontext()) as sink:
            for data in reader.utf8_lines(chunks):
                copy.write(data)
                if sink:
                    sink.write(data)
    except psycopg.errors.DataError as exc:
        raise StagingFailed(_copy_finding(exc, name, expected)) from exc
    staged.rows = reader.records
    conn.execute(f"ANALYZE {staged.table}")  # the checks against the copy join on it
    return staged


class _LineReader:
    """Decodes chunks into whole lines, checks the header, scans characters, yields UTF-8 for COPY."""

    def __init__(self, encoding: str, name: str, expected: tuple[str, ...], staged: StagedFile):
        codec = "cp932" if encoding == "CP932" else "utf-8-sig"
        self.decoder = codecs.getincrementaldecoder(codec)("strict")
        self.name, self.expected, self.staged = name, expected, staged
        self.line = 0  # lines fully passed on
        self.records = 0
        self.pending = ""
        self.header_seen = False

    def utf8_lines(self, chunks: Iterable[bytes]):
        offset = 0
        for chunk in chunks:
            text = self._decode(chunk, offset)
            offset += len(chunk)
            yield from self._lines(text, final=False)
        yield from self._lines(self._decode(b"", offset, final=True), final=True)

    def _decode(self, chunk: bytes, offset: int, final: bool = False) -> str:
        try:
            return self.decoder.decode(chunk, final)
        except UnicodeDecodeError as exc:
            line = self.line + 1 + self.pending.count("\n") + chunk[:exc.start].count(b"\n")
            raise StagingFailed(Finding(self.name, line, "", "encoding",
                                        f"{self.name} の{line}行目に、宣言された文字コードで読めないバイト列があります"
                                        f"（{exc.object[exc.start:exc.start + 2].hex(' ')}）。")) from exc

    def _lines(self, text: str, final: bool):
        text = self.pending + text
        cut = len(text) if final else text.rfind("\n") + 1
        self.pending = text[cut:]
        block = text[:cut]
        if not block:
            return
        if not self.header_seen:
            block = self._take_header(block)
        if block:
            self._scan(block)
            count = block.count("\n") + (0 if block.endswith("\n") else 1)
            self.records += count
            self.line += count
            yield block.encode("utf-8")

    def _take_header(self, block: str) -> str:
        end = block.find("\n")
        first, rest = (block, "") if end < 0 else (block[:end], block[end + 1:])
        self.header_seen = True
        self.line = 1
        got = next(csv.reader([first.rstrip("\r")]), [])
        if tuple(got) != self.expected:
            raise StagingFailed(Finding(self.name, 1, "", "header", _header_message(self.name, got, self.expected)))
        return rest

    def _scan(self, block: str) -> None:
        """List the characters outside JIS X 0208 and 外字 with their line and column. Only lines
        holding one are parsed, field by field, so each character is named with its own column."""
        pattern = _outside_jis_pattern()
        line_index, line_start, scanned_until = 0, 0, -1
        for match in pattern.finditer(block):
            if match.start() < scanned_until:
                continue  # on a line already scanned
            if len(self.staged.characters) >= MAX_LISTED_CHARACTERS:  # the list is full: only count
                self.staged.character_count += sum(1 for _ in pattern.finditer(block, match.start()))
                return
            start = block.rfind("\n", 0, match.start()) + 1
            end = block.find("\n", match.start())
            end = len(block) if end < 0 else end
            line_index += block.count("\n", line_start, start)
            line_start, scanned_until = start, end
            self._scan_line(block[start:end].rstrip("\r"), self.line + 1 + line_index, pattern)

    def _scan_line(self, text: str, line: int, pattern: re.Pattern) -> None:
        row = next(csv.reader([text]), [])
        for column, value in enumerate(row):
            for match in pattern.finditer(value):
                self.staged.character_count += 1
                if len(self.staged.characters) < MAX_LISTED_CHARACTERS:
                    self.staged.characters.append(_character(self.name, line, self.expected, column, match.group()))


def _character(file: str, line: int, header: tuple[str, ...], column: int, char: str) -> dict:
    code = ord(char)
    kind = "外字（私用領域）" if 0xE000 <= code <= 0xF8FF or code >= 0xF0000 else "JIS X 0208外"
    return {"file": file, "line": line, "column": header[column] if 0 <= column < len(header) else "",
            "char": char, "codepoint": f"U+{code:04X}", "kind": kind}


def _header_message(name: str, got: list[str], expected: tuple[str, ...]) -> str:
    for index, wanted in enumerate(expected):
        actual = got[index] if index < len(got) else "（なし）"
        if actual != wanted:
            return (f"{name} の見出し行の{index + 1}列目は「{wanted}」のはずですが「{actual}」です"
                    f"（列の数: 仕様 {len(expected)}、ファイル {len(got)}）。")
    return f"{name} の見出し行の列が多すぎます（仕様 {len(expected)} 列、ファイル {len(got)} 列）。"


_COPY_LINE = re.compile(r"line (\d+)(?:, column (\w+))?")


def _copy_finding(exc: psycopg.Error, name: str, header: tuple[str, ...]) -> Finding:
    """Turn a COPY error into a report line (its line numbers exclude our header line)."""
    context = exc.diag.context or ""
    match = _COPY_LINE.search(context)
    line = int(match.group(1)) + 1 if match else None
    column = ""
    if match and match.group(2):
        column = next((c.header for c in _all_columns() if c.name == match.group(2)), match.group(2))
    primary = exc.diag.message_primary or str(exc)
    reason = {"extra data after last expected column": f"列が多すぎます（{len(header)}列のはずです）",
              "missing data for column": f"列が足りません（{len(header)}列のはずです）",
              "unterminated CSV quoted field": "引用符（\"）が閉じられていません"}
    text = next((ja for en, ja in reason.items() if primary.startswith(en)), primary)
    code = "encoding" if "encoding" in primary or "byte sequence" in primary else "csv_format"
    return Finding(name, line, column, code, f"{name} の{line}行目: {text}" if line else f"{name}: {text}")


def _all_columns():
    for kind in spec.KINDS:
        yield from spec.columns(kind, diff=True)


@lru_cache(maxsize=1)
def _outside_jis_pattern() -> re.Pattern:
    """Characters that are neither ASCII nor in JIS X 0208.

    JIS X 0208 is what ISO-2022-JP encodes, plus CP932's own Unicode mapping of the same rows
    (～ U+FF5E for 〜, － U+FF0D …), so a CP932 file's ordinary characters are not reported.
    """
    allowed = [chr(code) for code in range(0x80, 0x10000)
               if not 0xD800 <= code <= 0xDFFF and _in_jis_x_0208(chr(code))]
    ranges = _ranges(ord(c) for c in allowed)
    body = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(f"[^\\x00-\\x7f{body}]")


def _in_jis_x_0208(char: str) -> bool:
    try:
        char.encode("iso2022_jp")
        return True
    except UnicodeEncodeError:
        pass
    try:
        encoded = char.encode("cp932")
    except UnicodeEncodeError:
        return False
    # CP932 rows taken from JIS X 0208 have lead bytes 0x81-0x84, 0x88-0x9F and 0xE0-0xEA.
    return len(encoded) == 2 and (0x81 <= encoded[0] <= 0x84 or 0x88 <= encoded[0] <= 0x9F
                                  or 0xE0 <= encoded[0] <= 0xEA)


def _ranges(codes) -> list[tuple[int, int]]:
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return [(a, b) for a, b in ranges]


ChunkSource = Callable[[int], Iterable[bytes]]

"""Reading a batch archive: the ZIP, its manifest and its files (docs/resident-link.md §1–2)."""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from app.errors import ValidationError
from app.residents.link import spec
from app.tenants.rules import normalize_lg_code

CHUNK_SIZE = 1 << 20


# The title of each problem the link API answers with (docs/resident-link.md §4): it names the
# kind of problem, the same for every occurrence; the detail says what exactly is wrong.
PROBLEM_TITLES = {
    "not_a_zip": "ZIP形式ではありません",
    "manifest_invalid": "manifest.json の内容が正しくありません",
    "lg_code_mismatch": "送信元と異なる団体のバッチです",
    "file_missing": "manifest.json にあるファイルがZIPにありません",
    "checksum_mismatch": "ファイルのSHA-256が manifest.json と一致しません",
    "record_count_mismatch": "ファイルのデータ行数が manifest.json と一致しません",
    "sequence_gap": "連番が飛んでいます",
    "sequence_conflict": "この連番は別の内容で受け付け済みです",
    "too_large": "バッチが大きすぎます",
    "purged": "世代のファイルは保存期間を過ぎて削除されています",
}


class LinkProblem:
    """Mixed into the link's domain errors: the problem title follows the error ``code``."""

    def __init__(self, message: str, *, code: str, **kw):
        super().__init__(message, code=code, **kw)
        self.title = PROBLEM_TITLES[code]


class BatchRefused(LinkProblem, ValidationError):
    """The batch cannot be accepted at all (before any row is read). ``code`` is the API error code."""


class BatchTooLarge(BatchRefused):
    status = 413


@dataclass(frozen=True)
class FileEntry:
    kind: str
    name: str
    encoding: str
    records: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    lg_code: str
    mode: str
    sequence: int
    reference_at: datetime
    files: tuple[FileEntry, ...]
    raw: dict

    @property
    def fingerprint(self) -> str:
        """Identifies the batch's content: mode, sequence and every file's checksum."""
        parts = [self.mode, str(self.sequence), *sorted(f"{f.kind}:{f.sha256}" for f in self.files)]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


def open_archive(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BatchRefused("送られたファイルはZIP形式ではありません。", code="not_a_zip") from exc


def read_manifest(archive: zipfile.ZipFile) -> tuple[Manifest, bytes]:
    """The manifest and its exact bytes; refuses a missing, unreadable or invalid manifest."""
    try:
        raw_bytes = archive.read("manifest.json")
    except KeyError as exc:
        raise BatchRefused("ZIPに manifest.json がありません。", code="manifest_invalid") from exc
    try:
        raw = json.loads(raw_bytes.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BatchRefused(f"manifest.json を読めません（UTF-8のJSONではありません）: {exc}",
                           code="manifest_invalid") from exc
    manifest = parse_manifest(raw)
    names = set(archive.namelist())
    for entry in manifest.files:
        if entry.name not in names:
            raise BatchRefused(f"manifest.json にある「{entry.name}」がZIPにありません。", code="file_missing")
    return manifest, raw_bytes


def parse_manifest(raw: object) -> Manifest:
    """Validate the manifest's structure and values (pure)."""
    if not isinstance(raw, dict):
        raise _invalid("manifest.json の最上位はオブジェクトである必要があります。")
    if raw.get("format") != spec.FORMAT:
        raise _invalid(f"format は「{spec.FORMAT}」である必要があります。")
    if not re.fullmatch(r"1\.\d+", str(raw.get("version", ""))):
        raise _invalid("version は 1.x である必要があります（この仕様は 1.0）。")
    try:
        lg_code = normalize_lg_code(str(raw.get("lg_code", "")))
    except ValidationError as exc:
        raise _invalid(exc.message) from exc
    mode = raw.get("mode")
    if mode not in ("full", "diff"):
        raise _invalid("mode は full（全件）または diff（差分）です。")
    sequence = raw.get("sequence")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        raise _invalid("sequence は1以上の整数です。")
    reference_at = _reference_at(raw.get("reference_at"))
    files = _files(raw.get("files"), mode)
    return Manifest(lg_code, mode, sequence, reference_at, files, raw)


def _reference_at(value) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise _invalid("reference_at（基準日時）はISO 8601の日時です（例: 2026-11-25T03:00:00+09:00）。") from exc
    if moment.tzinfo is None:
        raise _invalid("reference_at（基準日時）には時差（+09:00 など）を付けてください。")
    return moment


def _files(value, mode: str) -> tuple[FileEntry, ...]:
    if not isinstance(value, list) or not value:
        raise _invalid("files にファイルを1つ以上記載してください。")
    entries = []
    for number, item in enumerate(value, start=1):
        entries.append(_file_entry(item, number))
    kinds = [e.kind for e in entries]
    if len(set(kinds)) != len(kinds):
        raise _invalid("同じ種類（kind）のファイルが2つ以上あります。")
    if mode == "full" and set(kinds) != set(spec.KINDS):
        missing = "、".join(k for k in spec.KINDS if k not in kinds)
        raise _invalid(f"全件（full）には4種類すべてのファイルが必要です。足りない種類: {missing}")
    return tuple(entries)


def _file_entry(item, number: int) -> FileEntry:
    if not isinstance(item, dict):
        raise _invalid(f"files の{number}件目がオブジェクトではありません。")
    kind, name, encoding = item.get("kind"), item.get("name"), item.get("encoding")
    if kind not in spec.KINDS:
        raise _invalid(f"files の{number}件目: kind は {', '.join(spec.KINDS)} のいずれかです。")
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name == "manifest.json":
        raise _invalid(f"files の{number}件目: name はフォルダを含まないファイル名です。")
    if encoding not in spec.ENCODINGS:
        raise _invalid(f"files の{number}件目: encoding は UTF-8 または CP932 です。")
    records, sha256 = item.get("records"), str(item.get("sha256", ""))
    if not isinstance(records, int) or isinstance(records, bool) or records < 0:
        raise _invalid(f"files の{number}件目: records は0以上の整数です。")
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise _invalid(f"files の{number}件目: sha256 は64桁の小文字16進数です。")
    return FileEntry(kind, name, encoding, records, sha256)


def _invalid(message: str) -> BatchRefused:
    return BatchRefused(f"manifest.json が正しくありません: {message}", code="manifest_invalid")


def iter_chunks(stream: IO[bytes], size: int = CHUNK_SIZE):
    while chunk := stream.read(size):
        yield chunk


class LineCounter:
    """Counts data records (lines after the header) while bytes stream past."""

    def __init__(self) -> None:
        self.newlines = 0
        self.last = b""

    def feed(self, chunk: bytes) -> None:
        self.newlines += chunk.count(b"\n")
        self.last = chunk[-1:]

    @property
    def records(self) -> int:
        lines = self.newlines + (1 if self.last not in (b"", b"\n") else 0)
        return max(0, lines - 1)


def temporary_path(prefix: str, suffix: str) -> Path:
    """A new empty temporary file that outlives this call (the caller removes it)."""
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=suffix)
    os.close(handle)
    return Path(name)

"""The embedded fonts (IPAex Mincho and Gothic, TrueType) and the character policy.

reportlab's CID fonts (HeiseiMin…) are never used: they are not embedded, so a certificate would
look different in every viewer. IPAex is a TrueType font registered once per process and
subset-embedded in each PDF. IPAex has no glyph for some characters (𠮷 U+20BB7, 外字 in the
private-use area); no TrueType font with those glyphs is installed here (Noto CJK has CFF
outlines, which reportlab cannot embed), so the policy is to refuse: ``check_characters`` raises
``UnsupportedCharacters`` listing them, and the issuing office handles the case by hand.
"""
from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

MINCHO, GOTHIC = "IPAexMincho", "IPAexGothic"
FONT_FILES = {MINCHO: "ipaexm.ttf", GOTHIC: "ipaexg.ttf"}
# Where Debian's fonts-ipaexfont puts them; CERT_FONT_DIR overrides (e.g. fonts committed elsewhere).
SEARCH_DIRS = ("/usr/share/fonts/opentype/ipaexfont-mincho", "/usr/share/fonts/opentype/ipaexfont-gothic",
               "/usr/share/fonts/truetype/ipaexfont", "/usr/share/fonts/opentype/ipaexfont")


class UnsupportedCharacters(ValueError):
    """The document contains characters the embedded font cannot print."""

    def __init__(self, characters: list[str]):
        self.characters = characters
        listed = "、".join(f"{c}（U+{ord(c):04X}）" for c in characters)
        super().__init__(f"証明書に印字できない文字が含まれています: {listed}")


def font_path(name: str) -> Path:
    """The TTF file of ``name`` (IPAexMincho / IPAexGothic)."""
    file_name = FONT_FILES[name]
    dirs = [os.environ["CERT_FONT_DIR"]] if os.environ.get("CERT_FONT_DIR") else []
    for directory in (*dirs, *SEARCH_DIRS):
        candidate = Path(directory) / file_name
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"{file_name} not found; install the Debian package fonts-ipaexfont")


@cache
def register_fonts() -> tuple[str, str]:
    """Register IPAex Mincho and Gothic with reportlab once per process."""
    for name in (MINCHO, GOTHIC):
        font = TTFont(name, str(font_path(name)))
        _keep_tables(font.face)
        pdfmetrics.registerFont(font)
    return MINCHO, GOTHIC


def _keep_tables(face) -> None:
    """Keep the font's tables once read: reportlab copies them (the glyph table is megabytes) out
    of the font file again for every subset it embeds, a third of a certificate's time."""
    read = face.get_table
    tables: dict[str, bytes] = {}

    def get_table(tag: str) -> bytes:
        if tag not in tables:
            tables[tag] = read(tag)
        return tables[tag]

    face.get_table = get_table


@cache
def _covered() -> frozenset[int]:
    register_fonts()
    mincho = pdfmetrics.getFont(MINCHO).face.charToGlyph
    gothic = pdfmetrics.getFont(GOTHIC).face.charToGlyph
    return frozenset(mincho) & frozenset(gothic)


def unsupported(text: str) -> list[str]:
    """Characters of ``text`` that the fonts cannot print (line breaks excepted), in order, once each."""
    covered = _covered()
    seen: dict[str, None] = {}
    for char in text:
        if ord(char) not in covered and char not in "\n\r\t" and char not in seen:
            seen[char] = None
    return list(seen)


def check_characters(texts: list[str]) -> None:
    """Raise ``UnsupportedCharacters`` when any of ``texts`` has a character outside the fonts."""
    missing = unsupported("".join(texts))
    if missing:
        raise UnsupportedCharacters(missing)

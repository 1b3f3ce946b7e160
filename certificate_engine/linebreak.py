"""Line breaking of Japanese text on the certificates, with 禁則処理.

A line may break between any two characters except where JIS X 4051 forbids it: never before a
character of ``NOT_AT_LINE_START`` (closing brackets, 、。 and the like, small kana, ー, 々 — 行頭禁則),
never after one of ``NOT_AT_LINE_END`` (opening brackets — 行末禁則), never inside a run of Latin
letters and digits (``12,345``, ``AB12345678CD``: 分離禁止), and before a space only by dropping it at
the line's end. Lines are filled greedily with as many of those unbreakable units as fit. A unit
wider than a whole line (a long URL) is cut between characters as a last resort, and even then a
line neither starts with a closing mark nor ends with an opening one while any cut allows it.

Written here rather than taken from a library: see docs/certificates.md, "Line breaks".
"""
from __future__ import annotations

from collections.abc import Callable

# 行頭禁則: closing brackets, punctuation, iteration marks, small kana and the like.
NOT_AT_LINE_START = ("、。，．,.・：；:;？！?!゛゜ヽヾゝゞ々〻ー‐－〜～…‥"
                     "）〕］｝〉》」』】〙〗｠)]}’”»"
                     "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ")
# 行末禁則: opening brackets.
NOT_AT_LINE_END = "（〔［｛〈《「『【〘〖｟([{‘“«"

Measure = Callable[[str], float]


def wrap(text: str, width: float, measure: Measure) -> list[str]:
    """``text`` as lines no wider than ``width`` (as ``measure`` tells a string's width), broken where
    Japanese typesetting allows; a newline in ``text`` always starts a new line. Never an empty list."""
    lines: list[str] = []
    for paragraph in (text or "").split("\n"):
        lines += _wrap_paragraph(paragraph, width, measure)
    return lines or [""]


def _wrap_paragraph(paragraph: str, width: float, measure: Measure) -> list[str]:
    if measure(paragraph) <= width:
        return [paragraph]
    lines: list[str] = []
    current = ""
    for unit in units(paragraph):
        if measure((current + unit).rstrip()) <= width:
            current += unit
            continue
        if current:
            lines.append(current.rstrip())
        while measure(unit.rstrip()) > width:
            head, unit = _cut(unit, width, measure)
            lines.append(head)
        current = unit
    lines.append(current.rstrip())
    return lines


def units(paragraph: str) -> list[str]:
    """``paragraph`` in the pieces a line may not break inside (each keeps the spaces after it)."""
    pieces: list[str] = []
    for char in paragraph:
        if pieces and not _may_break_before(pieces[-1], char):
            pieces[-1] += char
        else:
            pieces.append(char)
    return pieces


def _may_break_before(piece: str, char: str) -> bool:
    previous, last_mark = piece[-1], piece.rstrip()[-1:]
    # A space after an opening mark (「 」) does not free the mark to end a line.
    if char in NOT_AT_LINE_START or char.isspace() or (last_mark and last_mark in NOT_AT_LINE_END):
        return False
    if previous.isspace():
        return True
    return not (_in_word(previous) and _in_word(char))


def _in_word(char: str) -> bool:
    """Latin letters, digits and the punctuation between them (ASCII or full-width): 分離禁止."""
    if "！" <= char <= "～":  # full-width ASCII
        char = chr(ord(char) - 0xFEE0)
    return char.isascii() and not char.isspace()


def _cut(unit: str, width: float, measure: Measure) -> tuple[str, str]:
    """The longest head of ``unit`` that fits and leaves no forbidden character at either side of
    the cut (at least one character, so that the text always advances), and the rest."""
    end = 1
    while end < len(unit) and measure(unit[:end + 1]) <= width:
        end += 1
    cut = end
    while cut > 1 and (unit[cut] in NOT_AT_LINE_START or unit[cut - 1] in NOT_AT_LINE_END):
        cut -= 1
    if cut == 1 and (unit[1] in NOT_AT_LINE_START or unit[0] in NOT_AT_LINE_END):
        cut = end  # nowhere allowed within the line: the width wins over the rule
    return unit[:cut], unit[cut:]

"""Line breaking of Japanese text on the certificates, with 禁則処理.

Where a line may break comes from the Unicode line breaking algorithm (UAX #14, through
``uniseg``), which already holds the Japanese rules: closing brackets, 、。 and the like never start a
line, opening brackets never end one, numbers and Latin words stay whole, and (uniseg applies the
strict rule) small kana, ー and 々 never start a line either. Where UAX #14 still allows a break that
JIS X 4051 does not (after a space, before a small kana), the units are joined. Lines are then
filled greedily with as many of those units as fit. A unit wider than a whole line (a long URL, a run of digits) is cut
between characters as a last resort, and even then a line neither starts with a character of
``NOT_AT_LINE_START`` nor ends with one of ``NOT_AT_LINE_END`` (JIS X 4051's 行頭禁則 and 行末禁則).
"""
from __future__ import annotations

from collections.abc import Callable

from uniseg.linebreak import line_break_units

# JIS X 4051 行頭禁則: closing brackets, punctuation, iteration marks, small kana and the like.
NOT_AT_LINE_START = ("、。，．,.・：；:;？！?!゛゜ヽヾゝゞ々〻ー‐－〜～…‥"
                     "）〕］｝〉》」』】〙〗｠)]}’”»"
                     "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ")
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
    for unit in _units(paragraph):
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


def _units(paragraph: str) -> list[str]:
    """The UAX #14 break units of ``paragraph``, joined where a break would still break a 禁則 rule:
    UAX #14 allows a break after a space even before a small kana or a closing mark."""
    units: list[str] = []
    for unit in line_break_units(paragraph):
        if units and (unit[0] in NOT_AT_LINE_START or _ends_open(units[-1])):
            units[-1] += unit
        else:
            units.append(unit)
    return units


def _ends_open(unit: str) -> bool:
    stripped = unit.rstrip()
    return bool(stripped) and stripped[-1] in NOT_AT_LINE_END


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


"""Long lists shown a page at a time: which page was asked for, where its rows sit in the whole list
and the count shown above them (「940 人中 1–50 件目」).

A list screen reads the page with ``app.inputs.page_number`` (400 with a Japanese message for
anything but 1 … the last page a ``bigint`` offset can reach), asks its service for
``limit``/``offset`` rows and the total, and builds ``Page``. A page past the last one (a link kept
while the list shrank) shows no rows and says which pages there are, with 「前へ」 leading to the
last. The templates draw the links with the macro ``pager`` of ``macros/paging.html``, which keeps
the screen's search and filters in every link.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Row = TypeVar("Row")


def offset_of(number: int, size: int) -> int:
    """The row offset of page ``number`` for pages of ``size`` rows."""
    return (number - 1) * size


@dataclass(frozen=True)
class Page(Generic[Row]):
    """Page ``number`` (1-based) of ``size`` rows out of ``total``, with its ``rows``."""

    number: int
    size: int
    total: int
    rows: Sequence[Row]
    unit: str = "件"  # what is counted: 人, 件, 世帯

    @property
    def pages(self) -> int:
        """How many pages the list has (one, empty, when it has no rows)."""
        return max((self.total + self.size - 1) // self.size, 1)

    @property
    def first(self) -> int:
        """The 1-based position in the whole list of this page's first row (0 on an empty list)."""
        return offset_of(self.number, self.size) + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return offset_of(self.number, self.size) + len(self.rows)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_number(self) -> int:
        """The page 「前へ」 leads to: the one before, or the last page from past the end."""
        return min(self.number - 1, self.pages)

    @property
    def is_past_end(self) -> bool:
        return self.number > self.pages

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def summary(self) -> str:
        """「940 人中 1–50 件目」; 「0 人」 when nothing matches; past the last page, which pages there are."""
        if self.is_past_end:
            return f"{self.total} {self.unit}（このページはありません。1–{self.pages} ページ）"
        if not self.rows:
            return f"{self.total} {self.unit}"
        return f"{self.total} {self.unit}中 {self.first}–{self.last} 件目"

"""Long lists shown a page at a time: which page was asked for, where its rows sit in the whole list
and the count shown above them (「940 人中 1–50 件目」).

A list screen reads the page with ``app.inputs.page_number`` (400 for anything but 1 … the last
page a ``bigint`` offset can reach), asks its service for ``limit``/``offset`` rows
and the total, and builds ``Page``; a page past the last one of the list is refused with a 400 that
says which pages there are. The templates draw the links with the macro ``pager`` of
``macros/paging.html``, which keeps the screen's search and filters in every link.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from app.query_params import InvalidParameter

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

    def __post_init__(self) -> None:
        if self.number > self.pages:
            raise InvalidParameter(f"ページ番号は1から{self.pages}までで指定してください（全{self.pages}ページ）。",
                                   details={"parameter": "page", "pages": self.pages})

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
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def summary(self) -> str:
        """「940 人中 1–50 件目」, or 「0 人」 when nothing is listed."""
        if not self.rows:
            return f"{self.total} {self.unit}"
        return f"{self.total} {self.unit}中 {self.first}–{self.last} 件目"

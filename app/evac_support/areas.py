"""Which 町丁目 a register person lives in.

Under row-level security PostgreSQL lets only leakproof operators drive an index, and PostGIS's
spatial operators are not leakproof: a per-person ``ST_Covers`` against ``admin_areas`` walks every
polygon for every person (minutes for a large register). So the polygons are loaded once and the
homes are located here with a shapely STRtree; SQL only ever tests homes against one (uncorrelated,
evaluated once) union of the chosen areas.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

NO_AREA = (None, None)


def in_areas_sql(alias: str = "r") -> str:
    """A condition: the home of resident ``alias`` lies in one of the 町丁目 ``:areas``."""
    return (f"ST_Covers((SELECT ST_Union(a.geom) FROM admin_areas a WHERE a.code = ANY(CAST(:areas AS text[]))), "
            f"{alias}.geom)")


class AreaIndex:
    """The municipality's 町丁目 polygons, for locating many homes at once."""

    def __init__(self, rows: Sequence[tuple[str, str, bytes]]):
        ordered = sorted(rows, key=lambda row: row[0])
        self.codes = [code for code, _, _ in ordered]
        self.names = [name for _, name, _ in ordered]
        self.tree = shapely.STRtree(shapely.from_wkb([bytes(wkb) for _, _, wkb in ordered]))

    @classmethod
    def load(cls, session: Session) -> AreaIndex:
        """The polygons of the session's municipality."""
        return cls(session.execute(text("SELECT code, name, ST_AsBinary(geom) FROM admin_areas")).all())

    def locate(self, xs: Sequence[float | None], ys: Sequence[float | None]) -> list[tuple[str | None, str | None]]:
        """(code, name) of the 町丁目 covering each point (lon, lat); the first by code on a
        boundary; (None, None) outside every area or without a position."""
        count = len(xs)
        if not count or not self.codes:
            return [NO_AREA] * count
        x = np.array([np.nan if v is None else v for v in xs], dtype=float)
        y = np.array([np.nan if v is None else v for v in ys], dtype=float)
        points = shapely.points(x, y)
        found, polygon = self.tree.query(points, predicate="covered_by")
        best = np.full(count, len(self.codes), dtype=np.int64)
        np.minimum.at(best, found, polygon)
        return [NO_AREA if i == len(self.codes) else (self.codes[i], self.names[i]) for i in best.tolist()]

    def name_of(self, x: float | None, y: float | None) -> str | None:
        return self.locate([x], [y])[0][1]

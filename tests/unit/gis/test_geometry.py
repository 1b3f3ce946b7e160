"""gis.geometry: invalid polygons repaired (GEOS MakeValid) with the reason kept; what an area layer
takes of a feature, and what it refuses."""
import pytest
import shapely
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, Polygon, box

from gis.geometry import polygonal, polygonal_part, repaired

BOWTIE = Polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)])


def test_a_valid_geometry_is_not_touched():
    square = box(0, 0, 1, 1)
    assert repaired(square) == (square, "")


def test_a_bowtie_is_repaired_into_its_two_triangles_and_says_why():
    fixed, why = repaired(BOWTIE)
    assert fixed.is_valid and fixed.geom_type == "MultiPolygon" and len(fixed.geoms) == 2
    assert fixed.area == pytest.approx(50.0)
    assert why.startswith("Self-intersection")


def test_an_area_feature_is_a_2d_multipolygon():
    shape, refusal, note = polygonal(shapely.force_3d(box(0, 0, 1, 1)))
    assert (refusal, note) == ("", "")
    assert isinstance(shape, MultiPolygon) and not shape.has_z and shape.area == 1.0


def test_a_repaired_area_feature_keeps_its_polygons_and_the_reason():
    shape, refusal, note = polygonal(BOWTIE)
    assert refusal == "" and note.startswith("Self-intersection")
    assert isinstance(shape, MultiPolygon) and len(shape.geoms) == 2


@pytest.mark.parametrize(("geometry", "refusal"), [
    (None, "図形がありません"),
    (Polygon(), "図形がありません"),
    (Point(0, 0), "点の図形は取り込めません（面のみ）"),
    (LineString([(0, 0), (1, 1)]), "線の図形は取り込めません（面のみ）"),
    (GeometryCollection([box(0, 0, 1, 1)]), "GeometryCollectionの図形は取り込めません（面のみ）"),
])
def test_what_is_not_an_area_is_refused(geometry, refusal):
    assert polygonal(geometry) == (None, refusal, "")


def test_a_polygon_that_repairs_to_a_line_is_refused_with_the_reason():
    flat = Polygon([(0, 0), (1, 1), (2, 2), (0, 0)])  # all on one line
    assert polygonal(flat) == (None, "図形が不正で修復できません（Self-intersection[1 1]）", "")


def test_the_polygonal_part_of_a_mixed_collection():
    mixed = GeometryCollection([box(0, 0, 1, 1), LineString([(5, 5), (6, 6)]), MultiPolygon([box(2, 2, 3, 3)])])
    assert polygonal_part(mixed).equals(MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)]))
    assert polygonal_part(LineString([(0, 0), (1, 1)])) is None

"""地域情報プラットフォーム（CSV） is not offered until it exists: no tile, no menu entry, no route, no
permission to grant."""
from app.auth import rules


def test_csv_platform_tile_is_gone_from_menus_and_permissions(as_admin):
    for path in ("/", "/admin/roles", "/admin/users"):
        assert "地域情報プラットフォーム" not in as_admin.get(path).get_data(as_text=True), path
    assert as_admin.get("/csv-platform").status_code == 404
    assert "csv_platform" not in rules.SCREEN_CODES
    assert all("csv_platform" not in screens for _, _, screens in rules.DEFAULT_ROLES)

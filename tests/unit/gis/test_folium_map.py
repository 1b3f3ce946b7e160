import json
import re

from gis.folium_map import Overlay, build_map, gsi_basemaps, render_parts

GSI = "https://cyberjapandata.gsi.go.jp/xyz/{t}/{z}/{x}/{y}.{ext}"
ATTRIBUTION = "https://maps.gsi.go.jp/development/ichiran.html"


def _render(default="gsi_std"):
    overlays = [Overlay("shelters", "避難所", "/map/layers/shelters.geojson", cluster=True)]
    return render_parts(build_map((38.4, 140.95), 15, gsi_basemaps(GSI, ATTRIBUTION), default, overlays))


def test_assets_are_vendored_never_from_a_cdn():
    parts = _render()
    sources = re.findall(r'(?:src|href)="([^"]+)"', parts["head"])
    assert sources, "no assets in head"
    assert all(s.startswith(("/static/vendor/", "/static/js/")) for s in sources), sources  # this server's
    assert "leaflet.js" in parts["head"] and "jquery" in parts["head"] and "markercluster" in parts["head"]
    assert "bootstrap" not in parts["head"] and "fontawesome" not in parts["head"]


def test_gsi_base_maps_carry_the_required_credit():
    script = _render()["script"]
    for layer in ("xyz/std/", "xyz/pale/", "xyz/seamlessphoto/"):
        assert layer in script
    assert "\\u5730\\u7406\\u9662\\u30bf\\u30a4\\u30eb" in script or "地理院タイル" in script  # 地理院タイル
    assert ATTRIBUTION in script


def test_blank_map_is_the_fallback_for_an_unknown_default():
    script = _render(default="no-such-base")["script"]
    grid = re.search(r"var (macro_element_\w+) = L\.gridLayer", script)
    assert grid, "blank base layer missing"
    assert f"{grid.group(1)}.addTo(" in script
    assert not re.search(r"tile_layer_\w+\.addTo\(", script)


def test_overlays_register_for_lazy_loading():
    script = _render()["script"]
    assert "BCLMap.registerOverlay" in script
    assert "L.markerClusterGroup" in script


def test_popup_labels_keep_their_order_on_the_page():
    fields = {"name": "氏名", "state": "安否", "checked_at": "確認日時", "area": "町丁目"}
    overlays = [Overlay("safety", "安否", "/x.geojson", popup_fields=fields)]
    script = render_parts(build_map((38.4, 140.95), 15, gsi_basemaps(GSI, ATTRIBUTION), "blank", overlays))["script"]
    config = json.loads(re.search(r"BCLMap\.registerOverlay\(\w+, (\{.*?\})\);", script, re.S).group(1))
    assert config["popupOrder"] == ["name", "state", "checked_at", "area"]
    assert list(config["popupFields"]) != config["popupOrder"]  # the page's JSON sorts object keys

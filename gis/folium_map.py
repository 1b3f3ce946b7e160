"""Build Leaflet maps with folium, using only vendored assets (no CDN at run time).

folium adds CDN links for Leaflet, jQuery, Bootstrap and its plugins. ``localize`` rewrites the
ones BCL ships under /static/vendor and drops the rest (Bootstrap and Font Awesome are only
needed for folium's Icon, which BCL does not use). Overlays are loaded asynchronously from
same-origin GeoJSON URLs, so the page itself stays small and every feature fetch is a request
the server can authorise and audit.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import folium
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

VENDOR = "/static/vendor"
LOCAL_ASSETS = {
    "leaflet": f"{VENDOR}/leaflet/leaflet.js",
    "leaflet_css": f"{VENDOR}/leaflet/leaflet.css",
    "jquery": f"{VENDOR}/jquery/jquery.min.js",
    "markerclusterjs": f"{VENDOR}/leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": f"{VENDOR}/leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": f"{VENDOR}/leaflet.markercluster/MarkerCluster.Default.css",
    "leaflet_draw_js": f"{VENDOR}/leaflet-draw/leaflet.draw.js",
    "leaflet_draw_css": f"{VENDOR}/leaflet-draw/leaflet.draw.css",
    "vectorGrid": f"{VENDOR}/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js",
    "Control_locate_min_js": f"{VENDOR}/leaflet.locatecontrol/L.Control.Locate.min.js",
    "Control_locate_min_css": f"{VENDOR}/leaflet.locatecontrol/L.Control.Locate.min.css",
    # Not vendored: BCL's Japanese for the widgets above (their documented options, L.drawLocal).
    "leaflet_ja": "/static/js/leaflet_ja.js",
}


def localize(element):
    """Point an element's JS/CSS at the vendored copies and drop assets BCL does not ship."""
    element.default_js = [(n, LOCAL_ASSETS[n]) for n, _ in element.default_js if n in LOCAL_ASSETS]
    element.default_css = [(n, LOCAL_ASSETS[n]) for n, _ in element.default_css if n in LOCAL_ASSETS]
    return element


@dataclass(frozen=True)
class BaseMap:
    """A base map a page offers: ``kind`` raster or vector tiles from ``url`` (a {z}/{x}/{y}
    template), or the blank map (``url`` None). ``attribution`` is HTML. ``outside``: the tiles come
    from a host other than BCL (地理院タイル over the internet), which a page about one person never
    offers. ``bounds`` (west, south, east, north) and the native zooms keep Leaflet from asking for
    tiles a package does not have."""

    key: str
    name: str
    url: str | None  # None: the offline blank map
    attribution: str
    max_native_zoom: int = 18
    kind: str = "raster"
    min_native_zoom: int = 0
    bounds: tuple[float, float, float, float] | None = None
    outside: bool = False

    def js_config(self) -> dict:
        """What /static/js/basemap.js reads to build the layer."""
        return {"key": self.key, "name": self.name, "kind": "blank" if self.url is None else self.kind,
                "url": self.url, "attribution": self.attribution, "maxNativeZoom": self.max_native_zoom,
                "minNativeZoom": self.min_native_zoom, "bounds": list(self.bounds) if self.bounds else None,
                "outside": self.outside}


BLANK_BASEMAP = BaseMap("blank", "白地図（オフライン）", None, "白地図", kind="blank")


def gsi_basemaps(url_template: str, attribution_url: str) -> list[BaseMap]:
    """地理院タイル 標準・淡色・写真 (from the internet) plus the offline blank map, with the required credit."""
    credit = f'<a href="{attribution_url}" target="_blank" rel="noopener">地理院タイル</a>'

    def gsi(key: str, name: str, layer: str, ext: str) -> BaseMap:
        return BaseMap(key, name, url_template.format(t=layer, z="{z}", x="{x}", y="{y}", ext=ext), credit,
                       outside=True)

    return [gsi("gsi_std", "地理院タイル（標準）", "std", "png"),
            gsi("gsi_pale", "地理院タイル（淡色）", "pale", "png"),
            gsi("gsi_photo", "地理院タイル（写真）", "seamlessphoto", "jpg"), BLANK_BASEMAP]


class BlankBaseLayer(folium.map.Layer):
    """A plain background that needs no network: the map stays usable when tiles are unreachable."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.gridLayer({attribution: {{ this.attribution|tojson }}, maxZoom: 20,
                                                 bclKey: 'blank'});
        {{ this.get_name() }}.createTile = function () {
            var tile = document.createElement('div');
            tile.style.background = '#f4f1ea';
            tile.style.outline = '1px solid #ebe6da';
            return tile;
        };
        {% endmacro %}
    """)

    def __init__(self, name: str, attribution: str, show: bool):
        super().__init__(name=name, overlay=False, control=True, show=show)
        self.attribution = attribution


class BaseMapLayer(JSCSSMixin, folium.map.Layer):
    """A base map of tiles, built by /static/js/basemap.js (raster, or vector with the vendored
    Leaflet.VectorGrid and BCL's styles) so that folium pages and the hand-built maps draw it alike."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = BCLBasemap.layer({{ this.config|tojson }});
        {% endmacro %}
    """)

    def __init__(self, base: BaseMap, show: bool):
        super().__init__(name=base.name, overlay=False, control=True, show=show)
        self._name = "BaseMapLayer"
        self.config = base.js_config()
        self.default_js = [("vectorGrid", LOCAL_ASSETS["vectorGrid"])] if base.kind == "vector" else []


@dataclass
class Overlay:
    """A GeoJSON overlay fetched from ``url``; features are coloured by ``style_property``."""

    key: str
    name: str
    url: str
    colors: dict[str, str] = field(default_factory=dict)
    style_property: str = "class_code"
    default_color: str = "#3867d6"
    popup_fields: dict[str, str] = field(default_factory=dict)  # property -> Japanese label
    fill_opacity: float = 0.45
    cluster: bool = False
    show: bool = True
    # A link in each popup: ``link_template`` with "{id}" replaced by the feature's ``id`` property.
    link_template: str = ""
    link_label: str = ""
    # More popup links as (template, label) pairs, e.g. 「被害認定調査を開始」 beside the record, or
    # (template, label, property): "{id}" replaced by that property, the link left out without it.
    more_links: tuple[tuple[str, ...], ...] = ()
    # Points drawn as a symbol of their own instead of a circle: "shelter" (a house with a letter
    # per state, ``glyphs``: state → letter), so they differ from buildings by shape, not colour only.
    marker: str = ""
    glyphs: dict[str, str] = field(default_factory=dict)
    # Vector tiles (``url`` is a {z}/{x}/{y} template) instead of one GeoJSON document: below
    # ``detail_zoom`` the tiles carry counts per grid cell, below ``min_zoom`` nothing.
    tiled: bool = False
    min_zoom: int = 0
    detail_zoom: int = 0
    # Tiled overlays whose tiles carry only ids: a tap fetches the popup's properties as JSON from
    # ``detail_url`` ("{id}" replaced), a request the server authorises and audits.
    detail_url: str = ""

    def js_config(self) -> dict:
        """The settings /static/js/map.js reads to load, style and explain the overlay."""
        links = [(self.link_template, self.link_label)] if self.link_template else []
        return {
            "key": self.key, "url": self.url, "colors": self.colors, "styleProperty": self.style_property,
            "defaultColor": self.default_color, "popupFields": self.popup_fields,
            # The labels' order: the page's JSON sorts object keys, so the order travels as a list.
            "popupOrder": list(self.popup_fields), "fillOpacity": self.fill_opacity,
            "links": [{"template": link[0], "label": link[1], "property": link[2] if len(link) > 2 else "id"}
                      for link in [*links, *self.more_links]],
            "minZoom": self.min_zoom, "detailZoom": self.detail_zoom, "detailUrl": self.detail_url,
            "marker": self.marker, "glyphs": self.glyphs,
        }


class GeoJsonOverlay(JSCSSMixin, folium.map.Layer):
    """Loads an Overlay's GeoJSON with fetch() and draws it; points become circle markers."""

    default_js = [("markerclusterjs", LOCAL_ASSETS["markerclusterjs"])]
    default_css = [("markerclustercss", LOCAL_ASSETS["markerclustercss"]),
                   ("markerclusterdefaultcss", LOCAL_ASSETS["markerclusterdefaultcss"])]

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = {{ 'L.markerClusterGroup(BCLMap.clusterOptions(' ~ (this.config|tojson) ~ '))'
                                        if this.cluster else 'L.featureGroup()' }};
        BCLMap.registerOverlay({{ this.get_name() }}, {{ this.config|tojson }});
        {% endmacro %}
    """)

    def __init__(self, overlay: Overlay):
        super().__init__(name=overlay.name, overlay=True, control=True, show=overlay.show)
        self.cluster = overlay.cluster
        self.config = overlay.js_config()


class TileOverlay(JSCSSMixin, folium.map.Layer):
    """An Overlay drawn from Mapbox vector tiles with the vendored Leaflet.VectorGrid (canvas).

    folium's own VectorGridProtobuf cannot take style functions from Python; this element hands
    the same vendored asset and the overlay's settings to /static/js/map.js instead.
    """

    default_js = [("vectorGrid", LOCAL_ASSETS["vectorGrid"])]

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = BCLMap.tileOverlay({{ this.config|tojson }});
        {% endmacro %}
    """)

    def __init__(self, overlay: Overlay):
        super().__init__(name=overlay.name, overlay=True, control=True, show=overlay.show)
        self.config = overlay.js_config()


class MapSetup(MacroElement):
    """Exposes the map to /static/js/map.js (tile fallback, legend, overlay loading)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        BCLMap.setup({{ this._parent.get_name() }}, {{ this.control_name }}, {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, control_name: str, options: dict):
        super().__init__()
        self.control_name = control_name
        self.options = options


class LocateButton(JSCSSMixin, MacroElement):
    """「現在地」: the vendored leaflet.locatecontrol (GPS on tablets), large enough for a finger."""

    default_js = [("Control_locate_min_js", LOCAL_ASSETS["Control_locate_min_js"])]
    default_css = [("Control_locate_min_css", LOCAL_ASSETS["Control_locate_min_css"])]

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.locate({position: 'topleft', flyTo: true, showPopup: false, keepCurrentZoomLevel: false,
                          initialZoomLevel: 17, strings: {title: '現在地を表示',
                          outsideMapBoundsMsg: '現在地は地図の範囲外です'},
                          locateOptions: {enableHighAccuracy: true, maxZoom: 18}})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)


class JapaneseControls(JSCSSMixin, MacroElement):
    """Japanese titles, tooltips and labels for every vendored widget on the map (zoom, layers,
    attribution, popups, Leaflet.draw, 現在地). The script is set up before the map is made, and
    merges Leaflet.draw's texts as each map is made, so a Draw control added later is Japanese too."""

    default_js = [("leaflet_ja", LOCAL_ASSETS["leaflet_ja"])]
    _template = Template("")


def build_map(center: tuple[float, float], zoom: int, basemaps: list[BaseMap], default_basemap: str,
              overlays: list[Overlay], bounds: tuple[float, float, float, float] | None = None,
              controls: bool = True) -> folium.Map:
    """A localized folium map with base maps, overlays and a layer control.

    ``default_basemap`` is the key of the base map shown first; an unknown key falls back to the
    blank map so the page never depends on the network. ``bounds`` (min lon, min lat, max lon,
    max lat), when given, is what the map first shows. ``controls=False`` (print) leaves out the
    "my location" button.
    """
    keys = {b.key for b in basemaps}
    default = default_basemap if default_basemap in keys else "blank"
    fmap = localize(folium.Map(location=list(center), zoom_start=zoom, tiles=None, maxZoom=20,
                               prefer_canvas=True))
    for base in basemaps:
        _base_layer(base, base.key == default).add_to(fmap)
    for overlay in overlays:
        (TileOverlay(overlay) if overlay.tiled else GeoJsonOverlay(overlay)).add_to(fmap)
    control = folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    if controls:
        LocateButton().add_to(fmap)
    MapSetup(control.get_name(), {"offlineBase": "白地図（オフライン）"}).add_to(fmap)
    JapaneseControls().add_to(fmap)
    if bounds:
        min_lon, min_lat, max_lon, max_lat = bounds
        fmap.fit_bounds([[min_lat, min_lon], [max_lat, max_lon]])
    return fmap


def _base_layer(base: BaseMap, show: bool):
    if base.url is None:
        return BlankBaseLayer(base.name, base.attribution, show)
    return BaseMapLayer(base, show)


def render_parts(fmap: folium.Map) -> dict[str, str]:
    """The map as three HTML fragments to place in a page: head (assets), body (div), script.

    Only the asset links of folium's head are kept: its full-page styles and viewport meta
    would override the page layout the map sits in.
    """
    figure = fmap.get_root()
    figure.render()
    links = [child for child in figure.header._children.values() if isinstance(child, JavascriptLink | CssLink)]
    return {
        "head": "\n".join(link.render() for link in links),
        "body": figure.html.render(),
        "script": figure.script.render(),
    }


def legend_items(overlays: list[Overlay], labels: dict[str, dict[str, str]]) -> list[dict]:
    """Legend rows for overlays: name and (colour, label) pairs, in the order shown; an overlay
    drawn with a symbol of its own (``marker``) also gives its symbols as (colour, label, letter)."""
    rows = []
    for overlay in overlays:
        names = labels.get(overlay.key, {})
        entries = [(color, names.get(code, code)) for code, color in overlay.colors.items()]
        row = {"name": overlay.name, "entries": entries or [(overlay.default_color, overlay.name)],
               "round": overlay.tiled}  # tiled layers draw circles
        if overlay.marker:
            row["marker"] = overlay.marker
            row["symbols"] = [(color, names.get(code, code), overlay.glyphs.get(code, ""))
                              for code, color in overlay.colors.items()]
        rows.append(row)
    return rows


def to_json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


__all__ = ["BLANK_BASEMAP", "BaseMap", "BaseMapLayer", "Element", "Overlay", "TileOverlay", "build_map", "gsi_basemaps",
           "legend_items", "localize", "render_parts"]

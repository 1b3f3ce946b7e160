"""HTML pages of the OGC API – Features (requirement class html): the same resources as the JSON,
rendered in the house layout for a person in a browser. Built from the JSON documents the API
serves (so both say the same), with links between the pages kept in HTML."""
from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import g, render_template

from app.ogc.collections import Collection


def _with_format(href: str, fmt: str) -> str:
    """``href`` with its ``f`` parameter set to ``fmt`` (any other parameters kept)."""
    parts = urlsplit(href)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "f"] + [("f", fmt)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def html_url(href: str) -> str:
    """``href`` (a link of the JSON documents) asking for the HTML page: f=html in its query."""
    return _with_format(href, "html")


def json_url(href: str, fmt: str = "json") -> str:
    """``href`` asking for the JSON document (f=json) — the alternate of an HTML page."""
    return _with_format(href, fmt)


def _basemaps(personal: bool) -> list[dict]:
    """The base maps of the page's small map: the server's packages of the client's municipality;
    地理院タイル where it turned them on, unless the page may show where one person lives."""
    from app.maps.basemap_routes import page_basemap_configs

    return page_basemap_configs(g.api_actor.lg_code, personal=personal)


def landing(body: dict, self_url: str) -> str:
    return render_template("ogc/api/landing.html", doc=body, self_url=self_url, html_url=html_url,
                           json_url=json_url(self_url))


def conformance(body: dict, self_url: str, landing_url: str) -> str:
    return render_template("ogc/api/conformance.html", doc=body, landing_url=html_url(landing_url),
                           json_url=json_url(self_url))


def collections(body: dict, self_url: str, landing_url: str) -> str:
    return render_template("ogc/api/collections.html", doc=body, landing_url=html_url(landing_url),
                           json_url=json_url(self_url), html_url=html_url)


def collection(body: dict, self_url: str, collections_url: str) -> str:
    return render_template("ogc/api/collection.html", doc=body, collections_url=html_url(collections_url),
                           json_url=json_url(self_url), html_url=html_url)


def items(collection_: Collection, page: str, self_url: str, collection_url: str,
          item_href: Callable[[int], str]) -> str:
    """The page of features as a table (columns in the collection's order) with paging links and a map."""
    document = json.loads(page)
    links = {link["rel"]: html_url(link["href"]) for link in document["links"] if link["rel"] in ("next", "prev")}
    return render_template("ogc/api/items.html", collection=collection_, doc=document,
                           columns=[name for name, _ in collection_.fields], links=links,
                           collection_url=html_url(collection_url), json_url=json_url(self_url, "geojson"),
                           item_url=lambda fid: html_url(item_href(fid)),
                           features_json=json.dumps(_map_features(document["features"]), ensure_ascii=False),
                           basemaps=_basemaps(personal=collection_.is_personal))


def item(collection_: Collection, feature: dict, self_url: str, collection_url: str, items_url: str) -> str:
    return render_template("ogc/api/item.html", collection=collection_, feature=feature,
                           columns=[name for name, _ in collection_.fields],
                           collection_url=html_url(collection_url), items_url=html_url(items_url),
                           json_url=json_url(self_url, "geojson"),
                           features_json=json.dumps(_map_features([feature]), ensure_ascii=False),
                           basemaps=_basemaps(personal=True))


def _map_features(features: list[dict]) -> dict:
    return {"type": "FeatureCollection",
            "features": [{k: f[k] for k in ("type", "id", "geometry", "properties")} for f in features]}

"""Base maps on the command line (docs/basemaps.md):
``flask --app wsgi basemap import|list|delete|build-demo|gsi``."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.audit.services import Actor
from app.console import fail, lg_code_callback, progress_bar
from app.db import SYSTEM, Scope
from app.errors import DomainError
from app.extensions import db


@click.group("basemap", cls=AppGroup)
def cli() -> None:
    """Base-map tile packages served by BCL itself."""


def _scope(lg_code: str | None) -> Scope:
    return SYSTEM if lg_code is None else Scope.tenant(lg_code)


def _owner(lg_code: str | None, shared: bool) -> str | None:
    if shared == (lg_code is not None):
        raise click.UsageError("--municipality（団体コード）か --shared（全団体共通）のどちらかを指定してください。")
    return lg_code


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--municipality", "--lg-code", "lg_code", callback=lg_code_callback, help="地方公共団体コード")
@click.option("--shared", is_flag=True, help="全団体共通の背景地図として取り込む")
@click.option("--name", default="", help="背景地図の名前（同じ名前の背景地図は置き換え）; 省略時はパッケージの name")
@click.option("--attribution", default="", help="出典（パッケージの attribution を上書き）")
def import_command(path: Path, lg_code: str | None, shared: bool, name: str, attribution: str) -> None:
    """Import PATH (MBTiles or PMTiles; raster png/jpg/webp or vector pbf) as a base map."""
    from app.maps.basemaps import import_package
    from app.tenants.services import get_municipality

    owner = _owner(lg_code, shared)
    try:
        with db.unit_of_work(_scope(owner)) as session:
            if owner is not None:
                get_municipality(session, owner)
            result = import_package(session, Actor.system(owner, "cli"), path, lg_code=owner, name=name,
                                    attribution=attribution, max_bytes=current_app.config["BASEMAP_MAX_MB"] * 2**20,
                                    progress=lambda done, total: progress_bar("tiles", done, total))
            basemap, replaced = result.basemap, result.replaced
            summary = (f"{'replaced' if replaced else 'imported'} base map {basemap.id} 「{basemap.name}」: "
                       f"{basemap.kind} {basemap.tile_format}, z{basemap.min_zoom}-{basemap.max_zoom}, "
                       f"{basemap.tile_count} tiles, {'all municipalities' if owner is None else owner}")
    except DomainError as exc:
        fail(f"refused [{exc.code}]: {exc.message}")
    click.echo(summary)


@cli.command("list")
@click.option("--municipality", "--lg-code", "lg_code", callback=lg_code_callback,
              help="この団体が使える背景地図（省略時はすべて）")
def list_command(lg_code: str | None) -> None:
    """The base maps (of one municipality: its own and the shared ones)."""
    from app.maps.basemaps import gsi_online, visible_basemaps

    with db.unit_of_work(_scope(lg_code)) as session:
        for b in visible_basemaps(session):
            click.echo(f"{b.id:>5} {b.lg_code or 'shared':<7} {b.kind:<6} {b.tile_format:<4} z{b.min_zoom}-{b.max_zoom}"
                       f" {b.tile_count:>8} tiles  {b.name}  ({b.attribution})")
        if lg_code:
            click.echo(f"地理院タイル（インターネット）: {'on' if gsi_online(session, lg_code) else 'off'}")


@cli.command("delete")
@click.argument("basemap_id", type=click.IntRange(1, 2**31 - 1))
def delete_command(basemap_id: int) -> None:
    """Remove base map BASEMAP_ID and its tiles."""
    from app.maps.basemaps import delete_basemap

    try:
        with db.unit_of_work(SYSTEM) as session:
            removed = delete_basemap(session, Actor.system(None, "cli"), basemap_id)
            name = removed.name
    except DomainError as exc:
        fail(f"refused [{exc.code}]: {exc.message}")
    click.echo(f"deleted base map {basemap_id} 「{name}」")


@cli.command("gsi")
@click.argument("state", type=click.Choice(["on", "off"]))
@click.option("--municipality", "--lg-code", "lg_code", required=True, callback=lg_code_callback)
def gsi_command(state: str, lg_code: str) -> None:
    """Offer 地理院タイル from the internet on the municipality's maps (on) or not (off, the default).
    Pages about one person never offer them."""
    from app.maps.basemaps import save_gsi_online, setting

    with db.unit_of_work(Scope.tenant(lg_code)) as session:
        current = setting(session, lg_code)
        save_gsi_online(session, Actor.system(lg_code, "cli"), state == "on", current.version)
    click.echo(f"地理院タイル（インターネット） {state} for {lg_code}")


@cli.command("build-demo")
@click.option("--municipality", "--lg-code", "lg_code", default="046990", callback=lg_code_callback)
@click.option("--residents", default=5000, show_default=True, help="as given to `demo load`")
@click.option("--seed", default=1, show_default=True, help="as given to `demo load`")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="keep the MBTiles file here as well")
def build_demo_command(lg_code: str, residents: int, seed: int, out: Path | None) -> None:
    """Build a demo town's base map from its data (町丁目, buildings; generated roads and river) and
    import it, replacing the one of the last demo load (`demo load` builds it too)."""
    from fixtures.demo_basemap import build_demo_basemap, load_demo_basemap
    from fixtures.town import DEMO_TOWN, SECOND_TOWN, generate_town

    spec = {s.lg_code: s for s in (DEMO_TOWN, SECOND_TOWN)}.get(lg_code)
    if spec is None:
        fail(f"{lg_code} is not a demo town ({DEMO_TOWN.lg_code}, {SECOND_TOWN.lg_code})")
    town = generate_town(spec, residents=residents, seed=seed)
    with db.unit_of_work(SYSTEM) as session:
        count = load_demo_basemap(session, town)
        if out is not None:
            build_demo_basemap(session, town, out)
    click.echo(f"demo base map of {spec.name}: {count} tiles" + (f", written to {out}" if out else ""))

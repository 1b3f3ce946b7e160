"""``flask --app wsgi kiosk ...``: store operators and their tokens, maintenance days, and the kiosk
simulator (the whole コンビニ交付 flow over HTTP with a virtual card)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from app.clock import today_in_japan
from app.console import fail, lg_code_callback
from app.db import SYSTEM
from app.errors import DomainError
from app.extensions import db


@click.group("kiosk")
def cli() -> None:
    """コンビニ交付: store operators, maintenance days, the kiosk simulator."""


@cli.command("store-create")
@click.option("--code", required=True, help="store operator code, e.g. demo-mart")
@click.option("--name", required=True, help="e.g. デモマート")
def store_create(code: str, name: str) -> None:
    """Register a store operator and print its token (once)."""
    from app.kiosk import stores

    try:
        with db.unit_of_work(SYSTEM) as session:
            _, plain = stores.create_operator(session, code, name)
    except DomainError as exc:
        fail(exc.message)
    click.echo(plain)


@cli.command("store-rotate")
@click.option("--code", required=True)
def store_rotate(code: str) -> None:
    """Issue a new token for a store operator (the old one stops working) and print it."""
    from app.kiosk import stores

    try:
        with db.unit_of_work(SYSTEM) as session:
            plain = stores.rotate_token(session, code)
    except DomainError as exc:
        fail(exc.message)
    click.echo(plain)


@cli.command("store-active")
@click.option("--code", required=True)
@click.option("--active/--inactive", required=True)
def store_active(code: str, active: bool) -> None:
    """Allow or stop a store operator's kiosks."""
    from app.kiosk import stores

    try:
        with db.unit_of_work(SYSTEM) as session:
            stores.set_active(session, code, active)
    except DomainError as exc:
        fail(exc.message)
    click.echo(f"{code}: {'利用可' if active else '停止'}")


@cli.command("store-list")
def store_list() -> None:
    """The store operators (token hints only)."""
    from app.kiosk import stores

    with db.unit_of_work(SYSTEM) as session:
        for operator in stores.list_operators(session):
            click.echo(f"{operator.code}\t{operator.name}\t…{operator.token_hint}\t"
                       f"{'利用可' if operator.is_active else '停止'}")


@cli.command("contract")
@click.option("--lg-code", required=True, callback=lg_code_callback, help="the municipality, e.g. 046990")
@click.option("--operator", "operator_code", required=True, help="store operator code, e.g. demo-mart")
@click.option("--from", "started_on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="first day (YYYY-MM-DD; default today)")
@click.option("--until", "ended_on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="last day (YYYY-MM-DD; default open-ended)")
def contract(lg_code: str, operator_code: str, started_on, ended_on) -> None:
    """Record a municipality's コンビニ交付 contract with a store operator (or change its period)."""
    from app.audit.services import Actor
    from app.kiosk import contracts

    try:
        with db.unit_of_work(SYSTEM) as session:
            contracts.set_contract(session, Actor.system(lg_code, "kiosk-cli"), lg_code, operator_code,
                                   started_on.date() if started_on else today_in_japan(),
                                   ended_on.date() if ended_on else None)
    except DomainError as exc:
        fail(exc.message)
    _print_contracts(lg_code)


@cli.command("contracts")
@click.option("--lg-code", callback=lg_code_callback, default=None, help="only this municipality")
def contracts_list(lg_code: str | None) -> None:
    """The contracts: municipality, store operator, period."""
    _print_contracts(lg_code)


def _print_contracts(lg_code: str | None) -> None:
    from app.kiosk import contracts

    with db.unit_of_work(SYSTEM) as session:
        for item in contracts.list_contracts(session, lg_code):
            until = item.ended_on.isoformat() if item.ended_on else "（期限なし）"
            click.echo(f"{item.lg_code}\t{item.store_operator}\t{item.started_on.isoformat()}\t{until}")


@cli.command("maintenance")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]), required=False)
@click.option("--note", default="システム保守")
@click.option("--remove", is_flag=True, help="reopen the day")
def maintenance(day, note: str, remove: bool) -> None:
    """Close the kiosk service on DAY (YYYY-MM-DD), reopen it with --remove; without DAY, list them."""
    from app.kiosk.maintenance import list_days, set_day

    with db.unit_of_work(SYSTEM) as session:
        if day is not None:
            set_day(session, day.date(), note, closed=not remove)
        days = list_days(session, today_in_japan())
    for item in days:
        click.echo(f"{item.day.isoformat()}\t{item.note}")


@cli.command("simulate")
@click.option("--card", "card_path", required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--pin", prompt="暗証番号（数字4桁）", hide_input=True)
@click.option("--document", "document_type", default="住民票の写し", show_default=True)
@click.option("--option", "options", multiple=True, help="key=value (head_and_relationship=true, fiscal_year=2026)")
@click.option("--url", "base_url", default="http://127.0.0.1:5000", show_default=True)
@click.option("--operator-token", required=True, envvar="BCL_KIOSK_TOKEN", help="store operator token")
@click.option("--store-id", default="demo-store-001", show_default=True)
@click.option("--store-lg-code", default="046990", show_default=True, help="the store's municipality")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="where the PDF is saved")
def simulate(card_path: Path, pin: str, document_type: str, options: tuple[str, ...], base_url: str,
             operator_token: str, store_id: str, store_lg_code: str, out_dir: Path) -> None:
    """A kiosk with a virtual card: card → menu → request → payment → the signed PDF."""
    from app.kiosk.simulator import KioskClient, KioskError
    from fixtures.virtual_card import VirtualCard

    client = KioskClient(base_url, operator_token, store_id, store_lg_code, report=click.echo)
    try:
        issued = client.issue(VirtualCard.load(card_path), pin, document_type, _options(options))
    except KioskError as exc:
        fail(f"発行できません [{exc.code}]: {exc.message}")
    finally:
        client.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{issued.serial or 'certificate'}.pdf"
    path.write_bytes(issued.pdf)
    click.echo(f"発行しました: {document_type} 証明番号 {issued.serial} 確認コード {issued.verification_code} "
               f"手数料 {issued.fee_yen}円 → {path}")


def _options(pairs: tuple[str, ...]) -> dict:
    options = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            options[key.strip()] = json.loads(value)
        except ValueError:
            options[key.strip()] = value
    return options

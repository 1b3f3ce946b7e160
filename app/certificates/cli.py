"""``flask --app wsgi certificates layout|verify``: the municipality's certificate layout, code checks."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from app.audit.services import Actor
from app.certificates import rules, services
from app.db import NO_TENANT, Scope
from app.errors import DomainError
from app.extensions import db
from app.tenants.rules import normalize_lg_code


@click.group("certificates")
def cli() -> None:
    """Certificates: layout (mayor, 公印) and verification codes."""


@cli.command("layout")
@click.option("--lg-code", required=True, help="全国地方公共団体コード (6 digits)")
@click.option("--mayor-title", required=True, help="e.g. 桜ヶ丘町長")
@click.option("--mayor-name", required=True)
@click.option("--seal", "seal_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="公印 image (PNG)")
@click.option("--generate-seal", is_flag=True, help="draw a red square 公印 from the mayor's title (demo)")
def layout(lg_code: str, mayor_title: str, mayor_name: str, seal_path: Path | None, generate_seal: bool) -> None:
    """Set the mayor and the 公印 printed on the municipality's certificates."""
    try:
        lg = normalize_lg_code(lg_code)
        seal = seal_path.read_bytes() if seal_path else None
        if generate_seal and seal is None:
            from fixtures.certificate_samples import seal_png

            seal = seal_png(f"{mayor_title}之印")
        with db.unit_of_work(Scope.tenant(lg)) as session:
            services.set_layout(session, Actor.system(lg, "cli"), mayor_title=mayor_title, mayor_name=mayor_name,
                                seal_png=seal)
    except DomainError as exc:
        click.secho(exc.message, fg="red", err=True)
        sys.exit(1)
    click.echo(f"{lg}: {mayor_title} {mayor_name}" + ("（公印を設定）" if seal else ""))


@cli.command("verify")
@click.argument("code")
def verify(code: str) -> None:
    """Check a verification code as the public /verify page does."""
    with db.unit_of_work(NO_TENANT) as session:
        result = services.verify(session, code)
    if not result.genuine:
        click.echo("該当する証明書はありません")
        sys.exit(1)
    click.echo(f"真正: {result.document_type} {result.issued_on.isoformat()} {result.status}")


@cli.command("fees")
@click.option("--lg-code", required=True, help="全国地方公共団体コード (6 digits)")
@click.option("--document", "document_type", help="e.g. 住民票の写し (with --channel and --fee: set it)")
@click.option("--channel", type=click.Choice(rules.CHANNELS))
@click.option("--fee", "fee_yen", type=int, help="fee in yen")
@click.option("--offered/--not-offered", default=True, show_default=True)
@click.option("--weekday-only/--any-day", default=False, show_default=True)
def fees_command(lg_code: str, document_type: str | None, channel: str | None, fee_yen: int | None, offered: bool,
                 weekday_only: bool) -> None:
    """List the municipality's fees, or set one (document × channel)."""
    from app.certificates import fees

    try:
        lg = normalize_lg_code(lg_code)
        with db.unit_of_work(Scope.tenant(lg)) as session:
            if document_type or channel or fee_yen is not None:
                if not (document_type and channel and fee_yen is not None):
                    raise click.UsageError("--document, --channel and --fee go together")
                fees.set_fee(session, Actor.system(lg, "cli"), document_type=document_type, channel=channel,
                             fee_yen=fee_yen, is_offered=offered, is_weekday_only=weekday_only)
            table = fees.fee_table(session, lg, channel)
    except DomainError as exc:
        click.secho(exc.message, fg="red", err=True)
        sys.exit(1)
    for row in table:
        flags = ("" if row.is_offered else " 取扱いなし") + (" 平日のみ" if row.is_weekday_only else "")
        source = "" if row.version else "（既定）"
        click.echo(f"{row.document_type}\t{row.channel}\t{row.fee_yen}円{source}{flags}")

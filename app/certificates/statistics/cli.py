"""``flask --app wsgi certificates statistics``: the month's statistics or settlement tables as
CSV/XLSX files, for a municipality (its own scope) or across municipalities (operator scope)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from app.audit.services import Actor
from app.certificates.statistics import services
from app.certificates.statistics.exports import OPERATOR_TABLES, STAFF_TABLES, table_for
from app.db import Scope
from app.errors import DomainError
from app.exports import iter_csv, xlsx_bytes
from app.extensions import db
from app.tenants.rules import normalize_lg_code


@click.command("statistics")
@click.option("--month", required=True, help="YYYY-MM (Japan time)")
@click.option("--table", required=True, type=click.Choice(sorted({*STAFF_TABLES, *OPERATOR_TABLES})),
              help="counts, settlement (with --lg-code); counts, municipalities, store-operators (operator)")
@click.option("--lg-code", help="one municipality; without it every municipality (operator scope)")
@click.option("--encoding", type=click.Choice(["utf-8-sig", "cp932"]), default="utf-8-sig", show_default=True)
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="*.csv or *.xlsx")
def cli(month: str, table: str, lg_code: str | None, encoding: str, output: Path) -> None:
    """Write one statistics or settlement table of a month (aggregates only; audited)."""
    file_format = "xlsx" if output.suffix.lower() == ".xlsx" else "csv"
    try:
        chosen_month = services.parse_month(month)
        lg = normalize_lg_code(lg_code) if lg_code else None
        chosen = table_for(STAFF_TABLES if lg else OPERATOR_TABLES, table, file_format)
        with db.unit_of_work(Scope.tenant(lg) if lg else Scope.operator()) as session:
            services.record_export(session, Actor.system(lg, "cli"), table, chosen_month, file_format)
            rows = list(chosen.rows(session, chosen_month))
    except DomainError as exc:
        click.secho(exc.message, fg="red", err=True)
        sys.exit(1)
    if file_format == "xlsx":
        output.write_bytes(xlsx_bytes(chosen.sheet, chosen.header, rows, widths=chosen.widths))
    else:
        output.write_bytes(b"".join(iter_csv(chosen.header, rows, encoding)))
    click.echo(f"{output}: {len(rows) - 1}行＋合計行（{chosen_month.label}）")

"""``flask --app wsgi shelters import``: a shelter file (デジタル庁 推奨データセット or a 国土地理院
list, a municipality's own or the nationwide one) imported for one municipality, all or nothing,
through the same service as the registry screen."""
from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from app.audit.services import Actor
from app.console import lg_code_callback
from app.db import Scope
from app.errors import DomainError
from app.extensions import db
from app.shelters.registry import IMPORTERS, import_summary


@click.group("shelters")
def cli() -> None:
    """避難所の一覧（docs/shelters.md）."""


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lg-code", required=True, callback=lg_code_callback, help="地方公共団体コード")
@click.option("--format", "file_format", type=click.Choice(sorted(IMPORTERS)), default="dataset", show_default=True,
              help="dataset: 推奨データセット（指定緊急避難場所一覧）; gsi: 国土地理院の指定緊急避難場所・指定避難所")
def import_command(path: Path, lg_code: str, file_format: str) -> None:
    """Import PATH for the municipality: every repair on stdout; every problem, as
    ``line<TAB>column<TAB>message``, on stderr with exit status 1 (nothing imported)."""
    try:
        with db.unit_of_work(Scope.tenant(lg_code)) as session:
            result = IMPORTERS[file_format](session, Actor.system(lg_code, "cli"), path.read_bytes())
    except DomainError as exc:
        _refused(exc.code, exc.message, exc.details.get("problems", []))
    except (DBAPIError, StaleDataError) as exc:
        # What the file's checks let through but the database refused (or a shelter changed on the
        # screen meanwhile): the whole import is rolled back, and the reason is said in one line.
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        _refused("database_refused", f"データベースが取り込みを受け付けませんでした（{reason}）。", [])
    click.echo(import_summary(result))
    for repair in result["repairs"]:
        click.echo(f"{repair['line']}\t{repair['column']}\t{repair['message']}")


def _refused(code: str, message: str, problems: list[dict]) -> None:
    """End the command: the refusal and each problem (``line<TAB>column<TAB>message``) on stderr, status 1."""
    click.secho(f"取り込みませんでした [{code}]: {message}", fg="red", err=True)
    for found in problems:
        click.echo(f"{found['line']}\t{found['column']}\t{found['message']}", err=True)
    raise SystemExit(1)

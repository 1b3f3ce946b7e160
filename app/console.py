"""What every ``flask --app wsgi …`` command shares: ending with a message, the --lg-code check,
the database the command needs, and a progress bar.

The commands of the domain packages import these from here, never from ``app.cli`` (which holds the
``db`` and ``demo`` commands), so no package's command module depends on another's.
"""
from __future__ import annotations

import sys

import click
from flask import current_app

from app.errors import DomainError


def fail(message: str) -> None:
    """End a command with ``message`` in red on stderr and exit status 1."""
    click.secho(message, fg="red", err=True)
    sys.exit(1)


def lg_code_callback(_ctx, _param, value: str | None) -> str | None:
    """click callback for --lg-code: the 6-digit code with a valid check digit, or a usage error
    (an optional option left out stays None)."""
    from app.tenants.rules import normalize_lg_code

    if value is None:
        return None
    try:
        return normalize_lg_code(value)
    except DomainError as exc:
        raise click.BadParameter(exc.message) from exc


def require_database_url() -> str:
    """The database URL of this application, or the end of the command with how to get one."""
    url = current_app.config["DATABASE_URL_RESOLVED"]
    if not url:
        fail("No database yet: run `flask --app wsgi db start` (or set DATABASE_URL).")
    return url


def progress_bar(label: str, done: int, total: int) -> None:
    """Draw ``label [####....] done/total`` on one line; a new line once done reaches total."""
    width = 30
    filled = int(width * done / max(total, 1))
    click.echo(f"\r{label:<12} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", nl=False)
    if done >= total:
        click.echo("")

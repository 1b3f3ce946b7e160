"""``flask --app wsgi card ...``: demo cards, certificate registration, terminal tokens, and the
kiosk/desk simulator (a virtual card on this computer plays the card reader)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import click
from cryptography import x509

from app.audit.services import Actor
from app.config import INSTANCE_DIR
from app.console import fail, lg_code_callback
from app.db import Scope
from app.errors import DomainError
from app.extensions import db


@click.group("card")
def cli() -> None:
    """マイナンバーカードによる本人確認（公的個人認証・利用者証明）."""


@cli.command("demo")
@click.option("--lg-code", required=True, callback=lg_code_callback)
@click.option("--count", default=5, show_default=True, help="how many household heads get a card")
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=INSTANCE_DIR / "jpki", show_default=True)
def demo(lg_code: str, count: int, directory: Path) -> None:
    """Issue test cards (PIN 1234) from the test JPKI CA and register them."""
    from fixtures.demo_cards import cards_text, issue_demo_cards

    with db.unit_of_work(Scope.tenant(lg_code)) as session:
        jpki = issue_demo_cards(session, lg_code, directory, count)
    click.echo(cards_text(jpki.directory))


@cli.command("register")
@click.option("--lg-code", required=True, callback=lg_code_callback)
@click.option("--cert", "cert_path", required=True, type=click.Path(exists=True, path_type=Path),
              help="利用者証明用電子証明書 (PEM)")
@click.option("--resident-code", required=True, help="住民票コード (11 digits)")
def register(lg_code: str, cert_path: Path, resident_code: str) -> None:
    """Register a certificate → 住民票コード mapping (as J-LIS provides it)."""
    from app.cardauth.services import register_certificate

    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    try:
        with db.unit_of_work(Scope.tenant(lg_code)) as session:
            found = register_certificate(session, Actor.system(lg_code, "cli"), certificate, resident_code)
            serial = found.serial
    except DomainError as exc:
        fail(f"登録できません [{exc.code}]: {exc.message}")
    click.echo(f"registered certificate {serial} → 住民票コード {resident_code}")


@cli.command("token")
@click.option("--lg-code", required=True, callback=lg_code_callback)
@click.option("--name", required=True, help="which terminal")
def token(lg_code: str, name: str) -> None:
    """Issue a card-reader terminal token (printed once)."""
    from app.residents.link.tokens import create_token

    with db.unit_of_work(Scope.tenant(lg_code)) as session:
        _, plain = create_token(session, Actor.system(lg_code, "cli"), name, purpose="card_reader")
    click.echo(plain)


@cli.command("sign")
@click.option("--card", "card_path", required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--pin", prompt="暗証番号（数字4桁）", hide_input=True)
@click.option("--challenge-id", required=True)
@click.option("--challenge", required=True, help="the challenge shown by the desk (base64url)")
def sign(card_path: Path, pin: str, challenge_id: str, challenge: str) -> None:
    """Be the card reader: sign a challenge with a virtual card and print the answer (JSON)."""
    from fixtures.virtual_card import CardError, VirtualCard

    try:
        answer = VirtualCard.load(card_path).respond(challenge_id, challenge, pin)
    except CardError as exc:
        fail(f"カード: {exc.message}")
    click.echo(json.dumps(answer))


@cli.command("simulate")
@click.option("--card", "card_path", required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--pin", prompt="暗証番号（数字4桁）", hide_input=True)
@click.option("--url", "base_url", default="http://127.0.0.1:5000", show_default=True)
@click.option("--token", "token_value", required=True, envvar="BCL_CARD_TOKEN", help="card-reader terminal token")
def simulate(card_path: Path, pin: str, base_url: str, token_value: str) -> None:
    """A kiosk with a virtual card: challenge → PIN on the card → signature → the resident found."""
    from fixtures.virtual_card import CardError, VirtualCard

    api = base_url.rstrip("/") + "/api/cardauth/v1"
    click.echo("1/3 チャレンジを受け取っています…")
    challenge = _post(api + "/challenges", token_value, None)
    click.echo("2/3 カードで暗証番号を確認し、署名しています…")
    try:
        answer = VirtualCard.load(card_path).respond(challenge["challenge_id"], challenge["challenge"], pin)
    except CardError as exc:
        fail(f"カード: {exc.message} [{exc.code}]")
    click.echo("3/3 サーバで証明書と署名を確認しています…")
    found = _post(api + "/verify", token_value, answer)
    click.echo(f"本人を確認しました: 団体コード {found['lg_code']} 宛名番号 {found['atena_no']} "
               f"世帯番号 {found['household_no']}（証明書 {found['certificate_serial']}）")


def _post(url: str, token_value: str, body: dict | None) -> dict:
    data = json.dumps(body or {}).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Authorization": f"Bearer {token_value}", "Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        problem = json.loads(exc.read() or b"{}")
        fail(f"拒否されました [{problem.get('code', exc.code)}]: {problem.get('detail', exc.reason)}")
    except urllib.error.URLError as exc:
        fail(f"サーバに接続できません: {exc.reason}")
    return {}

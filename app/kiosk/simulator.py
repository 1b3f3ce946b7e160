"""The kiosk simulator's client: the whole kiosk flow over HTTP with a virtual card (the PIN is
checked on the card, which locks after 3 wrong PINs in a row). Used by ``flask kiosk simulate`` and
the benchmarks; no Flask, only the standard library's HTTP client."""
from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from fixtures.virtual_card import CardError, VirtualCard

API = "/api/kiosk/v1"


class KioskError(Exception):
    """A refusal: the server's (or the card's) ``code`` and Japanese ``message``."""

    def __init__(self, code: str, message: str, status: int = 0):
        super().__init__(f"[{code}] {message}")
        self.code, self.message, self.status = code, message, status


@dataclass
class Issued:
    serial: str
    verification_code: str
    pdf: bytes
    fee_yen: int


@dataclass
class KioskClient:
    """One kiosk of a store: the operator's token, the store id and the store's municipality code."""

    base_url: str
    token: str
    store_id: str
    store_lg_code: str
    report: Callable[[str], None] = lambda line: None
    _connection: http.client.HTTPConnection | None = field(default=None, repr=False)

    def _call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict, bytes]:
        if self._connection is None:
            parts = urlsplit(self.base_url)
            self._connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
        headers = {"Authorization": f"Bearer {self.token}", "X-Kiosk-Store-Id": self.store_id,
                   "X-Kiosk-Store-Lg-Code": self.store_lg_code, "Accept": "application/json"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        try:
            self._connection.request(method, API + path, body=data, headers=headers)
            response = self._connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise KioskError("connection_failed", f"サーバに接続できません: {exc}") from exc
        if response.status >= 400:
            problem = json.loads(payload or b"{}") if payload.startswith(b"{") else {}
            raise KioskError(problem.get("code", f"http_{response.status}"), problem.get("detail", response.reason),
                             response.status)
        return response.status, dict(response.getheaders()), payload

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def issue(self, card: VirtualCard, pin: str, document_type: str, options: dict | None = None) -> Issued:
        """Session → card signs the challenge → verify → request → payment → PDF."""
        self.report("1/6 利用を開始しています（利用時間の確認）…")
        _, _, raw = self._call("POST", "/sessions", {})
        opened = json.loads(raw)
        self.report("2/6 カードで暗証番号を確認し、署名しています…")
        try:
            answer = card.respond(opened["challenge_id"], opened["challenge"], pin)
        except CardError as exc:
            raise KioskError(exc.code, exc.message) from exc
        self.report("3/6 サーバでカードの証明書と署名を確認しています…")
        session = quote(opened["session_id"])
        verified = json.loads(self._call("POST", f"/sessions/{session}/verify", answer)[2])
        if not verified["eligible"]:
            raise KioskError(verified["refusal"]["code"], verified["refusal"]["message"])
        self.report(f"    本人を確認しました（{verified['municipality']}）")
        self.report(f"4/6 {document_type}を請求しています…")
        quoted = json.loads(self._call("POST", f"/sessions/{session}/requests",
                                       {"document_type": document_type, "options": options or {}})[2])
        self.report(f"5/6 手数料 {quoted['fee_yen']}円 の支払いを確認しています…")
        request = quote(quoted["request_id"])
        self._call("POST", f"/requests/{request}/payment", {"amount_yen": quoted["fee_yen"]})
        self.report("6/6 証明書（署名付きPDF）を受け取っています…")
        _, headers, pdf = self._call("POST", f"/requests/{request}/issue")
        return Issued(unquote(headers.get("X-Certificate-Serial", "")), headers.get("X-Verification-Code", ""), pdf,
                      quoted["fee_yen"])

"""Shelter desk benchmark: the resident search by kana / birth date over the 1,000,000-resident town
of bench_link (loaded here when the benchmark runs alone), through the HTTP endpoint the desk screen calls."""
from __future__ import annotations

import random
import re

from sqlalchemy import text

from bench.bench_link import ensure_town
from bench.harness import Anchor, Result, latencies_ms, p95

LG_CODE = "012033"  # the bench town of bench_link
PASSWORD = "bench-desk-2026"


def run(url: str) -> list[Result]:
    from app import create_app
    from app.auth.models import User
    from app.auth.passwords import hash_password
    from app.config import TestConfig
    from app.db import Scope
    from app.extensions import db
    from app.tenants.services import create_default_roles

    count = ensure_town(url)
    config = TestConfig()
    config.DATABASE_URL, config.TESTING = url, False
    app = create_app(config)
    with app.app_context():
        with db.unit_of_work(Scope.tenant(LG_CODE)) as session:
            if not session.scalar(text("SELECT count(*) FROM users WHERE login_id = 'desk'")):
                roles = {r.code: r for r in create_default_roles(session, LG_CODE)}
                session.add(User(lg_code=LG_CODE, login_id="desk", display_name="受付 担当", department="避難所",
                                 role=roles["04"], password_hash=hash_password(PASSWORD)))
            sample = session.execute(text("""SELECT name_kana, birth_date FROM residents TABLESAMPLE SYSTEM (1)
                                             WHERE status = '住登内' LIMIT 400""")).all()
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        response = client.post("/login", data={"csrf_token": token, "lg_code": LG_CODE, "login_id": "desk",
                                                "password": PASSWORD})
        assert response.status_code == 302, "bench login failed"
        queries = _queries(sample)
        cycle = iter(queries * 10)
        search = p95(latencies_ms(lambda: client.get("/shelters/desk/search.json", query_string=next(cycle)), 600))
        health = p95(latencies_ms(lambda: client.get("/healthz"), 300))
    return [Result("shelter.checkin_search.p95_ms", search, "ms", 50.0, Anchor("http.healthz.p95_ms", health, "ms"),
                   notes=f"{count:,} residents; kana (family name, full name without the space, hiragana, "
                         "2-letter prefix) and birth dates (西暦, 和暦), alone and combined")]


def _queries(sample) -> list[dict]:
    """Searches as the desk types them, from real rows of the town."""
    rnd = random.Random(6)
    queries = []
    for kana, born in sample:
        family, _, given = kana.partition("　")
        hiragana = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in family + given)
        queries.append(rnd.choice([{"kana": family}, {"kana": family + given}, {"kana": hiragana},
                                   {"kana": family[:2]}, {"birth": born.isoformat()},
                                   {"kana": family, "birth": born.isoformat()}]))
    return queries

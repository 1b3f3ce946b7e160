"""被災者台帳 benchmark: build the register of a disaster whose area covers the 100k-resident town."""
from __future__ import annotations

import time
from datetime import date

from sqlalchemy import text

from bench.harness import Anchor, Result
from fixtures.town import DEMO_TOWN


def run(url: str) -> list[Result]:
    from app import create_app
    from app.audit.services import Actor
    from app.config import Config
    from app.db import SYSTEM, Scope
    from app.disasters import services, victims
    from app.extensions import db

    config = Config()
    config.DATABASE_URL = url
    app = create_app(config)
    lg_code = DEMO_TOWN.lg_code
    with app.app_context():
        with db.unit_of_work(SYSTEM) as session:
            if not session.scalar(text("SELECT count(*) FROM residents WHERE lg_code = :lg"), {"lg": lg_code}):
                raise RuntimeError("bench_victims needs the 100k town of bench_foundation: run `make bench`")
        actor = Actor.system(lg_code, "bench")
        with db.unit_of_work(Scope.tenant(lg_code)) as session:
            disaster = services.create_disaster(session, actor, name=f"ベンチ水害 {time.time_ns()}",
                                                kind="風水害（大雨・洪水）", started_on=date(2026, 11, 20))
            codes = [code for code, _ in victims.area_choices(session)]
            disaster_id = disaster.id
        with db.unit_of_work(Scope.tenant(lg_code)) as session:
            started = time.perf_counter()
            session.execute(text("""SELECT count(*) FROM residents r WHERE r.status = '住登内' AND EXISTS (
                                        SELECT 1 FROM admin_areas a WHERE a.code = ANY(:codes)
                                        AND ST_Intersects(a.geom, r.geom))"""), {"codes": codes}).scalar()
            anchor = time.perf_counter() - started
        with db.unit_of_work(Scope.tenant(lg_code)) as session:
            started = time.perf_counter()
            built = victims.build_register(session, actor, disaster_id, area_codes=codes)
            session.commit()
            seconds = time.perf_counter() - started
    print(f"   register: {built.households} households, {built.persons} persons in {seconds:.2f} s")
    return [Result("victims.register_build_100k.seconds", seconds, "s", 10.0,
                   Anchor("postgres.select_residents_in_area.seconds", anchor, "s"),
                   notes=f"{built.persons} persons in {built.households} households of a town of 100,000, "
                         "every 町丁目 affected; statutory items, 要配慮者 reasons, buildings")]

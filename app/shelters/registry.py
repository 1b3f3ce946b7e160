"""Use cases of the shelter registry: the shelter files municipalities exchange (the デジタル庁
推奨データセット and the 国土地理院 lists) imported all or nothing, and the dataset exported."""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.shelters import gsi, opendata
from app.shelters.models import Shelter
from app.tenants.services import get_municipality


def import_dataset(session: Session, actor: Actor, data: bytes) -> dict:
    """Import the 推奨データセット: every row checked first, then shelters added or updated by ID
    (all or nothing). A file with only some of the columns changes only those; shelters missing
    from the file are kept and reported, and so are the codes whose leading zeros were restored.
    Raises NotFound for a municipality that is not registered."""
    get_municipality(session, actor.lg_code)  # a code nobody registered is refused, not met by its foreign key
    dataset = opendata.read_dataset(data, actor.lg_code)
    existing = {s.code: s for s in session.scalars(select(Shelter))}
    added = updated = 0
    for row in dataset.records:
        shelter = existing.get(row.code)
        if shelter is None:
            shelter = Shelter(lg_code=actor.lg_code, code=row.code, kind="指定緊急避難場所", open_data={})
            session.add(shelter)
            added += 1
        else:
            updated += 1
        for attr, value in row.fields.items():
            setattr(shelter, attr, value)
        shelter.hazards = row.hazards
        shelter.geom = f"SRID=4326;POINT({row.lon} {row.lat})"
        shelter.open_data = {**shelter.open_data, **row.other}
    session.flush()
    missing = sorted(set(existing) - {r.code for r in dataset.records})
    record(session, actor, "shelter_import", "shelter", [], added=added, updated=updated, missing=len(missing),
           repaired=len(dataset.repairs))
    return {"added": added, "updated": updated, "missing": missing, "repairs": dataset.repairs, "skipped": 0}


def dataset_rows(session: Session, lg_code: str) -> Iterator[list[str]]:
    """The municipality's shelters as rows of the 推奨データセット, in ID order."""
    stmt = select(Shelter, func.ST_Y(Shelter.geom), func.ST_X(Shelter.geom)).order_by(Shelter.code)
    for shelter, lat, lon in session.execute(stmt):
        yield opendata.dataset_row(lg_code, shelter.code, shelter.name, shelter.name_kana, shelter.address, lat, lon,
                                   shelter.phone, list(shelter.hazards or []), shelter.capacity,
                                   dict(shelter.open_data or {}))


def export_dataset(session: Session, actor: Actor) -> None:
    """Audit an export of the 推奨データセット (the caller streams ``dataset_rows``)."""
    record(session, actor, "shelter_export", "shelter", [])


def import_gsi(session: Session, actor: Actor, data: bytes) -> dict:
    """Import this municipality's rows of a 国土地理院 CSV (指定緊急避難場所 or 指定避難所, the
    municipality's own file or a nationwide one) all or nothing, matched by 共通ID; other
    municipalities' rows are counted and skipped. A facility on both lists keeps one record; being a
    指定避難所 is the stronger designation."""
    municipality = get_municipality(session, actor.lg_code)
    gsi_file = gsi.read_gsi(data, actor.lg_code, municipality.full_name)
    existing = {s.code: s for s in session.scalars(select(Shelter))}
    added = 0
    for row in gsi_file.records:
        shelter = existing.get(row.code)
        if shelter is None:
            shelter = Shelter(lg_code=actor.lg_code, code=row.code, kind=row.kind, capacity=0, phone="",
                              name_kana="", hazards=[], open_data={})
            session.add(shelter)
            added += 1
        elif row.kind == "指定避難所" and shelter.kind == "指定緊急避難場所":
            shelter.kind = row.kind
        shelter.name, shelter.address = row.name, row.address
        if row.kind == "指定緊急避難場所":
            shelter.hazards = row.hazards
        shelter.geom = f"SRID=4326;POINT({row.lon} {row.lat})"
    session.flush()
    updated = len(gsi_file.records) - added
    record(session, actor, "shelter_import", "shelter", [], source="国土地理院", added=added, updated=updated,
           skipped=gsi_file.skipped)
    return {"added": added, "updated": updated, "missing": [], "repairs": [], "skipped": gsi_file.skipped}


def import_summary(result: dict) -> str:
    """What an import did, in one sentence for staff (screen and CLI)."""
    missing, skipped, repaired = len(result["missing"]), result["skipped"], len(result["repairs"])
    return "".join((f"取り込みました（追加 {result['added']} 件、更新 {result['updated']} 件）。",
                    f"ファイルにない避難所 {missing} 件はそのまま残しています。" if missing else "",
                    f"ほかの団体の行 {skipped} 件は読み飛ばしました。" if skipped else "",
                    f"{repaired} 件の値を直して取り込みました。" if repaired else ""))


# The registry's file formats (the screen's 形式, the CLI's --format) and the use case importing each.
IMPORTERS = {"dataset": import_dataset, "gsi": import_gsi}

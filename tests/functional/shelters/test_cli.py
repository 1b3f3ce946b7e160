"""``flask shelters import``: the same imports as the registry screen from the command line — a
nationwide 国土地理院 file in Shift_JIS, a 推奨データセット subset with zero-stripped codes, and a file
refused with every problem on stderr and nothing imported."""
from sqlalchemy import func, select

from app.shelters import registry
from app.shelters.models import Shelter
from tests.helpers.demo import DEMO_CODE
from tests.helpers.shelters import (
    CHIYODA,
    EMERGENCY_NATIONWIDE,
    FLOOD_QUAKE,
    GYM,
    KITAYAMA,
    SPACED_HEADER,
    SPACED_ROW,
    SUBSET_HEADER,
    SUBSET_ROWS,
    TOWN,
    csv_bytes,
    emergency_row,
)


def _import(app, path, *options):
    return app.test_cli_runner().invoke(args=["shelters", "import", str(path), "--lg-code", DEMO_CODE, *options])


def _count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Shelter).where(Shelter.lg_code == DEMO_CODE))


def test_cli_imports_a_nationwide_gsi_file_and_a_dataset_subset(app, db, tmp_path, system_session):
    nationwide = tmp_path / "mergeFromCity_2.csv"
    rows = [EMERGENCY_NATIONWIDE, emergency_row(1, KITAYAMA, FLOOD_QUAKE, "39.1", "141.1", name="岩手県北山村"),
            emergency_row(2, GYM, FLOOD_QUAKE, name=TOWN),
            emergency_row(3, CHIYODA, FLOOD_QUAKE, "35.68", "139.73", name="東京都千代田区")]
    nationwide.write_bytes(csv_bytes(rows, "cp932"))
    done = _import(app, nationwide, "--format", "gsi")
    assert done.exit_code == 0, done.output
    assert "追加 1 件" in done.stdout and "ほかの団体の行 2 件は読み飛ばしました" in done.stdout

    subset = tmp_path / "subset.csv"
    subset.write_bytes(csv_bytes([SUBSET_HEADER, *SUBSET_ROWS], "utf-8"))
    done = _import(app, subset)
    assert done.exit_code == 0, done.output
    assert "追加 2 件" in done.stdout
    assert "2\t全国地方公共団体コード\t「46990」の先頭に0を補い「046990」としました。" in done.stdout.splitlines()
    found = system_session.scalars(select(Shelter.code).where(Shelter.code.in_([GYM[0], "046990-801", "046990-802"])))
    assert sorted(found) == sorted([GYM[0], "046990-801", "046990-802"])


def test_cli_refuses_a_bad_file_naming_line_and_column_and_imports_nothing(app, db, tmp_path, system_session):
    before = _count(system_session)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([[*SUBSET_HEADER, "収容人数"], [*SUBSET_ROWS[0], "120"]]))
    done = _import(app, bad)
    assert done.exit_code == 1
    assert "[header_mismatch]" in done.stderr
    assert "1\t収容人数\t「収容人数」は推奨データセット（指定緊急避難場所一覧）の列名ではありません。" in done.stderr
    others = tmp_path / "13101_2.csv"
    others.write_bytes(csv_bytes([EMERGENCY_NATIONWIDE, emergency_row(1, CHIYODA, FLOOD_QUAKE, "35.68", "139.73",
                                                               name="東京都千代田区")]))
    done = _import(app, others, "--format", "gsi")
    assert done.exit_code == 1 and "[no_rows_of_municipality]" in done.stderr
    assert _count(system_session) == before


def test_cli_stores_text_without_surrounding_spaces(app, db, tmp_path, system_session):
    spaced = tmp_path / "spaced.csv"
    spaced.write_bytes(csv_bytes([SPACED_HEADER, SPACED_ROW]))
    done = _import(app, spaced)
    assert done.exit_code == 0, done.output
    assert "追加 1 件" in done.stdout
    system_session.expire_all()
    assert system_session.scalar(select(Shelter.phone).where(Shelter.code == "046990-803")) == "022-123-4567 内線 8901"


def test_cli_refuses_a_municipality_that_is_not_registered(app, db, tmp_path, system_session):
    chiyoda = tmp_path / "131016.csv"
    rows = [[*row[:2], "131016", *row[3:6], "131016", *row[7:]] for row in SUBSET_ROWS]
    chiyoda.write_bytes(csv_bytes([SUBSET_HEADER, *rows]))
    done = app.test_cli_runner().invoke(args=["shelters", "import", str(chiyoda), "--lg-code", "131016"])
    assert done.exit_code == 1 and isinstance(done.exception, SystemExit), done.exception
    assert "取り込みませんでした [not_found]: 地方公共団体コード「131016」の団体は登録されていません。" in done.stderr
    assert system_session.scalar(select(func.count()).select_from(Shelter).where(Shelter.lg_code == "131016")) == 0


def test_cli_reports_a_value_the_database_refuses_and_imports_nothing(app, db, tmp_path, system_session, monkeypatch):
    """Whatever slips past the file's checks, the database's refusal is a clear line, not a traceback."""
    def import_unchecked(session, actor, data):
        session.add(Shelter(lg_code=actor.lg_code, code="046990-899", name="電話番号の長い避難所",
                            kind="指定緊急避難場所", address="宮城県桜ヶ丘町", phone="0" * 21,
                            geom="SRID=4326;POINT(140.95 38.40)"))
        session.flush()

    monkeypatch.setitem(registry.IMPORTERS, "dataset", import_unchecked)
    before = _count(system_session)
    file = tmp_path / "any.csv"
    file.write_bytes(b"")
    done = _import(app, file)
    assert done.exit_code == 1 and isinstance(done.exception, SystemExit), done.exception
    assert done.stderr.startswith("取り込みませんでした [database_refused]: "), done.stderr
    assert "character varying(20)" in done.stderr
    assert _count(system_session) == before

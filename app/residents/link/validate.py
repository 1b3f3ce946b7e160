"""Rules that need the copy as it is in the database, checked in SQL: a diff's keys against the
current records, and (after a diff is applied, inside the batch's savepoint) references, households
and seal registrations. The per-row and in-file rules are in ``checks`` (Arrow).
Findings carry the file, the line (header = 1), the column's header and a Japanese reason.
"""
from __future__ import annotations

import psycopg

from app.residents.link import spec
from app.residents.link.staging import Finding, StagedFile
from app.residents.rules import REGISTERED

MAX_FINDINGS = 1000
SEP = "\x1f"


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _collect(rows, file: str) -> tuple[int, list[Finding]]:
    findings = []
    for _, line, finding in rows:
        column, code, message = finding.split(SEP, 2)
        findings.append(Finding(file, line, column, code, message))
    return (rows[0][0] if rows else 0), findings


def _key_join(kind: str, staged_alias: str, table_alias: str) -> str:
    parts = []
    for key in spec.KEYS[kind]:
        cast = "::smallint" if key == "fiscal_year" else ""
        parts.append(f"{table_alias}.{key} = {staged_alias}.{key}{cast}")
    return " AND ".join(parts)


def diff_key_findings(conn: psycopg.Connection, staged: StagedFile, lg_code: str) -> tuple[int, list[Finding]]:
    """追加 of a key that exists, 更新/削除 of a key that does not (against the current copy)."""
    table = spec.TABLES[staged.kind]
    sql = f"""
        SELECT count(*) OVER (), s.line_no,
               '異動区分{SEP}diff_key{SEP}' || CASE WHEN s.op = '1'
                   THEN 'このキーのデータは既にあります（追加はできません。更新は異動区分 2）。'
                   ELSE 'このキーのデータがありません（更新・削除はできません）。' END
        FROM {staged.table} s
        LEFT JOIN {table} t ON t.lg_code = %(lg)s AND {_key_join(staged.kind, 's', 't')}
        WHERE (s.op = '1' AND t.id IS NOT NULL) OR (s.op IN ('2', '3') AND t.id IS NULL)
        ORDER BY s.line_no LIMIT {MAX_FINDINGS}"""
    return _collect(conn.execute(sql, {"lg": lg_code}).fetchall(), staged.name)


def reference_findings(conn: psycopg.Connection, staged: StagedFile, lg_code: str) -> tuple[int, list[Finding]]:
    """宛名番号 of seals, taxes and welfare must be a resident in the batch's result (already applied)."""
    only = "s.op IN ('1', '2') AND " if staged.diff else ""
    sql = f"""
        SELECT count(*) OVER (), s.line_no, '宛名番号{SEP}reference{SEP}'
               || format('宛名番号 %%s の住民がいません。', s.atena_no)
        FROM {staged.table} s
        WHERE {only} NOT EXISTS (SELECT 1 FROM residents r WHERE r.lg_code = %(lg)s AND r.atena_no = s.atena_no)
        ORDER BY s.line_no LIMIT {MAX_FINDINGS}"""
    return _collect(conn.execute(sql, {"lg": lg_code}).fetchall(), staged.name)


def household_findings(conn: psycopg.Connection, staged: StagedFile, lg_code: str) -> tuple[int, list[Finding]]:
    """Every 世帯 with a 住登内 member has exactly one 住登内 世帯主 (after the residents were applied).

    For a diff only the households the diff touched are checked (their new and old 世帯番号).
    """
    scope = ""
    if staged.diff:
        scope = (f"AND r.household_no IN (SELECT household_no FROM {staged.table} "
                 f"UNION SELECT household_no FROM link_touched_households)")
    sql = f"""
        WITH bad AS (
            SELECT r.household_no, count(*) FILTER (WHERE r.is_household_head) AS heads
            FROM residents r WHERE r.lg_code = %(lg)s AND r.status = %(registered)s {scope}
            GROUP BY r.household_no HAVING count(*) FILTER (WHERE r.is_household_head) <> 1)
        SELECT count(*) OVER (), (SELECT min(s.line_no) FROM {staged.table} s WHERE s.household_no = b.household_no),
               '世帯主{SEP}household_head{SEP}' || format(
                   '世帯番号 %%s の住登内の世帯主が%%s人です（1人である必要があります）。', b.household_no, b.heads)
        FROM bad b ORDER BY 2 NULLS LAST LIMIT {MAX_FINDINGS}"""
    return _collect(conn.execute(sql, {"lg": lg_code, "registered": REGISTERED}).fetchall(), staged.name)


def resident_code_findings(conn: psycopg.Connection, staged: StagedFile, lg_code: str) -> tuple[int, list[Finding]]:
    """After a residents diff was applied: a 住民票コード it gives (追加/更新) belongs to nobody else
    in the copy. Codes the diff does not touch are not looked at."""
    sql = f"""
        SELECT count(*) OVER (), s.line_no, '住民票コード{SEP}duplicate{SEP}' || format(
                   '住民票コードが宛名番号 %%s の住民と重複しています（住民ごとに異なる必要があります）。',
                   r.atena_no)
        FROM {staged.table} s
        JOIN residents r ON r.lg_code = %(lg)s AND r.resident_code = s.resident_code AND r.atena_no <> s.atena_no
        WHERE s.op IN ('1', '2')
        ORDER BY s.line_no, r.atena_no LIMIT {MAX_FINDINGS}"""
    return _collect(conn.execute(sql, {"lg": lg_code}).fetchall(), staged.name)


def active_seal_findings(conn: psycopg.Connection, staged: StagedFile, lg_code: str) -> tuple[int, list[Finding]]:
    """A resident has at most one registration without 廃止日 (after the seals were applied).

    Only the people named in the file can have gained a second one."""
    sql = f"""
        WITH bad AS (SELECT atena_no FROM seal_registrations WHERE lg_code = %(lg)s AND abolished_on IS NULL
                       AND atena_no IN (SELECT atena_no FROM {staged.table})
                     GROUP BY atena_no HAVING count(*) > 1)
        SELECT count(*) OVER (), (SELECT min(s.line_no) FROM {staged.table} s WHERE s.atena_no = b.atena_no),
               '宛名番号{SEP}consistency{SEP}' || format(
                   '宛名番号 %%s に廃止されていない印鑑登録が複数あります。', b.atena_no)
        FROM bad b ORDER BY 2 NULLS LAST LIMIT {MAX_FINDINGS}"""
    return _collect(conn.execute(sql, {"lg": lg_code}).fetchall(), staged.name)


# The registers that keep a resident's id: a record they use cannot leave the copy.
_REGISTERS = (("evac_people", "避難行動要支援者名簿"), ("evacuees", "避難者名簿"), ("victims", "被災者台帳"))


def removal_findings(conn: psycopg.Connection, staged: StagedFile, lg_code: str) -> tuple[int, list[Finding]]:
    """Residents the batch would delete (missing from a full file, 削除 rows of a diff) while a
    register still uses their record. Such a person stays in the file with a 住民状態 (転出, 死亡,
    職権消除), as the 除票 does; deleting the record would cut the register's history."""
    used = " UNION ALL ".join(f"SELECT resident_id FROM {table}" for table, _ in _REGISTERS)
    if staged.diff:
        leaving = (f"SELECT r.id, r.atena_no, s.line_no FROM residents r JOIN {staged.table} s "
                   f"ON s.atena_no = r.atena_no AND s.op = '3' WHERE r.lg_code = %(lg)s")
    else:  # only the people a register uses are looked up in the file
        leaving = (f"SELECT r.id, r.atena_no, NULL::bigint AS line_no FROM residents r WHERE r.lg_code = %(lg)s "
                   f"AND r.id IN ({used}) "
                   f"AND NOT EXISTS (SELECT 1 FROM {staged.table} s WHERE s.atena_no = r.atena_no)")
    used_in = " || ".join(f"CASE WHEN EXISTS (SELECT 1 FROM {table} x WHERE x.resident_id = l.id) "
                          f"THEN '{label} ' ELSE '' END" for table, label in _REGISTERS)
    sql = f"""
        WITH leaving AS ({leaving}), used AS (
            SELECT l.atena_no, l.line_no, rtrim({used_in}) AS registers FROM leaving l)
        SELECT count(*) OVER (), line_no, '宛名番号{SEP}resident_in_use{SEP}' || format(
                   '宛名番号 %%s の住民は%%sで使われているため、削除できません。'
                   '住民状態（転出・死亡・職権消除）を付けてファイルに残してください。',
                   atena_no, replace(registers, ' ', '・'))
        FROM used WHERE registers <> '' ORDER BY line_no NULLS FIRST, atena_no LIMIT {MAX_FINDINGS}"""
    return _collect(conn.execute(sql, {"lg": lg_code}).fetchall(), staged.name)

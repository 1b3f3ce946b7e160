"""Apply staged, validated files to the 中間DB (full: merge and remove; diff: row by row semantics).

Only rows that really change are written (``IS DISTINCT FROM``), so a monthly full batch that is
mostly unchanged touches few rows. A changed 住所 clears the coordinates so geocoding runs again.
"""
from __future__ import annotations

import psycopg

from app.residents.link import spec

# Staging column -> (target column, SQL expression over staging alias s).
_STATUS = ("CASE s.status " + " ".join(f"WHEN '{c}' THEN '{label}'" for c, label in spec.RESIDENT_STATUS.items())
           + " END")


def _expressions(kind: str) -> list[tuple[str, str]]:
    exprs = []
    for column in spec.COLUMNS[kind]:
        target, expr = column.name, f"s.{column.name}"
        rule = column.rule.split(":")[0]
        if rule == "date":
            # Validated already: a plain cast for YYYY-MM-DD, the 和暦 parser only for the rare rest.
            c = f"s.{column.name}"
            expr = (f"CASE WHEN {c} = '' THEN NULL WHEN left({c}, 1) BETWEEN '0' AND '9' THEN {c}::date "
                    f"ELSE bcl_link_date({c}) END")
        elif rule == "flag":
            expr = f"s.{column.name} = '1'"
        elif rule in ("amount", "count"):
            expr = f"s.{column.name}::bigint"
        elif rule == "year":
            expr = f"s.{column.name}::smallint"
        elif rule == "png":
            target, expr = "impression_png", f"decode(NULLIF(s.{column.name}, ''), 'base64')"
        elif rule == "mynumber":
            # Deterministic encryption (IV from an HMAC of the number) so unchanged numbers stay unchanged.
            target, expr = "mynumber_enc", (
                "CASE WHEN s.mynumber = '' THEN NULL ELSE mn.iv || "
                "encrypt_iv(convert_to(s.mynumber, 'UTF8'), %(enc_key)s, mn.iv, 'aes-cbc') END")
        elif column.name == "status" and kind == "residents":
            expr = _STATUS
        elif column.name == "tax_class":
            target, expr = "is_taxable", "s.tax_class = '1'"
        exprs.append((target, expr))
    return exprs


def _source(kind: str, staging: str) -> str:
    """The staging table as ``s``; for residents also ``mn.iv``, the IV of the 個人番号 (computed once,
    and only for rows that have one)."""
    if kind != "residents":
        return f"{staging} s"
    return (f"{staging} s CROSS JOIN LATERAL (SELECT CASE WHEN s.mynumber <> '' THEN substr(hmac("
            "convert_to(s.mynumber, 'UTF8'), %(mac_key)s, 'sha256'), 1, 16) END AS iv) mn")


def _insert_sql(kind: str, staging: str) -> str:
    """A plain INSERT: for a municipality's first load of a kind, when nothing can conflict."""
    exprs = _expressions(kind)
    defaults = ", location_source" if kind == "residents" else ""
    default_values = ", ''" if kind == "residents" else ""
    return (f"INSERT INTO {spec.TABLES[kind]} (lg_code, {', '.join(t for t, _ in exprs)}{defaults}) "
            f"SELECT %(lg)s, {', '.join(e for _, e in exprs)}{default_values} FROM {_source(kind, staging)}")


def _upsert_sql(kind: str, staging: str, where: str) -> str:
    table = spec.TABLES[kind]
    exprs = _expressions(kind)
    targets = [t for t, _ in exprs]
    keys = spec.KEYS[kind]
    updates = [t for t in targets if t not in keys]
    set_list = ", ".join(f"{t} = EXCLUDED.{t}" for t in updates)
    current = ", ".join("t." + u for u in updates)
    incoming = ", ".join("EXCLUDED." + u for u in updates)
    changed = f"({current}) IS DISTINCT FROM ({incoming})"
    if kind == "residents":
        # A new address needs new coordinates; a manual placement is kept only while the address stays.
        set_list += (", geom = CASE WHEN t.address IS DISTINCT FROM EXCLUDED.address THEN NULL ELSE t.geom END"
                     ", location_source = CASE WHEN t.address IS DISTINCT FROM EXCLUDED.address THEN '' "
                     "ELSE t.location_source END")
    defaults = ", created_at, updated_at" + (", location_source" if kind == "residents" else "")
    default_values = ", now(), now()" + (", ''" if kind == "residents" else "")
    return f"""
        WITH up AS (
            INSERT INTO {table} AS t (lg_code, {', '.join(targets)}{defaults})
            SELECT %(lg)s, {', '.join(e for _, e in exprs)}{default_values} FROM {_source(kind, staging)} {where}
            ON CONFLICT (lg_code, {', '.join(keys)}) DO UPDATE SET {set_list}, updated_at = now()
            WHERE {changed}
            RETURNING (xmax = 0) AS inserted)
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up"""


def apply_full(conn: psycopg.Connection, kind: str, staging: str, lg_code: str, keys: dict) -> dict:
    """Make the kind's rows equal the staged file. Returns added/changed/removed/unchanged counts."""
    table = spec.TABLES[kind]
    had_rows = conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE lg_code = %(lg)s)",
                            {"lg": lg_code}).fetchone()[0]
    if not had_rows:
        added = conn.execute(_insert_sql(kind, staging), {"lg": lg_code, **keys}).rowcount
        _refresh_statistics(conn, table)
        total = conn.execute(f"SELECT count(*) FROM {staging}").fetchone()[0]
        return {"read": total, "added": added, "changed": 0, "removed": 0, "unchanged": total - added}
    added, changed = conn.execute(_upsert_sql(kind, staging, ""), {"lg": lg_code, **keys}).fetchone()
    removed = _remove_missing(conn, kind, staging, lg_code)
    _refresh_statistics(conn, table)
    total = conn.execute(f"SELECT count(*) FROM {staging}").fetchone()[0]
    return {"read": total, "added": added, "changed": changed, "removed": removed,
            "unchanged": total - added - changed}


def _refresh_statistics(conn: psycopg.Connection, table: str) -> None:
    """A full load rewrites a large part of the table: plans for the next batch (a diff may come
    minutes later, before autovacuum's ANALYZE) need the new statistics. Sampled: under a second.
    The application role does not own the table, hence the function (migration 0004)."""
    conn.execute("SELECT bcl_analyze_link_table(%s)", (table,))


def _remove_missing(conn: psycopg.Connection, kind: str, staging: str, lg_code: str) -> int:
    """Delete the rows the full file no longer has. A hash anti-join whatever the statistics say:
    right after a large upsert the planner's row estimates are stale, and a nested loop over a
    million rows would take hours."""
    table = spec.TABLES[kind]
    join = " AND ".join(f"s.{k} = t.{k}{'::text' if k == 'fiscal_year' else ''}" for k in spec.KEYS[kind])
    conn.execute("SET LOCAL enable_nestloop = off")
    try:
        return conn.execute(f"DELETE FROM {table} t WHERE t.lg_code = %(lg)s AND NOT EXISTS "
                            f"(SELECT 1 FROM {staging} s WHERE {join})", {"lg": lg_code}).rowcount
    finally:
        conn.execute("SET LOCAL enable_nestloop = on")


def apply_diff(conn: psycopg.Connection, kind: str, staging: str, lg_code: str, keys: dict) -> dict:
    """Apply 追加/更新/削除 rows (validated beforehand: keys exist or not as each row requires)."""
    table = spec.TABLES[kind]
    join = " AND ".join(f"t.{k} = s.{k}{'::smallint' if k == 'fiscal_year' else ''}" for k in spec.KEYS[kind])
    removed = conn.execute(f"DELETE FROM {table} t USING {staging} s WHERE s.op = '3' AND t.lg_code = %(lg)s "
                           f"AND {join}", {"lg": lg_code}).rowcount
    added, changed = conn.execute(_upsert_sql(kind, staging, "WHERE s.op IN ('1', '2')"),
                                  {"lg": lg_code, **keys}).fetchone()
    total = conn.execute(f"SELECT count(*) FROM {staging}").fetchone()[0]
    return {"read": total, "added": added, "changed": changed, "removed": removed,
            "unchanged": total - added - changed - removed}


def remember_touched_households(conn: psycopg.Connection, staging: str, lg_code: str) -> None:
    """Before a residents diff: the 世帯 its people belong to now (they may lose their head)."""
    conn.execute(f"""CREATE TEMP TABLE link_touched_households ON COMMIT DROP AS
                     SELECT DISTINCT r.household_no FROM residents r JOIN {staging} s ON s.atena_no = r.atena_no
                     WHERE r.lg_code = %(lg)s""", {"lg": lg_code})


def counts(conn: psycopg.Connection, lg_code: str) -> dict:
    """Records of each kind in the copy now."""
    return {kind: conn.execute(f"SELECT count(*) FROM {spec.TABLES[kind]} WHERE lg_code = %(lg)s",
                               {"lg": lg_code}).fetchone()[0] for kind in spec.KINDS}

"""Set-based validation of staged files, generated from the column rules in ``spec``.

Each staging table is read once for all its per-row rules (one CASE per rule, collected into an
array), then cross-row rules (duplicates, diff keys, references, households) run as joins.
Findings carry the file, the line (header = 1), the column's header and a Japanese reason.
"""
from __future__ import annotations

import psycopg

from app.residents.link import spec
from app.residents.link.staging import Finding, StagedFile

MAX_FINDINGS = 1000
SEP = "\x1f"
KANA = "^[ァ-ヶー・　 ]+$"


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _finding(column: spec.Column, code: str, message_sql: str) -> str:
    return f"{_q(column.header + SEP + code + SEP)} || {message_sql}"


def _value(name: str) -> str:
    return f"left({name}, 40)"


def _rule_checks(column: spec.Column, kind: str, diff: bool) -> list[str]:
    """SQL CASE branches (as 'condition THEN finding') for one column."""
    c, h, rule = column.name, column.header, column.rule
    checks = []
    if column.required:
        checks.append((f"{c} = ''", _finding(column, "required", _q(f"{h}が空です。"))))
    kind_of_rule, _, arg = rule.partition(":")
    fmt = _FORMAT_RULES.get(kind_of_rule)
    if fmt:
        condition, message = fmt(c, h, arg, kind)
        code = "date" if kind_of_rule == "date" else "check_digit" if kind_of_rule == "mynumber" else "format"
        checks.append((f"{c} <> '' AND ({condition})", _finding(column, code, message)))
    if diff and column not in spec.DIFF_COLUMNS and column.name not in spec.KEYS[kind]:
        # Rows that remove a record need only the key.
        checks = [(f"op <> '3' AND {cond}", found) for cond, found in checks]
    return [f"CASE WHEN {cond} THEN {found} END" for cond, found in checks]


def _digits(c, h, arg, kind):
    low, high = arg.split("-")
    span = low if low == high else f"{low}〜{high}"
    return f"{c} !~ '^[0-9]{{{low},{high}}}$'", f"format('{h}は{span}桁の数字です（値: %s）。', {_value(c)})"


def _alnum(c, h, arg, kind):
    low, high = arg.split("-")
    return f"{c} !~ '^[A-Za-z0-9]{{{low},{high}}}$'", f"format('{h}は{high}文字以内の英数字です（値: %s）。', {_value(c)})"


def _text(c, h, arg, kind):
    return f"char_length({c}) > {arg}", _q(f"{h}は{arg}文字以内です。")


def _kana(c, h, arg, kind):
    return (f"{c} !~ '{KANA}' OR char_length({c}) > {arg}",
            f"format('{h}は全角カタカナ（{arg}文字以内）で記載してください（値: %s）。', {_value(c)})")


def _date(c, h, arg, kind):
    return (f"bcl_link_date({c}) IS NULL",
            f"format('{h}「%s」は日付として正しくありません（YYYY-MM-DD または 和暦 GYY.MM.DD）。', {_value(c)})")


def _code(c, h, arg, kind):
    values = arg.split(",")
    listed = ", ".join(_q(v) for v in values)
    return f"{c} NOT IN ({listed})", f"format('{h}は {'/'.join(values)} のいずれかです（値: %s）。', {_value(c)})"


def _flag(c, h, arg, kind):
    return _code(c, h, "0,1", kind)


def _amount(c, h, arg, kind):
    return f"{c} !~ '^[0-9]{{1,12}}$'", f"format('{h}は0以上の整数（円）です（値: %s）。', {_value(c)})"


def _count(c, h, arg, kind):
    return f"{c} !~ '^[0-9]{{1,2}}$'", f"format('{h}は0〜99の整数です（値: %s）。', {_value(c)})"


def _year(c, h, arg, kind):
    return f"{c} !~ '^(19|20)[0-9]{{2}}$'", f"format('{h}は西暦4桁です（値: %s）。', {_value(c)})"


def _mynumber(c, h, arg, kind):
    return f"NOT bcl_mynumber_valid({c})", _q(f"{h}は12桁の数字で、検査数字が正しい必要があります（値は表示しません）。")


def _card(c, h, arg, kind):
    return f"{c} !~ '^[A-Z]{{2}}[0-9]{{8}}[A-Z]{{2}}$'", f"format('{h}は英字2桁・数字8桁・英字2桁です（値: %s）。', {_value(c)})"


def _phone(c, h, arg, kind):
    return f"{c} !~ '^[0-9-]{{1,20}}$'", f"format('{h}は数字とハイフン（20文字以内）です（値: %s）。', {_value(c)})"


def _png(c, h, arg, kind):
    # Base64 of a PNG (it starts "iVBORw0KGgo") of at most 64 KiB (87,384 Base64 characters).
    return (f"{c} !~ '^iVBORw0KGgo[A-Za-z0-9+/]*={{0,2}}$' OR char_length({c}) % 4 <> 0 "
            f"OR char_length({c}) > 87384", _q(f"{h}はPNG画像をBase64（改行なし、64KiB以内）で記載してください。"))


def _reason(c, h, arg, kind):
    pairs = spec.DIFF_REASONS[kind]
    allowed = " OR ".join(f"({c} = {_q(code)} AND op = {_q(op)})" for code, (op, _) in pairs.items())
    return f"NOT ({allowed})", f"format('{h}「%s」はこの異動区分に使えません（{kind} の事由コードは仕様 3.5）。', {_value(c)})"


_FORMAT_RULES = {"digits": _digits, "alnum": _alnum, "text": _text, "kana": _kana, "date": _date, "code": _code,
                 "flag": _flag, "amount": _amount, "count": _count, "year": _year, "mynumber": _mynumber,
                 "card": _card, "phone": _phone, "png": _png, "reason": _reason}


def _consistency_checks(kind: str, diff: bool) -> list[str]:
    """Rules between values of one row (spec §3 "consistency")."""
    guard = "op <> '3' AND " if diff else ""
    rules = _CONSISTENCY.get(kind, ())
    checks = [f"CASE WHEN {guard}({cond}) THEN {_q(header + SEP + 'consistency' + SEP + message)} END"
              for header, cond, message in rules]
    if diff and kind == "residents":
        for reason, status in spec.REASON_STATUS.items():
            label = spec.RESIDENT_STATUS[status]
            checks.append(f"CASE WHEN reason = '{reason}' AND status <> '{status}' THEN "
                          f"{_q('住民状態' + SEP + 'consistency' + SEP + f'異動事由 {reason} の住民状態は {status}（{label}）です。')} END")
    return checks


_CONSISTENCY = {
    "residents": (
        ("国籍・地域", "resident_kind = '2' AND (nationality = '' OR residence_status = '')",
         "外国人住民には国籍・地域と在留資格が必要です。"),
        ("国籍・地域", "resident_kind = '1' AND (nationality <> '' OR residence_status <> '' OR residence_card_no <> '')",
         "日本人住民に外国人住民の項目（国籍・地域、在留資格、在留カード等番号）は記載できません。"),
        ("本籍", "resident_kind = '2' AND (honseki <> '' OR hittousha <> '')", "外国人住民に本籍・筆頭者は記載できません。"),
        ("旧氏カナ", "former_surname <> '' AND former_surname_kana = ''", "旧氏がある場合は旧氏カナが必要です。"),
        ("通称カナ", "alias_name <> '' AND alias_kana = ''", "通称がある場合は通称カナが必要です。"),
        ("消除日", "status IN ('2','3','4') AND removed_on = ''", "住民状態が転出・死亡・職権消除のときは消除日が必要です。"),
        ("消除日", "status = '1' AND removed_on <> ''", "住登内の住民に消除日は記載できません。"),
        ("生年月日", "bcl_link_date(birth_date) > {reference_date}", "生年月日が基準日時より後です。"),
    ),
    "seals": (
        ("廃止日", "abolished_on <> '' AND bcl_link_date(abolished_on) < bcl_link_date(registered_on)",
         "廃止日が登録日より前です。"),
        ("印影", "abolished_on = '' AND impression = ''", "廃止されていない登録には印影が必要です。"),
    ),
    "taxes": (
        ("年税額", "annual_tax ~ '^[0-9]{1,12}$' AND per_capita_levy ~ '^[0-9]{1,12}$' AND income_levy ~ '^[0-9]{1,12}$'"
                 " AND annual_tax::bigint <> per_capita_levy::bigint + income_levy::bigint",
         "年税額が均等割額と所得割額の合計と一致しません。"),
        ("年税額", "tax_class = '2' AND annual_tax <> '0'", "非課税の年税額は0です。"),
        ("納税状況", "annual_tax ~ '^[0-9]{1,12}$' AND paid_amount ~ '^[0-9]{1,12}$' AND ("
                 "(payment_status = '1' AND paid_amount::bigint < annual_tax::bigint) OR "
                 "(payment_status = '3' AND paid_amount::bigint <> 0) OR "
                 "(payment_status = '2' AND (paid_amount::bigint = 0 OR paid_amount::bigint >= annual_tax::bigint)))",
         "納税状況が納付済額・年税額と合いません（1 完納・2 一部納付・3 未納）。"),
    ),
}


def row_findings(conn: psycopg.Connection, staged: StagedFile, reference_date) -> tuple[int, list[Finding]]:
    """All per-row rule violations of one staged file: (total count, the first MAX_FINDINGS).

    ``reference_date`` is the batch's 基準日 (a date): nothing may be born after it.
    """
    branches = [b for col in spec.columns(staged.kind, staged.diff) for b in _rule_checks(col, staged.kind, staged.diff)]
    branches += [b.replace("{reference_date}", f"DATE '{reference_date.isoformat()}'")
                 for b in _consistency_checks(staged.kind, staged.diff)]
    sql = f"""
        SELECT count(*) OVER (), line_no, finding FROM (
            SELECT line_no, unnest(ARRAY[{', '.join(branches)}]) AS finding FROM {staged.table}) AS f
        WHERE finding IS NOT NULL ORDER BY line_no LIMIT {MAX_FINDINGS}"""
    return _collect(conn.execute(sql).fetchall(), staged.name)


def _collect(rows, file: str) -> tuple[int, list[Finding]]:
    findings = []
    for _, line, finding in rows:
        column, code, message = finding.split(SEP, 2)
        findings.append(Finding(file, line, column, code, message))
    return (rows[0][0] if rows else 0), findings


def _key_sql(kind: str, alias: str) -> str:
    return ", ".join(f"{alias}.{k}" for k in spec.KEYS[kind])


def duplicate_findings(conn: psycopg.Connection, staged: StagedFile) -> tuple[int, list[Finding]]:
    keys = spec.KEYS[staged.kind]
    headers = "・".join(c.header for c in spec.columns(staged.kind) if c.name in keys)
    sql = f"""
        SELECT count(*) OVER (), line_no, {_q(headers + SEP + 'duplicate' + SEP)}
               || format('{headers}が%s行目と重複しています。', first_line)
        FROM (SELECT line_no, min(line_no) OVER (PARTITION BY {', '.join(keys)}) AS first_line,
                     row_number() OVER (PARTITION BY {', '.join(keys)} ORDER BY line_no) AS n
              FROM {staged.table}) AS d
        WHERE n > 1 ORDER BY line_no LIMIT {MAX_FINDINGS}"""
    return _collect(conn.execute(sql).fetchall(), staged.name)


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
            FROM residents r WHERE r.lg_code = %(lg)s AND r.status = '住登内' {scope}
            GROUP BY r.household_no HAVING count(*) FILTER (WHERE r.is_household_head) <> 1)
        SELECT count(*) OVER (), (SELECT min(s.line_no) FROM {staged.table} s WHERE s.household_no = b.household_no),
               '世帯主{SEP}household_head{SEP}' || format('世帯番号 %%s の住登内の世帯主が%%s人です（1人である必要があります）。',
                                                         b.household_no, b.heads)
        FROM bad b ORDER BY 2 NULLS LAST LIMIT {MAX_FINDINGS}"""
    return _collect(conn.execute(sql, {"lg": lg_code}).fetchall(), staged.name)


def active_seal_findings(conn: psycopg.Connection, staged: StagedFile, lg_code: str) -> tuple[int, list[Finding]]:
    """A resident has at most one registration without 廃止日 (after the seals were applied)."""
    sql = f"""
        WITH bad AS (SELECT atena_no FROM seal_registrations WHERE lg_code = %(lg)s AND abolished_on IS NULL
                     GROUP BY atena_no HAVING count(*) > 1)
        SELECT count(*) OVER (), (SELECT min(s.line_no) FROM {staged.table} s WHERE s.atena_no = b.atena_no),
               '宛名番号{SEP}consistency{SEP}' || format('宛名番号 %%s に廃止されていない印鑑登録が複数あります。', b.atena_no)
        FROM bad b ORDER BY 2 NULLS LAST LIMIT {MAX_FINDINGS}"""
    return _collect(conn.execute(sql, {"lg": lg_code}).fetchall(), staged.name)

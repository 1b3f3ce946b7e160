"""Recording and reading the audit log (who, when, action, which records)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import exports
from app.audit.models import AuditEntry
from app.clock import JST, format_datetime

# Action codes and their Japanese labels (the viewer's filter and the CSV use both).
ACTIONS = {
    "login": "ログイン",
    "login_failed": "ログイン失敗",
    "login_locked": "アカウントロック",
    "login_throttled": "ログイン試行の制限",
    "logout": "ログアウト",
    "session_expired": "無操作タイムアウト",
    "password_change": "パスワード変更",
    "password_reset": "パスワードの再設定（管理者）",
    "user_create": "ユーザ登録",
    "user_update": "ユーザ更新",
    "user_unlock": "ロック解除",
    "role_update": "権限更新",
    "permission_denied": "権限のない画面へのアクセス",
    "record_not_found": "存在しない・他団体の記録へのアクセス",
    "record_view": "個人情報の閲覧",
    "record_export": "個人情報の出力",
    "disaster_create": "災害登録",
    "disaster_update": "災害更新",
    "audit_view": "監査ログの閲覧",
    "audit_export": "監査ログの出力",
    "municipality_create": "団体登録",
    "link_batch_receive": "住民情報連携の受付",
    "link_batch_apply": "住民情報連携の反映",
    "link_batch_end": "住民情報連携の停止した処理の終了",
    "link_export": "副本の書き出し",
    "link_token_create": "連携トークンの発行",
    "link_token_revoke": "連携トークンの失効",
    "address_points_load": "位置参照情報の取込",
    "location_set": "位置の手動設定",
    "resident_search": "住民の検索（避難所受付）",
    "shelter_import": "避難所一覧の取込",
    "shelter_export": "避難所一覧の出力",
    "shelter_open": "避難所の開設",
    "shelter_status": "避難所の状態変更",
    "evacuee_check_in": "避難者の受付",
    "evacuee_check_out": "避難者の退所",
    "evacuee_move": "避難者の移動",
    "evacuee_reentry": "避難者カードでの再入所",
    "evacuee_update": "避難者の記録の更新",
    "evacuee_needs_view": "避難者の配慮事項の閲覧",
    "evacuee_needs_update": "避難者の配慮事項の更新",
    "evacuee_card_print": "避難者カードの印刷",
    "evacuee_history_view": "避難所の入退所記録の閲覧",
    "shelter_update": "避難所の設備の更新",
    "shelter_staff_update": "避難所の担当職員の変更",
    "shelter_dashboard": "避難所の状況の閲覧・出力",
    "evac_criteria_update": "要支援者の抽出基準の変更",
    "evac_register_refresh": "避難行動要支援者名簿の更新",
    "evac_consent": "要支援者の同意の記録",
    "evac_roster_export": "避難行動要支援者名簿の提供",
    "evac_org_save": "避難支援等関係者の登録・更新",
    "evac_person_view": "要支援者の閲覧",
    "evac_updates_view": "名簿の更新結果の閲覧",
    "evac_provision_view": "名簿の提供記録の閲覧",
    "evac_plan_save": "個別避難計画の保存",
    "evac_plan_print": "個別避難計画の印刷",
    "safety_check_record": "安否確認の記録",
    "safety_view": "安否確認の閲覧",
    "safety_export": "安否確認の出力",
    "damage_survey_start": "被害認定調査の開始",
    "damage_survey_record": "被害認定調査の記録",
    "damage_survey_finalise": "被害認定の確定",
    "damage_photo_add": "調査写真の追加",
    "damage_survey_export": "被害認定調査一覧の出力",
    "building_owner_set": "建物の所有者の登録",
    "victim_register_build": "被災者台帳の作成",
    "victim_create": "被災者の登録（手入力）",
    "victim_update": "被災者台帳の更新",
    "victim_view": "被災者台帳の閲覧",
    "victim_export": "被災者台帳の出力",
    "victim_provide": "被災者台帳の外部提供",
    "victim_recipient_save": "被災者台帳の提供先の登録・変更",
    "certificate_application_create": "罹災証明書等の申請受付",
    "certificate_application_advance": "罹災証明書等の申請の進行",
    "certificate_issue": "罹災証明書等の交付",
    "certificate_print": "罹災証明書等の印刷",
    "certificate_pdf_issue": "証明書（署名付きPDF）の発行",
    "protected_member_decision": "支援措置対象の世帯員の記載・省略の判断",
    "certificate_download": "証明書（PDF）の表示",
    "certificate_void": "証明書の無効化（再交付）",
    "certificate_layout_update": "証明書の様式（市町村長名・公印・表題・証明文）の設定",
    "certificate_fee_update": "証明書の手数料・取扱いの設定",
    "counter_queue_request": "らくらく窓口の受付",
    "counter_queue_hand_over": "らくらく窓口の交付（支払い確認）",
    "counter_queue_print": "らくらく窓口の証明書の印刷（カウンターのプリンタ）",
    "counter_queue_cancel": "らくらく窓口の受付の取消",
    "store_operator_update": "コンビニ事業者（キオスク端末）の登録・トークン更新",
    "office_hours_update": "窓口の開庁時間の設定",
    "kiosk_contract_set": "コンビニ交付の事業者との契約の登録・変更",
    "kiosk_refund": "コンビニ交付の返金（支払い後に発行できなかった請求）",
    "certificate_statistics_export": "証明書の交付統計・精算の出力",
    "register_items_update": "事項の表示切替",
    "support_apply": "支援制度の申請受付",
    "support_decide": "支援制度の支給決定",
    "support_pay": "支援制度の支払",
    "card_auth": "マイナンバーカードによる本人確認",
    "card_auth_refused": "マイナンバーカードによる本人確認の拒否",
    "certificate_refused": "証明書の交付の拒否（本人・証明書の条件）",
    "card_register": "カードの証明書の登録",
    "hazard_layer_upload": "ハザードレイヤの受付",
    "hazard_layer_import": "ハザードレイヤの取込",
    "hazard_layer_delete": "ハザードレイヤの削除",
    "hazard_assign": "住民のハザード区分の判定",
    "hazard_analysis_view": "区域内の住民等の閲覧（空間分析）",
    "hazard_analysis_export": "区域内の住民等の出力（空間分析）",
    "hazard_at_risk_view": "危険区域内の要支援者の閲覧",
    "hazard_at_risk_export": "危険区域内の要支援者の出力",
    "ogc_items": "地図レイヤの取得（GIS連携）",
    "layer_download": "地図レイヤのダウンロード",
    "gis_token_create": "GIS連携トークンの発行",
    "gis_token_revoke": "GIS連携トークンの失効",
    "map_layer_view": "地図（住民・要支援者の位置）の表示",
    "basemap_import": "背景地図の取込",
    "basemap_delete": "背景地図の削除",
    "basemap_setting": "背景地図の設定変更",
}


# Target types and their Japanese labels (viewer and CSV).
TARGET_TYPES = {
    "user": "ユーザ", "role": "権限", "screen": "画面", "disaster": "災害", "municipality": "団体",
    "audit_log": "監査ログ", "resident": "住民", "link_batch": "連携バッチ", "generation": "副本の世代",
    "link_token": "連携トークン", "household": "世帯", "building": "建物", "shelter": "避難所",
    "damage_survey": "被害認定調査", "victim": "被災者",
    "certificate_application": "罹災証明書等の申請", "issued_certificate": "交付した証明書",
    "counter_queue": "らくらく窓口の受付",
    "issuance_log": "証明書の交付記録",
    "card_certificate": "利用者証明用電子証明書",
    "store_operator": "コンビニ事業者",
    "hazard_layer": "ハザードレイヤ",
    "map_layer": "地図レイヤ", "gis_token": "GIS連携トークン",
    "supporter_org": "避難支援等関係者", "evac_person": "要支援者", "evac_plan": "個別避難計画",
    "roster_provision": "名簿の提供", "register_update": "名簿の更新結果",
    "spatial_analysis": "空間分析の結果",
    "basemap": "背景地図",
    "address_point": "位置参照情報", "victim_recipient": "被災者台帳の提供先", "job": "処理（ジョブ）",
}


@dataclass(frozen=True)
class Actor:
    """Who performs an action: passed explicitly from the adapter (web, CLI, API) to services."""

    lg_code: str | None
    user_id: int | None = None
    login_id: str = ""
    ip_address: str | None = None
    path: str = ""

    @classmethod
    def system(cls, lg_code: str | None, name: str = "system") -> Actor:
        return cls(lg_code=lg_code, login_id=name)


def record(session: Session, actor: Actor, action: str, target_type: str = "",
           target_ids: Iterable[object] = (), **detail) -> AuditEntry:
    """Append one audit entry in the caller's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        lg_code=actor.lg_code, user_id=actor.user_id, login_id=actor.login_id, action=action,
        target_type=target_type, target_ids=[str(t) for t in target_ids], detail=detail,
        ip_address=actor.ip_address, path=actor.path[:255],
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class AuditFilter:
    date_from: date | None = None
    date_to: date | None = None
    login_id: str = ""
    action: str = ""
    target_type: str = ""
    target_id: str = ""

    def apply(self, stmt):
        if self.date_from:
            stmt = stmt.where(AuditEntry.occurred_at >= datetime.combine(self.date_from, time.min, tzinfo=JST))
        if self.date_to:
            end = datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=JST)
            stmt = stmt.where(AuditEntry.occurred_at < end)
        if self.login_id:
            stmt = stmt.where(AuditEntry.login_id == self.login_id)
        if self.action:
            stmt = stmt.where(AuditEntry.action == self.action)
        if self.target_type:
            stmt = stmt.where(AuditEntry.target_type == self.target_type)
        if self.target_id:
            stmt = stmt.where(AuditEntry.target_ids.any(self.target_id))
        return stmt


def search(session: Session, flt: AuditFilter, page: int = 1, page_size: int = 50) -> tuple[list[AuditEntry], bool]:
    """One page of entries, newest first, and whether there is a next page."""
    stmt = flt.apply(select(AuditEntry)).order_by(AuditEntry.id.desc())
    rows = session.scalars(stmt.offset((page - 1) * page_size).limit(page_size + 1)).all()
    return list(rows[:page_size]), len(rows) > page_size


CSV_HEADER = ("日時", "団体コード", "ユーザID", "操作", "操作コード", "対象種別", "対象種別コード", "対象ID",
              "詳細", "IPアドレス", "パス")


def iter_csv(session: Session, flt: AuditFilter, encoding: str = "utf-8-sig") -> Iterator[bytes]:
    """The filtered log as CSV bytes, streamed in chunks (UTF-8 with BOM or CP932)."""
    stmt = flt.apply(select(AuditEntry)).order_by(AuditEntry.id).execution_options(yield_per=2000)
    return exports.iter_csv(CSV_HEADER, (_csv_row(entry) for entry in session.scalars(stmt)), encoding)


def _csv_row(entry: AuditEntry) -> tuple:
    detail = "; ".join(f"{k}={v}" for k, v in sorted((entry.detail or {}).items()))
    return (format_datetime(entry.occurred_at), entry.lg_code or "", entry.login_id,
            ACTIONS.get(entry.action, entry.action), entry.action,
            TARGET_TYPES.get(entry.target_type, entry.target_type), entry.target_type,
            " ".join(entry.target_ids or ()), detail, entry.ip_address or "", entry.path)

from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.disasters.models import DISASTER_KINDS
from app.disasters.rules import APPLICATION_CHANNELS
from app.forms import Form
from app.inputs import form_id


class DisasterForm(Form):
    name = StringField("災害名", validators=[DataRequired("災害名を入力してください。"), Length(max=100)])
    kind = SelectField("災害の種類", choices=[SelectChoice(k) for k in DISASTER_KINDS])
    started_on = DateField("発生日", validators=[DataRequired("発生日を入力してください（例: 2026-11-25）。")])
    is_relief_act_applied = BooleanField("災害救助法が適用された")
    is_support_act_applied = BooleanField("被災者生活再建支援法が適用された")
    description = TextAreaField("概要・備考", validators=[Length(max=2000)])


class VictimForm(Form):
    """A person entered by hand (not in the resident records)."""

    name = StringField("氏名", validators=[DataRequired("氏名を入力してください。"), Length(max=100)])
    name_kana = StringField("氏名カナ", validators=[Length(max=200)])
    birth_date = DateField("生年月日", validators=[Optional()])
    sex = SelectField("性別", choices=[SelectChoice("", "—"), SelectChoice("1", "男"), SelectChoice("2", "女")])
    address = StringField("住所又は居所",
                          validators=[DataRequired("住所又は居所を入力してください。"), Length(max=200)])
    phone = StringField("連絡先", validators=[Length(max=20)])
    damage_status = TextAreaField("被害の状況", validators=[Length(max=2000)])

    def values(self) -> dict:
        return {name: getattr(self, name).data or ("" if name != "birth_date" else None) for name in (
            "name", "name_kana", "birth_date", "sex", "address", "phone", "damage_status")}


class CertificateApplicationForm(Form):
    """A 罹災証明書 / 被災証明書 application (統一様式: 世帯主, 罹災原因, 被災した住家の所在地)."""

    kind = SelectField("証明書の種類", choices=[SelectChoice("罹災証明書", "罹災証明書（住家の被害の程度）"),
                                              SelectChoice("被災証明書", "被災証明書（住家以外・家財等）")])
    channel = SelectField("受付方法", choices=[SelectChoice(c) for c in APPLICATION_CHANNELS])
    applicant_name = StringField("世帯主の氏名", validators=[Length(max=100)])
    applicant_address = StringField("世帯主の住所", validators=[Length(max=200)])
    applicant_phone = StringField("連絡先", validators=[Length(max=20)])
    cause = StringField("罹災原因", validators=[Length(max=200)])
    building_id = HiddenField()
    damaged_property = StringField("被害を受けたもの（被災証明書）", validators=[Length(max=200)])
    flood_level = SelectField("浸水区分", choices=[SelectChoice("", "—"), SelectChoice("床上"), SelectChoice("床下"),
                                                 SelectChoice("なし")])

    def values(self) -> dict:
        names = ("kind", "channel", "applicant_name", "applicant_address", "applicant_phone", "cause",
                 "damaged_property", "flood_level")
        values = {name: getattr(self, name).data or "" for name in names}
        values["building_id"] = form_id(self.data, "building_id")
        return values

from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.disasters.models import DISASTER_KINDS
from app.forms import Form


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

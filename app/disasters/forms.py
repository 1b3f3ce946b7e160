from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.disasters.models import DISASTER_KINDS
from app.forms import Form


class DisasterForm(Form):
    name = StringField("災害名", validators=[DataRequired("災害名を入力してください。"), Length(max=100)])
    kind = SelectField("災害の種類", choices=[SelectChoice(k) for k in DISASTER_KINDS])
    started_on = DateField("発生日", validators=[DataRequired("発生日を入力してください（例: 2026-11-25）。")])
    is_relief_act_applied = BooleanField("災害救助法が適用された")
    is_support_act_applied = BooleanField("被災者生活再建支援法が適用された")
    description = TextAreaField("概要・備考", validators=[Length(max=2000)])

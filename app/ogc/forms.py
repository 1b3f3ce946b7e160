from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from app.forms import Form
from app.ogc import rules


class GisTokenForm(Form):
    name = StringField("用途（例: QGIS 防災課PC）",
                       validators=[DataRequired("用途を入力してください。"), Length(max=60)])
    days = IntegerField("有効期間（日）", default=rules.TOKEN_DAYS_DEFAULT,
                        validators=[NumberRange(1, rules.TOKEN_DAYS_MAX,
                                                f"有効期間は1〜{rules.TOKEN_DAYS_MAX}日で指定してください。")])

from wtforms import FloatField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange

from app.forms import Form
from app.query_params import INTEGER_MAX
from app.tenants.rules import KINDS


class MunicipalityForm(Form):
    lg_code = StringField("地方公共団体コード（6桁）",
                          validators=[DataRequired("地方公共団体コードを入力してください。")])
    name = StringField("団体名", validators=[DataRequired("団体名を入力してください。"), Length(max=40)])
    name_kana = StringField("団体名（カナ）", validators=[Length(max=80)])
    kind = SelectField("団体区分", choices=[SelectChoice(k) for k in KINDS])
    population = IntegerField("人口", validators=[NumberRange(min=0, max=INTEGER_MAX,
                                                          message="人口は0以上の整数で入力してください。")])
    center_lat = FloatField("役場の緯度",
                            validators=[NumberRange(min=20, max=46, message="日本国内の緯度を入力してください。")])
    center_lon = FloatField("役場の経度",
                            validators=[NumberRange(min=122, max=154, message="日本国内の経度を入力してください。")])
    admin_login_id = StringField("管理者のユーザID", validators=[DataRequired("管理者のユーザIDを入力してください。")])
    admin_name = StringField("管理者の氏名", validators=[DataRequired("管理者の氏名を入力してください。")])
    admin_password = PasswordField("管理者の初期パスワード",
                                   validators=[DataRequired("初期パスワードを入力してください。")])

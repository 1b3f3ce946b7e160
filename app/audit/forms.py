from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from app.audit.services import ACTIONS
from app.forms import Form


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form changes nothing

    date_from = DateField("期間（から）", validators=[Optional()])
    date_to = DateField("期間（まで）", validators=[Optional()])
    login_id = StringField("ユーザID", validators=[Length(max=32)])
    action = SelectField("操作", default="", choices=[SelectChoice("", "すべて"),
                                         *(SelectChoice(code, label) for code, label in ACTIONS.items())])
    target_type = StringField("対象種別", validators=[Length(max=40)])
    target_id = StringField("対象ID", validators=[Length(max=64)])
    encoding = SelectField("CSVの文字コード", default="utf-8-sig",
                           choices=[SelectChoice("utf-8-sig", "UTF-8（BOM付き）"),
                                    SelectChoice("cp932", "Shift_JIS（CP932）")])

from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.auth import rules
from app.forms import Form


class LoginForm(Form):
    lg_code = StringField("地方公共団体コード（6桁）", validators=[Length(max=12)])
    login_id = StringField("ユーザID", validators=[DataRequired("ユーザIDを入力してください。"), Length(max=32)])
    password = PasswordField("パスワード", validators=[DataRequired("パスワードを入力してください。")])
    next = HiddenField()


class PasswordChangeForm(Form):
    current = PasswordField("現在のパスワード", validators=[DataRequired("現在のパスワードを入力してください。")])
    new = PasswordField("新しいパスワード", validators=[DataRequired("新しいパスワードを入力してください。")])
    confirm = PasswordField("新しいパスワード（確認）",
                            validators=[DataRequired("確認用のパスワードを入力してください。")])


class PasswordResetForm(Form):
    new = PasswordField("新しいパスワード（仮）", validators=[DataRequired("新しいパスワードを入力してください。")])
    confirm = PasswordField("新しいパスワード（確認）",
                            validators=[DataRequired("確認用のパスワードを入力してください。")])


class ScreenChecks(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def screen_choices():
    return [SelectChoice(s.code, s.name) for s in rules.SCREENS]


class UserCreateForm(Form):
    login_id = StringField("ユーザID", validators=[DataRequired("ユーザIDを入力してください。"), Length(max=32)])
    display_name = StringField("氏名", validators=[DataRequired("氏名を入力してください。"), Length(max=60)])
    department = StringField("所属", validators=[Length(max=60)])
    role_id = SelectField("権限", coerce=int)
    password = PasswordField("初期パスワード", validators=[DataRequired("初期パスワードを入力してください。")])


class UserEditForm(Form):
    version = HiddenField()  # read by the view: app.inputs.form_version
    display_name = StringField("氏名", validators=[DataRequired("氏名を入力してください。"), Length(max=60)])
    department = StringField("所属", validators=[Length(max=60)])
    role_id = SelectField("権限", coerce=int)
    screens = ScreenChecks("利用できる画面", choices=screen_choices())
    is_active = BooleanField("有効（ログインできる）")
    confirm_changes = BooleanField("変更内容を確認しました")

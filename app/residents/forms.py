from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, FloatField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange

from app.forms import Form


class BatchUploadForm(Form):
    batch = FileField("連携バッチ（ZIP）", validators=[FileRequired("ZIPファイルを選択してください。"),
                                                FileAllowed(["zip"], "ZIPファイル（.zip）を選択してください。")])


class EndBatchForm(Form):
    reason = StringField("終了する理由（例: 処理サーバが停止したため）",
                         validators=[DataRequired("処理を終了する理由を入力してください。"),
                                     Length(max=200, message="理由は200文字以内で入力してください。")])
    confirm = BooleanField("このバッチが反映されないこと、同じ連番で送り直す必要があることを確認しました",
                           validators=[DataRequired("確認のチェックを入れてください。")])


class AddressPointsForm(Form):
    data = FileField("位置参照情報（街区レベル）CSV",
                     validators=[FileRequired("CSVファイルを選択してください。"),
                                 FileAllowed(["csv"], "CSVファイル（.csv）を選択してください。")])


class TokenForm(Form):
    name = StringField("用途（例: 連携サーバ 本番）",
                       validators=[DataRequired("用途を入力してください。"), Length(max=60)])
    purpose = SelectField("種類", choices=[SelectChoice("link", "住民情報連携（連携サーバ）"),
                                         SelectChoice("applications", "オンライン申請の受付（申請システム）"),
                                         SelectChoice("card_reader", "カードリーダー端末（カード認証API）")],
                          default="link")


class LocationForm(Form):
    # FloatField, not DecimalField: NumberRange asks math.isnan(), which raises on Decimal("sNaN").
    lat = FloatField("緯度", validators=[NumberRange(20, 46, "地図上で位置を選んでください。")])
    lon = FloatField("経度", validators=[NumberRange(122, 154, "地図上で位置を選んでください。")])

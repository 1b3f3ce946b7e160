"""Forms of the hazard layer import screen."""
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from app.forms import Form
from layers.catalogue import CATALOGUE
from layers.importers import ALLOWED_EPSG

CRS_LABELS = {4326: "WGS 84 経緯度", 6668: "JGD2011 経緯度", 4612: "JGD2000 経緯度",
              4301: "旧日本測地系（Tokyo）経緯度"}
NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI",
            "XVII", "XVIII", "XIX")


def crs_choices() -> list[SelectChoice]:
    """The CRSs a user may state: lon/lat ones, then JGD2011 and JGD2000 plane rectangular zones."""
    choices = [("", "ファイルの情報（.prj など）に従う")]
    choices += [(str(code), f"EPSG:{code} {label}") for code, label in CRS_LABELS.items()]
    choices += [(str(6668 + z), f"EPSG:{6668 + z} JGD2011 平面直角座標系 第{NUMERALS[z - 1]}系") for z in range(1, 20)]
    choices += [(str(2442 + z), f"EPSG:{2442 + z} JGD2000 平面直角座標系 第{NUMERALS[z - 1]}系") for z in range(1, 20)]
    assert {int(c) for c, _ in choices if c} == ALLOWED_EPSG
    return [SelectChoice(value, label) for value, label in choices]


class LayerUploadForm(Form):
    layer = SelectField("ハザードレイヤ", choices=[SelectChoice(layer.code, layer.name) for layer in CATALOGUE])
    file = FileField("ファイル（GeoJSON・Shapefile一式のZIP・GeoPackage）",
                     validators=[FileRequired("ファイルを選択してください。")])
    crs = SelectField("座標参照系", choices=crs_choices(), default="")
    class_field = StringField("区分の属性名（空欄ならレイヤの既定: 例 A31_001・浸水深ランク）",
                              validators=[Length(max=60)])

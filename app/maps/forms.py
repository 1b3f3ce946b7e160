"""Forms of the hazard layer import screen."""
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from app.forms import Form
from gis.crs import (
    ALLOWED_EPSG,
    JGD2000,
    JGD2011,
    TOKYO_DATUM,
    WGS84,
    ZONES,
    jgd2000_plane_rectangular_epsg,
    plane_rectangular_epsg,
)
from layers.catalogue import CATALOGUE

CRS_LABELS = {WGS84: "WGS 84 経緯度", JGD2011: "JGD2011 経緯度", JGD2000: "JGD2000 経緯度",
              TOKYO_DATUM: "旧日本測地系（Tokyo）経緯度"}
NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI",
            "XVII", "XVIII", "XIX")


def crs_choices() -> list[SelectChoice]:
    """The CRSs a user may state: lon/lat ones, then JGD2011 and JGD2000 plane rectangular zones."""
    choices = [("", "ファイルの情報（.prj など）に従う")]
    choices += [(str(code), f"EPSG:{code} {label}") for code, label in CRS_LABELS.items()]
    for datum, epsg_of in (("JGD2011", plane_rectangular_epsg), ("JGD2000", jgd2000_plane_rectangular_epsg)):
        choices += [(str(epsg_of(z)), f"EPSG:{epsg_of(z)} {datum} 平面直角座標系 第{NUMERALS[z - 1]}系") for z in ZONES]
    assert {int(c) for c, _ in choices if c} == ALLOWED_EPSG
    return [SelectChoice(value, label) for value, label in choices]


class LayerUploadForm(Form):
    layer = SelectField("ハザードレイヤ", choices=[SelectChoice(layer.code, layer.name) for layer in CATALOGUE])
    file = FileField("ファイル（GeoJSON・Shapefile一式のZIP・GeoPackage）",
                     validators=[FileRequired("ファイルを選択してください。")])
    crs = SelectField("座標参照系", choices=crs_choices(), default="")
    class_field = StringField("区分の属性名（空欄ならレイヤの既定: 例 A31_001・浸水深ランク）",
                              validators=[Length(max=60)])

"""Definitions of the hazard layers BCL knows, with their classes and map styling.

Class codes follow the 国土数値情報 conventions where there are some (浸水深ランク for floods,
区域区分 for sediment disasters). Colours follow the 水害ハザードマップ作成の手引き palette.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HazardClass:
    code: str
    label: str
    color: str
    # Lower bound of the class where it is a depth in metres (for "depth ≥ x" selections).
    min_depth_m: float | None = None


@dataclass(frozen=True)
class HazardLayer:
    code: str
    name: str
    classes: tuple[HazardClass, ...]
    opacity: float = 0.5

    def style_of(self, class_code: str) -> HazardClass:
        for cls in self.classes:
            if cls.code == class_code:
                return cls
        return HazardClass(class_code, class_code, "#888888")


_DEPTH_CLASSES = (
    HazardClass("1", "0.5m未満", "#f7f5a9", 0.0),
    HazardClass("2", "0.5〜3.0m未満", "#ffd8c0", 0.5),
    HazardClass("3", "3.0〜5.0m未満", "#ffb7b7", 3.0),
    HazardClass("4", "5.0〜10.0m未満", "#ff9191", 5.0),
    HazardClass("5", "10.0〜20.0m未満", "#f285c9", 10.0),
    HazardClass("6", "20.0m以上", "#dc7adc", 20.0),
)

CATALOGUE: tuple[HazardLayer, ...] = (
    HazardLayer("flood", "洪水浸水想定区域（想定最大規模）", _DEPTH_CLASSES),
    HazardLayer("sediment", "土砂災害警戒区域・特別警戒区域", (
        HazardClass("1", "土砂災害警戒区域（イエローゾーン）", "#ffe600"),
        HazardClass("2", "土砂災害特別警戒区域（レッドゾーン）", "#e60000"),
    )),
    HazardLayer("tsunami", "津波浸水想定", _DEPTH_CLASSES),
    HazardLayer("storm_surge", "高潮浸水想定区域", _DEPTH_CLASSES),
)
CATALOGUE_BY_CODE = {layer.code: layer for layer in CATALOGUE}

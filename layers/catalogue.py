"""Definitions of the hazard layers BCL knows, with their classes, map styling and import rules.

Class codes follow the 国土数値情報 conventions where there are some (浸水深ランク for floods,
区域区分 for sediment disasters). Colours follow the 水害ハザードマップ作成の手引き palette.
Classes are listed from the least to the most severe; ``HazardLayer.severity`` is that order.

Import rules (docs/map-layers.md): a file's class attribute is the one the user names, else the
first of ``class_fields`` present in the file. Its values become class codes through
``value_codes`` (e.g. the 国土数値情報 A31 浸水深ランク 21–26), the class codes themselves, the
class labels, and for depth layers a depth in metres or a band such as 「3.0m以上5.0m未満」.
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
    # Attribute names that hold the class in published data, tried in order.
    class_fields: tuple[str, ...] = ()
    # Published code -> class code.
    value_codes: tuple[tuple[str, str], ...] = ()

    def style_of(self, class_code: str) -> HazardClass:
        for cls in self.classes:
            if cls.code == class_code:
                return cls
        return HazardClass(class_code, class_code, "#888888")

    @property
    def is_depth(self) -> bool:
        """Whether the classes are depth bands (so "depth ≥ x m" selections make sense)."""
        return all(cls.min_depth_m is not None for cls in self.classes)

    def severity(self, class_code: str) -> int:
        """0 for the least severe class, rising; -1 for a code the layer does not have."""
        for index, cls in enumerate(self.classes):
            if cls.code == class_code:
                return index
        return -1

    def at_least_label(self, class_code: str) -> str:
        """How a "this class or worse" selection reads: 浸水深3m以上, 特別警戒区域, すべての区分."""
        start = self.severity(class_code)
        if start <= 0:
            return "すべての区分"
        cls = self.classes[start]
        if self.is_depth:
            return f"浸水深{cls.min_depth_m:g}m以上"
        return cls.label if start == len(self.classes) - 1 else f"{cls.label}以上"

    def classes_from(self, class_code: str) -> tuple[str, ...]:
        """The codes of ``class_code`` and every more severe class (e.g. 浸水深 3m以上)."""
        start = self.severity(class_code)
        if start < 0:
            return ()
        return tuple(cls.code for cls in self.classes[start:])


_DEPTH_CLASSES = (
    HazardClass("1", "0.5m未満", "#f7f5a9", 0.0),
    HazardClass("2", "0.5〜3.0m未満", "#ffd8c0", 0.5),
    HazardClass("3", "3.0〜5.0m未満", "#ffb7b7", 3.0),
    HazardClass("4", "5.0〜10.0m未満", "#ff9191", 5.0),
    HazardClass("5", "10.0〜20.0m未満", "#f285c9", 10.0),
    HazardClass("6", "20.0m以上", "#dc7adc", 20.0),
)
# 国土数値情報 浸水深ランク (A31, 想定最大規模): 21 = 0.5m未満 … 26 = 20.0m以上.
_A31_RANKS = tuple((str(20 + n), str(n)) for n in range(1, 7))
_DEPTH_FIELDS = ("浸水深ランク", "浸水深", "rank", "depth", "class_code", "class")

CATALOGUE: tuple[HazardLayer, ...] = (
    HazardLayer("flood", "洪水浸水想定区域（想定最大規模）", _DEPTH_CLASSES,
                class_fields=("A31_001", *_DEPTH_FIELDS), value_codes=_A31_RANKS),
    HazardLayer("sediment", "土砂災害警戒区域・特別警戒区域", (
        HazardClass("1", "土砂災害警戒区域（イエローゾーン）", "#ffe600"),
        HazardClass("2", "土砂災害特別警戒区域（レッドゾーン）", "#e60000"),
    ), class_fields=("A33_001", "区域区分", "class_code", "class"),
        value_codes=(("警戒区域", "1"), ("特別警戒区域", "2"), ("イエローゾーン", "1"), ("レッドゾーン", "2"))),
    HazardLayer("tsunami", "津波浸水想定", _DEPTH_CLASSES, class_fields=("A40_003", *_DEPTH_FIELDS)),
    HazardLayer("storm_surge", "高潮浸水想定区域", _DEPTH_CLASSES, class_fields=_DEPTH_FIELDS),
)
CATALOGUE_BY_CODE = {layer.code: layer for layer in CATALOGUE}

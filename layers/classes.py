"""From an attribute value in a hazard file to a catalogue class code (rules in docs/map-layers.md).

Tried in order: the layer's published codes (``value_codes``), the class codes, the class labels,
and for depth layers a depth in metres (``3.2``, ``1.0``; an integer is a code) or a band
(「3.0m以上5.0m未満」, 「0.5～3.0m」, 「20m以上」). A band is accepted only when it lies inside one
class: 「2.0m以上5.0m未満」 straddles 3 m and is refused rather than guessed, so that
"depth ≥ 3 m" never misses or invents anyone.
"""
from __future__ import annotations

import re
import unicodedata

from layers.catalogue import HazardLayer

_NUMBER = r"(\d+(?:\.\d+)?)"
_AT_LEAST = re.compile(_NUMBER + r"\s*m?\s*以上")
_BELOW = re.compile(_NUMBER + r"\s*m?\s*未満")
_RANGE = re.compile(_NUMBER + r"\s*m?\s*[~〜～\-－]\s*" + _NUMBER + r"\s*m?")


def normalize_value(value) -> str:
    """The attribute as text, full-width digits and letters made ASCII. Floats keep their decimal
    point (``3.0``): a decimal number is a depth in metres, an integer a class code."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def class_of(layer: HazardLayer, value) -> str | None:
    """The class code of ``value`` in ``layer``, or None when it cannot be told."""
    text = normalize_value(value)
    if not text:
        return None
    codes = dict(layer.value_codes)
    if text in codes:
        return codes[text]
    for cls in layer.classes:
        if text in (cls.code, normalize_value(cls.label)):
            return cls.code
    if layer.is_depth:
        return _depth_class(layer, text)
    return None


def _depth_class(layer: HazardLayer, text: str) -> str | None:
    band = _band(text)
    if band is None:
        return None
    low, high = band
    bounds = [cls.min_depth_m for cls in layer.classes] + [float("inf")]
    for index, cls in enumerate(layer.classes):
        if bounds[index] <= low < bounds[index + 1] and high <= bounds[index + 1]:
            return cls.code
    return None


def _band(text: str) -> tuple[float, float] | None:
    """(lower, upper) metres of a depth value or band; a bare number is a band of its own."""
    compact = text.replace(" ", "").replace("ｍ", "m")
    if compact.isdigit():
        return None  # an integer is a class code, never a depth
    try:
        depth = float(compact.rstrip("m"))
    except ValueError:
        pass
    else:
        return (depth, depth) if depth >= 0 else None
    if match := _RANGE.fullmatch(compact.replace("未満", "")):
        return float(match.group(1)), float(match.group(2))
    low, high = _AT_LEAST.search(compact), _BELOW.search(compact)
    if not low and not high:
        return None
    return (float(low.group(1)) if low else 0.0), (float(high.group(1)) if high else float("inf"))

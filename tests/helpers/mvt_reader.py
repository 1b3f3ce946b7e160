"""A minimal, independent reader of Mapbox Vector Tiles (protobuf) for the tests.

It decodes layers, features (id, properties, type, the first point of the geometry in tile
units) without any MVT library, so the tests check what the server sent, not what PostGIS says.
"""
from __future__ import annotations


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def _fields(data: bytes):
    """(field number, wire type, value) for each field of a message."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            size, pos = _varint(data, pos)
            value, pos = data[pos:pos + size], pos + size
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"wire type {wire}")
        yield number, wire, value


def _packed(data: bytes) -> list[int]:
    values, pos = [], 0
    while pos < len(data):
        value, pos = _varint(data, pos)
        values.append(value)
    return values


def _value(data: bytes):
    import struct

    for number, _, raw in _fields(data):
        if number == 1:
            return raw.decode()
        if number == 2:
            return struct.unpack("<f", raw)[0]
        if number == 3:
            return struct.unpack("<d", raw)[0]
        if number in (4, 5):
            return raw
        if number == 6:
            return (raw >> 1) ^ -(raw & 1)
        if number == 7:
            return bool(raw)
    return None


def _zigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def decode(data: bytes) -> dict[str, dict]:
    """{layer name: {"extent", "features": [{"id", "type", "properties", "point"}]}}."""
    layers = {}
    for number, _, layer_bytes in _fields(data):
        if number != 3:
            continue
        name, extent, keys, values, raw_features = "", 4096, [], [], []
        for n, _, v in _fields(layer_bytes):
            if n == 1:
                name = v.decode()
            elif n == 5:
                extent = v
            elif n == 3:
                keys.append(v.decode())
            elif n == 4:
                values.append(_value(v))
            elif n == 2:
                raw_features.append(v)
        features = []
        for raw in raw_features:
            feature = {"id": None, "type": 0, "properties": {}, "point": None}
            for n, _, v in _fields(raw):
                if n == 1:
                    feature["id"] = v
                elif n == 3:
                    feature["type"] = v
                elif n == 2:
                    tags = _packed(v)
                    feature["properties"] = {keys[tags[i]]: values[tags[i + 1]] for i in range(0, len(tags), 2)}
                elif n == 4:
                    geometry = _packed(v)
                    feature["point"] = (_zigzag(geometry[1]), _zigzag(geometry[2]))
            features.append(feature)
        layers[name] = {"extent": extent, "features": features}
    return layers

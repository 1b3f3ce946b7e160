"""Municipalities (全国地方公共団体コード with its check digit), their settings and the display of
items, and the creation of a municipality with its first administrator.

May import: core, audit, auth (a new municipality's administrator account).
"""

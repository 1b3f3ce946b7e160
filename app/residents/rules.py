"""Pure rules of the resident records: the 住民状態 (resident status) a record carries.

The link delivers the status as a code (``link.spec.RESIDENT_STATUS``); BCL keeps and compares
these labels. Only 住登内 people live in the municipality now: registers, rosters, maps and
certificates take them, while 転出, 死亡 and 職権消除 records stay as the 除票 does.
"""
from __future__ import annotations

REGISTERED = "住登内"  # recorded as living in the municipality
MOVED_OUT = "転出"
DECEASED = "死亡"
STRUCK_OFF = "職権消除"  # removed by the municipality's own decision
RESIDENT_STATUSES = (REGISTERED, MOVED_OUT, DECEASED, STRUCK_OFF)

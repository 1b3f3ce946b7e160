"""Background jobs on PostgreSQL: imports, exports and other long work run here, not in requests.

A job row is written in the same transaction as the work it stands for (a link batch, say), so
both exist or neither does. Workers claim jobs with ``FOR UPDATE SKIP LOCKED``; a worker that dies
leaves a stale heartbeat and its job is queued again. Failed jobs are tried again after growing
waits, jobs sharing a lock run one at a time, periodic jobs are queued by the workers. See
docs/architecture.md "Jobs". Each package registers its handlers in its own ``jobs.py``.

May import: core, auth.rules (the jobs screen's permission).
"""
from flask import Blueprint

bp = Blueprint("jobs", __name__)

"""避難行動要支援者名簿 (docs/evac-support.md): the register and its criteria, consent, the
避難支援等関係者 and the record of provisions to them, the register's update after each resident
data link (a follow-up job), 個別避難計画 and 安否確認 with its map.

May import: core, audit, disasters, jobs, maps, residents, shelters, tenants, gis.
"""
from flask import Blueprint

bp = Blueprint("evac_support", __name__, template_folder="templates")

"""被害認定調査: buildings, surveys with their photos and history, the grades of the 内閣府
guidelines (``rules``) and the review that makes a grade final.

May import: core, audit, residents, disasters (a survey belongs to a disaster).
"""
from flask import Blueprint

bp = Blueprint("damage", __name__, template_folder="templates")

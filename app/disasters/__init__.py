from flask import Blueprint

bp = Blueprint("disasters", __name__, template_folder="templates")

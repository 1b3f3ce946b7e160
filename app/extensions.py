"""Flask extensions, created here and bound in create_app()."""
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from app.db import Database

db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()

"""The base of every form: Flask-WTF's CSRF protection with WTForms' Japanese messages."""
from flask_wtf import FlaskForm


class Form(FlaskForm):
    class Meta:
        # WTForms ships Japanese translations of its built-in messages ("Not a valid date value." …).
        locales = ("ja_JP", "ja")

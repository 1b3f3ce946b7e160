"""The hazard-layer catalogue: layer definitions and styling, and (later) importers.

Framework-free: never imports Flask or the app.
"""

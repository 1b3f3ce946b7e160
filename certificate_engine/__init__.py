"""Framework-free document engine: frozen dataclasses in, signed PDF bytes out.

It never imports Flask or the app; callers pass plain values. ``wareki`` (Japanese era dates)
lives here because certificates are its strictest user; the web screens reuse it.
"""

"""Framework-free spatial helpers: CRS, geometry checks, tile maths and the folium map builder.

Never imports Flask or the app; callers pass plain values or an explicit Session/Connection.
"""

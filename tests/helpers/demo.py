"""The two fictional municipalities every test database holds, and the demo accounts' password."""

DEMO_CODE = "046990"  # 桜ヶ丘町
SECOND_CODE = "033995"  # 北山村
PASSWORD = "bcl-demo-2026"

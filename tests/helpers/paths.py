"""Where the repository and the tests' artefacts (screenshots, server logs) are."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

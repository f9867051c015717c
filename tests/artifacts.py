"""Where the tests leave what people look at afterwards, under ``test-artifacts/``."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"  # written by the browser tests
RELIABILITY_FIGURES = ARTIFACTS / "reliability-figures"  # one JSON file per test worker

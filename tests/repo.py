"""Where the tests find the repository's files, wherever the test module sits under tests/."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent

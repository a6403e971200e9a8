"""Where the suite's files are, wherever a test module sits below ``tests/``."""

from pathlib import Path

#: The folder that holds this file: the test suite's root.
TESTS = Path(__file__).resolve().parent
#: The repository's root.
REPO = TESTS.parent
#: The suite's fixtures: articles, golden feeds, the example's expected plan.
DATA = TESTS / "data"
#: The example article the README's demo builds.
EXAMPLE = REPO / "examples" / "damascus-to-moscow.txt"
#: The example's segment plan, checked by hand: title, author, date, each heading and paragraph.
EXPECTED_PLAN = DATA / "examples" / "damascus-to-moscow.expected.json"

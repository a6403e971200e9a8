"""The labelled set of number expressions (issue 13): at least 98% read as a presenter reads them.

``scripts/numbers-score --misses`` prints the share per form and every case read wrong.
"""

from __future__ import annotations

import re

import pytest

from scripts.numbers_score import Case, load, report, score

#: The share of the set that must be read right.
REQUIRED_SHARE = 0.98
FORMS = {
    *("case", "agreement", "ordinal", "date", "era", "time", "decimal", "code", "unit"),
    *("currency", "tanween", "latin", "plain"),
}
CASES = load()


def test_the_set_is_large_and_covers_every_form() -> None:
    assert len(CASES) >= 300
    assert {case.form for case in CASES} == FORMS
    assert len({case.text for case in CASES}) == len(CASES), "a sentence is labelled twice"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.text[:40])
def test_every_label_is_said_in_arabic_words(case: Case) -> None:
    """A label itself has no digit, Latin letter or symbol left for a voice to stumble on."""
    assert not re.search(r"[0-9٠-٩۰-۹A-Za-z%$€£°²]", case.said), case.said


def test_the_set_is_read_right(capsys: pytest.CaptureFixture[str]) -> None:
    total, right, misses = score(CASES)
    share = sum(right.values()) / sum(total.values())
    with capsys.disabled():
        print(f"\nnumbers read right, per form:\n{report(total, right)}")
    shown = "\n".join(f"{m.case.text}\n  got  {m.got}\n  want {m.case.said}" for m in misses)
    assert share >= REQUIRED_SHARE, f"{share:.1%} read right; misses:\n{shown}"

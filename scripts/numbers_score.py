"""Score narrate's number reading on the labelled set: the share read as a presenter reads it.

A measuring harness for ``scripts/numbers-score`` and the suite, not part of narrate. The set is
``tests/data/numbers/*.json``: sentences written for narrate, modelled on real Arabic news pages
(each names its model in ``source``), each with the reading a presenter gives (``said``) and the
form it exercises (``form``: case, agreement, ordinal, date, era, time, decimal, code, unit,
currency, tanween, latin, plain). Each text goes through the text steps every engine without
diacritics gets (:func:`narrate.text.script.text_steps`), and is right when it equals ``said``,
both with diacritics and tatweel set aside and spaces and punctuation normalised.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from narrate.charset import DIACRITICS, TATWEEL
from narrate.models import TextNeeds
from narrate.text.lexicon import Lexicon
from narrate.text.normalise import normalize, prepare
from narrate.text.script import text_steps

#: Where the labelled set is, relative to the repository.
SET_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "numbers"
_MARKS = str.maketrans(dict.fromkeys(DIACRITICS + TATWEEL, None))


@dataclass(frozen=True)
class Case:
    form: str
    text: str
    said: str
    source: str


@dataclass(frozen=True)
class Miss:
    case: Case
    got: str


def load(folder: Path = SET_DIR) -> list[Case]:
    cases = []
    for path in sorted(folder.glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8")):
            cases.append(Case(item["form"], item["text"], item["said"], item["source"]))
    return cases


def canonical(text: str) -> str:
    """``text`` without diacritics or tatweel, its spaces and punctuation normalised."""
    return " ".join(normalize(text).translate(_MARKS).split())


def read(text: str) -> str:
    """``text`` as narrate prepares it for a voice without diacritics."""
    steps = text_steps(TextNeeds(max_chars=100, diacritics=False), Lexicon.default())
    return prepare(text, steps)


def score(cases: Sequence[Case]) -> tuple[Counter[str], Counter[str], list[Miss]]:
    """Per form, how many cases there are and how many are read right; and the misses."""
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    misses = []
    for case in cases:
        total[case.form] += 1
        got = canonical(read(case.text))
        if got == canonical(case.said):
            right[case.form] += 1
        else:
            misses.append(Miss(case, got))
    return total, right, misses


def report(total: Counter[str], right: Counter[str]) -> str:
    lines = [
        f"{form:10} {right[form]:4}/{total[form]:<4} {right[form] / total[form]:6.1%}"
        for form in sorted(total)
    ]
    all_right, all_total = sum(right.values()), sum(total.values())
    lines.append(f"{'all':10} {all_right:4}/{all_total:<4} {all_right / all_total:6.1%}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="print every case read wrong")
    parser.add_argument("--form", help="only the cases of this form")
    args = parser.parse_args(argv)
    cases = [case for case in load() if not args.form or case.form == args.form]
    total, right, misses = score(cases)
    print(report(total, right))
    if args.misses:
        for miss in misses:
            print(
                f"\n[{miss.case.form}] {miss.case.text}\n  got  {miss.got}\n"
                f"  want {canonical(miss.case.said)}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Count what narrate gets wrong on a corpus of real Arabic news pages, per kind of defect.

A measuring harness for ``scripts/corpus`` and the suite, not part of narrate. The labels live in
``tests/corpus/<id>.json`` (the format is described in ``tests/corpus/README.md``); the texts they
label are copies of real pages and are not committed: they are read from a folder
(``--texts DIR``, else ``$NARRATE_CORPUS``, else ``/work/corpus/texts``) as ``<id>.txt`` (or
``<id>.html``, ``<id>.md``). Nothing is fetched. A label whose text is missing is counted as
absent and skipped.

Each present text is read exactly as ``narrate segments --json`` reads it
(:func:`narrate.read.article.read_article`), and the words the Google voice would be sent are made
exactly as ``narrate segments --speech --engine gtts`` makes them (the build's speech plan). Then:
is the title right, the author, the date (the same day), the headings (the same, in order)? And
is each piece of junk the label names spoken? A junk string counts as spoken when it is in the
title, a heading or a paragraph narrate kept, or (prepared by the same text steps, so its digits
are words too) in the speech plan.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from narrate.config import DEFAULT_TITLE
from narrate.models import Article
from narrate.text.script import title_opens_the_text

#: Where the labels are, relative to the repository.
LABELS_DIR = Path(__file__).resolve().parent.parent / "tests" / "corpus"
#: Where the copied texts are looked for when neither ``--texts`` nor the environment says.
DEFAULT_TEXTS = Path("/work/corpus/texts")
TEXTS_ENV = "NARRATE_CORPUS"
#: Extensions a labelled text may have, in the order they are looked for.
TEXT_EXTENSIONS = (".txt", ".html", ".htm", ".md")
#: The show title the intro speaks in the speech plan (narrate's default).
SHOW_TITLE = DEFAULT_TITLE
#: The engine whose speech plan is checked: Google's voice is sent plain prepared text.
ENGINE = "gtts"

#: The kinds of defect a junk item may name (issue 12's list, then kinds found in the corpus).
KINDS: tuple[str, ...] = (
    "section-label-as-title",
    "navigation",
    "copy-link",
    "read-also",
    "wire-trailer",
    "english-translation",
    "caption-credit",
    "news-picture",
    "counters-timestamps",
    "tag-list",
    "most-read",
    "social-follow",
    "dateline-as-chapter",
    "byline-as-chapter",
    "list-item-as-chapter",
    "published-line-as-chapter",
    "headline-repeated-as-chapter",
    "first-sentence-twice",
    # found in this corpus
    "masthead",
    "breaking-ticker",
    "byline-spoken",
    "dateline-spoken",
    "date-line-spoken",
    "summary-bullets-as-chapter",
    "image-file-name",
    "comment-count",
    "font-size-control",
    "print-edition-note",
    "source-trailer",
    "section-label-spoken",
    "site-name-in-title",
    "stage-direction",
    "image-placeholder",
)

#: Where a junk string must not be: anywhere narrate speaks, the episode title, or a heading.
WHERES = ("spoken", "title", "heading")
#: The fields compared, in the order the table lists them.
FIELDS = ("title", "author", "published", "headings")


class LabelError(Exception):
    """A label file that is not well-formed; the message names the file."""


@dataclass(frozen=True)
class Junk:
    """A string that must not be spoken (or not be the title, or a heading), and its kind.

    ``most`` is how many times it may be spoken: 0 for junk, 1 for a sentence that must not be
    spoken twice.
    """

    kind: str
    text: str
    where: str = "spoken"
    most: int = 0


@dataclass(frozen=True)
class Label:
    """What a page really is, labelled by hand."""

    id: str
    url: str
    site: str
    country: str
    #: None when the page's headline is not in the copied text (the title is then not compared).
    title: str | None
    author: str | None
    published: date | None
    headings: tuple[str, ...]
    junk: tuple[Junk, ...]
    notes: str = ""


def _string(data: dict[str, object], key: str, where: str, *, optional: bool = False) -> str:
    value = data.get(key)
    if value is None and optional:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise LabelError(f"{where}: {key!r} must be a non-empty string")
    return value


def parse_label(data: object, where: str) -> Label:
    """The label in ``data`` (a parsed JSON object); ``where`` names it in errors."""
    if not isinstance(data, dict):
        raise LabelError(f"{where}: a label is a JSON object")
    known = {"id", "url", "site", "country", "title", "author", "published", "headings", "junk"}
    unknown = sorted(set(data) - known - {"notes"})
    if unknown:
        raise LabelError(f"{where}: unknown key {unknown[0]!r}")
    missing = sorted(known - set(data))
    if missing:
        raise LabelError(f"{where}: missing key {missing[0]!r}")
    url = _string(data, "url", where)
    if not url.startswith(("http://", "https://")):
        raise LabelError(f"{where}: 'url' must be an http(s) address")
    title = data["title"]
    if title is not None and (not isinstance(title, str) or not title.strip()):
        raise LabelError(f"{where}: 'title' must be the headline or null")
    author = data["author"]
    if author is not None and (not isinstance(author, str) or not author.strip()):
        raise LabelError(f"{where}: 'author' must be a name or null")
    published = data["published"]
    day: date | None = None
    if published is not None:
        if not isinstance(published, str):
            raise LabelError(f"{where}: 'published' must be an ISO date or null")
        try:
            day = date.fromisoformat(published[:10])
            if len(published) > 10:
                datetime.fromisoformat(published)
        except ValueError:
            raise LabelError(f"{where}: 'published' is not an ISO date: {published!r}") from None
    headings = data["headings"]
    if not isinstance(headings, list) or not all(
        isinstance(h, str) and h.strip() for h in headings
    ):
        raise LabelError(f"{where}: 'headings' must be a list of non-empty strings")
    items = data["junk"]
    if not isinstance(items, list):
        raise LabelError(f"{where}: 'junk' must be a list")
    notes = data.get("notes", "")
    if not isinstance(notes, str):
        raise LabelError(f"{where}: 'notes' must be a string")
    return Label(
        id=_string(data, "id", where),
        url=url,
        site=_string(data, "site", where),
        country=_string(data, "country", where),
        title=title,
        author=author,
        published=day,
        headings=tuple(headings),
        junk=tuple(_junk(item, f"{where}: junk {n}") for n, item in enumerate(items, 1)),
        notes=notes,
    )


def _junk(item: object, where: str) -> Junk:
    if not isinstance(item, dict):
        raise LabelError(f"{where}: a junk item is a JSON object")
    unknown = sorted(set(item) - {"kind", "text", "where", "most"})
    if unknown:
        raise LabelError(f"{where}: unknown key {unknown[0]!r}")
    kind = _string(item, "kind", where)
    if kind not in KINDS:
        raise LabelError(f"{where}: unknown kind {kind!r} (add it to KINDS in scripts/corpus.py)")
    text = _string(item, "text", where)
    if not normalise(text):
        raise LabelError(f"{where}: 'text' has nothing to match")
    place = item.get("where", "spoken")
    if place not in WHERES:
        raise LabelError(f"{where}: 'where' must be one of {', '.join(WHERES)}")
    most = item.get("most", 0)
    if not isinstance(most, int) or isinstance(most, bool) or most < 0:
        raise LabelError(f"{where}: 'most' must be a whole number")
    return Junk(kind=kind, text=text, where=str(place), most=most)


def load_label(path: Path) -> Label:
    """The label in the JSON file ``path``; its ``id`` must be the file's name."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LabelError(f"{path}: {exc}") from None
    label = parse_label(data, str(path))
    if label.id != path.stem:
        raise LabelError(f"{path}: 'id' is {label.id!r}, not the file's name {path.stem!r}")
    return label


def load_labels(folder: Path) -> list[Label]:
    """Every label in ``folder``, by id."""
    return [load_label(path) for path in sorted(folder.glob("*.json"))]


# Arabic diacritics (harakat, tanwin, shadda, sukun, superscript alef), tatweel, and invisible
# format characters: how a string is written, not which words it says.
_IGNORED = re.compile("[\u064b-\u065f\u0670\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def normalise(text: str) -> str:
    """``text`` as compared: NFKC, no diacritics or tatweel, one space between words, lower case."""
    text = _IGNORED.sub("", unicodedata.normalize("NFKC", text))
    return " ".join(text.split()).casefold()


_ARABIC_LETTER = "\u0621-\u063a\u0641-\u064a\u066e-\u06d3\u06fa-\u06ff"
_LATIN_OR_DIGIT = "a-z0-9\u0660-\u0669\u00e0-\u024f"


def _word_class(char: str) -> str | None:
    """The letters that must not touch an edge of a needle ending in ``char``: a word goes on
    in its own script only (junk glued to an Arabic word, as ``..._nالحديث``, is still found)."""
    if re.match(f"[{_ARABIC_LETTER}]", char):
        return _ARABIC_LETTER
    if re.match(f"[{_LATIN_OR_DIGIT}]", char):
        return _LATIN_OR_DIGIT
    return None


def occurrences(needle: str, haystack: str) -> int:
    """How many times ``needle`` is in ``haystack`` as whole words (both normalised first).

    >>> occurrences("وطني", "المنتخب الوطني فاز. وطني")
    1
    >>> occurrences("1392923746_n", "صورة 1392923746_nالحديث عن")
    1
    """
    wanted = normalise(needle)
    if not wanted:
        return 0
    before, after = _word_class(wanted[0]), _word_class(wanted[-1])
    pattern = (
        (f"(?<![{before}])" if before else "")
        + re.escape(wanted)
        + (f"(?![{after}])" if after else "")
    )
    return len(re.findall(pattern, normalise(haystack)))


@dataclass(frozen=True)
class Spoken:
    """What narrate made of a page: its plan (as read) and the speech plan's text."""

    title: str
    author: str | None
    published: date | None
    headings: tuple[str, ...]
    paragraphs: tuple[str, ...]
    #: Every chunk the engine would be sent, intro included.
    speech: str = ""
    #: False when the intro leaves the title out (a title cut from the first sentence).
    title_spoken: bool = True

    @classmethod
    def of(cls, article: Article, speech: str = "") -> Spoken:
        return cls(
            title=article.title,
            author=article.author,
            published=article.published.date() if article.published else None,
            headings=tuple(s.heading for s in article.segments if s.heading),
            paragraphs=tuple(p for s in article.segments for p in s.paragraphs),
            speech=speech,
            title_spoken=not title_opens_the_text(article),
        )

    def texts(self, where: str) -> list[str]:
        """The pieces of text a junk string with this ``where`` must not be in."""
        if where == "title":
            return [self.title]
        if where == "heading":
            return list(self.headings)
        spoken_title = [self.title] if self.title_spoken else []
        return [*spoken_title, *self.headings, *self.paragraphs]


@dataclass
class PageResult:
    """One page's comparison: each field right or wrong, and the junk it still speaks."""

    id: str
    #: "checked", "absent" (no text in the folder) or "refused" (narrate refused the text).
    status: str
    error: str = ""
    #: Per field: right, wrong, or None when the label does not say (a title not in the text).
    right: dict[str, bool | None] = field(default_factory=dict)
    got: dict[str, object] = field(default_factory=dict)
    #: Each junk item of the label and how many times it is spoken (over ``most``: a defect).
    junk: list[tuple[Junk, int]] = field(default_factory=list)

    @property
    def defects(self) -> list[Junk]:
        return [item for item, count in self.junk if count > item.most]

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "status": self.status,
            "error": self.error or None,
            "right": self.right,
            "got": self.got,
            "junk": [
                {"kind": j.kind, "text": j.text, "where": j.where, "spoken": n}
                | {"defect": n > j.most}
                for j, n in self.junk
            ],
        }


def check(label: Label, spoken: Spoken, prepare: Callable[[str], str] | None = None) -> PageResult:
    """Compare what narrate made of a page with its label.

    ``prepare`` turns a junk string into the form the speech plan holds (numbers as words);
    without it junk is looked for in the plan only.
    """
    right: dict[str, bool | None] = {
        "title": None if label.title is None else normalise(spoken.title) == normalise(label.title),
        "author": _same_name(spoken.author, label.author),
        "published": spoken.published == label.published,
        "headings": [normalise(h) for h in spoken.headings]
        == [normalise(h) for h in label.headings],
    }
    got: dict[str, object] = {
        "title": spoken.title,
        "author": spoken.author,
        "published": spoken.published.isoformat() if spoken.published else None,
        "headings": list(spoken.headings),
    }
    junk = []
    for item in label.junk:
        count = sum(occurrences(item.text, text) for text in spoken.texts(item.where))
        if item.where == "spoken" and spoken.speech:
            said = prepare(item.text) if prepare else item.text
            count = max(count, occurrences(said, spoken.speech))
        junk.append((item, count))
    return PageResult(id=label.id, status="checked", right=right, got=got, junk=junk)


#: Titles before a name that do not make it another name.
_HONORIFIC = re.compile(r"^(?:(?:د|أ|م)\s*\.\s*|الدكتور\s+|الدكتورة\s+|الأستاذ\s+|الأستاذة\s+)")


def _same_name(got: str | None, wanted: str | None) -> bool:
    """Whether two bylines name the same person (a leading "د." or "الدكتور" aside)."""
    if got is None or wanted is None:
        return got is wanted
    return _HONORIFIC.sub("", normalise(got)) == _HONORIFIC.sub("", normalise(wanted))


class Preparer:
    """The text steps the speech plan runs on every piece of text, for one engine."""

    def __init__(self, engine: str = ENGINE) -> None:
        from narrate.engines.registry import engine_text_needs
        from narrate.text.lexicon import Lexicon
        from narrate.text.script import text_steps

        self._steps = text_steps(engine_text_needs(engine), Lexicon.default())

    def __call__(self, text: str) -> str:
        from narrate.text.normalise import prepare

        return prepare(text, self._steps)


def find_text(folder: Path, page: str) -> Path | None:
    """The copied text of page ``page`` in ``folder``, if it is there."""
    for extension in TEXT_EXTENSIONS:
        path = folder / f"{page}{extension}"
        if path.is_file():
            return path
    return None


def speech_text(article: Article, engine: str = ENGINE) -> str:
    """Every chunk ``narrate segments --speech --engine ENGINE`` prints, joined by spaces (a
    sentence cut into two chunks is whole again)."""
    from narrate.build.pipeline import speech_plan
    from narrate.text.lexicon import Lexicon

    script = speech_plan(article, SHOW_TITLE, [engine], Lexicon.default())[engine]
    return " ".join(script.chunks())


def run_page(label: Label, folder: Path, prepare: Callable[[str], str] | None = None) -> PageResult:
    """Read the page's text as ``narrate segments`` does and compare it with its label."""
    from narrate.errors import ArticleError
    from narrate.read.article import read_article

    path = find_text(folder, label.id)
    if path is None:
        return PageResult(id=label.id, status="absent")
    try:
        article = read_article(path)
    except ArticleError as exc:
        wrong: dict[str, bool | None] = dict.fromkeys(FIELDS, False)
        if label.title is None:
            wrong["title"] = None
        return PageResult(id=label.id, status="refused", error=str(exc), right=wrong)
    return check(label, Spoken.of(article, speech_text(article)), prepare)


@dataclass
class Summary:
    """The counts over a corpus."""

    labels: int = 0
    checked: int = 0
    absent: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    #: Per field: pages right, pages wrong (of the pages checked or refused whose label says).
    fields: dict[str, list[int]] = field(default_factory=dict)
    #: Per kind: pages that show it, pages labelled with it.
    kinds: dict[str, list[int]] = field(default_factory=dict)
    with_defects: int = 0
    defects: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "labels": self.labels,
            "checked": self.checked,
            "absent": self.absent,
            "refused": self.refused,
            "fields": {k: {"right": r, "wrong": w} for k, (r, w) in self.fields.items()},
            "kinds": {k: {"pages": s, "labelled": n} for k, (s, n) in self.kinds.items()},
            "pages_with_defects": self.with_defects,
            "defects": self.defects,
        }


def tally(results: Iterable[PageResult]) -> Summary:
    """Count fields right and wrong, and per kind of junk the pages that still speak it."""
    summary = Summary(fields={name: [0, 0] for name in FIELDS})
    for result in results:
        summary.labels += 1
        if result.status == "absent":
            summary.absent.append(result.id)
            continue
        if result.status == "refused":
            summary.refused[result.id] = result.error
        else:
            summary.checked += 1
        for name in FIELDS:
            verdict = result.right.get(name)
            if verdict is not None:
                summary.fields[name][0 if verdict else 1] += 1
        shown = {item.kind for item in result.defects}
        for kind in {item.kind for item, _ in result.junk}:
            counts = summary.kinds.setdefault(kind, [0, 0])
            counts[1] += 1
            counts[0] += kind in shown
        wrong_fields = result.status == "refused" or False in result.right.values()
        summary.with_defects += bool(shown) or wrong_fields
        summary.defects += len(result.defects)
    summary.kinds = {k: summary.kinds[k] for k in KINDS if k in summary.kinds}
    return summary


def render(summary: Summary) -> str:
    """The counts as a table a producer reads."""
    lines = [
        f"{summary.labels} pages labelled: {summary.checked} checked, "
        f"{len(summary.refused)} refused by narrate, {len(summary.absent)} absent (no text)",
        "",
        f"{'field':<34}{'right':>6}{'wrong':>7}",
    ]
    lines += [f"{name:<34}{r:>6}{w:>7}" for name, (r, w) in summary.fields.items()]
    lines += ["", f"{'junk kind (pages that speak it)':<34}{'pages':>6}{'of':>7}"]
    lines += [f"{kind:<34}{s:>6}{n:>7}" for kind, (s, n) in summary.kinds.items()]
    counted = summary.checked + len(summary.refused)
    lines += [
        "",
        f"junk strings spoken: {summary.defects}",
        f"pages with any field wrong or junk spoken: {summary.with_defects} of {counted}",
    ]
    if summary.refused:
        lines += ["", "refused:"] + [f"  {k}: {v}" for k, v in summary.refused.items()]
    return "\n".join(lines) + "\n"


def render_page(label: Label, result: PageResult) -> str:
    """One page in detail: each field as labelled and as read, and each junk item."""
    lines = [f"{label.id}  {label.url}", f"status: {result.status} {result.error}".rstrip()]
    if result.status == "checked":
        wanted: dict[str, object] = {
            "title": label.title,
            "author": label.author,
            "published": label.published.isoformat() if label.published else None,
            "headings": list(label.headings),
        }
        for name in FIELDS:
            verdict = result.right[name]
            mark = "-    " if verdict is None else "ok   " if verdict else "WRONG"
            lines.append(f"{mark} {name}: {result.got[name]!r}")
            if verdict is False:
                lines.append(f"      want {wanted[name]!r}")
        for item, count in result.junk:
            mark = "SPOKEN" if count > item.most else "ok    "
            lines.append(f"{mark} [{item.kind}] ({item.where}, {count}×) {item.text}")
    return "\n".join(lines) + "\n"


def texts_folder(option: Path | None) -> Path:
    """``--texts``, else ``$NARRATE_CORPUS``, else :data:`DEFAULT_TEXTS`."""
    if option is not None:
        return option
    env = os.environ.get(TEXTS_ENV)
    return Path(env) if env else DEFAULT_TEXTS


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/corpus",
        description="Count narrate's defects per kind on the labelled corpus (fetches nothing).",
    )
    parser.add_argument("--texts", type=Path, help=f"folder of <id>.txt (default ${TEXTS_ENV})")
    parser.add_argument("--labels", type=Path, default=LABELS_DIR, help="folder of <id>.json")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    parser.add_argument("--page", help="show one page in detail")
    args = parser.parse_args(argv)
    folder = texts_folder(args.texts)
    try:
        labels = load_labels(args.labels)
    except LabelError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    if not labels:
        print(f"Error: no labels (*.json) in {args.labels}", file=sys.stderr)
        return 1
    if args.page is not None:
        labels = [label for label in labels if label.id == args.page]
        if not labels:
            print(f"Error: no label {args.page!r} in {args.labels}", file=sys.stderr)
            return 1
    prepare = Preparer()
    results = [run_page(label, folder, prepare) for label in labels]
    if args.page is not None:
        if args.json:
            print(json.dumps(results[0].to_json(), ensure_ascii=False, indent=2))
        else:
            print(render_page(labels[0], results[0]), end="")
        return 0
    summary = tally(results)
    if args.json:
        payload = summary.to_json() | {"pages": [r.to_json() for r in results]}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(f"labels: {args.labels}\ntexts:  {folder}\n")
        print(render(summary), end="")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # the output was piped into a program that stopped reading
        sys.stderr.close()
        sys.exit(1)

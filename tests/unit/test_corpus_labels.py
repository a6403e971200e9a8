"""The labelled corpus (tests/corpus/*.json) is well-formed, and scripts/corpus counts right.

The copied page texts are not in the repository: the counting is tried on small texts written
here, in this project's own words.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from narrate.models import Article, Segment
from scripts.corpus import (
    FIELDS,
    KINDS,
    LABELS_DIR,
    Junk,
    Label,
    LabelError,
    PageResult,
    Preparer,
    Spoken,
    check,
    load_label,
    load_labels,
    main,
    occurrences,
    parse_label,
    run_page,
    tally,
)

LABEL_FILES = sorted(LABELS_DIR.glob("*.json"))


def test_the_corpus_has_at_least_thirty_pages_from_many_countries() -> None:
    labels = load_labels(LABELS_DIR)
    assert len(labels) >= 30
    assert len({label.url for label in labels}) == len(labels)
    assert len({label.country for label in labels}) >= 10
    assert len({label.site for label in labels}) >= 25


@pytest.mark.parametrize("path", LABEL_FILES, ids=[p.stem for p in LABEL_FILES])
def test_every_label_is_well_formed(path: Path) -> None:
    label = load_label(path)  # raises LabelError on a bad key, kind, date or id
    assert label.id == path.stem
    for item in label.junk:
        assert item.kind in KINDS
        assert item.text.strip() == item.text
        # junk said "not in a heading" or "not the title" is about the title or headings only
        assert item.where in ("spoken", "title", "heading")
    # a true heading is never also labelled as junk that must not be a heading
    banned = {j.text for j in label.junk if j.where == "heading"}
    assert not banned & set(label.headings)


def test_the_labels_hold_no_copied_text() -> None:
    """Labels carry short strings, never a page's body: no label file passes a few kB."""
    for path in LABEL_FILES:
        assert path.stat().st_size < 4000, path


def _label(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "mine",
        "url": "https://example.org/news/1",
        "site": "موقع تجريبي",
        "country": "Jordan",
        "title": "افتتاح جسر جديد فوق النهر",
        "author": "سلمى الخطيب",
        "published": "2025-03-04",
        "headings": ["ردود الأهالي"],
        "junk": [{"kind": "wire-trailer", "text": "انتهى"}],
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind_of": 1}, "unknown key 'kind_of'"),
        ({"url": "example.org"}, "'url' must be an http(s) address"),
        ({"published": "4 آذار 2025"}, "'published' is not an ISO date"),
        ({"headings": "ردود"}, "'headings' must be a list"),
        ({"junk": [{"kind": "junk-i-made-up", "text": "x"}]}, "unknown kind 'junk-i-made-up'"),
        ({"junk": [{"kind": "navigation", "text": "ـ"}]}, "'text' has nothing to match"),
        ({"junk": [{"kind": "navigation", "text": "x", "where": "intro"}]}, "'where' must be"),
        ({"author": ""}, "'author' must be a name or null"),
    ],
)
def test_a_bad_label_is_one_error_naming_it(changes: dict[str, object], message: str) -> None:
    with pytest.raises(LabelError) as caught:
        parse_label(_label(**changes), "mine.json")
    assert str(caught.value).startswith("mine.json: ")
    assert message in str(caught.value)


def test_a_label_named_other_than_its_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps(_label(), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(LabelError, match="not the file's name 'other'"):
        load_label(path)


def test_occurrences_are_whole_words_ignoring_diacritics_and_tatweel() -> None:
    assert occurrences("وطني", "فاز المنتخب الوطني") == 0
    assert occurrences("وطني", "وطني\nفاز المنتخب") == 1
    assert occurrences("من ينقذ الدولة؟", "من يُنقـــذ الدولــــة؟ ثم") == 1
    assert occurrences("Smaller Bigger", "smaller   bigger") == 1
    assert occurrences("12_n", "صورة 12_nالحديث") == 1  # glued to the next Arabic word
    assert occurrences("12", "العدد 123") == 0


LABEL = parse_label(
    _label(
        junk=[
            {"kind": "wire-trailer", "text": "انتهى"},
            {"kind": "section-label-as-title", "text": "محليات", "where": "title"},
            {"kind": "dateline-as-chapter", "text": "عمّان، 4 آذار", "where": "heading"},
            {"kind": "first-sentence-twice", "text": "افتتحت البلدية صباح اليوم", "most": 1},
            {"kind": "counters-timestamps", "text": "• 00:00 • 5"},
        ]
    ),
    "mine.json",
)


def _spoken(
    title: str,
    segments: tuple[Segment, ...],
    author: str | None = None,
    published: datetime | None = None,
) -> Spoken:
    return Spoken.of(Article(title, segments, author=author, published=published))


def test_a_page_read_right_shows_no_defect() -> None:
    spoken = _spoken(
        "افتتاح جسر جديد فوق النهر",
        (
            Segment(None, ("افتتحت البلدية صباح اليوم جسرا جديدا.",)),
            Segment("ردود الأهالي", ("رحب السكان بالجسر.",)),
        ),
        author="د. سلمى الخطيب",
        published=datetime(2025, 3, 4, 9, 30, tzinfo=UTC),
    )
    result = check(LABEL, spoken)
    assert result.right == dict.fromkeys(FIELDS, True)
    assert result.defects == []


def test_each_kind_of_defect_is_counted_where_it_is() -> None:
    spoken = _spoken(
        "محليات",
        (
            Segment(None, ("افتتحت البلدية صباح اليوم جسرا جديدا.", "• 00:00 • 5")),
            Segment("عمّان، 4 آذار", ("افتتحت البلدية صباح اليوم جسرا جديدا. //انتهى//",)),
        ),
    )
    result = check(LABEL, spoken)
    assert result.right == {"title": False, "author": False, "published": False, "headings": False}
    assert sorted(j.kind for j in result.defects) == [
        "counters-timestamps",
        "dateline-as-chapter",
        "first-sentence-twice",
        "section-label-as-title",
        "wire-trailer",
    ]
    assert result.got["headings"] == ["عمّان، 4 آذار"]


def test_junk_in_the_speech_plan_is_found_in_its_spoken_form() -> None:
    label = parse_label(
        _label(junk=[{"kind": "counters-timestamps", "text": "شوهد 25 مرة"}]), "mine.json"
    )
    prepare = Preparer()
    speech = prepare("قال المتحدث كلاما. شوهد 25 مرة")
    assert "25" not in speech  # the speech plan says numbers as words
    plan_only = _spoken("افتتاح جسر جديد فوق النهر", (Segment(None, ("قال المتحدث كلاما.",)),))
    spoken = replace(plan_only, speech=speech)
    assert [j.kind for j in check(label, spoken, prepare).defects] == ["counters-timestamps"]
    assert check(label, plan_only, prepare).defects == []


def test_tally_counts_pages_per_kind_and_fields_right_and_wrong() -> None:
    junk = Junk("wire-trailer", "انتهى")
    results = [
        PageResult("a", "checked", right=dict.fromkeys(FIELDS, True), junk=[(junk, 0)]),
        PageResult("b", "checked", right={**dict.fromkeys(FIELDS, True), "title": False}),
        PageResult("c", "checked", right={**dict.fromkeys(FIELDS, True), "title": None}),
        PageResult("d", "checked", right=dict.fromkeys(FIELDS, True), junk=[(junk, 2)]),
        PageResult("e", "absent"),
    ]
    summary = tally(results)
    assert summary.labels == 5
    assert summary.checked == 4
    assert summary.absent == ["e"]
    assert summary.fields["title"] == [2, 1]  # c's headline is not in its text: not counted
    assert summary.fields["author"] == [4, 0]
    assert summary.kinds == {"wire-trailer": [1, 2]}
    assert summary.with_defects == 2
    assert summary.defects == 1


CLEAN = """افتتاح جسر جديد فوق النهر

افتتحت البلدية صباح اليوم جسرا جديدا يربط ضفتي النهر بعد عامين من العمل.

ردود الأهالي

رحب السكان بالجسر وقالوا إنه يختصر عليهم طريق العمل كل يوم.
"""


def test_a_text_is_read_as_narrate_segments_reads_it(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text(CLEAN + "//انتهى//\n", encoding="utf-8")
    label = Label(
        id="mine",
        url="https://example.org/news/1",
        site="موقع",
        country="Jordan",
        title="افتتاح جسر جديد فوق النهر",
        author=None,
        published=None,
        headings=("ردود الأهالي",),
        junk=(Junk("wire-trailer", "انتهى"), Junk("navigation", "الرئيسية")),
    )
    result = run_page(label, tmp_path, Preparer())
    assert result.status == "checked"
    assert result.right["title"] is True
    assert result.right["headings"] is True
    assert [count for _, count in result.junk][1] == 0
    assert run_page(label, tmp_path / "missing").status == "absent"


def test_a_text_narrate_refuses_counts_every_field_wrong(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_bytes(b"")
    result = run_page(parse_label(_label(), "mine.json"), tmp_path)
    assert result.status == "refused"
    assert "empty" in result.error
    assert set(result.right.values()) == {False}


def test_the_script_prints_the_table_and_json_and_one_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels, texts = tmp_path / "labels", tmp_path / "texts"
    labels.mkdir()
    texts.mkdir()
    (labels / "mine.json").write_text(json.dumps(_label(), ensure_ascii=False), "utf-8")
    absent = _label(id="gone", url="https://example.org/news/2")
    (labels / "gone.json").write_text(json.dumps(absent, ensure_ascii=False), "utf-8")
    (texts / "mine.txt").write_text(CLEAN + "//انتهى//\n", encoding="utf-8")

    assert main(["--labels", str(labels), "--texts", str(texts)]) == 0
    table = capsys.readouterr().out
    assert "2 pages labelled: 1 checked, 0 refused by narrate, 1 absent" in table
    assert "wire-trailer" in table

    assert main(["--labels", str(labels), "--texts", str(texts), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["absent"] == ["gone"]
    assert payload["fields"]["title"] == {"right": 1, "wrong": 0}
    assert payload["fields"]["author"] == {"right": 0, "wrong": 1}  # no byline in the text
    assert [p["id"] for p in payload["pages"]] == ["gone", "mine"]

    assert main(["--labels", str(labels), "--texts", str(texts), "--page", "mine"]) == 0
    assert "WRONG author: None" in capsys.readouterr().out


def test_the_script_refuses_a_bad_label_with_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "mine.json").write_text('{"id": "mine"', encoding="utf-8")
    assert main(["--labels", str(tmp_path), "--texts", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and err.count("\n") == 1
    assert main(["--labels", str(tmp_path / "none"), "--texts", str(tmp_path)]) == 1
    assert "no labels" in capsys.readouterr().err


def test_dates_are_compared_by_day() -> None:
    spoken = _spoken(
        "افتتاح جسر جديد فوق النهر",
        (Segment(None, ("نص.",)),),
        published=datetime(2025, 3, 4, 23, 59, tzinfo=UTC),
    )
    assert check(LABEL, spoken).right["published"] is True
    assert LABEL.published == date(2025, 3, 4)

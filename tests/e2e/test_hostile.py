"""Hostile input: every case ends in a valid episode or one ``Error:`` line (issue 7).

Each case runs the real ``narrate build`` inside a sandbox folder (articles, output folder,
speech cache, and the working directory) and checks, whatever the outcome:

- the exit status and the single ``Error:`` line (:func:`tests.e2e.test_faults.judge`);
- nothing outside the output folder was written: the sandbox's tree (but the output folder
  and the cache) and any file a symlink points at are hashed before and after;
- the feed, when there is one, is read by ElementTree, feedparser and podcastparser, and every
  enclosure it lists is in the output folder with the length it states;
- a failed build left the output folder as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import time
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from mutagen.id3 import ID3

from tests.cli import NARRATE, Run, narrate
from tests.e2e.test_faults import (
    ARTICLE_A,
    FULL,
    Sandbox,
    check_feed,
    judge,
    publish_a,
    record,
    sha256,
    snapshot,
)

BIDI = "\u202e\u2066\u200f\u061c"
CONTROL = "\x01\x07\x1b\x7f\x85"


def tiny_png() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class Case:
    """One hostile input: how to lay it out in the sandbox, extra options, what must happen."""

    make: Callable[[Sandbox], Path]
    options: tuple[str, ...] = ()
    #: "completed", "error", or "either" (then the outcome is recorded, and both are judged).
    ends: str = "either"
    #: Words the error line must contain.
    says: tuple[str, ...] = ()
    full_only: bool = False
    #: Checks on a completed build's output folder.
    check: Callable[[Path], None] | None = None


def _text(name: str, text: str) -> Callable[[Sandbox], Path]:
    return lambda box: box.article(name, text)


def _bytes(name: str, data: bytes) -> Callable[[Sandbox], Path]:
    def make(box: Sandbox) -> Path:
        path = box.articles / name
        path.write_bytes(data)
        return path

    return make


def _symlink(name: str, target: str) -> Callable[[Sandbox], Path]:
    def make(box: Sandbox) -> Path:
        path = box.articles / name
        path.symlink_to(target)
        return path

    return make


def _big_file(box: Sandbox) -> Path:
    path = box.articles / "huge.txt"
    block = ("خبر " * 2500 + "\n").encode("utf-8")  # 20 kB of Arabic
    with path.open("wb") as out:
        for _ in range(50_000_000 // len(block) + 1):
            out.write(block)
    return path


def _feed_title_has(*parts: str) -> Callable[[Path], None]:
    def check(output: Path) -> None:
        root = ET.parse(output / "feed.xml").getroot()
        title = root.findtext("channel/item/title") or ""
        for part in parts:
            assert part in title, (part, title)
        assert not any(c in title for c in "\x01\x07\x1b\x7f"), repr(title)

    return check


def _show_name_kept(output: Path) -> None:
    root = ET.parse(output / "feed.xml").getroot()
    assert root.findtext("channel/title") == "عرض & <ليلي> ]]>"


def _xml_specials_kept(output: Path) -> None:
    _feed_title_has("&", "<عاجل>", "]]>")(output)
    _show_name_kept(output)


def _one_chapter_per_heading(output: Path) -> None:
    article = output.parent / "articles" / "same-headings.txt"
    plan = narrate("segments", article, "--json")
    headings = [s["heading"] for s in json.loads(plan.stdout)["segments"]]
    assert len(headings) >= 4, headings  # the reader keeps most of them apart
    chapters = ID3(output / "same-headings.mp3").getall("CHAP")
    assert len(chapters) == len(headings), [c.element_id for c in chapters]
    folder = output / "same-headings"
    if folder.is_dir():  # segment files (issue 5): one per segment, none overwritten
        files = sorted(p.name for p in folder.glob("*.mp3"))
        assert len(files) == len(set(files)) == len(headings), files


def _inside(output: Path) -> None:
    for mp3 in output.glob("*.mp3"):
        assert mp3.resolve().parent == output.resolve()
        assert len(mp3.stem) <= 60 and mp3.stem.isascii()


SAME_SLUG_HEADINGS = """الميزانية الجديدة

مقدمة قصيرة عن الميزانية.

الميزانية

النص الأول.

الميزانية!

النص الثاني.

الميزانيه

النص الثالث.

الْمِيزَانِيَّة

النص الرابع.
"""

CASES: dict[str, Case] = {
    "& < ]]> quotes in title and text, and in --show": Case(
        _text(
            "xml-specials.txt", 'خبر & <عاجل> ]]> "مقتبس"\n\nنص & <b>غامق</b> ]]> &amp; نهاية.\n'
        ),
        ("--show", "عرض & <ليلي> ]]>"),
        ends="completed",
        check=_xml_specials_kept,
    ),
    "control characters in title and text": Case(
        _text("controls.txt", f"خبر{CONTROL}عاجل\n\nنص{CONTROL} الخبر قصير.\n"),
        check=_feed_title_has("خبر"),
    ),
    "one escape character in the title": Case(
        _text("escape.txt", "خبر\x1b عاجل\n\nنص الخبر قصير.\n"), check=_feed_title_has("خبر")
    ),
    "bidi override and isolate characters": Case(
        _text("bidi.txt", f"خبر {BIDI}مقلوب{BIDI}\n\nنص {BIDI}الخبر{BIDI} قصير.\n"),
        ends="completed",
        check=_feed_title_has("مقلوب"),
    ),
    "a NUL byte in the text": Case(
        _text("nul.txt", "خبر فيه صفر\n\nنص\x00 الخبر قصير.\n"), says=("nul",)
    ),
    "a 6 kB line without a line end or a mark": Case(
        _text("long-line.txt", "خبر بسطر طويل\n\n" + "كلمة " * 1200),
        ends="completed",
        full_only=True,
    ),
    "a 3,000-character word (no space, no mark)": Case(
        _text("long-word.txt", "خبر بكلمة طويلة\n\n" + "نص" * 1500 + "\n"),
        ends="completed",
        full_only=True,
    ),
    "a 1,500-character title": Case(
        _text("long-title.txt", "عنوان " * 250 + "\n\nنص الخبر قصير.\n"),
        ends="completed",
        check=_inside,
        full_only=True,
    ),
    "a 50 MB file": Case(_big_file, ends="error", says=("too large",)),
    "/dev/zero": Case(lambda box: Path("/dev/zero"), ends="error", says=("too large",)),
    "a PNG renamed .txt": Case(_bytes("photo.txt", tiny_png()), ends="error", says=("binary",)),
    # Spoken whole today (a long build): see test_an_article_with_no_arabic_is_refused.
    "a symlink to /etc/passwd": Case(_symlink("passwd.txt", "/etc/passwd"), full_only=True),
    "a symlink to a folder": Case(_symlink("folder.txt", "/etc"), ends="error"),
    "headings that make the same slug": Case(
        _text("same-headings.txt", SAME_SLUG_HEADINGS),
        ends="completed",
        check=_one_chapter_per_heading,
    ),
    "a title that tries ../ (Arabic file name)": Case(
        _text("مقال.txt", "../../../../tmp/evil\n\nنص الخبر قصير.\n"),
        ends="completed",
        check=_inside,
    ),
    "a title of ../ and dots only": Case(
        _text("نقاط.txt", "../..\n\nنص الخبر قصير.\n"), ends="completed", check=_inside
    ),
}


@pytest.fixture
def hostile_box(tmp_path: Path) -> Sandbox:
    box = Sandbox(tmp_path, tmp_path / "out", tmp_path / "cache", tmp_path / "articles")
    box.articles.mkdir()
    return box


def _outside(box: Sandbox) -> dict[str, str]:
    """The sandbox but the output folder and cache, and the targets of symlinked articles."""
    seen = snapshot(box.root, skip=(box.output, box.cache))
    for link in box.articles.iterdir():
        if link.is_symlink() and link.resolve().is_file():
            seen["target:" + str(link.resolve())] = sha256(link.resolve())
    return seen


def run_case(box: Sandbox, article: Path, *options: str) -> tuple[Run, str, float]:
    """Build ``article`` over a published episode; judge it and check nothing else changed."""
    if not box.output.exists():
        publish_a(box)
    before_out = snapshot(box.output)
    before = _outside(box)
    started = time.monotonic()
    run = box.build(article, "-q", *options)
    took = time.monotonic() - started
    outcome = judge(run)
    assert _outside(box) == before, "something outside the output folder changed"
    items = check_feed(box.output)
    assert "first-story.mp3" in items
    if not outcome.startswith("completed"):
        assert snapshot(box.output) == before_out, "a failed build changed the output folder"
    return run, outcome, took


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.skipif(c.full_only and not FULL, reason="slow"))
        for name, c in CASES.items()
    ],
)
def test_hostile_input_ends_in_a_valid_episode_or_one_error(
    name: str, hostile_box: Sandbox
) -> None:
    case = CASES[name]
    article = case.make(hostile_box)
    _, outcome, took = run_case(hostile_box, article, *case.options)
    if case.ends != "either":
        assert outcome.split(":")[0] == case.ends, outcome
    if outcome.startswith("error"):
        for word in case.says:
            assert word in outcome.lower(), outcome
    elif case.check is not None:
        case.check(hostile_box.output)
    record(f"input: {name}", outcome.split(":")[0], f"{outcome[:80]} ({took:.1f} s)")


def test_a_200_kb_line_is_read_and_chunked_quickly(hostile_box: Sandbox) -> None:
    """Speaking 40,000 words takes hours whatever the line ends: the reader and the text
    preparation are what a long line could break, so ``segments --speech`` is timed."""
    article = hostile_box.article("long-line.txt", "خبر بسطر طويل\n\n" + "كلمة " * 40_000)
    started = time.monotonic()
    run = narrate("segments", article, "--speech", "--engine", "gtts", "--json")
    took = time.monotonic() - started
    assert run.returncode == 0, run.stderr
    plan = json.loads(run.stdout)["engines"]["gtts"]
    chunks = [c for s in plan["segments"] for p in s["paragraphs"] for c in p]
    assert all(0 < len(c) <= 100 for c in chunks)
    assert sum(c.count("كلمة") for c in chunks) == 40_000
    assert took < 30
    record("input: a 200 kB line (segments --speech)", "completed",
           f"{len(chunks)} chunks of <= 100 characters, every word kept, {took:.1f} s")  # fmt: skip


def test_a_50_mb_standard_input_fails_fast(hostile_box: Sandbox) -> None:
    started = time.monotonic()
    proc = subprocess.run(
        [NARRATE, "build", "-", "--output-dir", str(hostile_box.output), "--engine", "espeak"],
        input=("خبر " * 6_250_000).encode("utf-8"),
        capture_output=True,
        timeout=60,
        env={**os.environ, "NARRATE_CACHE_DIR": str(hostile_box.cache)},
    )
    took = time.monotonic() - started
    assert proc.returncode == 1
    assert proc.stderr.decode() == "Error: standard input is too large (over 5 MB)\n"
    assert not hostile_box.output.exists()
    assert took < 10
    record("input: 50 MB on standard input", "error", f"refused after {took:.1f} s")


@pytest.mark.parametrize("slug", ["../x", "..", "a/../../b", "/etc/passwd", "x\x00y"])
def test_slugs_that_try_to_leave_the_output_folder_are_usage_errors(
    slug: str, hostile_box: Sandbox
) -> None:
    article = hostile_box.article("story.txt", ARTICLE_A)
    before = _outside(hostile_box)
    try:
        run = hostile_box.build(article, "--slug", slug)
    except ValueError:  # the OS refuses a NUL in an argument before narrate sees it
        pytest.skip("an argument cannot hold a NUL")
    assert run.returncode == 2, run.stderr
    (line,) = [x for x in run.stderr.splitlines() if x.startswith("Error: ")]
    assert "slug" in line
    assert not hostile_box.output.exists()
    assert _outside(hostile_box) == before
    record("input: --slug " + repr(slug), "usage error (exit 2)", line[:80])


@pytest.mark.parametrize("name", ["feed.xml", "first-story.mp3"])
def test_outputs_that_are_symlinks_are_replaced_not_written_through(
    name: str, hostile_box: Sandbox
) -> None:
    """A planted symlink in the output folder must not make narrate write to its target."""
    article = hostile_box.article("first-story.txt", ARTICLE_A)
    hostile_box.output.mkdir()
    victim = hostile_box.root / "victim.txt"
    victim.write_text("do not touch", encoding="utf-8")
    (hostile_box.output / name).symlink_to(victim)
    run = hostile_box.build(article, "-q")
    outcome = judge(run)
    assert victim.read_text(encoding="utf-8") == "do not touch"
    if outcome == "completed":
        assert not (hostile_box.output / name).is_symlink()
        check_feed(hostile_box.output)
    record(f"input: {name} planted as a symlink to a file outside", outcome.split(":")[0],
           "target untouched; " + outcome[:70])  # fmt: skip


def test_an_article_with_no_arabic_is_refused(hostile_box: Sandbox) -> None:
    article = _symlink("passwd.txt", "/etc/passwd")(hostile_box)
    run = hostile_box.build(article, "-q")
    assert judge(run).startswith("error: ")
    assert not (hostile_box.output / "passwd.mp3").exists()


def test_the_feed_base_url_cannot_carry_markup(hostile_box: Sandbox) -> None:
    article = hostile_box.article("story.txt", ARTICLE_A)
    run = hostile_box.build(article, "--base-url", 'https://x.example/"><script>?a=1&b=2')
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines()[-1].startswith("Error: ")
    assert not hostile_box.output.exists()
    ok = narrate(
        "build", article, "--output-dir", hostile_box.output, "--engine", "espeak", "-q",
        "--base-url", "https://x.example/a&b/<c>/", env=hostile_box.env(),
    )  # fmt: skip
    outcome = judge(ok)
    if outcome == "completed":
        root = ET.parse(hostile_box.output / "feed.xml").getroot()
        url = root.find("channel/item/enclosure").get("url")  # type: ignore[union-attr]
        assert url is not None and url.endswith("/story.mp3")
        check_feed(hostile_box.output)
    record("input: & and < > in --base-url", outcome.split(":")[0], outcome[:80])


# -- symlinks inside the output folder ------------------------------------------------------

META = "ملف البيانات\n\nنص الخبر عن البيانات الجديدة قصير.\n"


def _precious(box: Sandbox) -> Path:
    """A folder outside the output folder, holding what a build must never touch."""
    elsewhere = box.root / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.mp3").write_bytes(b"precious audio")
    (elsewhere / "01-malaf-albayanat.mp3").write_bytes(b"precious too")
    return elsewhere


def _relink(path: Path, target: Path) -> None:
    """Replace ``path`` (a file or a folder) with a symlink to ``target``."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    path.symlink_to(target, target_is_directory=target.is_dir())


def _built(box: Sandbox, article: Path) -> None:
    run = box.build(article, "-q", "--date", "2026-11-01")
    assert run.returncode == 0, run.stderr


#: Each case lays a link in the output folder (``article`` is ``meta.txt``, slug ``meta``);
#: the build that follows must refuse in one line, writing and deleting nothing anywhere.
LINK_CASES: dict[str, Callable[[Sandbox, Path, Path], None]] = {
    "the episode's folder links outside": lambda box, article, elsewhere: (
        box.output.mkdir(),
        (box.output / "meta").symlink_to(elsewhere, target_is_directory=True),
    ),
    "the episode's folder links outside, on a rebuild": lambda box, article, elsewhere: (
        _built(box, article),
        _relink(box.output / "meta", elsewhere),
    ),
    "the episode's folder links to another episode's": lambda box, article, elsewhere: (
        _built(box, box.article("first-story.txt", ARTICLE_A)),
        _built(box, article),
        _relink(box.output / "meta", box.output / "first-story"),
    ),
    ".narrate links outside": lambda box, article, elsewhere: (
        box.output.mkdir(),
        (box.output / ".narrate").symlink_to(elsewhere, target_is_directory=True),
    ),
    ".narrate/partial links outside, on a rebuild": lambda box, article, elsewhere: (
        _built(box, article),
        _relink(box.output / ".narrate" / "partial", elsewhere),
    ),
    "the store links outside": lambda box, article, elsewhere: (
        _built(box, article),
        shutil.copy(box.output / "narrate.sqlite", elsewhere / "store.sqlite"),
        _relink(box.output / "narrate.sqlite", elsewhere / "store.sqlite"),
    ),
}


@pytest.mark.parametrize("name", LINK_CASES)
def test_a_link_in_the_output_folder_is_refused_and_nothing_is_written(
    name: str, hostile_box: Sandbox
) -> None:
    box = hostile_box
    elsewhere = _precious(box)
    article = box.article("meta.txt", META)
    LINK_CASES[name](box, article, elsewhere)
    if "rebuild" in name or "another" in name or "store" in name:
        box.article("meta.txt", META + "\nوأضيفت فقرة جديدة إلى الخبر.\n")  # the audio changes
    before_out, before = snapshot(box.output), _outside(box)
    before_elsewhere = snapshot(elsewhere)
    run = box.build(article, "--date", "2026-11-02")
    outcome = judge(run)
    assert outcome.startswith("error: "), run.stderr
    assert "link" in outcome and "--output-dir" in outcome, outcome
    assert snapshot(elsewhere) == before_elsewhere, "written or deleted through the link"
    assert snapshot(box.output) == before_out, "the refused build changed the output folder"
    assert _outside(box) == before
    record(f"input: {name}", "one Error: line; nothing written", outcome[7:90])


def test_an_output_folder_that_is_itself_a_link_is_used(hostile_box: Sandbox) -> None:
    box = hostile_box
    real = box.root / "real-output"
    real.mkdir()
    box.output.symlink_to(real, target_is_directory=True)
    article = box.article("meta.txt", META)
    run = box.build(article, "-q")
    assert judge(run) == "completed", run.stderr
    assert (real / "meta.mp3").is_file() and box.output.is_symlink()
    check_feed(box.output)
    removed = narrate("remove", "meta", "-o", box.output)
    assert removed.returncode == 0, removed.stderr
    assert not (real / "meta.mp3").exists() and not (real / "meta").exists()
    record("input: the output folder is itself a link", "completed", "built, then removed")

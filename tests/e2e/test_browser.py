"""The listening page in a real headless browser (Debian's chromium, driven by Playwright), loaded
from ``narrate serve``: keyboard seeking, the no-script fallback, tab order, and axe-core.

Skipped when chromium, Playwright or axe-core is missing (``scripts/install-browser`` installs
them); with NARRATE_REQUIRE_BROWSER set (CI) a missing tool fails instead.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from narrate.publish.page import write_page
from narrate.publish.serve import OutputServer
from tests.listening import HOSTILE_TITLE, SEGMENT_SECONDS, SEGMENT_TITLES, Output, make_output
from tests.paths import REPO

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Response

CHROMIUM = Path(os.environ.get("NARRATE_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = Path(
    os.environ.get("NARRATE_AXE_JS", REPO / ".cache/browser/node_modules/axe-core/axe.min.js")
)
INSTALL = "scripts/install-browser, and pip install playwright (in the test extra)"
# As root on a machine with no network but the package registries: no sandbox, and none of
# Chromium's background connections. Playwright gives each launch a new empty profile.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# What keyboard users can reach; each is tagged so the tab walk can name what it reached.
FOCUSABLE = "a[href], audio[controls], summary, button, input, select, textarea, [tabindex]"


def _unavailable(reason: str) -> None:
    if os.environ.get("NARRATE_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (NARRATE_REQUIRE_BROWSER is set)")
    pytest.skip(f"{reason}; install with {INSTALL}")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Output, OutputServer]]:
    output = make_output(tmp_path_factory.mktemp("browser") / "output")
    write_page(output.folder, output.episodes, output.show)
    (output.folder / "feed.xml").write_text("<?xml version='1.0'?><rss version='2.0'/>", "utf-8")
    with OutputServer(output.folder, port=0) as server:
        yield output, server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Watched:
    """A page with every console error and every failed or refused request it met."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.media: list[int] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("requestfailed", lambda request: self.errors.append(f"failed: {request.url}"))
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.errors.append(f"{response.status}: {response.url}")
        if response.url.endswith(".mp3"):
            self.media.append(response.status)


@pytest.fixture
def page(browser: Browser, site: tuple[Output, OutputServer]) -> Iterator[Watched]:
    context = browser.new_context(reduced_motion="reduce")
    try:
        watched = Watched(context.new_page())
        response = watched.page.goto(site[1].url)
        assert response is not None and response.status == 200
        yield watched
    finally:
        context.close()


def _player(page: Page, player_id: str) -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate(
        """id => { const p = document.getElementById(id);
                   return {time: p.currentTime, paused: p.paused, seeking: p.seeking}; }""",
        player_id,
    )
    return state


def _poll(page: Page, script: str, arg: Any = None, timeout: float = 10.0) -> Any:
    """``page.evaluate(script, arg)`` until it is truthy. Not ``wait_for_function``: that polls
    with ``eval``, which the page's Content-Security-Policy rightly refuses."""
    deadline = time.monotonic() + timeout
    while not (value := page.evaluate(script, arg)):
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {script}"
        page.wait_for_timeout(50)
    return value


def _wait_until_at(page: Page, player_id: str, seconds: float) -> dict[str, Any]:
    _poll(
        page,
        """([id, t]) => { const p = document.getElementById(id);
                          return !p.seeking && p.readyState >= 1 && p.currentTime >= t - 0.05; }""",
        [player_id, seconds],
    )
    return _player(page, player_id)


def _live_text(page: Page) -> str:
    text: str = _poll(page, "() => document.getElementById('now-playing').textContent")
    return text


def test_the_page_loads_from_narrate_serve_right_to_left(page: Watched) -> None:
    root = page.page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
    assert root == ["ar", "rtl"]
    assert page.page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.page.locator("h1").inner_text() == "نشرة مسموعة"
    assert page.page.evaluate("document.querySelector('img.cover').naturalWidth") == 64
    heading = page.page.locator("article h2").first.inner_text()
    assert heading == HOSTILE_TITLE.replace("\u202e", "")  # shown as text, script not run
    # Nothing was refused: the Content-Security-Policy lets the inline style and script in.
    assert page.errors == []
    assert page.page.evaluate("getComputedStyle(document.querySelector('.skip')).position") == (
        "absolute"
    )


def test_a_chapter_activated_by_keyboard_seeks_the_episode_player_and_plays(
    page: Watched,
) -> None:
    url = page.page.url
    for player_id, number in (("e1-player", 3), ("e2-player", 2)):
        link = page.page.locator(f"#{player_id} ~ section.chapters a.seek").nth(number - 1)
        link.focus()
        page.page.keyboard.press("Enter")
        start = (number - 1) * SEGMENT_SECONDS
        state = _wait_until_at(page.page, player_id, start)
        assert start - 0.05 <= state["time"] < start + 1.5, state
        assert not state["paused"], state
        assert SEGMENT_TITLES[number - 1] in _live_text(page.page)
        assert page.page.evaluate("document.activeElement.classList.contains('seek')")
    # One player at a time: starting the second episode paused the first.
    assert _player(page.page, "e1-player")["paused"]
    assert page.page.url == url  # seeking, not navigating
    assert 206 in page.media  # Chromium fetched the episode with byte ranges
    assert page.errors == []


def test_a_transcript_cue_seeks_too(page: Watched) -> None:
    summary = page.page.locator("article").nth(1).locator("summary")
    summary.focus()
    page.page.keyboard.press("Enter")  # opens the transcript
    cue = page.page.locator("article").nth(1).locator("p.cue a").nth(2)
    assert cue.is_visible()
    cue.focus()
    page.page.keyboard.press("Enter")
    state = _wait_until_at(page.page, "e2-player", 4)
    assert 3.95 <= state["time"] < 5.5, state
    assert "نشرة الثلاثاء" in _live_text(page.page)


def test_without_script_a_chapter_link_opens_the_episode_at_its_time(
    browser: Browser, site: tuple[Output, OutputServer]
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site[1].url)
        page.locator("section.chapters a").nth(2).focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**/newer-news.mp3#t=8")
        page.wait_for_function(
            "(() => { const m = document.querySelector('video, audio');"
            " return m && m.currentTime >= 7.95; })()",
            timeout=10_000,
        )
    finally:
        context.close()


def test_tab_reaches_every_control_in_document_order(page: Watched) -> None:
    count = page.page.evaluate(
        """selector => {
             document.querySelectorAll('details').forEach(d => { d.open = true; });
             // An <audio>'s fallback link is never shown where <audio> plays.
             const all = [...document.querySelectorAll(selector)]
               .filter(e => e.tabIndex >= 0 && !e.closest('[hidden], audio a'));
             all.forEach((e, i) => { e.dataset.k = String(i); });
             return all.length; }""",
        FOCUSABLE,
    )
    assert count >= 30
    reached: list[int] = []
    for _ in range(count * 8):
        page.page.keyboard.press("Tab")
        key = page.page.evaluate("document.activeElement.dataset.k ?? null")
        if key is None:
            if reached:
                break  # past the last control
            continue
        if not reached or reached[-1] != int(key):
            reached.append(int(key))
    assert reached == list(range(count))


def test_the_skip_link_is_first_visible_when_focused_and_moves_focus(page: Watched) -> None:
    page.page.keyboard.press("Tab")
    focused = page.page.evaluate(
        """() => { const e = document.activeElement, r = e.getBoundingClientRect(),
                          s = getComputedStyle(e);
                   return {cls: e.className, top: r.top, height: r.height,
                           outline: s.outlineStyle, width: s.outlineWidth}; }"""
    )
    assert focused["cls"] == "skip"
    assert focused["top"] >= 0 and focused["height"] > 10  # on screen, not clipped away
    assert (focused["outline"], focused["width"]) == ("solid", "3px")
    page.page.keyboard.press("Enter")
    assert page.page.evaluate("document.activeElement.id") == "main"


# axe-core skips text it takes for an icon font ligature: it compares a word's width with the sum
# of its letters' widths, and joined Arabic letters are always narrower, so after three Arabic
# words it takes the page's whole font for an icon font and checks the contrast of no text at all
# ("inapplicable"). Recording every font as "seen, never a ligature" in axe's run cache before the
# run makes it check every text; the test below asserts that it did.
TRUST_FONTS = """() => axe._cache.set('fonts', new Proxy({}, {
  get: (fonts, family) => (fonts[family] ??= {occurrences: 3, numLigatures: 0})}))"""
RUN_AXE = """only => axe.run(document, {runOnly: only}).then(r => ({
  violations: r.violations.map(v => ({id: v.id, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)})),
  incomplete: r.incomplete.map(v => v.id),
  passes: Object.fromEntries(r.passes.map(v => [v.id, v.nodes.length]))}))"""


def _axe(
    browser: Browser, url: str, scheme: str, sabotage: str = "", rule: str = ""
) -> dict[str, Any]:
    if not AXE_JS.is_file():
        _unavailable(f"axe-core is not at {AXE_JS}")
    context = browser.new_context(color_scheme=scheme, reduced_motion="reduce")  # type: ignore[arg-type]
    try:
        page = context.new_page()
        page.goto(url)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        if sabotage:
            page.evaluate(sabotage)
        page.evaluate(AXE_JS.read_text("utf-8"))  # DevTools evaluation: not subject to the CSP
        page.evaluate(TRUST_FONTS)
        only = {"type": "rule", "values": [rule]} if rule else {"type": "tag", "values": WCAG_21_AA}
        result: dict[str, Any] = page.evaluate(RUN_AXE, only)
        return result
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_core_finds_no_wcag_21_aa_violation(
    browser: Browser, site: tuple[Output, OutputServer], scheme: str
) -> None:
    result = _axe(browser, site[1].url, scheme)
    assert result["violations"] == []
    assert result["incomplete"] == []
    # The rules that matter most here ran on the page's text and controls, and passed.
    passes = result["passes"]
    assert passes.get("color-contrast", 0) > 50, passes
    assert {"html-has-lang", "link-name", "aria-allowed-attr", "bypass", "list"} <= set(passes)


def test_axe_core_would_report_low_contrast_arabic_text(
    browser: Browser, site: tuple[Output, OutputServer]
) -> None:
    grey = (
        "document.querySelectorAll('section.chapters a').forEach(a => { a.style.color = '#aaa'; })"
    )
    result = _axe(browser, site[1].url, "light", sabotage=grey, rule="color-contrast")
    assert [v["id"] for v in result["violations"]] == ["color-contrast"]
    # Each chapter link's time and title, in both episodes; nothing else.
    nodes = result["violations"][0]["nodes"]
    assert len(nodes) == 12 and all(".mp3#t=" in node for node in nodes), nodes


LONG_CHAPTER = (
    "الاقتصاد: الأسعار ترتفع في الأسواق المحلية والعالمية بعد قرار البنك المركزي رفع الفائدة"
)


def _ink_rows(png: bytes) -> list[int]:
    """The rows of a screenshot with dark ink in them (text, not the light background)."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    return [
        y
        for y in range(image.height)
        if any(image.getpixel((x, y)) < 128 for x in range(image.width))  # type: ignore[operator]
    ]


def test_on_a_phone_a_wrapped_chapters_number_stays_beside_its_first_line(
    browser: Browser, site: tuple[Output, OutputServer]
) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, reduced_motion="reduce", color_scheme="light"
    )
    try:
        page = context.new_page()
        page.goto(site[1].url)
        box = page.evaluate(
            """title => {
                 const li = document.querySelector('section.chapters li');
                 li.querySelector('bdi').textContent = title;
                 li.scrollIntoView({block: 'center'});
                 const r = li.getBoundingClientRect();
                 const first = li.querySelector('.t').getBoundingClientRect();
                 const lines = new Set([...li.querySelector('a').getClientRects()]
                   .map(q => Math.round(q.top))).size;
                 return {right: r.right, top: r.top, height: r.height,
                         firstTop: first.top, firstBottom: first.bottom,
                         tall: r.height > 2.5 * first.height, lines: lines}; }""",
            LONG_CHAPTER,
        )
        assert box["tall"], box  # the title wraps onto several lines at 390 px
        # The number is drawn in the list's padding, right of the item (right-to-left).
        png = page.screenshot(
            clip={"x": box["right"], "y": box["top"], "width": 20, "height": box["height"]}
        )
        rows = [box["top"] + y for y in _ink_rows(png)]
        assert rows, "no list number drawn beside the chapter"
        assert box["firstTop"] - 2 <= min(rows) and max(rows) <= box["firstBottom"] + 2, (
            box,
            min(rows),
            max(rows),
        )
    finally:
        context.close()


@pytest.mark.parametrize(
    ("digits", "marker"), [("arabic-indic", "arabic-indic"), ("western", "decimal")]
)
def test_the_list_numbers_follow_the_shows_digits(
    browser: Browser, tmp_path: Path, digits: str, marker: str
) -> None:
    from dataclasses import replace

    output = make_output(tmp_path / "output")
    write_page(output.folder, output.episodes, replace(output.show, digits=digits))
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto((output.folder / "index.html").as_uri())
        styles = page.evaluate(
            "[...document.querySelectorAll('main ol')].map(o => getComputedStyle(o).listStyleType)"
        )
        assert styles and set(styles) == {marker}
    finally:
        context.close()

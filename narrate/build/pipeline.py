"""The build, stage by stage: read, choose an engine, prepare, make or reuse the audio, publish.

:func:`build` is the list of stages; each is a function below. Nothing in ``output/`` is
touched until the episode is made: its files are made and tagged in a working folder
(:mod:`narrate.build.staging`), then the publish commits the store and renames them into place
(:mod:`narrate.publish.publishing`), so a build that fails or is killed leaves what is
published wholly old or wholly new. The episode is its article (:mod:`narrate.build.identity`):
another article never replaces it. An episode whose audio would come out the same is not made
again (:mod:`narrate.build.rebuild`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from narrate.audio import assemble as audio
from narrate.audio import loudness
from narrate.audio.produce import produce
from narrate.audio.speak import warm_up

# Re-exported: the CLI's and tests' names for the episode description and the chime.
from narrate.build.about import describe as describe
from narrate.build.about import (
    episode_info,
    retag,
    segment_files,
    stage_companions,
    taggers,
)
from narrate.build.identity import Slot, article_origin, choose_slot
from narrate.build.rebuild import (
    Record,
    fingerprint,
    has_record,
    reusable,
    stage_record,
    tags_digest,
)
from narrate.build.sounds import CHIME as CHIME
from narrate.build.sounds import load_sounds, sounds_digest
from narrate.build.staging import StagedAudio, check_paths, stage_made, working_folder
from narrate.cache import Cache, open_cache
from narrate.engines import Engine, EngineChoice, EngineSettings, choose_engine, engine_text_needs
from narrate.engines.catalogue import voice_entry
from narrate.episode.artwork import Artwork, load_artwork, publish_artwork
from narrate.errors import ArticleError
from narrate.faults import reached
from narrate.ffmpeg import DEFAULT_KBPS
from narrate.layout import Layout
from narrate.models import Article, Chapter, EpisodeInfo, SegmentFile
from narrate.progress import Reporter
from narrate.publish.publishing import Claim, Staged, publish, recover
from narrate.publish.store import EpisodeStore, Origin
from narrate.read.article import has_arabic, read_article
from narrate.show import ShowSettings, StoredEpisode
from narrate.slug import episode_slug
from narrate.text.lexicon import Lexicon
from narrate.text.script import Script, write_script

log = logging.getLogger(__name__)

#: Bump when the way an episode is laid out or its files are made changes.
LAYOUT_VERSION = 3


@dataclass(frozen=True)
class BuildRequest:
    """Everything a build needs, validated by the caller."""

    #: A file (``Path("-")``: standard input) or an ``http(s)://`` address.
    article: Path | str
    output_dir: Path
    show: ShowSettings
    engine: str = "auto"
    #: The engine's voice; None: its default (``auto``: a piper voice to fall back on).
    voice: str | None = None
    article_format: str | None = None
    lexicon: Path | None = None
    kbps: int = DEFAULT_KBPS
    slug: str | None = None
    published: datetime | None = None
    rate_wpm: int | None = None
    #: gtts: requests in flight at once; None: the engine's default.
    concurrency: int | None = None
    #: Seconds the whole build may take before the online engine gives up; None: no limit.
    deadline: float | None = None
    #: The speech cache's folder; None: $NARRATE_CACHE_DIR or the user's cache folder.
    cache_dir: Path | None = None
    #: Workers for synthesis; None: every core (offline engines) or the engine's concurrency.
    jobs: int | None = None
    #: False: neither read nor write the speech cache, and rebuild the audio even if unchanged.
    use_cache: bool = True
    #: Integrated loudness of the episode and of each segment file, LUFS.
    loudness: float = loudness.TARGET_MONO
    #: "chime" (generated), "none", or a sound file for the start and the end.
    intro: str = CHIME
    outro: str = CHIME
    #: A music bed under the spoken intro (ducked under the voice), or None.
    bed: Path | None = None
    #: The show's cover image; None: one is generated from the show's title.
    artwork: Path | None = None
    #: Where the engine was chosen (an option, the environment, a config file), for its errors.
    engine_source: str | None = None


@dataclass(frozen=True)
class BuildResult:
    mp3: Path
    feed: Path
    slug: str
    engine: str
    engine_reason: str
    duration_ms: int
    chapters: tuple[Chapter, ...]
    segments: tuple[SegmentFile, ...] = ()


@dataclass(frozen=True)
class Plan:
    """What the episode's audio is to be made of, and what is said about the episode."""

    info: EpisodeInfo
    script: Script
    sounds: audio.Sounds
    #: Of everything that decides the audio (:func:`narrate.build.rebuild.fingerprint`).
    fingerprint: str
    cache: Cache | None


def build(request: BuildRequest, reporter: Reporter) -> BuildResult:
    """Build one episode from ``request.article`` and add it to the show's feed."""
    started = time.monotonic()
    layout = Layout(request.output_dir)
    article = read(request)
    # Before anything is written: no link in the output folder may lead a write elsewhere.
    check_paths(layout)
    # A publish stopped after its commit is finished first (a damaged store fails here too).
    recover(request.output_dir)
    lexicon = load_lexicon(request.lexicon)
    slot, origin, earlier = place(request, article)
    if slot.note:
        reporter.say(slot.note)
    check_paths(layout, slot.slug)
    # Checked now, written with the episode: a failed build leaves the show's cover alone.
    artwork = load_artwork(request.artwork, request.output_dir, request.show.title)
    choice = choose(request, started, reporter)
    with working_folder(layout, slot.slug) as folder:
        try:
            plan = prepare(request, layout, slot, article, lexicon, choice.engine, artwork, earlier)
            made = make_or_reuse(request, layout, plan, choice.engine, reporter, folder)
        finally:
            choice.engine.close()
        return publish_episode(
            request,
            layout,
            plan,
            made,
            choice,
            artwork,
            origin,
            Claim(slot.guid, origin.identity),
            folder,
        )


def place(request: BuildRequest, article: Article) -> tuple[Slot, Origin, dict[str, StoredEpisode]]:
    """Where the article is published (its slot), where it comes from, and the published
    episodes."""
    with EpisodeStore(request.output_dir) as store:
        episodes = store.list()
        origins = store.origins()
    origin = article_origin(request.article, article)
    # A file's slug comes from its name when that reads as words; a URL's from the headline.
    source = request.article if isinstance(request.article, Path) else None
    derived = episode_slug(source, article.title)
    slot = choose_slot(episodes, origins, origin, article.title, derived, request.slug)
    return slot, origin, {e.slug: e for e in episodes}


def read(request: BuildRequest) -> Article:
    """The article, which must be Arabic."""
    article = read_article(request.article, request.article_format)
    if not has_arabic(article):
        # A system file, a log, an English page: nothing to publish as an Arabic episode.
        raise ArticleError(
            f"article {request.article} has no Arabic text; narrate speaks Arabic articles"
        )
    return article


def choose(request: BuildRequest, started: float, reporter: Reporter) -> EngineChoice:
    """The engine the request names (``auto``: the best that runs), with the producer's settings."""
    settings = EngineSettings(
        rate_wpm=request.rate_wpm,
        concurrency=request.concurrency,
        deadline=started + request.deadline if request.deadline else None,
        voice=request.voice,
    )
    choice = choose_engine(request.engine, settings, source=request.engine_source)
    reporter.say(f"Engine: {choice.engine.name} ({choice.reason})")
    voice = voice_entry(choice.engine.name, choice.engine.voice)
    if voice is not None and voice.non_commercial:
        log.warning(
            "the voice %s (%s) is licensed for non-commercial use only: not for a show that "
            "earns money; its credit goes into the feed and the tags",
            voice.name,
            choice.engine.name,
        )
    return choice


def prepare(
    request: BuildRequest,
    layout: Layout,
    slot: Slot,
    article: Article,
    lexicon: Lexicon,
    engine: Engine,
    artwork: Artwork,
    earlier: dict[str, StoredEpisode],
) -> Plan:
    """The sounds, the script and its fingerprint, and what is said about the episode."""
    slug = slot.slug
    sounds = load_sounds(request.intro, request.outro, request.bed, engine.sample_rate)
    cache = open_cache(request.cache_dir) if request.use_cache else None
    if not (request.use_cache and has_record(layout, slug)):
        # The audio will be made (no record to reuse, or --no-cache): worker processes start
        # while the text is prepared.
        warm_up(engine, request.jobs)
    script = write_script(article, request.show.title, engine.text_needs, lexicon, cache)
    extra = {
        "loudness": request.loudness,
        "sounds": sounds_digest(sounds),
        "layout": LAYOUT_VERSION,
    }
    wanted = fingerprint(engine.identity(), script, request.kbps, audio.DEFAULT_PAUSES, extra)
    published = (
        request.published
        or article.published
        or (earlier[slug].published if slug in earlier else None)
        or datetime.now(UTC).replace(microsecond=0)
    )
    voice = voice_entry(engine.name, engine.voice)
    info = episode_info(
        slug,
        article,
        request.show,
        published,
        engine.describe(),
        artwork,
        slot.guid,
        voice_credit=voice.credit if voice is not None else "",
    )
    return Plan(info, script, sounds, wanted, cache)


def make_or_reuse(
    request: BuildRequest,
    layout: Layout,
    plan: Plan,
    engine: Engine,
    reporter: Reporter,
    folder: Path,
) -> StagedAudio:
    """The episode's audio, made again in ``folder`` only if it would come out different, else
    the files in place with tagged copies where their tags change; its rebuild record with
    them, all to be renamed into place by the publish."""
    slug = plan.info.slug
    reused = reusable(layout, slug, plan.fingerprint) if request.use_cache else None
    if reused is None:
        made = make_audio(request, plan, engine, reporter, folder)
    else:
        reporter.say("Audio unchanged since the last build: nothing to speak or encode")
        made = StagedAudio(reused.audio, ())
        if reused.tags != tags_digest(plan.info, reused.audio):
            made = retag(layout, folder, plan.info, reused.audio)
    record = Record(plan.fingerprint, made.audio, tags_digest(plan.info, made.audio))
    saved = stage_record(layout, folder, slug, record)
    # The record first: the episode's MP3 is the last of its files to be renamed into place.
    return StagedAudio(made.audio, (*((saved,) if saved else ()), *made.staged))


def make_audio(
    request: BuildRequest, plan: Plan, engine: Engine, reporter: Reporter, folder: Path
) -> StagedAudio:
    """Speak, lay out, encode and tag the episode and its segment files in ``folder``."""
    work = folder / "audio"
    work.mkdir()
    made = produce(
        plan.script, engine, reporter, work,
        kbps=request.kbps, target=request.loudness, sounds=plan.sounds, cache=plan.cache,
        jobs=request.jobs,
    )  # fmt: skip
    for path, tag in zip(made.files(), taggers(plan.info, made.audio), strict=True):
        tag(path)
    return stage_made(work, plan.info.slug, made.audio)


def publish_episode(
    request: BuildRequest,
    layout: Layout,
    plan: Plan,
    staged: StagedAudio,
    choice: EngineChoice,
    artwork: Artwork,
    origin: Origin,
    claim: Claim,
    folder: Path,
) -> BuildResult:
    """The episode's companion files and the show's cover staged beside its audio, then all
    published at once: the store committed, the files renamed into place, the feed and page."""
    info = plan.info
    made = staged.audio
    chapters_file, transcripts, companions = stage_companions(
        folder, info, made, request.show.base_url, artwork
    )
    cover = _stage_cover(folder, artwork)
    segments = segment_files(info.slug, made)
    stored = StoredEpisode(
        slug=info.slug,
        guid=info.guid,
        title=info.title,
        description=info.description,
        published=info.published,
        duration_seconds=round(made.duration_ms / 1000),
        file_name=made.file.name,
        file_size=made.file.size,
        engine=info.engine,
        chapters=made.chapters,
        segments=segments,
        chapters_file=chapters_file,
        transcripts=tuple(transcripts),
        link=info.link or None,
        site=info.site or None,
    )
    # Into place in this order: the episode's folder, its record, the cover, then its MP3.
    enclosure = [item for item in staged.staged if item.target == made.file.name]
    others = [item for item in staged.staged if item.target != made.file.name]
    files = [*companions, *others, *cover, *enclosure]
    reached("staged")
    feed = publish(
        request.output_dir, stored, request.show, origin=origin, claim=claim, staged=files,
    )  # fmt: skip
    publish_artwork(artwork)  # in place already: this notes which cover was drawn
    return BuildResult(
        mp3=layout.episode_mp3(info.slug),
        feed=feed,
        slug=info.slug,
        engine=choice.engine.name,
        engine_reason=choice.reason,
        duration_ms=made.duration_ms,
        chapters=made.chapters,
        segments=segments,
    )


def _stage_cover(folder: Path, artwork: Artwork) -> list[Staged]:
    """The show's cover, made in ``folder`` when it is not in place as it must be."""
    try:
        if artwork.path.read_bytes() == artwork.data:
            return []
    except OSError:
        pass  # missing or unreadable: it is written
    staged = folder / artwork.path.name
    staged.write_bytes(artwork.data)
    return [Staged(staged, artwork.path.name)]


def load_lexicon(path: Path | None) -> Lexicon:
    """The built-in lexicon, with a producer's file laid over it when one is given."""
    lexicon = Lexicon.default()
    return lexicon.merged(Lexicon.load(path)) if path is not None else lexicon


def speech_plan(
    article: Article, show_title: str, engines: Sequence[str], lexicon: Lexicon
) -> dict[str, Script]:
    """The exact chunks each named engine would be sent for ``article``."""
    return {
        name: write_script(article, show_title, engine_text_needs(name), lexicon)
        for name in engines
    }

"""``narrate voices``: every voice of every engine, a preview of one, and installing a piper voice.

The list joins the table narrate ships (dialect, gender, licence: Microsoft's voices can only
be listed over the network) with what each engine finds here, so a producer sees both what
exists and what can speak on this machine, and why not.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from narrate import atomic
from narrate.cli.options import config_option, output_dir_option
from narrate.cli.settings import resolve_settings
from narrate.engines import SPEAKING_ENGINES, EngineSettings, make_engine
from narrate.engines.registry import VoiceRow, voice_engines, voice_rows
from narrate.errors import EngineError, NarrateError
from narrate.ffmpeg import run_ffmpeg
from narrate.slug import make_slug
from narrate.text.lexicon import Lexicon
from narrate.text.script import text_steps

#: What a preview says: a sentence with the things news copy is full of (a date, a percentage,
#: a sum of money), read through the same text preparation as a build.
PREVIEW_TEXT = (
    "هذه نشرة مسموعة. أعلنت الحكومة يوم الأحد 12 يناير 2025 أن نسبة النمو بلغت 3.5% "
    "وأن الميزانية الجديدة تبلغ 250 مليون دولار."
)
#: Where ``narrate voices install`` fetches piper voices (a piper-voices ``voices.json``).
VOICES_URL_ENV = "NARRATE_VOICES_URL"
#: The MP3 bitrate of a preview.
PREVIEW_KBPS = 64


def _mark(row: VoiceRow) -> str:
    return "yes" if row.usable else "no "


def render_rows(rows: list[VoiceRow]) -> str:
    """The table as ``narrate voices`` prints it: one line a voice, a second for why not."""
    lines = []
    width = max((len(row.voice.name) for row in rows), default=4)
    for row in rows:
        voice = row.voice
        commercial = {"yes": "", "no": "  NON-COMMERCIAL", "unclear": "  licence unclear"}
        lines.append(
            f"{voice.engine:<7} {voice.name:<{width}}  {_mark(row)}  {voice.gender:<6}  "
            f"{voice.language:<6}  {voice.dialect}{commercial[voice.commercial]}"
        )
        if row.reason:
            lines.append(f"{'':<7} {'':<{width}}  why not: {row.reason}")
    return "\n".join(lines)


@click.group(invoke_without_command=True)
@click.option(
    "--engine",
    "engine_names",
    type=click.Choice(SPEAKING_ENGINES),
    multiple=True,
    help="Only this engine's voices (repeatable).",
)
@click.option("--offline", is_flag=True, help="Do not ask the online engines whether they answer.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def voices(ctx: click.Context, engine_names: tuple[str, ...], offline: bool, as_json: bool) -> None:
    """List every voice of every engine: dialect, gender, licence, and whether it speaks here.

    The online engines' voices are usable when the engine answers (asked once, for 3 seconds).
    """
    if ctx.invoked_subcommand is not None:
        return
    rows = voice_rows(engine_names or None, check_network=not offline)
    if as_json:
        payload = [row.to_json() for row in rows]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(render_rows(rows))
    usable = sum(row.usable for row in rows)
    click.echo(f"\n{usable} of {len(rows)} voices can speak here.")


def _engine_for(voice: str, engine: str | None) -> str:
    """The engine that speaks ``voice``: ``--engine``, else the one engine that has it."""
    if engine is not None:
        return engine
    owners = voice_engines(voice)
    if not owners:
        raise click.UsageError(
            f"no engine has a voice {voice!r}: narrate voices lists them (a piper voice file "
            "ends in .onnx)"
        )
    if len(owners) > 1:
        raise click.UsageError(
            f"{voice!r} is a voice of {' and '.join(owners)}: choose one with --engine"
        )
    return owners[0]


@voices.command()
@click.argument("voice")
@click.option(
    "--engine",
    type=click.Choice(SPEAKING_ENGINES),
    help="The voice's engine, when several have a voice of that name (ar: gtts and espeak).",
)
@click.option("--text", "text", help="What to say instead of the sample sentence.")
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The MP3 to write; default OUTPUT_DIR/previews/<engine>-<voice>.mp3.",
)
@click.option("--rate", "rate_wpm", type=click.IntRange(80, 450), help="Words per minute.")
@output_dir_option()
@config_option
def preview(
    voice: str,
    engine: str | None,
    text: str | None,
    out: Path | None,
    rate_wpm: int | None,
    output_dir: Path | None,
    config_path: Path | None,
) -> None:
    """Speak one sentence with VOICE into an MP3, to hear it before a long build."""
    name = _engine_for(voice, engine)
    sentence = " ".join((text or PREVIEW_TEXT).split())
    if not sentence:
        raise click.UsageError("--text is empty")
    if out is None:
        folder = resolve_settings().output_dir.value / "previews"
        stem = make_slug(Path(voice).name.removesuffix(".onnx")) or "voice"
        out = folder / f"{name}-{stem}.mp3"
    speaker = make_engine(name, EngineSettings(voice=voice, rate_wpm=rate_wpm))
    try:
        for step in text_steps(speaker.text_needs, Lexicon.default()):
            sentence = step(sentence)
        if len(sentence) > speaker.text_needs.max_chars:
            raise click.UsageError(
                f"--text is too long for one chunk of {name} "
                f"({len(sentence)} characters, at most {speaker.text_needs.max_chars})"
            )
        click.echo(f"Speaking with {speaker.describe()}: {sentence}")
        audio = speaker.synthesize(sentence)
    finally:
        speaker.close()
    pcm = audio.set_channels(1).set_sample_width(2).raw_data
    rate = audio.frame_rate
    if not pcm:
        raise EngineError(f"{name} made no audio for the preview")
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_name(f".{out.name}.{os.getpid()}.part.mp3")
    try:
        run_ffmpeg(
            [
                *("-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"),
                *("-c:a", "libmp3lame", "-b:a", f"{PREVIEW_KBPS}k", "-y", str(temp)),
            ],
            stdin=bytes(pcm),
        )
        atomic.commit(temp, out)
    finally:
        atomic.discard(temp)
    seconds = len(pcm) / 2 / rate
    click.echo(f"Wrote {out} ({seconds:.1f} s)")


@voices.command()
@click.argument("name")
@click.option(
    "--base-url",
    envvar=VOICES_URL_ENV,
    help="Where the voices are published (a piper-voices voices.json and its files).  "
    "[default: rhasspy/piper-voices on Hugging Face]",
)
def install(name: str, base_url: str | None) -> None:
    """Download the piper voice NAME (e.g. ar_JO-kareem-medium) into the user's voice folder,
    checking its checksum; an interrupted download resumes where it stopped."""
    from narrate.engines import voicefiles

    folder = voicefiles.voice_folder()
    shown = {"last": -1}

    def progress(done: int, total: int) -> None:
        percent = done * 100 // total if total else 100
        if percent != shown["last"] and percent % 10 == 0:
            shown["last"] = percent
            click.echo(f"  {percent}% of {total / 1e6:.1f} MB", err=True)

    try:
        path = voicefiles.install_voice(
            name,
            base_url=base_url or voicefiles.DEFAULT_BASE_URL,
            folder=folder,
            progress=progress,
        )
    except OSError as exc:
        raise NarrateError(f"cannot write to the voice folder {folder}: {exc}") from exc
    click.echo(
        f"Installed {name}: {path}\nUse it with: narrate build ARTICLE --engine piper "
        f"--voice {name}"
    )

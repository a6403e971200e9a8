"""``narrate engines``: which speech engines can speak here, why not, and what ``auto`` chooses."""

from __future__ import annotations

import json
from pathlib import Path

import click

from narrate.cli.options import config_option
from narrate.cli.settings import resolve_settings
from narrate.engines import EngineSettings, choose_engine
from narrate.engines.registry import engine_statuses
from narrate.errors import EngineError


def auto_choice(voice: str | None, check_network: bool) -> dict[str, str | None]:
    """What ``--engine auto`` would speak with here and why (the show's voice given), or why
    nothing can."""
    try:
        choice = choose_engine("auto", EngineSettings(voice=voice), check_network=check_network)
    except EngineError as exc:
        return {"engine": None, "voice": None, "reason": str(exc)}
    engine = choice.engine
    try:
        return {"engine": engine.name, "voice": engine.voice, "reason": choice.reason}
    finally:
        engine.close()


@click.command()
@click.option("--offline", is_flag=True, help="Do not ask the online engines whether they answer.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@config_option
def engines(offline: bool, as_json: bool, config_path: Path | None) -> None:
    """List each engine, whether it can speak here, its voices, and why not; then which one
    auto chooses (with the show's voice, from narrate.toml) and why."""
    statuses = engine_statuses(check_network=not offline)
    auto = auto_choice(resolve_settings().build.voice, check_network=not offline)
    if as_json:
        # Each engine as before, the one auto chooses with why ("auto": null on the others).
        payload = [
            {**status.to_json(), "auto": auto["reason"] if auto["engine"] == status.name else None}
            for status in statuses
        ]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for status in statuses:
        mark = "yes" if status.usable else "no "
        voices = ", ".join(status.voices) or "-"
        if len(status.voices) > 4:
            voices = f"{', '.join(status.voices[:3])} and {len(status.voices) - 3} more"
        click.echo(f"{status.name:<7} {mark}  voices: {voices}  {status.detail}")
        if status.reason:
            click.echo(f"{'':<7}      why not: {status.reason}")
    if auto["engine"] is None:
        click.echo(f"\nauto: nothing can speak here: {auto['reason']}")
    else:
        click.echo(f"\nauto: {auto['engine']} (voice {auto['voice']}): {auto['reason']}")

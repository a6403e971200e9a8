"""``narrate engines``: which speech engines can speak here, and why not."""

from __future__ import annotations

import json

import click

from narrate.engines.registry import engine_statuses


@click.command()
@click.option("--offline", is_flag=True, help="Do not ask Google whether it answers.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def engines(offline: bool, as_json: bool) -> None:
    """List each engine, whether it can speak here, its voices, and why not."""
    statuses = engine_statuses(check_network=not offline)
    if as_json:
        payload = [status.to_json() for status in statuses]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for status in statuses:
        mark = "yes" if status.usable else "no "
        voices = ", ".join(status.voices) or "-"
        click.echo(f"{status.name:<7} {mark}  voices: {voices}  {status.detail}")
        if status.reason:
            click.echo(f"{'':<7}      why not: {status.reason}")

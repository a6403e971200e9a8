"""``narrate serve``: the output folder over HTTP until Ctrl-C (the server is
:mod:`narrate.publish.serve`)."""

from __future__ import annotations

from pathlib import Path

import click

from narrate.cli.options import config_option, output_dir_option
from narrate.cli.settings import resolve_settings
from narrate.publish.serve import DEFAULT_HOST, DEFAULT_PORT, serve


@click.command(name="serve")
@output_dir_option(
    "The folder to serve: the page, the feed and the episodes; "
    "default the settings file's, else 'output'."
)
@config_option
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Address to listen on; 0.0.0.0 lets other machines on the network in.",
)
@click.option(
    "-p",
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="Do not log each request (method, path, status) to stderr."
)
def serve_command(
    output_dir: Path | None, config_path: Path | None, host: str, port: int, quiet: bool
) -> None:
    """Serve the output folder (listening page, feed, audio) over HTTP until Ctrl-C; each request
    is logged to standard error in one line."""
    folder = resolve_settings().output_dir.value

    def ready(url: str) -> None:
        click.echo(f"Serving {folder} at {url} (Ctrl-C stops)")

    def log(line: str) -> None:
        click.echo(line, err=True)

    serve(folder, host, port, on_ready=ready, log=None if quiet else log)
    click.echo("Stopped.")

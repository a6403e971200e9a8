"""``narrate check``: the output folder made what the store says, and what it lacks reported.

:func:`narrate.publish.publishing.check` finishes a stopped publish, removes the files no
episode lists (an MP3 only when its tags say narrate made it), rewrites a feed or page that
differs from the store, and reports each listed file that is missing or whose size is not the
store's. Here the MP3s of the same size are also compared with the SHA-256 their rebuild
record (:mod:`narrate.build.rebuild`) keeps, so one edited behind the store's back is
reported too.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from narrate.build.rebuild import read_record
from narrate.digest import file_sha256
from narrate.episode.tags import made_by_narrate
from narrate.layout import Layout
from narrate.models import Mp3File
from narrate.publish.publishing import Checked, check
from narrate.publish.store import EpisodeStore


def check_show(output_dir: Path, *, now: datetime | None = None) -> Checked:
    """:func:`narrate.publish.publishing.check`, and each MP3 that is not the one narrate made."""
    checked = check(output_dir, made_by_narrate, now=now)
    layout = Layout(output_dir)
    reported = {line.split(" ", 2)[1] for line in checked.problems}
    with EpisodeStore(output_dir) as store:
        episodes = store.list()
    for episode in sorted(episodes, key=lambda e: e.slug):
        record = read_record(layout, episode.slug)
        if record is None:
            continue
        made: list[tuple[str, Mp3File]] = [(episode.file_name, record.audio.file)]
        made += [(f"{episode.slug}/{p.file.name}", p.file) for p in record.audio.segments]
        sizes = {episode.file_name: episode.file_size}
        sizes.update({s.path: s.size for s in episode.segments})
        for relative, file in made:
            if relative in reported or sizes.get(relative) != file.size:
                continue  # reported already, or a record that is not this episode's
            path = output_dir / relative
            try:
                changed = path.stat().st_size == file.size and file_sha256(path) != file.sha256
            except OSError:
                continue
            if changed:
                checked.problems.append(
                    f"changed: {relative} is not the file narrate made (its SHA-256 differs) "
                    f"(episode {episode.slug})"
                )
                checked.broken.add(episode.slug)
    return checked

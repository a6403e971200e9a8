"""Times as people and players read them: the one place a clock is formatted."""

from __future__ import annotations


def _parts(ms: int) -> tuple[int, int, int, int]:
    seconds, millis = divmod(max(ms, 0), 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return hours, minutes, seconds, millis


def timecode(ms: int, separator: str = ".") -> str:
    """A zero-padded ``HH:MM:SS.mmm``: Podlove chapters and WebVTT (``.``), SubRip (``,``).

    >>> timecode(0), timecode(468_250), timecode(3_723_004, ",")
    ('00:00:00.000', '00:07:48.250', '01:02:03,004')
    """
    hours, minutes, seconds, millis = _parts(ms)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def duration(ms: int) -> str:
    """A length or a moment as a listener reads it: ``M:SS``, or ``H:MM:SS`` from an hour on.

    Rounded to the nearest second.

    >>> duration(0), duration(65_400), duration(3_723_600)
    ('0:00', '1:05', '1:02:04')
    """
    hours, minutes, seconds, _ = _parts(round(max(ms, 0) / 1000) * 1000)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"

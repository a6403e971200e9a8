"""The few errors narrate raises on purpose.

Every one carries a message a user can act on; the CLI prints it as a single
``Error: ...`` line. Subclasses also subclass the closest built-in so callers
that do not know narrate can still catch them sensibly.
"""


class NarrateError(Exception):
    """Base of every error narrate reports to a user."""


class ArticleError(NarrateError, ValueError):
    """The article cannot be read or has nothing to speak."""


class EngineError(NarrateError, RuntimeError):
    """A speech engine is unavailable or failed."""


class EngineUnavailable(EngineError):
    """The engine cannot run here (missing library, no network, ...)."""


class AudioError(NarrateError, RuntimeError):
    """Decoding, assembling or encoding audio failed."""


class PublishError(NarrateError, OSError):
    """Writing the episode, its tags or the feed failed."""


class ConfigError(NarrateError, ValueError):
    """The show settings (``narrate.toml`` or options) are wrong."""


class ArtworkError(NarrateError, ValueError):
    """The cover image is missing, unreadable or unusable."""

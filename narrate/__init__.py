"""narrate: turn an Arabic news article into a podcast episode."""

from narrate.interrupts import INTERRUPTS, is_the_narrate_command

if is_the_narrate_command():
    # Before pydub's import below: a Ctrl-C from here on ends the command with its one line.
    INTERRUPTS.install()

import warnings

with warnings.catch_warnings():
    # pydub looks for a system ffmpeg at import and warns when there is none; narrate never uses
    # one (it runs the imageio-ffmpeg binary itself), so that warning would only mislead users.
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)  # audioop, until pydub moves off it
    import pydub  # noqa: F401

__version__ = "0.1.0"

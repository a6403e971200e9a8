"""The build reads as its list of stages."""

from __future__ import annotations

import inspect

from narrate.build import pipeline

#: The longest :func:`narrate.build.pipeline.build` may grow, docstring and signature included.
MAX_BUILD_LINES = 50


def test_build_is_a_short_list_of_stages() -> None:
    lines = inspect.getsource(pipeline.build).splitlines()
    assert len(lines) <= MAX_BUILD_LINES, f"build() has {len(lines)} lines"

"""The show's settings checked on construction: a value of the wrong shape (from narrate.toml, the
store or a caller) is refused naming the setting and what it must be, never an AttributeError."""

from __future__ import annotations

from typing import Any

import pytest

from narrate.show import FeedValueError, ShowSettings

BASE = {"title": "نشرة", "base_url": "https://example.org/p/"}

# A setting, a value of the wrong shape, and what the message must say it expects.
WRONG_SHAPES: list[tuple[str, Any, str]] = [
    ("title", ["نشرة"], "text"),
    ("base_url", ["https://example.org/"], "text"),
    ("description", [1], "text"),
    ("author", {"name": "x"}, "text"),
    ("language", 5, "text"),
    ("link", [1], "text"),
    ("category", ["News"], "text"),
    ("subcategory", ["Politics"], "text"),
    ("image_url", 3, "text"),
    ("image_file", [1], "text"),
    ("owner_name", [1], "text"),
    ("owner_email", [1], "text"),
    ("guid", [1], "text"),
    ("explicit", "no", "true or false"),
    ("locked", [True], "true or false"),
    ("digits", ["western"], "text"),
]


@pytest.mark.parametrize(("name", "value", "expected"), WRONG_SHAPES)
def test_a_value_of_the_wrong_shape_names_the_setting(name: str, value: Any, expected: str) -> None:
    with pytest.raises(FeedValueError) as raised:
        ShowSettings(**{**BASE, name: value})
    message = str(raised.value)
    assert f"the show's {name} must be {expected}" in message, message
    assert "\n" not in message


def test_digits_is_one_of_two_forms() -> None:
    assert ShowSettings(**BASE).digits == "arabic-indic"
    assert ShowSettings(**BASE, digits="western").digits == "western"
    with pytest.raises(FeedValueError, match="digits must be arabic-indic or western"):
        ShowSettings(**BASE, digits="roman")

"""Dark by default at night: after 20:00 local time the app turns dark even when the phone is
set to light; by day it follows the phone; a choice made in Settings wins over both."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from .browser_support import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _theme_at(browser: Any, server: Any, hour: int, scheme: str, choice: str | None) -> str:
    context = browser.new_context(
        base_url=server.url, color_scheme=scheme, viewport=PHONE, timezone_id="Europe/London"
    )
    if choice:
        context.add_init_script(f"localStorage.setItem('crampwise-theme', '{choice}')")
    page = context.new_page()
    page.clock.set_fixed_time(datetime(2026, 11, 25, hour, 30))
    page.goto("/login")
    theme = page.evaluate(
        "() => document.documentElement.classList.contains('dark') ? 'dark' : 'light'"
    )
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    context.close()
    # The palette really changes, not only the class.
    assert (background == "rgb(15, 20, 32)") == (theme == "dark"), background
    return str(theme)


@pytest.mark.parametrize(
    ("hour", "scheme", "choice", "expected"),
    [
        (22, "light", None, "dark"),  # night rule
        (3, "light", None, "dark"),
        (14, "light", None, "light"),  # by day: follow the phone
        (14, "dark", None, "dark"),
        (22, "light", "light", "light"),  # the user's choice wins
        (14, "light", "dark", "dark"),
    ],
)
def test_theme_follows_the_night(
    browser: Any, server: Any, hour: int, scheme: str, choice: str | None, expected: str
) -> None:
    assert _theme_at(browser, server, hour, scheme, choice) == expected

"""The keyboard's tooltips (issue 19 item 7): on every training page and Compare, the Play,
Step and Reset buttons say which key presses them (static/live/keys.js does the pressing; the
browser side is tested in tests/test_browser_keys.py)."""
from __future__ import annotations

import pytest
from test_app_pages import PAGES, open_page

PAGES = {**PAGES, "compare": "app_pages/compare.py"}
WANT = {"_play": "Key: Space.", "_step": "Key: → or Page Down", "_reset": "Key: R."}


@pytest.mark.parametrize("page", list(PAGES))
def test_play_step_reset_tooltips_name_their_keys(page, monkeypatch):
    monkeypatch.setitem(__import__("test_app_pages").PAGES, page, PAGES[page])
    at = open_page(page)
    for suffix, words in WANT.items():
        help_text = at.button(key=f"{page}.{suffix}").help
        assert words in help_text, (page, suffix, help_text)
    assert "Key" not in (at.button(key=f"{page}._epoch").help if page != "compare" else "")  # no key for it

"""Projector mode: the switch, what it changes on the page (AppTest), and in a real browser at
1024 x 768 (sidebar folded away, larger text, picture and key numbers; Play still animates)."""
from __future__ import annotations

import pytest
from test_app_pages import open_page, texts

from ui.projector import ROOT_FONT_PX


def styles(at) -> str:
    return "\n".join(str(h.proto.body) for h in at.get("html"))


@pytest.mark.parametrize("page", ["xor", "mnist"])
def test_switch_on_and_off(page):
    at = open_page(page)
    intro = "opposite corners" if page == "xor" else "Real handwriting"
    assert intro in texts(at) and f"font-size: {ROOT_FONT_PX}px" not in styles(at)
    assert not [b for b in at.button if b.key == "leave_projector"]
    at.toggle(key="projector").set_value(True).run()
    assert not at.exception
    assert f"font-size: {ROOT_FONT_PX}px" in styles(at)
    assert intro not in texts(at)                     # the picture gets the room
    assert lab_steps(at, page) == 0
    at.button(key=f"{page}._step").click().run()      # the page still works
    assert lab_steps(at, page) == 1
    at.button(key="leave_projector").click().run()
    assert at.toggle(key="projector").value is False
    assert intro in texts(at) and f"font-size: {ROOT_FONT_PX}px" not in styles(at)
    assert lab_steps(at, page) == 1                   # nothing lost


def lab_steps(at, page):
    return at.session_state[f"{page}._lab"].step


def test_compare_puts_the_note_under_the_pictures():
    at = open_page(None)
    at.switch_page("app_pages/compare.py").run()
    at.toggle(key="projector").set_value(True).run()
    assert not at.exception and "What to watch" in texts(at)
    assert "Two to four settings" not in texts(at)

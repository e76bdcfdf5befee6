"""Every student's device: what the page needs beyond Streamlit's defaults for a keyboard, a
screen reader, low vision and a phone. One style sheet, sent once per run by app.py; the live
view's own part is in static/live/ (a11y.js, live.css).

Each rule below fixes something axe-core or a person at 390 x 844 found (tests/test_browser_a11y.py):

* Captions: Streamlit draws them in the text colour at 60 % opacity, #797b7e on white (4.24:1,
  below WCAG AA's 4.5:1). They get a solid grey, fully opaque: 6.5:1 on white, 6.0:1 on the
  sidebar.
* A folded sidebar: Streamlit slides it off screen (translateX) but leaves its ~40 controls in
  the Tab order, so a keyboard user walks through invisible settings (projector mode folds it
  for the whole session). `visibility: hidden` takes them out of the Tab order and the
  accessibility tree (forced on its descendants too: the help buttons set their own
  visibility); it switches only after the 300 ms slide, so the animation stays.
* Touch targets of at least 24 x 24 CSS px (WCAG 2.2 SC 2.5.8): the slider thumb is 12 px; a
  transparent border makes its box 24 px while the dot keeps its size. The "?" help buttons
  (16 px), the tabs' scroll arrows (20 px) and the toggles' labels (21 px) get 24 px boxes.
* Displayed maths: KaTeX's block scrolls sideways when it is wider than its column; its box was
  1-2 px narrower and shorter than the formula's last glyph and fractions, which made it a
  scrollable region that a keyboard cannot reach (axe "scrollable-region-focusable"). A little
  padding lets the formula fit.
"""
from __future__ import annotations

import streamlit as st

CAPTION_GREY = "#5a5e66"  # 6.5:1 on white, 6.0:1 on the sidebar's #f4f6f9

CSS = f"""<style>
[data-testid='stCaptionContainer'] {{ color: {CAPTION_GREY}; opacity: 1; }}
section[data-testid='stSidebar'][data-collapsed='true'] {{ visibility: hidden;
  transition: transform 300ms, min-width 300ms, max-width 300ms, visibility 0s linear 300ms; }}
section[data-testid='stSidebar'][data-collapsed='true'] * {{ visibility: hidden !important;
  transition: visibility 0s linear 300ms !important; }}
[data-testid='stSlider'] div:has(> [data-testid='stSliderThumbValue']) {{
  box-sizing: content-box; border: 6px solid transparent; background-clip: padding-box; }}
[data-testid='stTooltipIcon'] button, [data-testid='stTabsScrollLeft'], [data-testid='stTabsScrollRight'] {{
  min-width: 24px; min-height: 24px; display: inline-flex; align-items: center; justify-content: center; }}
label[data-baseweb='checkbox'] {{ min-height: 24px; align-items: center; }}
.katex-display {{ padding: 0.25em 0.3em; }}
</style>"""


def apply() -> None:
    """The style sheet above (an element that takes no room on the page)."""
    st.html(CSS)

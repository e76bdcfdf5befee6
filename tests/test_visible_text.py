"""No page shows raw LaTeX: every `_{`, `\\frac`, ... a visitor could read sits inside math that
is rendered ($...$ in markdown, st.latex). Walks every page through AppTest, every tab and
expander included (AppTest builds their contents too), with a trained net so the step-dependent
texts are there. The browser's view of the same (live view included): test_browser_lessons.py."""
from __future__ import annotations

import re

import pytest
from streamlit.testing.v1.element_tree import Html, Latex

from test_app_pages import open_page

# LaTeX that means nothing to a reader when it is not typeset
MARKERS = ("_{", "^{", "\\frac", "\\delta", "\\partial", "\\sum", "\\top", "\\odot", "\\cdot", "\\times",
           "\\hat", "\\log", "\\sigma", "\\eta", "\\mathbf", "\\text", "\\leftarrow", "\\big", "\\qquad")
MATH = re.compile(r"\$\$.+?\$\$|(?<!\\)\$.+?(?<!\\)\$", re.S)


def raw_latex(text: str) -> list[str]:
    """The LaTeX markers left once the math spans ($...$, $$...$$) are taken out, with context."""
    outside = MATH.sub(" ", text)
    return [outside[max(0, i - 30):i + 30] for m in MARKERS for i in [outside.find(m)] if i >= 0]


def visible_texts(node) -> list[str]:
    """Every string a visitor can read in the element tree below ``node`` (labels, help, values),
    except st.latex (typeset) and st.html (styles and scripts)."""
    out = []
    if isinstance(node, (Latex, Html)):
        return out
    for attr in ("value", "label", "help", "placeholder", "body"):
        try:
            v = getattr(node, attr, None)
        except Exception:  # noqa: BLE001 - some nodes compute these from protos that lack them
            v = None
        if isinstance(v, str):
            out.append(v)
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            out += visible_texts(child)
    return out


def test_the_marker_finder_can_fail():
    assert raw_latex("W_l is n_{l−1} × n_l")
    assert raw_latex(r"a \frac{1}{N} b")
    assert not raw_latex(r"rendered: $W_{l+1}^{\top}$ and $$\frac{1}{N}$$, plain Wₗ₊₁ᵀ")


PAGES = [None, "lessons", "xor", "circles", "more2d", "mnist", "compare"]


@pytest.mark.parametrize("page", PAGES, ids=[p or "intro" for p in PAGES])
def test_no_page_shows_raw_latex(page):
    if page in ("lessons", "compare"):
        at = open_page(None)
        at.switch_page(f"app_pages/{page}.py").run()
    else:
        at = open_page(page)
    if page not in (None, "lessons"):
        at.button(key=f"{page}._step").click().run()   # step-dependent texts (ledger, checks) too
    assert not at.exception, [e.value for e in at.exception]
    texts = visible_texts(at._tree)
    assert texts, "nothing read from the page"
    bad = [(t[:60], hits) for t in texts for hits in [raw_latex(t)] if hits]
    assert not bad, bad

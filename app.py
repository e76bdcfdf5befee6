"""Backprop playground: `streamlit run app.py`.

Only navigation and the shared sidebar live here; each page is a thin file in app_pages/.
(Not "pages/": Streamlit treats a folder named pages/ next to the entry script as a legacy
multipage app until st.navigation first runs, so a cold server's first deep link, e.g. a
shared /xor URL, would run the page file without this script and its sidebar.)
"""
import ui.blas  # noqa: F401  (first: one BLAS thread in the server process, see ui/blas.py)
import ui.memory  # noqa: F401  (one malloc arena: freed activations are reused, see ui/memory.py)
import streamlit as st

from ui import a11y, hiding, projector, sidebar, state
from ui.config import PAGE_FILES, PAGE_TITLES

st.set_page_config(page_title="Backprop playground", page_icon="🧮", layout="wide",
                   initial_sidebar_state=projector.sidebar_state())

PAGES = {  # url path -> (file, title, icon, training-page id)
    "": ("app_pages/intro.py", "Start here", ":material/school:", None),
    "lessons": ("app_pages/lessons.py", "Lessons", ":material/menu_book:", None),
    "xor": (PAGE_FILES["xor"], PAGE_TITLES["xor"], ":material/close:", "xor"),
    "circles": (PAGE_FILES["circles"], PAGE_TITLES["circles"], ":material/radio_button_checked:", "circles"),
    "more-2d": (PAGE_FILES["more2d"], PAGE_TITLES["more2d"], ":material/scatter_plot:", "more2d"),
    "mnist": (PAGE_FILES["mnist"], PAGE_TITLES["mnist"], ":material/draw:", "mnist"),
    "regression": (PAGE_FILES["regression"], PAGE_TITLES["regression"], ":material/gradient:", "regression"),
    "curve-fitting": (PAGE_FILES["curve"], PAGE_TITLES["curve"], ":material/show_chart:", "curve"),
    "compare": ("app_pages/compare.py", "Compare", ":material/compare:", None),
    "playground": ("app_pages/playground.py", "TensorFlow Playground link", ":material/link:", None),
}
HIDDEN_PAGES = ("playground",)  # reached by address only (ui/tfpg_view.py), not in the menu

# Less empty space above the title (the playground is often projected on a small screen).
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.2rem}</style>")
a11y.apply()  # keyboard, screen reader, contrast and phone fixes (ui/a11y.py)

nav = st.navigation([st.Page(f, title=t, icon=i, url_path=p or None, default=not p,
                             visibility="hidden" if p in HIDDEN_PAGES else "visible")
                     for p, (f, t, i, _) in PAGES.items()])
page = PAGES.get(nav.url_path, (None, None, None, None))[3]
state.set_current_page(page or nav.url_path or None)
projector.switch()
projector.apply(nav.url_path)
if page:
    state.init_page(page)
    sidebar.render(page)
    hiding.apply(page)
nav.run()

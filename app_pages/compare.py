"""Compare: side-by-side runs (ui/page_compare.py)."""
from ui import page_compare

page_compare.render()

"""Circles: one class inside a ring of the other."""
from ui import page2d

page2d.render("circles")

"""Lessons: ready-made classroom scenarios (ui/lessons.py)."""
from ui import lessons

lessons.render()

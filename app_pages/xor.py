"""XOR: four quadrants, opposite corners share a class."""
from ui import page2d

page2d.render("xor")

"""More 2-D sets: moons, two spirals, Gaussian blobs."""
from ui import page2d

page2d.render("more2d")

"""Curve fitting: y = f(x) with a 1-1 network, each hidden unit's share of the curve."""
from ui import page_curve

page_curve.render("curve")

"""Regression: TensorFlow Playground's plane and multi-Gaussian, the predicted value as colour."""
from ui import page2d

page2d.render("regression")

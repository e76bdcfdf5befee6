"""MNIST subsets: real handwritten digits."""
from ui import page_mnist

page_mnist.render()

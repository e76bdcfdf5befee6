"""/playground?<a TensorFlow Playground link's part after #>: opens its page here (ui/tfpg_view.py)."""
from ui import tfpg_view

tfpg_view.landing()

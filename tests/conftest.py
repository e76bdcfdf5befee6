"""Tests see full exception details (the app's config hides them from visitors)."""
from streamlit import config

config.set_option("client.showErrorDetails", "full")

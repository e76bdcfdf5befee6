"""Optional test oracles (torch): skipped where not installed, except in CI, which sets
BACKPROP_REQUIRE_ALL=1 so that a missing oracle fails the run instead of skipping silently."""
from __future__ import annotations

import importlib
import os

import pytest


def oracle(module: str):
    if os.environ.get("BACKPROP_REQUIRE_ALL") == "1":
        return importlib.import_module(module)  # ImportError: CI fails, loudly
    return pytest.importorskip(module)

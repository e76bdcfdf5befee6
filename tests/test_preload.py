"""ui/preload.py: the scikit-learn modules the engine imports lazily are imported by the first
dataset load, in one go (sessions starting together after a server restart raced inside
scikit-learn's circular package imports and got ImportError)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_lazy_sklearn_import_is_preloaded_by_the_first_dataset_load():
    lazy = set()
    for f in list((ROOT / "engine").glob("*.py")) + list((ROOT / "ui").glob("*.py")):
        lazy |= set(re.findall(r"^\s+from (sklearn[\w.]*) import|^\s+import (sklearn[\w.]*)", f.read_text(), re.M))
    mods = sorted({a or b for a, b in lazy})
    assert "sklearn.model_selection" in mods and "sklearn.metrics" in mods, mods
    code = ("import sys, ui.blas, ui.state\n"
            "from ui.config import PAGE_DEFAULTS\n"
            "assert 'sklearn' not in sys.modules\n"
            "ui.state.load_data(PAGE_DEFAULTS['xor'])\n"
            f"print([m for m in {mods!r} if m not in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-1500:]
    assert out.stdout.strip() == "[]", out.stdout

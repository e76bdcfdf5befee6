"""The README's promises: its first two commands are the app and the test command CI runs, and
its engine example runs as written."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_the_first_two_blocks_are_the_setup_commands_and_ci_runs_the_second():
    blocks = re.findall(r"```bash\n(.*?)```", README, re.S)
    assert blocks[0].strip() == "pip install -r requirements.txt && streamlit run app.py"
    assert "pytest" in blocks[1]
    assert blocks[1].strip() in (ROOT / ".ci" / "run").read_text()


def test_the_engine_example_runs(capsys):
    code = re.findall(r"```python\n(.*?)```", README, re.S)[0]
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "gamma1" in out and "True" in out

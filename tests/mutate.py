"""The project's mutation check: every listed bug, put into a copy of the code, must fail the suite.

    python tests/mutate.py              # every mutant, each against the whole suite (stops at the
                                        # first failing test: a killed mutant usually costs seconds)
    python tests/mutate.py --list       # the mutants
    python tests/mutate.py --only bn_momentum,loss_ref_not_saved

Why: a test that cannot fail proves nothing. Each mutant below is a small, realistic bug (the
kind a student or a tired maintainer writes); it is applied as an exact text replacement to a
fresh copy of the tracked files (git ls-files), so the working tree is never touched. The
script exits 1 and names every mutant the suite let pass ("survived"), or whose text no longer
matches the code (then update the mutant with the code it guards).

Not a test module (pytest collects test_*.py only): it runs the suite many times. Run it before
every stop (README, "Mutation check").
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutant:
    name: str   # short id, used by --only
    path: str   # file relative to the repository root
    old: str    # exact text, must occur exactly once in the file
    new: str    # what it becomes
    why: str    # the bug in words


# Add mutants here (engine and UI alike). Keep `old` short but unique in its file.
MUTANTS: list[Mutant] = [
    Mutant("bn_momentum", "engine/layers.py", "BN_MOMENTUM = 0.1", "BN_MOMENTUM = 0.3",
           "BatchNorm's running statistics weight the new batch by 0.3 instead of torch's 0.1"),
]


def tracked_copy(dest: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def apply(m: Mutant, tree: Path) -> str | None:
    """Apply the mutant in ``tree``; -> None, or why it could not be applied."""
    f = tree / m.path
    if not f.is_file():
        return f"{m.path} does not exist"
    text = f.read_text()
    n = text.count(m.old)
    if n != 1:
        return f"its text occurs {n} times in {m.path} (must be exactly once)"
    f.write_text(text.replace(m.old, m.new))
    return None


def run_suite(tree: Path, pytest_args: list[str]) -> tuple[int, str]:
    env = dict(os.environ, BACKPROP_REQUIRE_BROWSER="1", BACKPROP_REQUIRE_ALL="1", PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *pytest_args],
                          cwd=tree, env=env, capture_output=True, text=True)
    lines = [l for l in proc.stdout.splitlines() if l.startswith(("FAILED", "ERROR"))]
    return proc.returncode, (lines[0] if lines else proc.stdout.strip().splitlines()[-1:] or [""])[0]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--only", default="", help="comma-separated mutant names")
    ap.add_argument("pytest_args", nargs="*", help="extra pytest arguments (e.g. a test path)")
    args = ap.parse_args(argv)
    mutants = MUTANTS
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {m.name for m in MUTANTS}
        if unknown:
            ap.error(f"unknown mutant(s): {', '.join(sorted(unknown))}")
        mutants = [m for m in MUTANTS if m.name in wanted]
    if args.list:
        for m in mutants:
            print(f"{m.name:32s} {m.path:28s} {m.why}")
        return 0
    bad = []
    for m in mutants:
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
            tree = Path(tmp)
            tracked_copy(tree)
            problem = apply(m, tree)
            if problem:
                print(f"STALE     {m.name}: {problem}", flush=True)
                bad.append(m.name)
                continue
            code, first = run_suite(tree, args.pytest_args)
        took = time.monotonic() - t0
        if code == 1:
            print(f"killed    {m.name} ({took:.0f} s): {first}", flush=True)
        elif code == 0:
            print(f"SURVIVED  {m.name} ({took:.0f} s): {m.why}", flush=True)
            bad.append(m.name)
        else:
            print(f"ERROR     {m.name} ({took:.0f} s): pytest exit {code}: {first}", flush=True)
            bad.append(m.name)
    print(f"{len(mutants) - len(bad)} of {len(mutants)} mutants killed" + (f"; not killed: {', '.join(bad)}" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

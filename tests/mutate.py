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
    # --- UI mutants ---
    Mutant("curves_version_only", "static/live/curves.js",
           "if (hist === this.drawnHist && hist.version === this.drawn) return;",
           "if (hist.version === this.drawn) return;",
           "the charts skip a full frame's new History (its version restarts at 1): Step never draws the curves"),
    Mutant("full_frame_without_hist", "ui/frames.py", "records = _thinned(tr.history, FULL_HISTORY)",
           "records = []", "a full frame (every click: Step, Reset, a lesson) carries no history for the charts"),
    Mutant("rerun_pending_unknown_true", "ui/st_internals.py",
           "Play would look frozen\n        return None", "Play would look frozen\n        return True",
           "a request state rerun_pending does not know counts as a waiting Pause: every frame's steps undone"),
    Mutant("projector_not_kept", "ui/projector.py", 'key=KEY, persist_state="session",', "key=KEY,",
           "the projector toggle is not kept for the session: a lesson's page opens at normal size"),
    Mutant("projector_sidebar_not_folded", "ui/projector.py",
           "if (b && !d.querySelector", "if (false && b && !d.querySelector",
           "opening a page in projector mode never folds a sidebar the teacher opened"),
    Mutant("leave_button_over_charts", "ui/projector.py", "position: fixed; left: 4rem; top: 0.55rem;",
           "position: fixed; right: 1rem; bottom: 0.8rem;",
           "'Leave projector mode' floats at the bottom right again, over the charts"),
    Mutant("lesson_box_omitted", "ui/page2d.py", "    lessons.box(page, lab)\n", "",
           "the 2-D pages never show the open lesson's watch / ask / you-should-see box"),
    Mutant("lesson_keeps_old_steps", "ui/state.py", "        lab(page).reset()  # a lesson starts at step 0",
           "        lab(page).playing = False  # a lesson starts at step 0",
           "a lesson whose settings are the page's own continues the old run instead of starting at step 0"),
    Mutant("boundary_colour_flipped", "static/live/net.js", "cls = p1 > 0.5 ? 1 : 0;", "cls = p1 > 0.5 ? 0 : 1;",
           "the decision field paints each side in the other class's colour"),
    Mutant("boundary_stray_line", "static/live/boundary.js", "ctx.strokeStyle = '#222222d9';",
           "ctx.moveTo(0, 0); ctx.lineTo(S, S * 0.1); ctx.strokeStyle = '#222222d9';",
           "the line canvas gets ink where the engine has no boundary"),
    Mutant("heatmap_transposed", "static/live/heatmaps.js",
           "for (let i = 0; i < rows * cols; i++) put(image.data, i, w[i]);",
           "for (let i = 0; i < rows * cols; i++) put(image.data, i, w[(i % cols) * rows + Math.floor(i / cols)]);",
           "the weight heatmap reads W column-major: cells show the wrong weights"),
    Mutant("status_step_off_by_one", "static/live/main.js", "const values = [s.step.toLocaleString('en-US'),",
           "const values = [(s.step + 1).toLocaleString('en-US'),", "the status line shows one step more than the run"),
    Mutant("dead_units_not_said", "ui/controls.py", "    if dead:\n", "    if False:\n",
           "after a collapse the page does not say the ReLU units are dead"),
    Mutant("bad_latex_caption", "app_pages/intro.py", r"$W_l$ is $n_{l-1} \times n_l$", "W_l is n_{l-1} x n_l",
           "Start here shows raw LaTeX again"),
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

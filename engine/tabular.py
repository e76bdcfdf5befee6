"""Your own 2-D data from a CSV file: two numeric feature columns and one label column.

The label column is the one named label / class / y / target (any case), else the last
column; labels may be numbers or words (2 to 10 classes, at least 2 rows each, so the
stratified split can keep every class in both parts). Each feature is rescaled to [-1, 1]
(min-max), the range the network's initial weights expect. Every problem is a ValueError
with a sentence that says what to fix — never a parser traceback.
"""
from __future__ import annotations

import csv
import io

import numpy as np

from .checks import check_int, check_real
from .datasets import Dataset, _bounds, _split

LABEL_NAMES = ("label", "class", "y", "target")
MAX_ROWS = 5000
MAX_BYTES = 2_000_000
MAX_LINE_CHARS = 256   # a row is two numbers and a label: a few dozen characters
MAX_COLUMNS = 16


def _measure(text: str, max_rows: int, max_line: int, max_columns: int) -> None:
    """Refuse a file too long or too wide *before* pandas parses it: pandas makes one object
    per column, so a 1.5 MB header of commas (1.5 million columns) took 265 s and 1.75 GB."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > max_rows + 1:
        raise ValueError(f"CSV: {len(lines) - 1:,} rows; at most {max_rows:,} are accepted (the boundary is "
                         f"redrawn live).")
    long = next((i for i, line in enumerate(lines) if len(line) > max_line), None)
    if long is not None:
        raise ValueError(f"CSV: line {long + 1} has {len(lines[long]):,} characters; a row of two numeric columns "
                         f"and a label has at most {max_line} (and {max_columns} columns).")
    try:  # the header's columns, split as pandas will split them (its sniffer, on the first line)
        columns = len(next(csv.reader([lines[0]], csv.Sniffer().sniff(lines[0]))))
    except (csv.Error, StopIteration):
        return  # pandas will say it cannot read the table
    if columns > max_columns:
        raise ValueError(f"CSV: the header has {columns} columns; this page reads two feature columns and a label "
                         f"(at most {max_columns} columns).")


def read_points_csv(data: bytes | str, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS,
                    max_columns: int = MAX_COLUMNS, max_line: int = MAX_LINE_CHARS):
    """CSV text -> (X (N, 2) float64 in the file's units, labels (N,) object, feature names,
    label name). The sizes are checked before the text is parsed."""
    import pandas as pd

    if isinstance(data, bytes):
        if len(data) > max_bytes:
            raise ValueError(f"CSV: the file has {len(data) / 1e6:.1f} MB; at most {max_bytes / 1e6:g} MB "
                             f"({max_rows:,} rows) are accepted.")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("CSV: the file is not UTF-8 text; save it as “CSV UTF-8” and upload again.") from None
    if not data.strip():
        raise ValueError("CSV: the file is empty.")
    _measure(data, max_rows, max_line, max_columns)
    try:
        # sep=None sniffs commas, semicolons or tabs (spreadsheets in many locales use ';')
        df = pd.read_csv(io.StringIO(data), sep=None, engine="python", skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError, ValueError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"CSV: could not read the file as a table ({first}). Expected a header row and "
                         f"three columns, like “x1,x2,label”.") from None
    df.columns = [str(c).strip() for c in df.columns]
    if df.shape[1] < 3:
        raise ValueError(f"CSV: found {df.shape[1]} column(s) ({', '.join(df.columns)}); expected two feature "
                         f"columns and one label column, like “x1,x2,label”.")
    label_col = next((c for c in df.columns if c.lower() in LABEL_NAMES), df.columns[-1])
    features = [c for c in df.columns if c != label_col]
    if len(features) != 2:
        raise ValueError(f"CSV: this page is 2-D, so it needs exactly two feature columns besides the label "
                         f"“{label_col}”; found {len(features)} ({', '.join(features[:6])}"
                         f"{', …' if len(features) > 6 else ''}).")
    n = len(df)
    if n < 8:
        raise ValueError(f"CSV: only {n} data row(s); at least 8 are needed to train and test.")
    if n > max_rows:
        raise ValueError(f"CSV: {n:,} rows; at most {max_rows:,} are accepted (the boundary is redrawn live).")
    X = np.empty((n, 2))
    for j, c in enumerate(features):
        col = pd.to_numeric(df[c], errors="coerce")
        bad = np.flatnonzero(~np.isfinite(col.to_numpy(dtype=np.float64)))
        if len(bad):
            i = int(bad[0])
            raw = df[c].iloc[i]
            shown = "an empty cell" if pd.isna(raw) else repr(str(raw)[:30])
            raise ValueError(f"CSV: column “{c}” needs numbers, but row {i + 2} of the file has {shown}" + (f" (and {len(bad) - 1} more rows)" if len(bad) > 1 else "")
                             + ". Fix or delete those rows.")
        X[:, j] = col.to_numpy(dtype=np.float64)
    labels = df[label_col]
    missing = np.flatnonzero(labels.isna().to_numpy())
    if len(missing):
        raise ValueError(f"CSV: the label column “{label_col}” is empty in row {int(missing[0]) + 2} of the file"
                         + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "") + ".")
    return X, labels.astype(str).str.strip().to_numpy(dtype=object), features, label_col


def csv_dataset(data: bytes | str, test_fraction: float = 0.2, seed: int = 0, name: str = "csv",
                max_classes: int = 10, **limits) -> Dataset:
    """A Dataset from CSV text (see the module docstring): features rescaled to [-1, 1],
    classes sorted by name and numbered 0..k-1, stratified train/test split. ``limits``:
    read_points_csv's max_bytes, max_rows, max_columns, max_line."""
    test_fraction = check_real("test_fraction", test_fraction, low=0.0, high=0.9)
    seed = check_int("seed", seed, 0)
    X, labels, features, label_col = read_points_csv(data, **limits)
    names, y = np.unique(labels, return_inverse=True)
    if len(names) < 2:
        raise ValueError(f"CSV: the label column “{label_col}” has only one class ({names[0]!r}); "
                         f"a classifier needs at least two.")
    if len(names) > max_classes:
        raise ValueError(f"CSV: the label column “{label_col}” has {len(names)} different values; at most "
                         f"{max_classes} classes are supported (is “{label_col}” really the label?).")
    counts = np.bincount(y)
    if test_fraction > 0 and counts.min() < 2:
        rare = names[int(np.argmin(counts))]
        raise ValueError(f"CSV: class {rare!r} has only {counts.min()} row; every class needs at least 2 so "
                         f"that both the training and the test part contain it.")
    lo, hi = X.min(axis=0), X.max(axis=0)
    # computed on halves: hi - lo of ±1e308 overflows to inf (and inf / inf is NaN), while
    # hi/2 - lo/2 cannot; halving is exact, so ordinary files get the same numbers bit for bit
    span = np.where(hi > lo, hi / 2 - lo / 2, 1.0)
    Xs = 2 * ((X / 2 - lo / 2) / span) - 1
    if test_fraction > 0 and round(len(y) * test_fraction) < len(names):
        raise ValueError(f"CSV: a test fraction of {test_fraction:g} leaves fewer test rows than classes; "
                         f"raise the test fraction or add rows.")
    Xtr, Xte, ytr, yte = _split(Xs, y.astype(np.intp), test_fraction, seed)
    ranges = ", ".join(f"{f} ∈ [{a:g}, {b:g}]" for f, a, b in zip(features, lo, hi))
    return Dataset(name, Xtr, ytr, Xte, yte, len(names), [str(c) for c in names], bounds=_bounds(Xs),
                   description=f"Your CSV: {len(y)} rows; {ranges}, each rescaled to [−1, 1].",
                   meta={"features": features, "label": label_col, "ranges": (lo.tolist(), hi.tolist())})


__all__ = ["MAX_ROWS", "csv_dataset", "read_points_csv"]

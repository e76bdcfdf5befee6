"""Reading a saved run's .npz when it may come from anyone: the arrays a caller names, each
.npy header (shape x item size) checked against a byte budget *before* its data is read.

Why not ``np.load``: it reads whatever the zip holds, as big as its headers say. A .npz is a
zip of .npy files, and zip compresses zeros ~1000-fold: a 460 KB file can unpack to 480 MB,
and a 5 KB one can name a shape of any size. So this reader

1. looks at the zip's end record first: how many members, how big its directory is (a
   directory of 100,000 empty members costs memory just to list);
2. adds up what every member says it unpacks to (zipfile never reads past that size);
3. reads an array's 10-byte magic and its header (dtype, shape) only, checks them, and only
   then reads the data -- never a pickle (object arrays are refused).

Used by engine.export; every problem is a ValueError with a sentence.
"""
from __future__ import annotations

import io
import lzma
import math
import struct
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np
from numpy.lib import format as npy


@dataclass(frozen=True)
class Budget:
    """What reading one run file may cost. None = no limit (your own files, in Python)."""

    array_bytes: int | None = None     # all the arrays read, from their headers
    settings_bytes: int = 1_000_000    # the settings array (JSON as a unicode string)
    members: int = 1024                # zip members


NO_LIMIT = Budget()
# what reading a damaged, encrypted or strangely compressed member can raise, from zipfile,
# zlib / lzma / bz2 (OSError) and numpy's header parser
_READ_ERRORS = (ValueError, SyntaxError, TypeError, EOFError, OSError, RuntimeError, NotImplementedError,
                struct.error, zlib.error, lzma.LZMAError, zipfile.BadZipFile)
_EOCD = b"PK\x05\x06"          # zip "end of central directory" record
_ZIP64_LOCATOR = b"PK\x06\x07"  # precedes it in a zip64 file (never written by np.savez)


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


class RunArchive:
    """The members of a run file's zip, read on request within a ``Budget``."""

    def __init__(self, raw: bytes, budget: Budget = NO_LIMIT):
        self.budget = budget
        self._check_end_record(raw)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(raw))
            infos = self.zip.infolist()
        except _READ_ERRORS as exc:
            raise ValueError(f"it is not a zip archive ({type(exc).__name__}: {exc}).") from None
        self.members = {i.filename.removesuffix(".npy"): i for i in infos}
        declared = sum(i.file_size for i in infos)
        most = (budget.array_bytes + budget.settings_bytes + 256 * len(infos)
                if budget.array_bytes is not None else None)
        if most is not None and declared > most:
            raise ValueError(f"its arrays unpack to {_mb(declared)}, more than a saved run of this app can hold "
                             f"({_mb(most)}).")
        self.read_bytes = 0

    def _check_end_record(self, raw: bytes) -> None:
        # zipfile trusts the directory's own size; check it and the member count first
        at = raw.rfind(_EOCD, max(0, len(raw) - 65_557))
        if at < 0 or len(raw) < at + 22:
            raise ValueError("it is not a zip archive (no end record).")
        # after the signature: disk numbers (2 x 2 bytes), entries here / in all, directory size, ...
        _, _, _, total, cd_size, _, _ = struct.unpack_from("<HHHHLLH", raw, at + 4)
        if raw[max(0, at - 20):at].startswith(_ZIP64_LOCATOR) or total == 0xFFFF or cd_size == 0xFFFFFFFF:
            raise ValueError("it is a zip64 archive, which save_run never writes.")
        if total > self.budget.members or cd_size > self.budget.members * 400:
            raise ValueError(f"its zip has {total:,} members ({cd_size:,} bytes of directory); a saved run has at "
                             f"most {self.budget.members}.")

    def __contains__(self, name: str) -> bool:
        return name in self.members

    def header(self, name: str) -> tuple[tuple, np.dtype]:
        """(shape, dtype) of member ``name`` from its .npy header, without reading its data."""
        with self.zip.open(self.members[name]) as f:
            try:
                version = npy.read_magic(f)
                if version == (1, 0):
                    shape, _, dtype = npy.read_array_header_1_0(f)
                elif version == (2, 0):
                    shape, _, dtype = npy.read_array_header_2_0(f)
                else:
                    raise ValueError(f"npy format version {version}")
            except _READ_ERRORS as exc:
                raise ValueError(f"its array “{name}” has no readable header ({type(exc).__name__}).") from None
        return tuple(shape), dtype

    def array(self, name: str, shape: tuple | None = None, kinds: str = "f", dtype=None,
              ndim: int | None = None) -> np.ndarray:
        """Member ``name`` as an array, after checking its header: dtype kind in ``kinds`` ("f"
        float, "i"/"u" integer, "U" text), exact ``dtype`` / ``shape`` / ``ndim`` when given,
        and its bytes within what is left of the budget. KeyError if the member is missing."""
        got, dt = self.header(name)
        if dt.hasobject or dt.kind not in kinds or (dtype is not None and dt != np.dtype(dtype)):
            want = np.dtype(dtype).name if dtype is not None else {"f": "floats", "iu": "whole numbers",
                                                                  "U": "text"}.get(kinds, kinds)
            raise ValueError(f"its array “{name}” holds {dt} values where the format has {want}.")
        if (shape is not None and got != tuple(shape)) or (ndim is not None and len(got) != ndim):
            raise ValueError(f"its array “{name}” has shape {got}, but its settings make it "
                             f"{tuple(shape) if shape is not None else f'{ndim}-dimensional'}.")
        nbytes = math.prod(got) * dt.itemsize
        limit = self.budget.settings_bytes if kinds == "U" else self.budget.array_bytes
        if limit is not None and (nbytes > limit or (kinds != "U" and self.read_bytes + nbytes > limit)):
            raise ValueError(f"its array “{name}” {got} needs {_mb(nbytes)}; a saved run of this app holds at most "
                             f"{_mb(limit)} of {'settings' if kinds == 'U' else 'arrays'}.")
        with self.zip.open(self.members[name]) as f:
            try:
                a = npy.read_array(f, allow_pickle=False)
            except _READ_ERRORS as exc:
                raise ValueError(f"its array “{name}” is damaged ({type(exc).__name__}).") from None
        if kinds != "U":
            self.read_bytes += nbytes
        return a


__all__ = ["Budget", "NO_LIMIT", "RunArchive"]

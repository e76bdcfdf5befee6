"""One BLAS thread in the server process, set at run time (imported first by app.py).

It must hold wherever the app is launched, Community Cloud included, where nobody sets
OPENBLAS_NUM_THREADS. The engine's matrices are small: a second OpenBLAS thread only spins
idle beside Streamlit, and that cost two thirds of the server's CPU per frame (measured while
XOR played: 44-55 ms per frame with the default threads, 12 ms with one). The environment
variables cover libraries loaded later (SciPy's own OpenBLAS, OpenMP); threadpoolctl limits
the ones already loaded (NumPy's). Runs once per process: modules are imported once.
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy  # noqa: E402,F401  (load NumPy's BLAS so that threadpoolctl finds it)
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

threadpool_limits(1)


def blas_threads() -> list[int]:
    """The thread count of every loaded BLAS / OpenMP pool (for tests and benchmarks)."""
    return [p["num_threads"] for p in threadpool_info()]

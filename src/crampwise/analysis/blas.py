"""Run NumPy's OpenBLAS on one thread while the many small trigger fits run.

Trigger discovery multiplies small matrices (a few thousand rows by tens of columns)
hundreds of times. OpenBLAS's worker threads only contend there: on this 2-core machine a
two-year diary took 0.10 s on one thread and 2.2 s on two threads when the machine was busy.
This is what threadpoolctl does, without the dependency; if the library cannot be found the
block simply runs with the threads it has.
"""

from __future__ import annotations

import ctypes
import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["single_threaded_blas"]

_SYMBOLS = (
    ("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
    ("scipy_openblas_get_num_threads", "scipy_openblas_set_num_threads"),
    ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
    ("openblas_get_num_threads", "openblas_set_num_threads"),
)


@functools.cache
def _controls() -> tuple[Callable[[], int], Callable[[int], None]] | None:
    """The get/set thread functions of the OpenBLAS NumPy loaded, when there is one."""
    import numpy

    libs = Path(numpy.__file__).resolve().parent.parent / "numpy.libs"
    for path in sorted(libs.glob("*openblas*.so*")):
        try:
            lib = ctypes.CDLL(str(path))
        except OSError:
            continue
        for get_name, set_name in _SYMBOLS:
            getter = getattr(lib, get_name, None)
            setter = getattr(lib, set_name, None)
            if getter is not None and setter is not None:
                getter.restype = ctypes.c_int
                setter.argtypes = [ctypes.c_int]
                return (lambda g=getter: int(g())), (lambda n, s=setter: s(n))
    return None


class _Depth:
    """How many blocks are inside `single_threaded_blas` (the web app runs analyses on threads)."""

    lock = threading.Lock()
    inside = 0
    saved = 0


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Inside the block OpenBLAS uses one thread; the last block to leave restores the count."""
    controls = _controls()
    if controls is None:
        yield
        return
    get, put = controls
    with _Depth.lock:
        if _Depth.inside == 0:
            _Depth.saved = get()
            put(1)
        _Depth.inside += 1
    try:
        yield
    finally:
        with _Depth.lock:
            _Depth.inside -= 1
            if _Depth.inside == 0:
                put(_Depth.saved)

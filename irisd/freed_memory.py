"""Give memory freed by a large decode back to the operating system at once.

glibc keeps what a thread frees in that thread's arena for its next allocation; a decode in
another thread then takes fresh memory, so the decode gate's sum (`Intake`) bounded what was
in use but not what the server held: three 60 MP PNG checks, two at a time within 512 MB,
left it 718 MB larger in half the runs (bench/server/upload_memory.py). `malloc_trim` returns the
free memory of every arena; without glibc (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable

_trim: Callable[[int], int] | None = None
if sys.platform.startswith("linux"):
    _libc_name = ctypes.util.find_library("c")
    if _libc_name:
        _trim = getattr(ctypes.CDLL(_libc_name), "malloc_trim", None)


def release() -> None:
    """Return free heap memory to the OS (glibc); a no-op elsewhere."""
    if _trim is not None:
        _trim(0)

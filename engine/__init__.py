"""podbench engine: columnar cluster state, scheduler plugins (reference and Numba kernels), simulator.

Numba's on-disk cache only notices changes to the file that defines a function, not to the
modules it calls or the constants it imports. To never run stale machine code, compiled
kernels are cached in a directory named after a hash of every engine source file (unless the
user sets NUMBA_CACHE_DIR).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__version__ = "0.1.0"


def _kernel_cache_dir() -> str:
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "podbench"
    target = base / f"numba-{digest.hexdigest()[:16]}"
    _remove_old_caches(base, target)
    return str(target)


def _remove_old_caches(base: Path, keep: Path, max_age_s: float = 86400.0) -> None:
    """Caches of other source trees unused for a day are deleted (each is ~30 MB)."""
    import shutil
    import time

    if not base.is_dir():
        return
    now = time.time()
    for old in base.glob("numba-*"):
        try:
            if old != keep and now - old.stat().st_mtime > max_age_s:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass


if "NUMBA_CACHE_DIR" not in os.environ:
    os.environ["NUMBA_CACHE_DIR"] = _kernel_cache_dir()
    # Numba reads its configuration when first imported, which may have happened already.
    from numba.core import config as _numba_config

    _numba_config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"]

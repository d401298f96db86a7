"""Derived data kept as JSON files (the cache folder's analyses, counts, snapshots, verdicts):
read with a size cap, written whole or not at all, and never raising. What such a file holds
is checked by its reader; a file that is missing, too big or not JSON reads as None."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any


def read_json(path: Path, max_bytes: int) -> Any:
    """The JSON value in ``path``, or None when it is missing, bigger than ``max_bytes`` or
    not JSON."""
    try:
        if path.stat().st_size > max_bytes:
            return None
        return json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return None


def write_json(path: Path, value: Any) -> bool:
    """Write ``value`` to ``path`` through a file of this process and rename it over ``path``,
    so readers (other servers, workers) see the old file or the new one, never half of one.
    False (nothing written) when the folder cannot be written."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{id(value)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(value, separators=(",", ":"), ensure_ascii=False), "utf-8")
        tmp.replace(path)
    except (OSError, ValueError, TypeError, RecursionError):
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return False
    return True

"""Where errsig keeps derived data (vetting verdicts, compiled Hyperscan databases)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def cache_dir() -> Path:
    """``$ERRSIG_CACHE_DIR``, else the per-user cache folder of this OS."""
    explicit = os.environ.get("ERRSIG_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(platformdirs.user_cache_dir("errsig", appauthor=False))

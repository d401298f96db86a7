"""Where errsig keeps derived data (vetting verdicts, compiled Hyperscan databases)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$ERRSIG_CACHE_DIR``, else the per-user cache folder of this OS."""
    explicit = os.environ.get("ERRSIG_CACHE_DIR")
    if explicit:
        return Path(explicit)
    # only when a cache is used: the CLI's start-up does not pay for it
    import platformdirs  # noqa: PLC0415

    return Path(platformdirs.user_cache_dir("errsig", appauthor=False))

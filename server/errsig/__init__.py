"""errsig: recognise known errors in terminal output, logs and requirements files."""

from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"


def package_root() -> Path:
    """The folder of the installed package (its seeds and clean corpus live beside the code)."""
    return Path(__file__).resolve().parent

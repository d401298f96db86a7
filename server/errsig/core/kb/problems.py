"""Problems found while loading records: reported with file, JSON path and reason."""

from __future__ import annotations

import attrs


@attrs.define(frozen=True)
class Problem:
    file: str
    path: str
    message: str
    severity: str = "error"  # "error": the record was skipped; "warning": loaded anyway

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}"

"""Columns between Python strings (code points) and the client's position encoding."""

from __future__ import annotations

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def to_client(line: str, col: int, encoding: str) -> int:
    """Code-point column ``col`` of ``line`` in the negotiated encoding's units."""
    col = max(0, min(col, len(line)))
    if encoding == UTF32 or line.isascii():
        return col
    prefix = line[:col]
    if encoding == UTF8:
        return len(prefix.encode("utf-8", "surrogatepass"))
    return len(prefix.encode("utf-16-le", "surrogatepass")) // 2


def from_client(line: str, units: int, encoding: str) -> int:
    """Code-point column of ``units`` encoding units into ``line`` (clamped to the line)."""
    if units <= 0:
        return 0
    if encoding == UTF32 or line.isascii():
        return min(units, len(line))
    count = 0
    for index, ch in enumerate(line):
        if count >= units:
            return index
        code = ord(ch)
        if encoding == UTF8:
            count += 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
        else:
            count += 2 if code > 0xFFFF else 1
    return len(line)

"""Where each value of a JSON text stands: ``$.json.path`` -> (start, end) offsets.

The standard library's decoder keeps no positions, so this walks the text with the
decoder's own pieces (``scanstring`` for strings, its number pattern) and records the span
of every value and key. It never raises: on text that is not JSON it returns what it
walked so far (the loader reports the JSON error itself).
"""

from __future__ import annotations

import contextlib
import json.decoder
import re
from collections.abc import Callable

_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]
_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERALS = ("true", "false", "null")
MAX_DEPTH = 200


class _Stop(Exception):
    pass


def value_spans(text: str) -> dict[str, tuple[int, int]]:
    """``$``-paths (as the record loader writes them) -> span of the value; a key's own
    span is under ``path#key``."""
    spans: dict[str, tuple[int, int]] = {}

    def ws(i: int) -> int:
        m = _WS.match(text, i)
        return m.end() if m else i

    def container(i: int, close: str, item: Callable[[int, int], int]) -> int:
        """From just inside an object's or array's bracket to just after its closing one;
        ``item(i, k)`` reads the k-th member or element."""
        i = ws(i)
        if i < len(text) and text[i] == close:
            return i + 1
        k = 0
        while True:
            i = ws(item(i, k))
            k += 1
            if i < len(text) and text[i] == ",":
                i += 1
            elif i < len(text) and text[i] == close:
                return i + 1
            else:
                raise _Stop

    def member(i: int, path: str, depth: int) -> int:
        """One ``"key": value`` of an object."""
        i = ws(i)
        if i >= len(text) or text[i] != '"':
            raise _Stop
        key, end = _scanstring(text, i + 1)
        spans[f"{path}.{key}#key"] = (i, end)
        i = ws(end)
        if i >= len(text) or text[i] != ":":
            raise _Stop
        return value(i + 1, f"{path}.{key}", depth + 1)

    def value(i: int, path: str, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise _Stop
        i = ws(i)
        if i >= len(text):
            raise _Stop
        c = text[i]
        start = i
        if c == "{":
            i = container(i + 1, "}", lambda j, _k: member(j, path, depth))
        elif c == "[":
            i = container(i + 1, "]", lambda j, k: value(j, f"{path}[{k}]", depth + 1))
        elif c == '"':
            _, i = _scanstring(text, i + 1)
        else:
            for word in _LITERALS:
                if text.startswith(word, i):
                    i += len(word)
                    break
            else:
                m = _NUMBER.match(text, i)
                if not m:
                    raise _Stop
                i = m.end()
        spans[path] = (start, i)
        return i

    with contextlib.suppress(_Stop, ValueError, RecursionError):
        value(0, "$", 0)
    return spans


def span_of(spans: dict[str, tuple[int, int]], path: str) -> tuple[int, int] | None:
    """The span of ``path``, else of its nearest enclosing value that has one; a field the
    record lacks (``required field``) points at the object that should hold it."""
    while path:
        if path in spans:
            return spans[path]
        if f"{path}#key" in spans:
            return spans[f"{path}#key"]
        cut = max(path.rfind("."), path.rfind("["))
        if cut <= 0:
            break
        path = path[:cut]
    return spans.get("$")

"""The cattrs converter for records: strict structuring with readable, located errors.

``structure_record(data)`` returns a :class:`Record` or raises :class:`RecordError` whose
``problems`` are ``("$.json.path", "reason")`` pairs, e.g.
``("$.workarounds[1].success_rate", 'expected a number in [0, 1], got "high"')``.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn

from errsig.core.kb.model import Day, Rate, Record

if sys.version_info < (3, 11):  # pragma: no cover - cattrs brings the backport
    from exceptiongroup import BaseExceptionGroup

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class RecordError(ValueError):
    """A record that cannot be structured; ``problems`` lists (json_path, reason)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{p}: {r}" for p, r in problems))
        self.problems = problems


def _show(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = f"a {type(value).__name__}"
    return text if len(text) <= 60 else text[:57] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {_show(value)}")
    return value


def _structure_int(value: Any, _: type) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"expected an integer, got {_show(value)}")
    return value


def _structure_float(value: Any, _: type) -> float:
    if not _is_number(value):
        raise ValueError(f"expected a number, got {_show(value)}")
    return float(value)


def _structure_rate(value: Any, _: type) -> Rate:
    if not _is_number(value) or not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"expected a number in [0, 1], got {_show(value)}")
    return Rate(float(value))


def _structure_day(value: Any, _: type) -> Day:
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise ValueError(f"expected a date YYYY-MM-DD, got {_show(value)}")
    return Day(value)


def make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(Rate, _structure_rate)
    conv.register_structure_hook(Day, _structure_day)
    conv.register_unstructure_hook(Rate, float)
    conv.register_unstructure_hook(Day, str)
    conv.register_structure_hook(Record, make_dict_structure_fn(Record, conv, _cattrs_forbid_extra_keys=True))
    return conv


CONVERTER = make_converter()


def _flatten(exc: BaseException, path: str, out: list[tuple[str, str]]) -> None:
    if isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            out.append((f"{path}.{key}", "unknown field"))
        return
    if isinstance(exc, ClassValidationError):
        for sub in exc.exceptions:
            note = getattr(sub, "__notes__", [None])[-1] if getattr(sub, "__notes__", None) else None
            name = getattr(note, "name", None)
            _flatten(sub, f"{path}.{name}" if name else path, out)
        return
    if isinstance(exc, IterableValidationError):
        for sub in exc.exceptions:
            notes = getattr(sub, "__notes__", None) or []
            index = getattr(notes[-1], "index", None) if notes else None
            _flatten(sub, f"{path}[{index!r}]" if isinstance(index, int) else f"{path}.{index}", out)
        return
    if isinstance(exc, BaseExceptionGroup):
        for sub in exc.exceptions:
            _flatten(sub, path, out)
        return
    if isinstance(exc, KeyError):
        out.append((path, f"required field {exc.args[0]!r} is missing"))
        return
    message = str(exc)
    if message.startswith("Unable to structure") or not message:
        message = f"invalid value ({type(exc).__name__})"
    out.append((path, message))


def structure_record(data: Any) -> Record:
    if not isinstance(data, dict):
        raise RecordError([("$", f"expected an object, got {_show(data)}")])
    try:
        return CONVERTER.structure(data, Record)
    except (ClassValidationError, IterableValidationError, ForbiddenExtraKeysError) as exc:
        problems: list[tuple[str, str]] = []
        _flatten(exc, "$", problems)
        raise RecordError(problems) from None


def unstructure_record(record: Record) -> dict[str, Any]:
    data: dict[str, Any] = CONVERTER.unstructure(record)
    if not data.get("samples"):
        data.pop("samples", None)  # a field of pack records; the seed schema has none
    graph = data.get("transition_graph") or {}
    for link in [*graph.get("leads_to", []), *graph.get("preceded_by", [])]:
        if not link.get("match_capture"):
            link.pop("match_capture", None)  # optional: written only when set
    return data

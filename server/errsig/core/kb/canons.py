"""Reading deadends.dev canons (schema 1.0.0) onto the project's record model."""

from __future__ import annotations

from typing import Any

from errsig.core.kb.convert import RecordError, structure_record
from errsig.core.kb.model import Record


def is_canon(data: Any) -> bool:
    return isinstance(data, dict) and "schema_version" in data and isinstance(data.get("error"), dict)


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _versions(env: Any) -> list[dict[str, Any]]:
    out = []
    runtime = _get(env, "runtime")
    if isinstance(runtime, dict) and (runtime.get("name") or runtime.get("version_range")):
        text = " ".join(str(v) for v in (runtime.get("name"), runtime.get("version_range")) if v)
        out.append({"version": text, "status": "active"})
    python = _get(env, "python")
    if isinstance(python, str) and python:
        out.append({"version": f"Python {python}", "status": "active"})
    return out


def _doc_url(data: dict[str, Any]) -> str | None:
    for item in _list(data.get("workarounds")) + _list(data.get("dead_ends")):
        for source in _list(_get(item, "sources")):
            if isinstance(source, str) and source.startswith("https://"):
                return source
    url = data.get("url")
    return url if isinstance(url, str) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


_OBJECTS = ("verdict", "environment", "transition_graph", "metadata")
_LISTS = ("dead_ends", "workarounds")
_GRAPH_LISTS = ("leads_to", "preceded_by", "frequently_confused_with")


def _shape_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The canon's containers that are not what the schema says (each is one problem)."""
    problems = []
    for key in _OBJECTS:
        if data.get(key) is not None and not isinstance(data[key], dict):
            problems.append((f"$.{key}", f"expected an object, got {type(data[key]).__name__}"))
    for key in _LISTS:
        if data.get(key) is not None and not isinstance(data[key], list):
            problems.append((f"$.{key}", f"expected an array, got {type(data[key]).__name__}"))
    graph = data.get("transition_graph")
    if isinstance(graph, dict):
        for key in _GRAPH_LISTS:
            if graph.get(key) is not None and not isinstance(graph[key], list):
                problems.append(
                    (f"$.transition_graph.{key}", f"expected an array, got {type(graph[key]).__name__}")
                )
    return problems


def _items(values: Any, keys: tuple[str, ...]) -> Any:
    if not isinstance(values, list):
        return values
    return [
        {k: v for k, v in item.items() if k in keys} if isinstance(item, dict) else item for item in values
    ]


def canon_to_dict(data: dict[str, Any]) -> dict[str, Any]:
    """Map a canon onto the record schema (still unvalidated)."""
    error = data.get("error") or {}
    verdict = data.get("verdict") or {}
    env = data.get("environment") or {}
    graph = data.get("transition_graph") or {}
    meta = data.get("metadata") or {}
    os_name = env.get("os") if isinstance(env, dict) else None
    regex = error.get("regex")
    tier = meta.get("review_status")
    return {
        "id": data.get("id"),
        "signature": error.get("signature"),
        "regex": f"(?i){regex}" if isinstance(regex, str) and not regex.startswith("(?i)") else regex,
        "domain": error.get("domain") or "",
        "category": error.get("category") or "",
        "root_cause": verdict.get("summary") or "",
        "versions": _versions(env),
        "os_specific": {os_name: f"reported on {os_name}"} if isinstance(os_name, str) and os_name else {},
        "dead_ends": _items(
            data.get("dead_ends") or [], ("action", "why_fails", "fail_rate", "condition", "sources")
        ),
        "workarounds": _items(
            data.get("workarounds") or [], ("action", "success_rate", "how", "condition", "sources")
        ),
        "transition_graph": {
            "leads_to": _items(graph.get("leads_to") or [], ("error_id", "probability", "condition")),
            "preceded_by": _items(graph.get("preceded_by") or [], ("error_id", "probability", "condition")),
            "frequently_confused_with": _items(
                graph.get("frequently_confused_with") or [], ("error_id", "distinction")
            ),
        },
        "official_doc_url": _doc_url(data),
        "verification_tier": "ai_generated" if tier == "auto_generated" else (tier or "community"),
        "confidence": verdict.get("confidence", 0.5),
        "fix_success_rate": verdict.get("fix_success_rate"),
        "resolvable": str(verdict.get("resolvable", "true")).lower(),
        "first_seen": error.get("first_seen"),
        "last_confirmed": error.get("last_confirmed"),
        "last_updated": verdict.get("last_updated"),
        "evidence_count": meta.get("evidence_count") or 0,
        "tags": ["deadends.dev"],
        "locale": "en",
        "aliases": [data["url"]] if isinstance(data.get("url"), str) else [],
    }


def canon_to_record(data: dict[str, Any]) -> Record:
    """The record a canon describes; raises :class:`RecordError` listing what is wrong."""
    problems = _shape_problems(data)
    if problems:
        raise RecordError(problems)
    return structure_record(canon_to_dict(data))

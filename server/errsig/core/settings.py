"""errsig's settings, defined once.

Read from the language server's ``initializationOptions`` and ``workspace/configuration``
(section ``errsig``), and from CLI flags. JSON names are camelCase as editors show them;
the VS Code extension's ``package.json`` contributes exactly these (a test checks it).
Unknown keys are ignored and malformed values fall back to the default with a problem.
"""

from __future__ import annotations

from typing import Any

import attrs

DEFAULT_WATCH = (
    "**/*.log",
    "**/*.out",
    "**/typescript",
    "**/.errsig/transcripts/*.txt",
)
SEVERITY_NAMES = ("error", "warning", "information", "hint", "off")


@attrs.define(frozen=True)
class Settings:
    packs: tuple[str, ...] = ()
    """Folders of extra records (own schema or deadends.dev canons)."""
    watch: tuple[str, ...] = DEFAULT_WATCH
    """Globs of log files (relative to the workspace) scanned even when not open."""
    max_file_size: int = 50 << 20
    """Bytes; bigger files are scanned from their tail only."""
    severity_overrides: dict[str, str] = attrs.field(factory=dict)
    """Signature id or domain -> error | warning | information | hint | off."""
    disable: tuple[str, ...] = ()
    """Signature ids (or `domain/*`) that never report."""
    max_quick_fixes: int = 5
    """Quick fixes offered for one diagnostic, safest first."""
    unknown_errors: bool = True
    """Also show error-shaped lines no record knows, as `unknown/<tool>` (information)."""
    scan_workers: int = 0
    """Worker processes for a big workspace scan (0: one per core; 1: none, scan in the server)."""
    symptom_severity: str = "lower"
    """`lower`: an error caused by another one in the same log is shown one severity below
    its cause; `same`: as its own record says."""

    def severity_for(self, rid: str, default: str) -> str:
        override = self.severity_overrides.get(rid) or self.severity_overrides.get(rid.split("/", 1)[0])
        return override if override in SEVERITY_NAMES else default

    def is_disabled(self, rid: str) -> bool:
        domain = rid.split("/", 1)[0]
        return rid in self.disable or f"{domain}/*" in self.disable or self.severity_for(rid, "") == "off"


JSON_NAMES = {
    "packs": "packs",
    "watch": "watch",
    "maxFileSize": "max_file_size",
    "severityOverrides": "severity_overrides",
    "disable": "disable",
    "maxQuickFixes": "max_quick_fixes",
    "symptomSeverity": "symptom_severity",
    "unknownErrors": "unknown_errors",
    "scanWorkers": "scan_workers",
}
SYMPTOM_SEVERITIES = ("lower", "same")

# Settings only the editors read (section ``errsig`` too), with their defaults: the VS Code
# extension's package.json contributes exactly JSON_NAMES and these (tests/vscode checks it,
# with the defaults); the server ignores them.
CLIENT_SETTINGS: dict[str, Any] = {
    "interpreter": [],
    "importStrategy": "useBundled",
    "path": [],
    "showNotifications": "onWarning",
    "trace.server": "off",
    "terminal.watch": True,
    "terminal.transcripts": True,
    "terminal.transcriptDir": ".errsig/transcripts",
    "terminal.maxTranscripts": 20,
    "terminal.maxTranscriptBytes": 1 << 20,
}


def json_defaults() -> dict[str, Any]:
    """The server settings' defaults under their JSON names, as JSON values (lists, not
    tuples): what an editor sends when the user set nothing."""
    out: dict[str, Any] = {}
    defaults = Settings()
    for key, name in JSON_NAMES.items():
        value = getattr(defaults, name)
        out[key] = (
            list(value) if isinstance(value, tuple) else (dict(value) if isinstance(value, dict) else value)
        )
    return out


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def settings_from_json(data: Any, base: Settings | None = None) -> tuple[Settings, list[str]]:
    """Settings from an ``errsig`` JSON object (or one wrapping it under ``errsig``)."""
    settings = base or Settings()
    problems: list[str] = []
    if not isinstance(data, dict):
        return settings, (
            [] if data is None else [f"settings: expected an object, got {type(data).__name__}"]
        )
    if isinstance(data.get("errsig"), dict):
        data = data["errsig"]
    changes: dict[str, Any] = {}
    for key, field in JSON_NAMES.items():
        if key not in data or data[key] is None:
            continue
        value = data[key]
        if field in ("packs", "watch", "disable"):
            parsed = _strings(value)
            if parsed is None:
                problems.append(f"errsig.{key}: expected a list of strings")
                continue
            changes[field] = parsed
        elif field == "max_quick_fixes":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                problems.append(f"errsig.{key}: expected an integer of at least 1")
                continue
            changes[field] = value
        elif field == "scan_workers":
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 64:
                problems.append(f"errsig.{key}: expected an integer from 0 to 64")
                continue
            changes[field] = value
        elif field == "unknown_errors":
            if not isinstance(value, bool):
                problems.append(f"errsig.{key}: expected true or false")
                continue
            changes[field] = value
        elif field == "symptom_severity":
            if value not in SYMPTOM_SEVERITIES:
                problems.append(f"errsig.{key}: expected one of {'|'.join(SYMPTOM_SEVERITIES)}")
                continue
            changes[field] = value
        elif field == "max_file_size":
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                problems.append(f"errsig.{key}: expected a positive integer (bytes)")
                continue
            changes[field] = value
        elif field == "severity_overrides":
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and v in SEVERITY_NAMES for k, v in value.items()
            ):
                problems.append(f"errsig.{key}: expected an object of id -> {'|'.join(SEVERITY_NAMES)}")
                continue
            changes[field] = dict(value)
    return attrs.evolve(settings, **changes), problems

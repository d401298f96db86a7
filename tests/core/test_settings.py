"""Settings from editor JSON: defaults, validation, overrides."""

from __future__ import annotations

from errsig.core.settings import DEFAULT_WATCH, Settings, settings_from_json


def test_defaults_and_wrapping() -> None:
    s, problems = settings_from_json({"errsig": {"packs": ["/p"], "maxFileSize": 10}})
    assert problems == []
    assert s.packs == ("/p",)
    assert s.max_file_size == 10
    assert s.watch == DEFAULT_WATCH


def test_bad_values_keep_the_previous_value_and_say_why() -> None:
    base = Settings(max_file_size=7)
    s, problems = settings_from_json(
        {"maxFileSize": -1, "watch": 3, "severityOverrides": {"a/b": "loud"}}, base
    )
    assert s == base
    assert problems == [
        "errsig.watch: expected a list of strings",
        "errsig.maxFileSize: expected a positive integer (bytes)",
        "errsig.severityOverrides: expected an object of id -> error|warning|information|hint|off",
    ]


def test_overrides_by_id_and_domain_and_disable() -> None:
    s, _ = settings_from_json(
        {"severityOverrides": {"pip": "warning", "pip/read-timeout": "off"}, "disable": ["conda/*"]}
    )
    assert s.severity_for("pip/proxy-error", "error") == "warning"
    assert s.is_disabled("pip/read-timeout")
    assert s.is_disabled("conda/packages-not-found")
    assert not s.is_disabled("pip/proxy-error")

"""Which literals name an error (a foreign pattern is demoted when one of its alternatives has
none): the literals and verdicts below are written by hand."""

from __future__ import annotations

from errsig.core.matching.literals import distinctive, required_literals, weak_alternative


def test_a_literal_names_an_error_when_it_has_two_words_and_twelve_characters() -> None:
    assert distinctive("Failed building wheel")
    assert distinctive("Unable to load DLL")
    assert distinctive("无法获得锁 /var/lib")  # four CJK characters count as words
    for topic in ("ConfigException", "DllNotFoundException", "kafka", "invalid", "503", "Not Found"):
        assert not distinctive(topic), topic


def test_a_pattern_is_weak_when_one_alternative_names_no_error() -> None:
    assert (
        weak_alternative(required_literals(r"(ConfigException|Invalid.*configuration|config.*error)"))
        is not None
    )
    assert (
        weak_alternative(required_literals(r"DllNotFoundException|Unable to load DLL"))
        == "DllNotFoundException"
    )
    assert (
        weak_alternative(required_literals(r"Could not find a version that satisfies the requirement"))
        is None
    )
    assert weak_alternative(None) == "(no literal)"

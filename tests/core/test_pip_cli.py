"""pip's command-line grammar, read once for commands, scripts and requirements files."""

from __future__ import annotations

from errsig.core.fixes.commands import ParsedOption, parse_pip_command
from errsig.core.fixes.model import apply_edits
from errsig.core.fixes.scripts import add_options
from errsig.core.pip.cli import Word, parse_words
from errsig.core.pip.options import find_option
from errsig.core.scan.requirements import check_requirements, logical_lines, parse_line_options

CPU = "https://download.pytorch.org/whl/cpu"


def _names(line: str) -> list[tuple[str, str | None]]:
    cmd = parse_pip_command(line, {})
    assert cmd is not None
    return [(o.name, o.value) for o in cmd.options]


def test_clusters_take_their_value_from_the_rest_of_the_word_or_the_next_word() -> None:
    assert _names("pip install -Ui https://x/simple pkg") == [
        ("--upgrade", None),
        ("--index-url", "https://x/simple"),
    ]
    assert _names("pip install -qUihttps://x/simple pkg") == [
        ("--quiet", None),
        ("--upgrade", None),
        ("--index-url", "https://x/simple"),
    ]
    assert _names("pip install --ind=https://x/simple pkg") == [("--index-url", "https://x/simple")]


def test_offsets_of_values() -> None:
    words = [Word("-qUihttps://x/simple", 10, 30), Word("pkg", 31, 34)]
    uses, args = parse_words(words, "install")
    assert [u.name for u in uses] == ["--quiet", "--upgrade", "--index-url"]
    assert uses[-1].inline_at == 4
    assert [a.value for a in args] == ["pkg"]


def test_a_script_fix_replaces_the_index_pip_uses_whatever_its_spelling() -> None:
    opt = ParsedOption("--index-url", CPU, ("--index-url", CPU), find_option("--index-url"))
    for line, expected in (
        ("pip install -Ui https://x/simple pkg\n", f"pip install -Ui {CPU} pkg\n"),
        ("pip install -qUihttps://x/simple pkg\n", f"pip install -qUi{CPU} pkg\n"),
        ("pip install --index-url=https://x/simple pkg\n", f"pip install --index-url={CPU} pkg\n"),
    ):
        result = add_options(line, "shell", [opt])
        assert apply_edits(line, result.edits) == expected


def test_requirements_lines_use_the_same_grammar() -> None:
    [rl] = logical_lines("-Ui https://x/simple\n")
    assert [(o.spec.name if o.spec else None, o.value) for o in parse_line_options(rl)] == [
        ("--upgrade", None),
        ("--index-url", "https://x/simple"),
    ]
    codes = [i.code for i in check_requirements("-qUihttps://x/simple\n")]
    assert codes == ["option-not-allowed", "option-not-allowed"]  # -q and -U, never --help/--target

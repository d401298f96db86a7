"""Edits to requirements files: option lines, package swaps, version pins."""

from __future__ import annotations

from pathlib import Path

import pytest

from errsig.core.fixes.model import TextEdit, apply_edits
from errsig.core.fixes.requirements_edit import (
    RequirementsEditError,
    add_option_line,
    lines_requiring,
    pin_version,
    relax_version,
    replace_package,
    set_specifier,
)

REQS = """\
# Application requirements
# regenerate with pip-compile

Django>=4.2,<5
Psycopg2==2.9.9 ; python_version >= "3.8"  # database driver
requests[socks] >= 2.31 \\
    --hash=sha256:aaaa \\
    --hash=sha256:bbbb
numpy
-r dev-requirements.txt
-e git+https://github.com/org/tool.git#egg=tool
lib @ https://example.com/lib-1.0.tar.gz
"""


def test_add_prefer_binary_after_leading_comments() -> None:
    edits = add_option_line(REQS, "--prefer-binary")
    assert edits == [TextEdit(2, 0, 2, 0, "--prefer-binary\n")]
    assert apply_edits(REQS, edits).startswith(
        "# Application requirements\n# regenerate with pip-compile\n--prefer-binary\n\nDjango>=4.2,<5\n"
    )


def test_option_already_present_is_not_duplicated() -> None:
    once = apply_edits(REQS, add_option_line(REQS, "--prefer-binary"))
    assert add_option_line(once, "--prefer-binary") == []


def test_only_binary_all_and_per_package() -> None:
    assert add_option_line(REQS, "--only-binary", ":all:") == [TextEdit(2, 0, 2, 0, "--only-binary :all:\n")]
    text = "--only-binary psycopg2\nflask\n"
    assert add_option_line(text, "--only-binary", "Psycopg2") == []
    assert add_option_line(text, "--only-binary", ":all:") == [TextEdit(1, 0, 1, 0, "--only-binary :all:\n")]


def test_option_lines_are_grouped_with_existing_ones() -> None:
    text = "# deps\n--index-url https://pypi.org/simple\n--prefer-binary\n\nflask\n"
    assert add_option_line(text, "--extra-index-url", "https://download.pytorch.org/whl/cpu") == [
        TextEdit(3, 0, 3, 0, "--extra-index-url https://download.pytorch.org/whl/cpu\n")
    ]


def test_single_valued_option_has_its_value_replaced_in_place() -> None:
    text = "-i https://old.example/simple\nflask\n"
    edits = add_option_line(text, "--index-url", "https://pypi.org/simple")
    assert edits == [TextEdit(0, 3, 0, 29, "https://pypi.org/simple")]
    assert apply_edits(text, edits) == "-i https://pypi.org/simple\nflask\n"


def test_options_not_allowed_in_requirements_files_are_refused() -> None:
    with pytest.raises(RequirementsEditError, match="does not accept --timeout"):
        add_option_line(REQS, "--default-timeout", "120")
    with pytest.raises(RequirementsEditError, match="no option"):
        add_option_line(REQS, "--frobnicate")
    with pytest.raises(RequirementsEditError, match="needs a value"):
        add_option_line(REQS, "--extra-index-url")


def test_insert_into_empty_and_unterminated_files() -> None:
    assert apply_edits("", add_option_line("", "--pre")) == "--pre\n"
    assert apply_edits("flask", add_option_line("flask", "--pre")) == "--pre\nflask"
    assert (
        apply_edits("# only a comment", add_option_line("# only a comment", "--pre"))
        == "# only a comment\n--pre\n"
    )


def test_crlf_requirements_file() -> None:
    text = "# deps\r\nflask\r\n"
    assert (
        apply_edits(text, add_option_line(text, "--prefer-binary"))
        == "# deps\r\n--prefer-binary\r\nflask\r\n"
    )


def test_replace_package_keeps_specifier_marker_and_comment() -> None:
    edits = replace_package(REQS, "psycopg2", "psycopg2-binary")
    assert edits == [TextEdit(4, 0, 4, 8, "psycopg2-binary")]
    out = apply_edits(REQS, edits)
    assert 'psycopg2-binary==2.9.9 ; python_version >= "3.8"  # database driver\n' in out


def test_replace_package_with_extras_and_hashes_on_continuation_lines() -> None:
    edits = replace_package(REQS, "Requests", "niquests")
    assert edits == [TextEdit(5, 0, 5, 8, "niquests")]
    assert "niquests[socks] >= 2.31 \\\n    --hash=sha256:aaaa \\\n" in apply_edits(REQS, edits)


def test_replace_package_matches_canonical_names_only() -> None:
    text = "typing_extensions==4.12\ntyping-extensions-stubs\n"
    assert replace_package(text, "typing.extensions", "typing-extensions") == [
        TextEdit(0, 0, 0, 17, "typing-extensions")
    ]
    assert replace_package(REQS, "tool", "other") == []  # an editable URL is not rewritten


def test_pin_relax_and_set_specifier() -> None:
    assert pin_version(REQS, "numpy", "1.26.4") == [TextEdit(8, 5, 8, 5, "==1.26.4")]
    assert relax_version(REQS, "django") == [TextEdit(3, 6, 3, 14, "")]
    assert set_specifier(REQS, "requests", "<3") == [TextEdit(5, 16, 5, 23, "<3")]
    assert set_specifier(REQS, "lib", "==1") == []  # name @ url has no specifier
    assert set_specifier(REQS, "django", ">=4.2,<5") == []  # already so
    with pytest.raises(RequirementsEditError):
        set_specifier(REQS, "numpy", "~~1")


def test_lines_requiring() -> None:
    assert lines_requiring(REQS, "PSYCOPG2") == [4]
    assert lines_requiring(REQS, "lib") == [11]
    assert lines_requiring(REQS, "absent") == []


def test_non_ascii_comment_before_requirement() -> None:
    text = "façade==1.0  # ok\n# ünïcode\nnumpy\n"
    assert pin_version(text, "numpy", "2.0") == [TextEdit(2, 5, 2, 5, "==2.0")]
    assert replace_package(text, "facade", "x") == []


def test_edit_a_real_requirements_file(tmp_path: Path) -> None:
    f = tmp_path / "requirements.txt"
    f.write_text(REQS, encoding="utf-8")
    text = f.read_text(encoding="utf-8")
    edits = [*add_option_line(text, "--prefer-binary"), *replace_package(text, "psycopg2", "psycopg2-binary")]
    f.write_text(apply_edits(text, edits), encoding="utf-8")
    lines = f.read_text(encoding="utf-8").splitlines()
    assert lines[2] == "--prefer-binary"
    assert lines[5] == 'psycopg2-binary==2.9.9 ; python_version >= "3.8"  # database driver'

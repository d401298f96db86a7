"""Hypothesis over the requirements and pip.conf checks, the pip.conf merge and credential
masking: whatever a cloned repository holds, they answer without an exception, and what
they report lies inside the text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from errsig.core.fixes.model import ConfSetting
from errsig.core.fixes.pipconf import PipConfError, merge_settings
from errsig.core.pip.credentials import mask_credentials
from errsig.core.scan.pipconf import check_pipconf
from errsig.core.scan.requirements import check_requirements, requirement_names
from tests.fuzz import FUZZ

PIECES = [
    "-r ",
    "-c ",
    "-i ",
    "--index-url ",
    "--extra-index-url=",
    "--trusted-host ",
    "-e ",
    "git+https://",
    "user:pw@",
    "#",
    " #",
    "egg=",
    "&",
    "\\",
    "\n",
    "\r\n",
    "[global]",
    "[install]",
    "timeout = ",
    " = ",
    ":",
    "requests",
    "Requests",
    "==",
    ">=1.0",
    ";python_version<'3.8'",
    "[extra]",
    " ",
    "\t",
    "\x00",
    "é",
    "http://",
    "https://",
    "${TOKEN}",
    "%TOKEN%",
]
TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=60).map("".join)


def _inside(text: str, line: int, col: int) -> bool:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return 0 <= line < len(lines) + 1 and col >= 0


@FUZZ
@given(TEXT)
def test_requirements_checks_never_raise(text: str) -> None:
    for issue in check_requirements(text):
        assert _inside(text, issue.line, issue.col)
    requirement_names(text)


@FUZZ
@given(TEXT)
def test_pip_conf_checks_never_raise(text: str) -> None:
    for issue in check_pipconf(text):
        assert _inside(text, issue.line, issue.col)


@FUZZ
@given(TEXT)
def test_pip_conf_merge_raises_only_its_own_error(text: str) -> None:
    try:
        merged = merge_settings(text, [ConfSetting("global", "timeout", "60")])
    except PipConfError:
        return
    again = merge_settings(merged.text, [ConfSetting("global", "timeout", "60")])
    assert again.edits == []  # idempotent


@FUZZ
@given(TEXT)
def test_masking_never_raises_and_keeps_no_password(text: str) -> None:
    masked, _ = mask_credentials(text + " https://alice:s3cr3t@example.org/simple")
    assert "s3cr3t" not in masked

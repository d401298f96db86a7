"""Checks of requirements files and pip.conf files, with positions in code points."""

from __future__ import annotations

from pathlib import Path

from errsig.core.scan.pipconf import check_pipconf
from errsig.core.scan.requirements import Issue, check_requirements, logical_lines, requirement_names


def _codes(issues: list[Issue]) -> list[tuple[int, str]]:
    return [(i.line, i.code) for i in issues]


# ---- requirements files -------------------------------------------------------------


def test_clean_requirements_file_has_no_issues() -> None:
    text = """\
# comment
--index-url https://pypi.org/simple
--extra-index-url https://download.pytorch.org/whl/cpu
--find-links ./wheels
-f https://example.com/wheels/
--trusted-host example.com
--prefer-binary
--only-binary :all:
--no-binary=lxml
--pre
--require-hashes
--use-feature=truststore
-c constraints.txt
-r base.txt
-e .
-e git+https://github.com/org/repo.git@main#egg=repo
./local/package
https://example.com/pkg-1.0.tar.gz
pkg-1.0-py3-none-any.whl
foo @ https://example.com/foo-1.0.tar.gz
requests[socks]>=2.31,<3 ; python_version >= "3.8"  # trailing comment
numpy==1.26.4 \\
    --hash=sha256:aaaa \\
    --hash=sha256:bbbb
pkg --config-settings="--build-option=--fast"
${PRIVATE_PKG}==1.0
"""
    assert check_requirements(text) == []


def test_options_that_belong_in_pip_conf() -> None:
    text = "--timeout 60\n--default-timeout=60\n--retries=5\n--proxy http://proxy:3128\nnumpy\n"
    issues = check_requirements(text)
    assert issues == [
        Issue(
            0,
            0,
            0,
            12,
            "option-not-allowed",
            "--timeout is not allowed in a requirements file; "
            "put `timeout = 60` in the [global] section of pip.conf, or pass --timeout to pip",
        ),
        Issue(
            1,
            0,
            1,
            20,
            "option-not-allowed",
            "--default-timeout is not allowed in a requirements file; "
            "put `timeout = 60` in the [global] section of pip.conf, or pass --timeout to pip",
        ),
        Issue(
            2,
            0,
            2,
            11,
            "option-not-allowed",
            "--retries is not allowed in a requirements file; "
            "put `retries = 5` in the [global] section of pip.conf, or pass --retries to pip",
        ),
        Issue(
            3,
            0,
            3,
            25,
            "option-not-allowed",
            "--proxy is not allowed in a requirements file; "
            "put `proxy = http://proxy:3128` in the [global] section of pip.conf, or pass --proxy to pip",
        ),
    ]


def test_invalid_and_misplaced_lines() -> None:
    text = """\
numpy = 1.0
--bogus
--global-option=--fast
--hash=sha256:abc
flask --index-url https://x.example/simple
-e . --hash=sha256:abc
--index-url
--user
"""
    assert _codes(check_requirements(text)) == [
        (0, "invalid-requirement"),
        (1, "unknown-option"),
        (2, "option-removed"),
        (3, "option-ignored"),
        (4, "option-ignored"),
        (5, "option-ignored"),
        (6, "missing-value"),
        (7, "option-not-allowed"),
    ]
    issues = check_requirements(text)
    assert issues[0].message.startswith("invalid requirement 'numpy = 1.0'")
    assert issues[2].message == "pip 25.3 removed --global-option; use --config-settings"
    assert issues[4].severity == "warning"
    assert (issues[4].col, issues[4].end_col) == (6, 42)


def test_unbalanced_quotes() -> None:
    assert _codes(check_requirements("pkg --config-settings='a=b\n")) == [(0, "bad-quoting")]


def test_issue_on_a_continued_line_points_at_the_physical_line() -> None:
    text = "numpy==1.26.4 \\\n    --timeout=5\n"
    [issue] = check_requirements(text)
    assert (issue.line, issue.col, issue.end_line, issue.end_col) == (1, 4, 1, 15)


def test_non_ascii_positions_in_requirements() -> None:
    text = "# dépendances — liste\nnumpy  # numérique\nbad name here  # ünïcode\n--retries=3  # réseau\n"
    issues = check_requirements(text)
    assert [(i.line, i.col, i.end_col, i.code) for i in issues] == [
        (2, 0, 13, "invalid-requirement"),
        (3, 0, 11, "option-not-allowed"),
    ]
    text2 = "été==1.0\n"  # not a valid project name: the span covers the 8 code points
    [issue] = check_requirements(text2)
    assert (issue.col, issue.end_col) == (0, 8)


def test_requirement_names() -> None:
    text = """\
Psycopg2==2.9.9 ; python_version >= "3.8"
  requests[socks] >= 2 \\
    --hash=sha256:abc
-e git+https://github.com/x/y.git#egg=My_Pkg
foo.bar @ https://example.com/foo.whl
./local/dir
-r other.txt
typing_extensions
# psycopg2 in a comment
"""
    assert requirement_names(text) == [
        (0, "psycopg2", 0, 8),
        (1, "requests", 2, 10),
        (3, "my-pkg", 38, 44),
        (4, "foo-bar", 0, 7),
        (7, "typing-extensions", 0, 17),
    ]


def test_logical_lines_join_continuations_like_pip() -> None:
    text = "a \\\n  b\nc \\\n# comment ends the join\nd\n"
    lines = [(rl.first_line, rl.last_line, rl.content) for rl in logical_lines(text)]
    assert lines == [(0, 1, "a   b"), (2, 3, "c"), (4, 4, "d")]


def test_requirements_file_on_disk_with_crlf(tmp_path: Path) -> None:
    f = tmp_path / "requirements.txt"
    f.write_bytes(b"numpy\r\n--retries 5\r\nflask\r\n")
    [issue] = check_requirements(f.read_bytes().decode("utf-8"))
    assert (issue.line, issue.col, issue.end_col) == (1, 0, 11)
    assert requirement_names(f.read_bytes().decode("utf-8")) == [(0, "numpy", 0, 5), (2, "flask", 0, 5)]


# ---- pip.conf ---------------------------------------------------------------------------


def test_clean_pip_conf_has_no_issues() -> None:
    text = """\
# user configuration
[global]
timeout = 60
retries = 5
index-url = https://pypi.org/simple
extra-index-url =
    https://download.pytorch.org/whl/cpu
    https://example.com/simple
trusted-host = example.com
prefer-binary = yes
no-cache-dir = true
no-build-isolation = false
progress-bar = off
verbose = 2
; a semicolon comment

[install]
user = true
no-warn-script-location = false
upgrade-strategy = eager

[list]
format = json

[freeze]
all = true
"""
    assert check_pipconf(text) == []


def test_pip_conf_problems() -> None:
    text = """\
orphan = 1
[global]
timeout = 60 # one minute
Timeout = 5
default-timeout = 7
retries = five
no-build-isolation = yes
i = https://mirror.example/simple
bogus = 1
global-option = --fast
progress-bar = sometimes
use-feature = truststore future-thing
prefer-binary =
this line has no delimiter
python-version = three
config-settings = novalue
[Global]
[install]
outdated = true
no-cache-dir = maybe
[install]
[wheel]
verbose = many
"""
    assert _codes(check_pipconf(text)) == [
        (0, "outside-section"),
        (2, "inline-comment"),
        (2, "bad-value"),
        (3, "duplicate-key"),
        (4, "alias-duplicate"),
        (5, "bad-value"),
        (6, "inverted-flag"),
        (7, "unknown-key"),
        (8, "unknown-key"),
        (9, "option-removed"),
        (10, "bad-value"),
        (11, "bad-value"),
        (12, "empty-value"),
        (13, "malformed-line"),
        (14, "bad-value"),
        (15, "bad-value"),
        (16, "unknown-section"),
        (18, "unknown-key"),
        (19, "bad-value"),
        (20, "duplicate-section"),
        (22, "bad-value"),
    ]
    by_line = {(i.line, i.code): i for i in check_pipconf(text)}
    assert by_line[7, "unknown-key"].message == (
        "pip has no option --i; pip ignores it; pip.conf keys are long option names: use `index-url`"
    )
    assert by_line[16, "unknown-section"].message == (
        "pip ignores section [Global]; section names are case-sensitive: use [global]"
    )
    assert by_line[6, "inverted-flag"].message == (
        "pip stores this value directly in --build-isolation: "
        "`no-build-isolation = yes` leaves build-isolation ON; "
        "write `no-build-isolation = false` to turn it off"
    )
    assert (
        by_line[18, "unknown-key"].message
        == "pip install has no option --outdated; pip ignores `outdated` here"
    )
    assert by_line[11, "bad-value"].severity == "warning"  # feature names change between pip versions
    assert by_line[5, "bad-value"].severity == "error"
    retries = by_line[5, "bad-value"]
    assert (retries.col, retries.end_col) == (10, 14)


def test_pip_conf_byte_order_mark() -> None:
    issues = check_pipconf("\ufeff[global]\ntimeout = 5\n")
    assert _codes(issues) == [(0, "bom")]


def test_pip_conf_multiline_value_positions() -> None:
    text = "[global]\ntrusted-host = a.example\n    b.example\nretries = x\n"
    [issue] = check_pipconf(text)
    assert (issue.line, issue.col, issue.end_line, issue.end_col, issue.code) == (3, 10, 3, 11, "bad-value")


def test_pip_conf_non_ascii_positions() -> None:
    text = "# réglages réseau — bureau\n[global]\ndélai = 5\ntimeout = cinq·secondes\n"
    issues = check_pipconf(text)
    assert [(i.line, i.col, i.end_col, i.code) for i in issues] == [
        (2, 0, 5, "unknown-key"),
        (3, 10, 23, "bad-value"),
    ]


def test_pip_conf_on_disk_with_crlf(tmp_path: Path) -> None:
    f = tmp_path / "pip.ini"
    f.write_bytes(b"[global]\r\ntimeout = abc\r\n")
    [issue] = check_pipconf(f.read_bytes().decode("utf-8"))
    assert (issue.line, issue.col, issue.end_col, issue.code) == (1, 10, 13, "bad-value")


def test_pip_conf_no_cache_dir_false_still_disables_the_cache() -> None:
    [issue] = check_pipconf("[global]\nno-cache-dir = false\n")
    assert (issue.line, issue.col, issue.end_col, issue.code, issue.severity) == (
        1,
        15,
        20,
        "inverted-flag",
        "warning",
    )
    assert issue.message == (
        "pip disables its cache for any value of `no-cache-dir`, `false` included; "
        "remove the line to keep the cache"
    )

"""requirements.txt as pip reads it: the last --index-url wins, includes must exist, a plain
HTTP index and a project named twice are flagged, and the safe fixes edit what pip uses."""

from __future__ import annotations

from pathlib import Path

from errsig.core.fixes.model import TextEdit, apply_edits
from errsig.core.fixes.requirements_edit import add_option_line
from errsig.core.scan.requirements import Issue, check_requirements

TWO_INDEXES = (
    "--extra-index-url https://download.pytorch.org/whl/cu118\n"
    "--index-url https://mirror.example/simple\n"
    "torch==2.3.0\n"
    "-i https://pypi.org/simple\n"
    "requests\n"
)


def _codes(issues: list[Issue]) -> list[tuple[str, int]]:
    return sorted((i.code, i.line) for i in issues)


def _apply(text: str, issue: Issue) -> str:
    assert issue.fix is not None
    f = issue.fix
    return apply_edits(text, [TextEdit(f.line, f.col, f.end_line, f.end_col, f.text)])


def test_only_the_last_index_url_counts() -> None:
    issues = check_requirements(TWO_INDEXES)
    # pip's req_file.py resets the index list at each --index-url: line 2's index and the
    # extra index above it are both gone by the time pip resolves.
    assert _codes(issues) == [("index-overridden", 0), ("index-overridden", 1)]
    overridden = next(i for i in issues if i.line == 1)
    assert "line 4" in overridden.message
    fixed = _apply(TWO_INDEXES, overridden)
    assert fixed == TWO_INDEXES.replace("--index-url https://mirror.example/simple\n", "")
    assert ("index-overridden", 1) not in _codes(check_requirements(fixed))


def test_a_fix_for_the_index_edits_the_line_pip_uses() -> None:
    edits = add_option_line(TWO_INDEXES, "--index-url", "https://download.pytorch.org/whl/cpu")
    result = apply_edits(TWO_INDEXES, edits)
    assert "--index-url https://mirror.example/simple\n" in result  # untouched
    assert "-i https://download.pytorch.org/whl/cpu\n" in result
    assert add_option_line(result, "--index-url", "https://download.pytorch.org/whl/cpu") == []


def test_missing_include(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("requests\n", "utf-8")
    text = "-r base.txt\n-r missing-file.txt\n-c https://example.org/c.txt\n"
    issues = check_requirements(text, base=tmp_path)
    assert [(i.code, i.line) for i in issues] == [("missing-include", 1)]
    assert "missing-file.txt" in issues[0].message


def test_plain_http_index_with_a_fix_only_where_https_is_known_to_serve_it() -> None:
    text = "--index-url http://pypi.org/simple\n--extra-index-url http://internal.corp/simple\n"
    issues = check_requirements(text)
    assert _codes(issues) == [("insecure-index", 0), ("insecure-index", 1)]
    pypi, internal = sorted(issues, key=lambda i: i.line)
    assert internal.fix is None
    assert _apply(text, pypi).startswith("--index-url https://pypi.org/simple\n")
    assert check_requirements("--index-url http://localhost:8080/simple\n") == []


def test_the_same_project_twice_under_two_spellings() -> None:
    issues = check_requirements("requests==2.31.0\nflask\nRequests>=2\n")
    assert _codes(issues) == [("duplicate-requirement", 2)]
    assert "line 1" in issues[0].message
    assert issues[0].fix is None  # merging two constraints is the user's call


def test_no_message_shows_a_credential() -> None:
    issues = check_requirements("--proxy http://alice:s3cret@proxy.corp:8080\n")
    assert issues
    assert all("s3cret" not in i.message for i in issues)


def test_pip_conf_check_flags_a_placeholder_or_unusable_proxy() -> None:
    from errsig.core.scan.pipconf import check_pipconf

    for bad in ("http://<proxy-host>:<port>", "http://proxy.corp:port"):
        assert [i.code for i in check_pipconf(f"[global]\nproxy = {bad}\n")] == ["bad-value"], bad
    for good in ("proxy.corp:8080", "http://alice:s3cr3t@proxy.corp:3128"):
        issues = check_pipconf(f"[global]\nproxy = {good}\n")
        assert issues == [], good

"""From a record's workarounds to fixes: targets, kinds, and the safety policy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePath

import pytest

from errsig.core.fixes.model import Fix, TextEdit, apply_edits
from errsig.core.fixes.plan import FixContext, fixes_for
from errsig.core.kb.load import load_pack
from errsig.core.kb.model import Rate, Record, Workaround
from tests.conftest import SEEDS

TIMEOUT = Workaround(
    "Raise pip's timeout and retries", Rate(0.9), "pip install --default-timeout=120 --retries 5 <package>"
)
MIRROR = Workaround(
    "Use a mirror closer to you",
    Rate(0.7),
    "pip install -i https://pypi.tuna.tsinghua.edu.cn/simple"
    " --trusted-host pypi.tuna.tsinghua.edu.cn <package>",
)
PROXY = Workaround(
    "Go through the corporate proxy",
    Rate(0.5),
    "pip install --proxy http://alice:hunter2@proxy.corp:8080 <package>",
)
TRUSTED = Workaround(
    "Trust the index host", Rate(0.45), "pip install --trusted-host files.pythonhosted.org <package>"
)
WHEELS = Workaround("Prefer wheels", Rate(0.4), "pip install --prefer-binary <package>")
BINARY = Workaround("Use the binary package instead", Rate(0.3), "pip install psycopg2-binary")
APT = Workaround("Install the PostgreSQL headers", Rate(0.2), "sudo apt-get install -y libpq-dev")


def _record(*workarounds: Workaround) -> Record:
    return Record(
        id="pip/test", signature="x", regex="x", category="network_error", workarounds=list(workarounds)
    )


def _reader(files: dict[Path, str]) -> Callable[[Path], str | None]:
    return files.get


def _exists(*present: str) -> Callable[[PurePath], bool]:
    return lambda p: str(p) in present


def _ctx(files: dict[Path, str] | None = None, **kw: object) -> FixContext:
    base: dict[str, object] = {
        "env": {"HOME": "/home/u"},
        "platform": "linux",
        "read_text": _reader(files or {}),
        "exists": _exists(),
        "os_family": None,
        "max_fixes": 50,
    }
    base.update(kw)
    return FixContext(**base)  # type: ignore[arg-type]


def _by_kind(fixes: list[Fix], kind: str) -> list[Fix]:
    return [f for f in fixes if f.kind == kind]


def test_timeout_fix_in_the_user_pip_conf_is_offered_never_preferred() -> None:
    # The user's pip.conf is outside the project: a change there reaches every pip run.
    fixes = fixes_for(_record(TIMEOUT), {"package": "numpy"}, _ctx())
    pipconf = _by_kind(fixes, "pipconf")
    assert [f.title for f in pipconf] == ["Set timeout = 120, retries = 5 in /home/u/.config/pip/pip.conf"]
    fix = pipconf[0]
    assert not fix.preferred
    assert fix.risk is None
    assert not fix.needs_input
    [edit] = fix.edits
    assert edit.path == Path("/home/u/.config/pip/pip.conf")
    assert edit.create
    assert edit.edits == [TextEdit(0, 0, 0, 0, "[global]\ntimeout = 120\nretries = 5\n")]
    assert edit.new_content == "[global]\ntimeout = 120\nretries = 5\n"
    [command] = _by_kind(fixes, "command")
    assert command.command == "pip install --default-timeout=120 --retries 5 numpy"
    assert not command.preferred


def test_one_fix_per_target_file_only_the_first_preferred() -> None:
    user = Path("/home/u/.config/pip/pip.conf")
    files = {user: "[global]\n# office network\ntimeout = 15\n"}
    ctx = _ctx(files, env={"HOME": "/home/u", "VIRTUAL_ENV": "/w/.venv"}, workspace=Path("/w"))
    pipconf = _by_kind(fixes_for(_record(TIMEOUT), {}, ctx), "pipconf")
    assert [(f.title, f.preferred) for f in pipconf] == [
        ("Set timeout = 120, retries = 5 in /w/.venv/pip.conf", True),
        ("Set timeout = 120, retries = 5 in /home/u/.config/pip/pip.conf", False),
    ]
    existing = pipconf[1].edits[0]
    assert not existing.create
    assert existing.edits == [TextEdit(2, 10, 2, 12, "120"), TextEdit(3, 0, 3, 0, "retries = 5\n")]


def test_unsaved_buffer_is_used() -> None:
    user = Path("/home/u/.config/pip/pip.conf")
    ctx = _ctx({user: "[global]\ntimeout = 120\nretries = 5\n"})
    assert _by_kind(fixes_for(_record(TIMEOUT), {}, ctx), "pipconf") == []  # already set: nothing to do


def test_environment_variable_override_is_said_and_not_preferred() -> None:
    ctx = _ctx(env={"HOME": "/home/u", "PIP_DEFAULT_TIMEOUT": "15"})
    [fix] = _by_kind(fixes_for(_record(TIMEOUT), {}, ctx), "pipconf")
    assert fix.title == (
        "Set timeout = 120, retries = 5 in /home/u/.config/pip/pip.conf "
        "(PIP_DEFAULT_TIMEOUT in the environment overrides timeout)"
    )
    assert not fix.preferred


def test_higher_priority_file_that_overrides_is_said() -> None:
    venv_conf = Path("/v/pip.conf")
    ctx = _ctx(
        {venv_conf: "[global]\ntimeout = 15\nretries = 5\n"},
        env={"HOME": "/home/u", "VIRTUAL_ENV": "/v"},
        workspace=Path("/v"),
    )
    pipconf = _by_kind(fixes_for(_record(TIMEOUT), {}, ctx), "pipconf")
    assert [(f.title, f.preferred) for f in pipconf] == [
        ("Set timeout = 120 in /v/pip.conf", True),
        (
            "Set timeout = 120, retries = 5 in /home/u/.config/pip/pip.conf (/v/pip.conf overrides timeout)",
            False,
        ),
    ]


def test_no_pipconf_fix_when_pip_reads_no_file() -> None:
    ctx = _ctx(env={"HOME": "/home/u", "PIP_CONFIG_FILE": "/dev/null"})
    assert _by_kind(fixes_for(_record(TIMEOUT), {}, ctx), "pipconf") == []


def test_windows_target() -> None:
    ctx = _ctx(env={"APPDATA": r"C:\Users\u\AppData\Roaming"}, platform="win32")
    [fix] = _by_kind(fixes_for(_record(TIMEOUT), {}, ctx), "pipconf")
    assert fix.title == r"Set timeout = 120, retries = 5 in C:\Users\u\AppData\Roaming\pip\pip.ini"


# ---- safety policy ------------------------------------------------------------------


def test_mirror_is_never_preferred_and_says_what_it_does() -> None:
    fixes = fixes_for(_record(MIRROR), {"package": "numpy"}, _ctx())
    [pipconf] = _by_kind(fixes, "pipconf")
    assert pipconf.title == (
        "Use third-party mirror pypi.tuna.tsinghua.edu.cn and disable TLS verification for "
        "pypi.tuna.tsinghua.edu.cn (not preferred): "
        "set index-url = https://pypi.tuna.tsinghua.edu.cn/simple, "
        "trusted-host = pypi.tuna.tsinghua.edu.cn in /home/u/.config/pip/pip.conf"
    )
    assert pipconf.risk == (
        "uses third-party package index pypi.tuna.tsinghua.edu.cn; "
        "disables TLS certificate verification for pypi.tuna.tsinghua.edu.cn"
    )
    assert all(not f.preferred for f in fixes)
    assert all(f.title.startswith("Use third-party mirror") for f in fixes)


PROXY_LOG = ["WARNING: Retrying after connection broken by 'ProxyError('Cannot connect to proxy.')'"]


def test_proxy_is_never_preferred_never_an_edit_with_placeholders_and_credentials_are_masked() -> None:
    fixes = fixes_for(_record(PROXY), {"package": "numpy"}, _ctx(log_lines=PROXY_LOG))
    assert _by_kind(fixes, "pipconf") == []  # the credentials would be a placeholder in the file
    [command] = _by_kind(fixes, "command")
    assert command.command == "pip install --proxy http://<user>:<password>@proxy.corp:8080 numpy"
    assert command.needs_input
    for f in fixes:
        assert "hunter2" not in repr(f)


def test_trusted_host_alone_is_never_preferred() -> None:
    fixes = fixes_for(_record(TRUSTED), {}, _ctx())
    assert fixes
    assert all(not f.preferred for f in fixes)
    assert _by_kind(fixes, "pipconf")[0].title.startswith(
        "Disable TLS verification for files.pythonhosted.org (not preferred): set trusted-host"
    )


def test_safe_fix_stays_preferred_next_to_risky_ones() -> None:
    ctx = _ctx(env={"HOME": "/home/u", "VIRTUAL_ENV": "/w/.venv"}, workspace=Path("/w"), log_lines=PROXY_LOG)
    fixes = fixes_for(_record(MIRROR, TIMEOUT, PROXY), {"package": "numpy"}, ctx)
    preferred = [f for f in fixes if f.preferred]
    assert [f.title for f in preferred] == ["Set timeout = 120, retries = 5 in /w/.venv/pip.conf"]
    assert fixes[0] is preferred[0]  # safe and inside the project first, whatever the record's order
    assert all(f.risk for f in fixes[-4:])  # the mirror and the proxy come last


# ---- requirements, scripts, commands ------------------------------------------------


def test_requirements_and_script_fixes(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    reqs = project / "requirements.txt"
    reqs.write_text("# deps\npsycopg2==2.9.9\n", encoding="utf-8")
    docker = project / "Dockerfile"
    docker.write_text("FROM python\nRUN pip install -r requirements.txt\n", encoding="utf-8")
    ctx = FixContext(
        env={"HOME": str(tmp_path / "home")},
        platform="linux",
        workspace=project,
        requirements_files=[reqs],
        script_files=[docker],
        exists=_exists(),
        os_family=None,
        max_fixes=50,
    )
    fixes = fixes_for(_record(TIMEOUT, WHEELS, BINARY, APT), {"package": "psycopg2"}, ctx)
    summary = [(f.kind, f.title, f.preferred) for f in fixes if f.kind != "command"]
    home_conf = tmp_path / "home" / ".config" / "pip" / "pip.conf"
    # Edits inside the project first (one preferred), then the user's pip.conf.
    assert summary == [
        ("script", "Add --default-timeout=120 --retries 5 to pip install in Dockerfile", True),
        ("requirements", "Add --prefer-binary to requirements.txt", False),
        ("script", "Add --prefer-binary to pip install in Dockerfile", False),
        ("requirements", "Replace psycopg2 with psycopg2-binary in requirements.txt", False),
        ("pipconf", f"Set timeout = 120, retries = 5 in {home_conf}", False),
        ("pipconf", f"Set prefer-binary = true in {home_conf}", False),
    ]
    swap = next(f for f in fixes if f.title.startswith("Replace"))
    reqs.write_text(apply_edits(reqs.read_text(encoding="utf-8"), swap.edits[0].edits), encoding="utf-8")
    assert reqs.read_text(encoding="utf-8") == "# deps\npsycopg2-binary==2.9.9\n"
    commands = [f.command for f in _by_kind(fixes, "command")]
    assert commands[-1] == "sudo apt-get install -y libpq-dev"
    assert all(not f.preferred for f in _by_kind(fixes, "command"))


def test_version_specifier_fix() -> None:
    reqs = Path("/w/requirements.txt")
    w = Workaround("Give the package a lower bound", Rate(0.8), "pip install '<package>>=<version>'")
    ctx = _ctx({reqs: "numpy\nscipy\n"}, requirements_files=[reqs], workspace=Path("/w"))
    [fix] = _by_kind(fixes_for(_record(w), {"package": "numpy", "version": "1.26"}, ctx), "requirements")
    assert fix.title == "Require numpy>=1.26 in requirements.txt"
    assert fix.edits[0].edits == [TextEdit(0, 5, 0, 5, ">=1.26")]
    assert not fix.preferred


def test_unfilled_placeholders_need_input() -> None:
    [fix] = fixes_for(
        _record(Workaround("Pin it", Rate(0.5), "pip install '<package>==<version>'")), {}, _ctx()
    )
    assert fix.kind == "command"
    assert fix.command == "pip install '<package>==<version>'"
    assert fix.needs_input


# ---- every seed record ----------------------------------------------------------------

SECRET_CAPTURES = {
    "package": "numpy",
    "version": "1.26.4",
    "host": "alice:s3cr3t-pw@mirror.corp",
    "path": "/tmp/x",
}


def _seed_records() -> list[Record]:
    return [lr.record for lr in load_pack(SEEDS).records]


def test_policy_holds_for_every_seed_record(tmp_path: Path) -> None:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("numpy==1.26\npsycopg2==2.9.9\n", encoding="utf-8")
    docker = tmp_path / "Dockerfile"
    docker.write_text("FROM python\nRUN pip install -r requirements.txt\n", encoding="utf-8")
    ctx = FixContext(
        env={"HOME": str(tmp_path / "home"), "VIRTUAL_ENV": str(tmp_path / ".venv")},
        platform="linux",
        workspace=tmp_path,
        requirements_files=[reqs],
        script_files=[docker],
        exists=_exists(),
        os_family=None,
        max_fixes=50,
    )
    records = _seed_records()
    assert records
    for record in records:
        fixes = fixes_for(record, SECRET_CAPTURES, ctx)
        kinds_preferred = [f.kind for f in fixes if f.preferred]
        assert len(kinds_preferred) == len(set(kinds_preferred)), record.id
        for f in fixes:
            assert "s3cr3t-pw" not in repr(f), (record.id, f.title)
            if f.preferred:
                assert f.risk is None, (record.id, f.title)
                assert not f.needs_input, (record.id, f.title)
                assert "not preferred" not in f.title
                assert f.kind != "command"
            if f.risk:
                assert "(not preferred)" in f.title, (record.id, f.title)
            for fe in f.edits:
                current = fe.path.read_text(encoding="utf-8") if fe.path.exists() else ""
                assert fe.create is not fe.path.exists()
                assert apply_edits(current, fe.edits) == fe.new_content, (record.id, f.title)


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_seed_records_on_every_platform(platform: str) -> None:
    env = {"HOME": "/home/u", "APPDATA": r"C:\Users\u\AppData\Roaming", "USERPROFILE": r"C:\Users\u"}
    ctx = _ctx(env=env, platform=platform)
    for record in _seed_records():
        for f in fixes_for(record, {"package": "numpy"}, ctx):
            if f.kind == "pipconf":
                assert str(f.edits[0].path).endswith("pip.ini" if platform == "win32" else "pip.conf")

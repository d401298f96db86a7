"""pip's option table: names, values, pip.conf keys, requirements-file rules, risks."""

from __future__ import annotations

import pytest

from errsig.core.pip.options import (
    OPTIONS,
    REQFILE_OPTIONS,
    REQFILE_REQ_OPTIONS,
    find_long_prefix,
    find_option,
    normalize_conf_key,
    option_for_conf_key,
    option_risk,
    strtobool,
)


def _opt(name: str, command: str | None = None):  # type: ignore[no-untyped-def]
    o = find_option(name, command)
    assert o is not None, name
    return o


def test_timeout_and_its_alias() -> None:
    t = _opt("--default-timeout")
    assert t is _opt("--timeout")
    assert t.name == "--timeout"
    assert t.takes_value
    assert t.conf_key == "timeout"
    assert t.conf_keys == ("timeout", "default-timeout")
    assert t.conf_section == "global"
    assert t.safe
    assert t.risk is None
    assert t.reqfile is None


@pytest.mark.parametrize(
    ("name", "canonical", "takes_value"),
    [
        ("-i", "--index-url", True),
        ("--pypi-url", "--index-url", True),
        ("-f", "--find-links", True),
        ("-c", "--constraint", True),
        ("-r", "--requirement", True),
        ("-e", "--editable", True),
        ("-U", "--upgrade", False),
        ("-t", "--target", True),
        ("-C", "--config-settings", True),
        ("--no-dependencies", "--no-deps", False),
        ("--retries", "--retries", True),
        ("--proxy", "--proxy", True),
        ("--prefer-binary", "--prefer-binary", False),
        ("--only-binary", "--only-binary", True),
        ("--no-binary", "--no-binary", True),
        ("--no-cache-dir", "--no-cache-dir", False),
        ("--cert", "--cert", True),
        ("--client-cert", "--client-cert", True),
        ("--pre", "--pre", False),
        ("--no-build-isolation", "--no-build-isolation", False),
        ("--use-pep517", "--use-pep517", False),
        ("--user", "--user", False),
        ("--force-reinstall", "--force-reinstall", False),
        ("--break-system-packages", "--break-system-packages", False),
        ("--require-hashes", "--require-hashes", False),
        ("--hash", "--hash", True),
        ("--isolated", "--isolated", False),
        ("--disable-pip-version-check", "--disable-pip-version-check", False),
        ("--progress-bar", "--progress-bar", True),
        ("--platform", "--platform", True),
        ("--python-version", "--python-version", True),
        ("--trusted-host", "--trusted-host", True),
        ("--extra-index-url", "--extra-index-url", True),
    ],
)
def test_names_and_values(name: str, canonical: str, takes_value: bool) -> None:
    o = _opt(name, "install")
    assert o.name == canonical
    assert o.takes_value is takes_value


def test_short_names_depend_on_the_command() -> None:
    assert _opt("-f", "install").name == "--find-links"
    assert _opt("-f", "show").name == "--files"
    assert _opt("-i", "search").name == "--index"


def test_unique_long_prefix_like_optparse() -> None:
    o = find_long_prefix("--retr", "install")
    assert o is not None
    assert o.name == "--retries"
    assert find_long_prefix("--no-", "install") is None  # ambiguous


def test_requirements_file_options_are_pips_documented_list() -> None:
    file_level = {o.name for o in REQFILE_OPTIONS}
    assert file_level == {
        "--index-url",
        "--extra-index-url",
        "--no-index",
        "--constraint",
        "--requirement",
        "--editable",
        "--find-links",
        "--no-binary",
        "--only-binary",
        "--prefer-binary",
        "--require-hashes",
        "--pre",
        "--trusted-host",
        "--use-feature",
        # added to the list by recent pip
        "--no-require-hashes",
        "--all-releases",
        "--only-final",
    }
    per_requirement = {o.name: o.removed_in for o in REQFILE_REQ_OPTIONS}
    assert per_requirement == {
        "--hash": None,
        "--config-settings": None,
        "--global-option": "25.3",
        "--install-option": "23.1",
    }


@pytest.mark.parametrize("name", ["--timeout", "--retries", "--proxy", "--cert", "--no-cache-dir", "--user"])
def test_network_and_install_options_are_not_allowed_in_requirements_files(name: str) -> None:
    assert _opt(name).reqfile is None


def test_conf_keys_follow_pips_normalisation() -> None:
    assert normalize_conf_key("Default_Timeout") == "default-timeout"
    assert normalize_conf_key("--retries") == "retries"
    o = option_for_conf_key("DEFAULT_TIMEOUT")
    assert o is not None
    assert o.name == "--timeout"
    # [install] only knows install's options; [global] any command's
    assert option_for_conf_key("outdated", "install") is None
    outdated = option_for_conf_key("outdated", "global")
    assert outdated is not None
    assert outdated.name == "--outdated"
    assert option_for_conf_key("i") is None  # short names are not keys
    assert option_for_conf_key("global-option") is None  # removed


def test_conf_sections_for_command_specific_options() -> None:
    assert _opt("--no-warn-script-location").conf_section == "install"
    assert _opt("--prefer-binary").conf_section == "global"


def test_negative_flags_are_inverted_in_pip_conf() -> None:
    nbi = _opt("--no-build-isolation")
    assert nbi.inverted_conf
    assert nbi.conf_true == "false"
    assert _opt("--prefer-binary").conf_true == "true"


def test_strtobool_is_pips() -> None:
    for v in ("y", "yes", "t", "true", "on", "1", "YES"):
        assert strtobool(v) is True
    for v in ("n", "no", "f", "false", "off", "0"):
        assert strtobool(v) is False
    with pytest.raises(ValueError, match="invalid truth value"):
        strtobool("maybe")


def test_risks() -> None:
    idx = _opt("--index-url")
    assert option_risk(idx, "https://pypi.org/simple") is None
    assert option_risk(idx, "https://pypi.tuna.tsinghua.edu.cn/simple") == (
        "uses third-party package index pypi.tuna.tsinghua.edu.cn"
    )
    assert option_risk(idx, "http://mirror.local/simple") == "uses plain-HTTP package index mirror.local"
    assert option_risk(_opt("--extra-index-url"), "https://download.pytorch.org/whl/cpu") == (
        "uses third-party package index download.pytorch.org"
    )
    assert option_risk(_opt("--find-links"), "./wheels") is None
    assert option_risk(_opt("--trusted-host"), "mirror.example") == (
        "disables TLS certificate verification for mirror.example"
    )
    assert option_risk(_opt("--proxy"), "http://<user>:<password>@proxy.corp:8080") == (
        "sends pip's traffic through proxy proxy.corp"
    )
    assert option_risk(_opt("--timeout"), "120") is None
    assert option_risk(_opt("--prefer-binary")) is None


def test_only_timeout_kind_and_local_options_are_safe() -> None:
    safe = {o.name for o in OPTIONS if o.safe}
    assert {"--timeout", "--retries", "--resume-retries", "--prefer-binary", "--no-cache-dir"} <= safe
    assert not safe & {
        "--index-url",
        "--extra-index-url",
        "--trusted-host",
        "--proxy",
        "--cert",
        "--only-binary",
    }
    assert all(o.risk is None for o in OPTIONS if o.safe)


def test_table_agrees_with_the_installed_pip() -> None:
    """Cross-check against pip's own parser when pip >= 25.3 is importable (dev check)."""
    pip_cmds = pytest.importorskip("pip._internal.commands")
    req_file = pytest.importorskip("pip._internal.req.req_file")
    import pip

    if tuple(int(x) for x in pip.__version__.split(".")[:2]) < (25, 3):
        pytest.skip("the table follows pip >= 25.3")
    theirs: dict[tuple[str, str], bool] = {}
    for cmd in pip_cmds.commands_dict:
        for o in pip_cmds.create_command(cmd).parser._get_all_options():
            takes = (o.takes_value() and o.action != "callback") or (o.action == "callback" and bool(o.type))
            for n in (*o._long_opts, *o._short_opts):
                theirs[cmd, n] = takes
    for o in OPTIONS:
        if o.removed_in:
            continue
        for cmd in o.commands:
            for n in o.names:
                assert (cmd, n) in theirs, f"{n} is not an option of pip {pip.__version__} {cmd}"
                assert theirs[cmd, n] == o.takes_value, (cmd, n)
    # and every option of install/download/wheel is in the table
    for cmd, n in theirs:
        if cmd in ("install", "download", "wheel") and n.startswith("--"):
            mine = find_option(n, cmd)
            assert mine is not None, n
            assert cmd in mine.commands, (cmd, n)
    ours = {o.name for o in REQFILE_OPTIONS}
    assert {f().get_opt_string() for f in req_file.SUPPORTED_OPTIONS} == ours
    assert {f().get_opt_string() for f in req_file.SUPPORTED_OPTIONS_REQ} == {
        o.name for o in REQFILE_REQ_OPTIONS if not o.removed_in
    }

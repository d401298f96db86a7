"""Parsing workaround command lines and turning their options into pip.conf settings."""

from __future__ import annotations

import pytest

from errsig.core.fixes.commands import ParsedOption, parse_pip_command, settings_from_line
from errsig.core.fixes.model import ConfSetting
from errsig.core.pip.credentials import mask_credentials


def _opts(line: str, captures: dict[str, str] | None = None) -> list[tuple[str, str | None]]:
    cmd = parse_pip_command(line, captures)
    assert cmd is not None, line
    return [(o.name, o.value) for o in cmd.options]


def test_timeout_and_retries_with_placeholder() -> None:
    cmd = parse_pip_command("pip install --default-timeout=120 --retries 5 <package>", {"package": "numpy"})
    assert cmd is not None
    assert cmd.tool == "pip"
    assert cmd.launcher == ("pip",)
    assert cmd.subcommand == "install"
    assert [(o.name, o.value, o.tokens) for o in cmd.options] == [
        ("--timeout", "120", ("--default-timeout=120",)),
        ("--retries", "5", ("--retries", "5")),
    ]
    assert cmd.args == ["numpy"]
    assert cmd.text == "pip install --default-timeout=120 --retries 5 numpy"
    assert not cmd.needs_input


def test_unfilled_placeholder_needs_input() -> None:
    cmd = parse_pip_command("pip install --retries 5 <package>", {})
    assert cmd is not None
    assert cmd.args == ["<package>"]
    assert cmd.needs_input


@pytest.mark.parametrize(
    ("line", "launcher"),
    [
        ("python -m pip install x", ("python", "-m", "pip")),
        ("python3 -m pip install x", ("python3", "-m", "pip")),
        ("python3.12 -m pip install x", ("python3.12", "-m", "pip")),
        ("py -m pip install x", ("py", "-m", "pip")),
        ("py -3.12 -m pip install x", ("py", "-3.12", "-m", "pip")),
        ("python -I -m pip install x", ("python", "-I", "-m", "pip")),
        ("pip3 install x", ("pip3",)),
        ("pip3.11 install x", ("pip3.11",)),
        ("/opt/venv/bin/pip install x", ("/opt/venv/bin/pip",)),
        (r"C:\Python312\python.exe -m pip install x", (r"C:\Python312\python.exe", "-m", "pip")),
        ("sudo -H pip install x", ("pip",)),
        ("$ pip install x", ("pip",)),
        ("PIP_NO_INPUT=1 pip install x", ("pip",)),
    ],
)
def test_launchers(line: str, launcher: tuple[str, ...]) -> None:
    cmd = parse_pip_command(line)
    assert cmd is not None
    assert cmd.launcher == launcher
    assert cmd.subcommand == "install"
    assert cmd.args == ["x"]


def test_uv_pip() -> None:
    cmd = parse_pip_command("uv pip install -r requirements.txt")
    assert cmd is not None
    assert cmd.tool == "uv"
    assert cmd.launcher == ("uv", "pip")
    assert [(o.name, o.value) for o in cmd.options] == [("--requirement", "requirements.txt")]


@pytest.mark.parametrize(
    "line",
    [
        "python -c 'import pip'",
        "pipx install black",
        "echo pip install x",
        "python script.py",
        "conda install x",
    ],
)
def test_not_pip(line: str) -> None:
    assert parse_pip_command(line) is None


def test_short_options() -> None:
    assert _opts("pip3 install -i https://mirror.example/simple pkg") == [
        ("--index-url", "https://mirror.example/simple")
    ]
    assert _opts("pip install -qU -rreq.txt") == [
        ("--quiet", None),
        ("--upgrade", None),
        ("--requirement", "req.txt"),
    ]
    assert _opts("pip install -c constraints.txt -e . x") == [
        ("--constraint", "constraints.txt"),
        ("--editable", "."),
    ]


def test_general_options_before_the_subcommand() -> None:
    cmd = parse_pip_command("pip --proxy http://proxy:3128 --no-cache-dir install x")
    assert cmd is not None
    assert cmd.subcommand == "install"
    assert [(o.name, o.value) for o in cmd.options] == [
        ("--proxy", "http://proxy:3128"),
        ("--no-cache-dir", None),
    ]
    assert cmd.args == ["x"]


def test_shell_operators_end_the_command() -> None:
    cmd = parse_pip_command("pip install --prefer-binary x && pip check")
    assert cmd is not None
    assert cmd.args == ["x"]
    cmd = parse_pip_command("pip freeze > constraints.txt")
    assert cmd is not None
    assert cmd.subcommand == "freeze"
    assert cmd.args == []


def test_quoted_requirement() -> None:
    cmd = parse_pip_command("pip install '<package>>=<version>'", {"package": "numpy", "version": "1.26"})
    assert cmd is not None
    assert cmd.args == ["numpy>=1.26"]


def test_unknown_option_is_kept_without_spec() -> None:
    cmd = parse_pip_command("pip install --frobnicate=3 x")
    assert cmd is not None
    assert [(o.name, o.value, o.spec) for o in cmd.options] == [("--frobnicate", "3", None)]


# ---- credentials ------------------------------------------------------------------


def test_mask_url_credentials() -> None:
    assert mask_credentials("http://user:pass@proxy:8080") == ("http://<user>:<password>@proxy:8080", True)
    assert mask_credentials("https://ghp_TOKEN123@github.com/o/r.git") == (
        "https://<user>:<password>@github.com/o/r.git",
        True,
    )
    assert mask_credentials("https://pypi.org/simple") == ("https://pypi.org/simple", False)


def test_environment_references_are_not_credentials() -> None:
    text = "https://__token__:${PYPI_TOKEN}@upload.example/simple"
    assert mask_credentials(text) == (text, False)


def test_proxy_without_scheme_is_masked() -> None:
    cmd = parse_pip_command("pip install --proxy user:s3cret@proxy.corp:3128 x")
    assert cmd is not None
    assert cmd.options[0].value == "<user>:<password>@proxy.corp:3128"
    assert "s3cret" not in cmd.text
    assert cmd.needs_input
    assert cmd.masked


def test_credentials_never_survive_parsing() -> None:
    cmd = parse_pip_command("python -m pip install -i https://alice:hunter2@mirror.corp/simple pkg")
    assert cmd is not None
    assert cmd.text == "python -m pip install -i https://<user>:<password>@mirror.corp/simple pkg"
    assert cmd.options[0].value == "https://<user>:<password>@mirror.corp/simple"
    assert cmd.options[0].tokens == ("-i", "https://<user>:<password>@mirror.corp/simple")
    assert cmd.needs_input


def test_credentials_from_captures_are_masked() -> None:
    cmd = parse_pip_command("pip install --index-url https://<host>/simple x", {"host": "bob:pw@idx.corp"})
    assert cmd is not None
    assert "pw@" not in cmd.text
    assert cmd.options[0].value == "https://<user>:<password>@idx.corp/simple"


# ---- settings -----------------------------------------------------------------------


def test_settings_from_install_options() -> None:
    assert settings_from_line(
        "pip install --default-timeout=120 --retries 5 <package>", {"package": "x"}
    ) == (
        [ConfSetting("global", "timeout", "120"), ConfSetting("global", "retries", "5")],
        False,
    )


def test_settings_index_proxy_trusted_host() -> None:
    line = (
        "pip install -i https://mirror.example/simple --trusted-host mirror.example "
        "--proxy http://u:p@proxy:8080 --prefer-binary --no-build-isolation --user x"
    )
    settings, needs = settings_from_line(line)
    assert settings == [
        ConfSetting("global", "index-url", "https://mirror.example/simple"),
        ConfSetting("global", "trusted-host", "mirror.example"),
        ConfSetting("global", "proxy", "http://<user>:<password>@proxy:8080"),
        ConfSetting("global", "prefer-binary", "true"),
    ]  # --no-build-isolation and --user are per-project choices, not lasting settings
    assert needs


def test_relative_paths_are_not_persisted() -> None:
    assert settings_from_line("pip install --no-index --find-links ./wheels x")[0] == []
    assert settings_from_line("pip install --find-links /srv/wheels x")[0] == [
        ConfSetting("global", "find-links", "/srv/wheels")
    ]


def test_settings_from_pip_config_set() -> None:
    assert settings_from_line("pip config set global.timeout 60") == (
        [ConfSetting("global", "timeout", "60")],
        False,
    )
    assert settings_from_line("pip config --user set global.default-timeout 60")[0] == [
        ConfSetting("global", "timeout", "60")
    ]
    assert settings_from_line("pip config set global.index-url https://a:b@x/simple") == (
        [ConfSetting("global", "index-url", "https://<user>:<password>@x/simple")],
        True,
    )


@pytest.mark.parametrize(
    "line",
    [
        "export PIP_DEFAULT_TIMEOUT=100",
        "PIP_DEFAULT_TIMEOUT=100",
        "set PIP_DEFAULT_TIMEOUT=100",
        "setx PIP_DEFAULT_TIMEOUT 100",
        '$env:PIP_DEFAULT_TIMEOUT = "100"',
        "PIP_DEFAULT_TIMEOUT=100 pip install x",
    ],
)
def test_settings_from_environment_variables(line: str) -> None:
    assert settings_from_line(line)[0] == [ConfSetting("global", "timeout", "100")]


def test_no_settings_from_other_lines() -> None:
    assert settings_from_line("apt-get install -y libpq-dev") == ([], False)
    assert settings_from_line("export PIP_CONFIG_FILE=/etc/pip.conf") == ([], False)


def test_parsed_option_rendering() -> None:
    o = ParsedOption("--timeout", "120", ("--default-timeout=120",))
    assert o.render() == "--default-timeout=120"
    assert o.with_value("60").tokens == ("--default-timeout=60",)
    p = ParsedOption("--proxy", "http://<user>:<password>@p:1", ("--proxy", "http://<user>:<password>@p:1"))
    assert p.render() == "--proxy 'http://<user>:<password>@p:1'"
    assert ParsedOption("--index-url", "u", ("-iu",)).with_value("v").tokens == ("-iv",)


def test_mask_captures_masks_bare_userinfo_of_a_host() -> None:
    from errsig.core.pip.credentials import mask_captures

    assert mask_captures(
        {"host": "alice:pw@mirror.corp", "package": "numpy", "url": "https://t@x.org/s"}
    ) == {
        "host": "<user>:<password>@mirror.corp",
        "package": "numpy",
        "url": "https://<user>:<password>@x.org/s",
    }
    assert mask_captures({"host": "git@github.com"}) == {"host": "git@github.com"}  # no password

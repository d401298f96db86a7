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
    assert [f.id for f in toolkit.scanner.scan_text(DART_PUB)] == []


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

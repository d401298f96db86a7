"""What a finding says about itself: its title carries this log's values, not the record's
example; a warning stays a warning until the tool gives up."""

from __future__ import annotations

import pytest

from errsig.core.kb.model import Record
from errsig.core.loading import Toolkit, load_toolkit
from errsig.core.scan.findings import Finding

RETRY = (
    "WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) "
    "after connection broken by 'ReadTimeoutError(\"HTTPSConnectionPool(host='pypi.org', port=443): "
    "Read timed out. "
    "(read timeout=15)\")': /simple/torchvision/\n"
)
GAVE_UP = (
    "ERROR: Could not install packages due to an OSError: HTTPSConnectionPool(host='pypi.org', port=443): "
    "Read timed out.\n"
)
POETRY = (
    "The current project could not be installed: No file/folder found for package compiler-explorer-infra\n"
)


@pytest.fixture(scope="module")
def tk() -> Toolkit:
    return load_toolkit([], fast=False)


def test_the_title_names_this_logs_package_not_the_records_example(tk: Toolkit) -> None:
    (f,) = tk.scanner.scan_text("Installing the current project: x (0.1.0)\n" + POETRY)
    assert "compiler-explorer-infra" in f.title
    assert "my-project" in f.record.signature
    assert "my-project" not in f.title


def test_the_title_names_this_logs_host(tk: Toolkit) -> None:
    (f,) = tk.scanner.scan_text(RETRY)
    assert "host='pypi.org'" in f.title
    assert "files.pythonhosted.org" not in f.title


def test_retries_alone_are_a_warning_and_giving_up_is_an_error(tk: Toolkit) -> None:
    assert [f.severity for f in tk.scanner.scan_text(RETRY * 2 + "Collecting x\n")] == ["warning"]
    assert "error" in [f.severity for f in tk.scanner.scan_text(RETRY * 2 + GAVE_UP)]


def test_poetry_marks_it_an_error_only_since_2(tk: Toolkit) -> None:
    (old,) = tk.scanner.scan_text(POETRY)
    (new,) = tk.scanner.scan_text("Error: " + POETRY)
    assert (old.severity, new.severity) == ("warning", "error")


def test_a_captured_url_in_the_title_is_masked() -> None:
    record = Record(
        id="x/fetch", signature="Cannot fetch https://example.org/simple/", regex=r"Cannot fetch (?P<url>\S+)"
    )
    f = Finding(
        record=record,
        line=0,
        col=0,
        end_line=0,
        end_col=1,
        match="",
        captures={"url": "https://bob:s3cret@host/simple/"},
    )
    assert "s3cret" not in f.title
    assert "host/simple/" in f.title

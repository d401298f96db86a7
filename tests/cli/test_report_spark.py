"""The Spark engine of errsig report (local[2]) gives the process-pool engine's document,
apart from its timing fields, on the same archive (folders, a .zip, a .tar.gz)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from errsig.core import report, report_spark
from errsig.core.loading import Toolkit
from tests.cli.test_report import archive, mixed, tk  # noqa: F401 (fixtures)

GROUPS = "{repo}/{workflow}/{date}"


@pytest.mark.skipif(report_spark.missing() is not None, reason=str(report_spark.missing()))
def test_spark_local_gives_the_same_document(tk: Toolkit, archive: tuple[Path, list]) -> None:  # noqa: F811
    root, logs = archive
    local, _ = report.report(tk.scanner, [str(root)], workers=2, group_by=GROUPS)
    spark = report_spark.report_spark(
        [str(root)], master="local[2]", group_by=GROUPS, titles=report.titles_for(tk.scanner)
    )
    assert spark["scan"]["engine"] == "spark"
    assert spark["totals"]["logs"] == len(logs)
    assert {k: v for k, v in spark.items() if k != "scan"} == {k: v for k, v in local.items() if k != "scan"}


def test_without_pyspark_the_message_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else real(name, *a)
    )
    assert "pip install 'errsig[spark]'" in str(report_spark.missing())


@pytest.mark.skipif(report_spark.missing() is not None, reason=str(report_spark.missing()))
def test_spark_keeps_the_same_files_with_include(tk: Toolkit, mixed: Path) -> None:  # noqa: F811
    local, _ = report.report(tk.scanner, [str(mixed)], include=["*.log"])
    spark = report_spark.report_spark(
        [str(mixed)], master="local[2]", include=["*.log"], titles=report.titles_for(tk.scanner)
    )
    assert spark["totals"]["logs"] == 2
    assert {k: v for k, v in spark.items() if k != "scan"} == {k: v for k, v in local.items() if k != "scan"}

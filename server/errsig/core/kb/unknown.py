"""Records for errors no record knows: ``unknown/<tool>``.

A line shaped like an error (``error:``, ``ERROR:``, the last line of a traceback, pip's
``×`` box, ``npm ERR!``, a non-zero exit status) that no record claims becomes a finding
of one of these records. They are built here, not loaded from a pack: they carry no
workaround, only the pointer and the way to teach errsig the error (draft a record).
"""

from __future__ import annotations

import functools

from errsig.core.kb.model import Record

PREFIX = "unknown/"

# The tools errsig names an unknown error after, and how it says so.
TOOLS = {
    "python": "Python",
    "pip": "pip",
    "uv": "uv",
    "conda": "conda",
    "poetry": "Poetry",
    "pytest": "pytest",
    "gcc": "the C/C++ compiler",
    "nvcc": "the CUDA compiler (nvcc)",
    "msvc": "the Microsoft C/C++ compiler",
    "ld": "the linker",
    "make": "make",
    "ninja": "ninja",
    "cmake": "CMake",
    "rust": "the Rust compiler (cargo)",
    "npm": "npm",
    "node": "Node.js",
    "yarn": "Yarn",
    "java": "the Java runtime (JVM)",
    "go": "the Go toolchain",
    "kotlin": "the Kotlin compiler",
    "vite": "Vite",
    "pyenv": "pyenv",
    "gradle": "Gradle",
    "typescript": "the TypeScript compiler (tsc)",
    "dotnet": ".NET (MSBuild/NuGet)",
    "php": "PHP",
    "ruby": "Ruby",
    "mypy": "mypy",
    "configure": "the configure script",
    "musl": "the musl dynamic loader (Alpine)",
    "apt": "apt",
    "git": "git",
    "docker": "docker",
    "shell": "the shell",
    "ci": "the CI runner",
    "generic": "a tool",
}


def is_unknown_id(rid: str) -> bool:
    return rid.startswith(PREFIX) and rid[len(PREFIX) :] in TOOLS


@functools.cache
def unknown_record(tool: str) -> Record:
    """The record an unknown error of ``tool`` is shown with (``generic`` for any other)."""
    tool = tool if tool in TOOLS else "generic"
    who = TOOLS[tool]
    return Record(
        id=f"{PREFIX}{tool}",
        signature="<message>",
        regex="",
        domain="unknown",
        category="unknown_info",
        root_cause=(
            f"An error from {who} that no errsig record knows yet. This line is where the "
            "output first reports it; the lines above it usually say why. Draft a record "
            "(the quick fix, or `errsig draft FILE:LINE`) to teach errsig this error."
        ),
        root_cause_zh=(
            "errsig 还没有记录这个错误。这一行是输出中首次报告它的位置，上面几行通常说明原因。"
            "可以用快速修复或 `errsig draft 文件:行号` 起草一条记录。"
        ),
        tags=["unknown", "generic"],
        verification_tier="community",
    )

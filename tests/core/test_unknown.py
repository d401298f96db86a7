"""Errors no record knows: found by their shape, one per instance, symptoms linked,
never on a successful log."""

from __future__ import annotations

from pathlib import Path

import pytest

from errsig.core.loading import Toolkit, load_toolkit
from errsig.core.matching.vetting import clean_corpus_dir
from errsig.core.scan.files import scan_file
from errsig.core.scan.findings import Finding
from tests.conftest import DATA

UNKNOWN = DATA / "unknown"


@pytest.fixture(scope="module")
def tk() -> Toolkit:
    toolkit = load_toolkit([])
    toolkit.scanner.unknown = True
    return toolkit


def _scan(tk: Toolkit, text: str, tmp_path: Path) -> list[Finding]:
    log = tmp_path / "x.log"
    log.write_text(text, "utf-8")
    return scan_file(tk.scanner, log)


def _ids(findings: list[Finding]) -> list[tuple[str, int]]:
    return [(f.id, f.line + 1) for f in findings]


def test_off_by_default() -> None:
    toolkit = load_toolkit([])
    assert not toolkit.scanner.unknown
    assert scan_file(toolkit.scanner, UNKNOWN / "zmq.log") == []


def test_traceback_last_line_and_the_exit_status_it_caused(tk: Toolkit) -> None:
    findings = scan_file(tk.scanner, UNKNOWN / "zmq.log")
    assert _ids(findings) == [("unknown/python", 8), ("unknown/ci", 9)]
    error, exit_line = findings
    assert error.severity == "information"
    assert error.title.startswith("zmq.error.ZMQError: Address already in use")
    assert error.caused_by is None
    assert exit_line.caused_by == ("unknown/python", 7)


def test_one_npm_block_is_one_error(tk: Toolkit) -> None:
    findings = scan_file(tk.scanner, UNKNOWN / "npm.log")
    assert _ids(findings) == [("unknown/npm", 2)]
    assert [x + 1 for x in findings[0].also_at] == [3, 5, 6, 7]


def test_chained_traceback_points_at_the_first_exception(tk: Toolkit) -> None:
    first, second = scan_file(tk.scanner, UNKNOWN / "chained.log")
    assert (first.id, first.line + 1, first.caused_by) == ("unknown/python", 4, None)
    assert (second.line + 1, second.caused_by) == (13, ("unknown/python", 3))


def test_inside_a_known_box_the_unknown_cause_is_shown_and_the_box_is_not_repeated(tk: Toolkit) -> None:
    findings = scan_file(tk.scanner, UNKNOWN / "box.log")
    assert _ids(findings) == [("pip/subprocess-exited-with-error", 5), ("unknown/python", 13)]


def test_echoes_are_one_finding_at_the_first(tk: Toolkit, tmp_path: Path) -> None:
    text = "fatal: unable to access 'https://git.example.org/r.git/': Could not resolve host\n" * 3
    text += (
        "retrying\n" * 50
        + "fatal: unable to access 'https://git.example.org/r.git/': Could not resolve host\n"
    )
    (f,) = _scan(tk, text, tmp_path)
    assert (f.id, f.line, [x + 1 for x in f.also_at]) == ("unknown/git", 0, [2, 3, 54])


def test_a_known_error_line_is_not_also_unknown(tk: Toolkit, tmp_path: Path) -> None:
    text = "ERROR: Could not find a version that satisfies the requirement nosuchpkg (from versions: none)\n"
    text += "ERROR: No matching distribution found for nosuchpkg\n"
    findings = _scan(tk, text, tmp_path)
    assert findings
    assert not any(f.unknown for f in findings)


def test_configure_probes_are_not_errors(tk: Toolkit, tmp_path: Path) -> None:
    text = "_configtest.c:1:10: fatal error: xlocale.h: No such file or directory\n"
    text += "CMakeFiles/CMakeTmp/src.c:1:10: fatal error: foo.h: No such file or directory\n"
    assert _scan(tk, text, tmp_path) == []


def test_compiler_linker_and_tools(tk: Toolkit, tmp_path: Path) -> None:
    lines = [
        "src/frob.c:12:5: error: unknown type name 'frob_t'",
        "E: Sub-process /usr/bin/dpkg returned an error code (1)",
        "/usr/bin/ld: cannot find crt1.o: No such file or directory",  # -lX has a record now
        "error[E0433]: failed to resolve: use of undeclared crate or module `frob`",
        "make: *** [Makefile:12: all] Error 2",
    ]
    text = "\n\n\n\n\n".join(lines) + "\n"
    assert [f.id for f in _scan(tk, text, tmp_path)] == [
        "unknown/gcc",
        "unknown/apt",
        "unknown/ld",
        "unknown/rust",
        "unknown/make",
    ]


def test_coloured_and_prefixed_lines(tk: Toolkit, tmp_path: Path) -> None:
    text = "2024-05-01T10:00:00.1234567Z \x1b[31mnpm ERR!\x1b[0m code E404\n"
    (f,) = _scan(tk, text, tmp_path)
    assert f.id == "unknown/npm"
    assert f.match == "npm ERR! code E404"


def test_credentials_in_the_message_are_masked(tk: Toolkit, tmp_path: Path) -> None:
    text = "fatal: unable to access 'https://bob:s3cret@git.example.org/r.git/': 403\n"
    (f,) = _scan(tk, text, tmp_path)
    assert "s3cret" not in f.title
    assert "s3cret" not in f.message


def test_words_that_only_look_like_errors(tk: Toolkit, tmp_path: Path) -> None:
    text = (
        "tests/test_errors.py::test_error_message PASSED\n"
        "  WARNING: Retrying (Retry(total=4)) after connection broken by 'ReadTimeoutError(...)'\n"
        "Successfully installed frob-1.0\n"
        "0 errors, 2 warnings\n"
        "exit code: 0\n"
        "ValueError: shown in a docstring, not after a traceback\n"
    )
    assert _scan(tk, text, tmp_path) == []


@pytest.mark.parametrize("log", sorted(clean_corpus_dir().glob("*.log")), ids=lambda p: p.name)
def test_no_unknown_error_on_successful_logs(tk: Toolkit, log: Path) -> None:
    assert [f for f in scan_file(tk.scanner, log) if f.unknown] == []


def test_unknown_records_explain_themselves(tk: Toolkit) -> None:
    record = tk.catalogue.get("unknown/python")
    assert record is not None
    assert record.severity == "information"
    assert "draft" in record.root_cause.lower()
    assert tk.catalogue.get("unknown/nosuchtool") is None


def test_shell_docker_and_library_exception_shapes(tk: Toolkit, tmp_path: Path) -> None:
    lines = [
        "zsh: command not found: frobnicate",
        "git: 'frob' is not a git command. See 'git --help'.",
        "'frob' is not recognized as an internal or external command,",
        'docker: Error response from daemon: Conflict. The container name "/web" is already in use.',
        "E   mylib.errors.FrobError: the frob broke",
    ]
    text = "\n\n\n\n\n".join(lines) + "\n"
    found = [(f.id, f.line) for f in _scan(tk, text, tmp_path)]
    assert found == [
        ("unknown/shell", 0),
        ("unknown/shell", 5),
        ("unknown/shell", 10),
        ("unknown/docker", 15),
        ("unknown/python", 20),
    ]


def test_shapes_real_logs_showed_without_a_record(tk: Toolkit, tmp_path: Path) -> None:
    """One line per shape, each taken from the kind of output the held-out real logs showed
    (tool names invented so that no record claims them)."""
    cases = [
        ("cv2.error: OpenCV(4.5.1) window.cpp:651: error: (-2) frobnication missing", "unknown/python"),
        ("frob.core.exceptions.ImproperlyFrobbed: Requested frob, but frobs are not set", "unknown/python"),
        ("ERROR:root:frobnicator crashed while starting", "unknown/generic"),
        ("[ERROR]  FrobFailure in worker 3", "unknown/generic"),
        ("OMP: Error #99: Initializing libfrob.dylib twice.", "unknown/python"),
        ("Error relocating /usr/lib/libfrob.so: frob_init: symbol not found", "unknown/musl"),
        ("frob/config.py:6: error: Frob stubs missing for 'frob'", "unknown/mypy"),
        ("configure: error: frob headers not found", "unknown/configure"),
        ("! [rejected]        frob -> frob (frob-first)", "unknown/git"),
        ("Error [ERR_FROB_FAILED]: frob() of the module failed", "unknown/node"),
        ("frobctl: error: unrecognized arguments: --frob", "unknown/generic"),
        ("\u2718 Frobbing Failed!", "unknown/generic"),
        ("1.368 E: Unable to frob some archives", "unknown/apt"),
        ("AttributeError: 'Frob' object has no attribute 'nicate'", "unknown/python"),
        ("**RuntimeError: frob error: device-side frob triggered**", "unknown/python"),
    ]
    text = "\n\n\n\n\n".join(line for line, _ in cases) + "\n"
    found = [(f.id, f.line) for f in _scan(tk, text, tmp_path) if f.caused_by is None]
    assert found == [(tool, 5 * i) for i, (_, tool) in enumerate(cases)]


def test_prose_that_names_an_exception_is_not_an_error(tk: Toolkit, tmp_path: Path) -> None:
    text = "TypeError: raised when the frob is not a string\nKeyError: if the key is missing\n"
    assert _scan(tk, text, tmp_path) == []


def test_the_jvm_and_yarn_failure_lines(tk: Toolkit, tmp_path: Path) -> None:
    java = (
        "$ java -jar tool.jar\n"
        'Exception in thread "main" java.lang.NoSuchMethodError: com.example.Foo.bar()V\n'
        "\tat com.example.Main.main(Main.java:12)\n"
    )
    assert _ids(_scan(tk, java, tmp_path)) == [("unknown/java", 2)]
    yarn = (
        "yarn install v1.22.19\n[1/4] Resolving packages...\n"
        'error Couldn\'t find package "nope" on the "npm" registry.\n'
    )
    assert _ids(_scan(tk, yarn, tmp_path)) == [("unknown/yarn", 3)]
    prose = "error handling is described below\nerror codes are listed in the appendix\n"
    assert _scan(tk, prose, tmp_path) == []


def test_a_traceback_quoted_in_markdown_is_read_through_the_quote(tk: Toolkit, tmp_path: Path) -> None:
    text = (
        "> Traceback (most recent call last):\n"
        '>   File "/srv/app.py", line 3, in <module>\n'
        ">     client.connect()\n"
        "> somelib.errors.BackendUnavailableError: backend at 10.0.0.5:7000 did not answer\n"
    )
    assert _ids(_scan(tk, text, tmp_path)) == [("unknown/python", 4)]


GRADLE = """> Task :app:processDebugResources FAILED

FAILURE: Build failed with an exception.

* What went wrong:
Execution failed for task ':app:processDebugResources'.
> A failure occurred while executing com.android.build.gradle.internal.res.LinkApplicationAndroidResources
   > Android resource linking failed
     ERROR: AndroidManifest.xml:12: AAPT: error: resource style/AppTheme.Splash not found.

* Try:
> Run with --stacktrace option to get the stack trace.

BUILD FAILED in 14s
"""


def test_gradles_what_went_wrong_block_names_its_deepest_cause(tk: Toolkit, tmp_path: Path) -> None:
    # No error word on "> Android resource linking failed"; the ERROR: line under it is its
    # own unknown error (aapt's), and nothing in "* Try:" is one.
    found = [(f.id, f.line + 1) for f in _scan(tk, GRADLE, tmp_path) if f.unknown and f.caused_by is None]
    assert ("unknown/gradle", 8) in found
    assert all(line < 11 for _id, line in found)


def test_a_gradle_block_pasted_as_a_markdown_quote(tk: Toolkit, tmp_path: Path) -> None:
    quoted = "".join(f"> {line}\n" if line else ">\n" for line in GRADLE.splitlines())
    found = [(f.id, f.line + 1) for f in _scan(tk, quoted, tmp_path) if f.unknown and f.caused_by is None]
    assert ("unknown/gradle", 8) in found


def test_a_compilation_summary_in_gradles_block_is_a_symptom(tk: Toolkit, tmp_path: Path) -> None:
    text = "e: file:///src/Main.kt:3:5 Unresolved reference: foo\n\n"
    text += "FAILURE: Build failed with an exception.\n\n"
    text += "* What went wrong:\nExecution failed for task ':app:compileDebugKotlin'.\n"
    text += "> Compilation error. See log for more details\n\n* Try:\n"
    gradle = [f for f in _scan(tk, text, tmp_path) if f.id == "unknown/gradle"]
    assert [f.line + 1 for f in gradle] == [7]
    assert gradle[0].symptom


@pytest.mark.parametrize(
    ("line", "tool"),
    [
        ("src/app.ts(3,21): error TS2304: Cannot find name 'frobnicate'.", "typescript"),
        ("error TS5058: The specified path does not exist: 'tsconfig.app.json'.", "typescript"),
        ("/src/App.csproj : error NU1102: Unable to find package Foo.Bar with version (>= 9.9)", "dotnet"),
        ("PHP Fatal error:  Uncaught Error: Class 'Foo\\Bar' not found in /app/index.php:3", "php"),
        ("Psych::SyntaxError: (<unknown>): did not find expected key while parsing a block mapping", "ruby"),
        ("[2024-05-01 10:00:00,001: ERROR/MainProcess] Received unregistered task of type 'x.y'.", "python"),
        ("psql: FATAL:  sorry, too many clients already", "generic"),
        ("[rank0]: torch.distributed.DistStoreError: Timed out after 901 seconds waiting for them", "python"),
        (
            "2021-03-21T05:06:02.317964+00:00 app[web.1]: kombu.exceptions.OperationalError: [Errno 111] no",
            "python",
        ),
    ],
)
def test_more_tools_error_shapes(tk: Toolkit, tmp_path: Path, line: str, tool: str) -> None:
    found = [f for f in _scan(tk, f"starting\n{line}\n", tmp_path) if f.unknown]
    assert [(f.id, f.line + 1) for f in found] == [(f"unknown/{tool}", 2)]


@pytest.mark.parametrize(
    "line",
    [
        "go: downloading golang.org/x/mod v0.4.2",
        "go: added github.com/x/y v1.2.3",
        "BUILD FAILED in 14s",
        "ERROR:  Error installing mysql2:",  # RubyGems' two spaces: the cause follows
        "Aborted by the user",
        "cargo: 1.70.0",
    ],
)
def test_lines_like_the_new_shapes_that_are_not_errors_of_their_own(
    tk: Toolkit, tmp_path: Path, line: str
) -> None:
    assert [f.id for f in _scan(tk, f"starting\n{line}\n", tmp_path) if f.unknown] == []


@pytest.fixture(scope="module")
def bare() -> Toolkit:
    """No records: every error-shaped line is the finder's (records claim many of these)."""
    toolkit = load_toolkit([], builtin=False)
    toolkit.scanner.unknown = True
    return toolkit


# Lines from real reports (tests/corpus/real/failing) that the finder used to miss.
@pytest.mark.parametrize(
    ("line", "tool"),
    [
        ('ERROR:    Error loading ASGI app. Could not import module "main".', "generic"),
        ("ERROR:  py37: InterpreterNotFound: python3.7", "generic"),
        ("ERROR    InvalidDistribution: Invalid distribution metadata: unrecognized field", "generic"),
        ("ERROR [alembic.env] Target database is not up to date.", "generic"),
        ("Illegal instruction (core dumped)", "shell"),
        ("zsh: illegal hardware instruction  python run_train_model.py --name ssq", "shell"),
        ("sh: 1: vite: not found", "shell"),
        ("SyntaxError: Cannot use import statement outside a module", "node"),
        ("ResolvePackageNotFound:", "conda"),
        ("UnavailableInvalidChannel: HTTP 404 NOT FOUND for channel defaultscls <https://x.org>", "conda"),
        ("main.go:27:2: missing go.sum entry for module providing package github.com/x/y", "go"),
        ("go: go.mod file not found in current directory or any parent directory.", "go"),
        ("e: file:///app/src/Main.kt:12:5 Unresolved reference: frob", "kotlin"),
        ('[plugin:vite:import-analysis] Failed to resolve import "../pages/A" from "src/r.tsx".', "vite"),
        ("exec /usr/local/bin/python3: exec format error", "docker"),
        ("pyenv: version `2.7.18' is not installed (set by /Users/x/.python-version)", "pyenv"),
        ("BUILD FAILED (OS X 11.6 using python-build 20180424)", "pyenv"),
        ("Unhandled exception. System.Net.Sockets.SocketException (10013): An attempt was made", "dotnet"),
        ('../scipy/meson.build:163:9: ERROR: Dependency "OpenBLAS" not found, tried pkgconfig', "generic"),
        ("│ Error: Inconsistent dependency lock file", "generic"),
        ("9:40:53 PM: FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed", "generic"),
    ],
)
def test_shapes_of_real_lines_once_missed(bare: Toolkit, tmp_path: Path, line: str, tool: str) -> None:
    found = [f for f in _scan(bare, f"starting\n{line}\n", tmp_path) if f.unknown]
    assert [(f.id, f.line + 1) for f in found] == [(f"unknown/{tool}", 2)]


GCC_LINE = (
    b"      x86_64-linux-gnu-gcc -Wno-unused-result -Wsign-compare -DNDEBUG -g -fwrapv -O2 -Wall -g "
    b"-fstack-protector-strong -Wformat -Werror=format-security -g -fwrapv -O2 -fPIC "
    b"-I/usr/include/python3.11 -c src/fast.c -o build/temp.linux-x86_64-3.11/src/fast.o\n"
)


def test_a_werror_flag_does_not_make_a_compiler_line_a_candidate() -> None:
    """Every gcc line of a wheel built by a Debian Python carries -Werror=format-security:
    those lines used to be almost all of the candidates the unknown-error gate cleaned and
    matched (5,358 of 5,375 in 5 MB of the benchmark's log)."""
    from errsig.core.scan import unknown

    lines = [
        GCC_LINE,
        b"error: command '/usr/bin/x86_64-linux-gnu-gcc' failed with exit code 1\n",
        GCC_LINE.replace(b"-Wall", b"-Wall -Wno-error=unused"),  # "-error" is still a word
        b"Error: Process completed with exit code 1.\n",
        b"pyWErrors happen\n",
    ]
    data = b"".join(lines)
    starts = [sum(len(x) for x in lines[:i]) for i in range(len(lines))]
    assert unknown._starts(unknown._CANDIDATE, data) == starts[1:4]
    findings = unknown.find_unknown(GCC_LINE * 200 + lines[1])
    assert [(f.line, f.id) for f in findings] == [(200, "unknown/gcc")]

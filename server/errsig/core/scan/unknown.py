"""Errors no record knows: the decisive line of an unknown error, found by its shape.

Tools announce errors in a few shapes: ``error:`` / ``ERROR:`` / ``E:`` / ``fatal error:``,
``npm ERR!``, pip's ``×`` box, the last line of a Python traceback, ``FAILED`` lines, and
non-zero exit statuses. A line of such a shape that no record claims becomes a finding of
``unknown/<tool>`` (severity information). One finding per error instance: a repeat of
the same message is an echo (``also_at``), the lines of one ``npm ERR!`` block are one
error; summaries and exit statuses are symptoms, linked to the first failure before them
(pip's box, printed before its cause, looks inside the box first).

Every pattern here runs under RE2 (linear time); the candidate lines are found with one
RE2 pass over the raw bytes, so the cost is that of the known-error prefilter.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator

import attrs
import re2

from errsig.core.kb.unknown import PREFIX, unknown_record
from errsig.core.matching.regex import UNANCHORED, raw_spans
from errsig.core.pip.credentials import mask_credentials
from errsig.core.scan.clean import (
    ESCAPE_MARKERS,
    PREFIXES_PATTERN,
    Segment,
    clean_segments,
    strip_escapes_bytes,
)
from errsig.core.scan.findings import Finding
from errsig.core.scan.probes import is_probe

# Lines that may hold an error shape (over raw bytes: colour and prefixes do not matter).
# "error" right after a "W" is a compiler flag (-Werror=format-security, in the CFLAGS of
# every gcc line a Debian-built Python prints while building a wheel), never a shape's word.
_CANDIDATE = re2.compile(
    rb"(?m)^[^\n]*(?:(?:^|[^W\n])[Ee]rror|ERROR|E: |\x{d7} |ERR!|FAILED|[Ee]xit (?:code|status)|"
    rb"exited with|Exception|Interrupt|SystemExit|fatal|FATAL|\*\*\* |build stopped|command not found|"
    rb"[Ff]ailed to build|cannot find |undefined reference to|bad interpreter|is not a \S+ command|"
    rb"is not recognized as|no matches found|Docker daemon|\x{2718} |! \[rejected\]|\.exceptions\.|"
    rb"core dumped|illegal hardware instruction|segmentation fault|ResolvePackageNotFound|"
    rb"EnvironmentLocationNotFound|PackagesNotFound|UnavailableInvalidChannel|exec format error|"
    rb"BUILD FAILED \(|sh: \d+: |\[plugin:|pyenv: |\bgo: |\.go:\d+:\d+: |"
    rb"\.kts?:\d+:\d+[: ]|\.kts?: \(\d+, \d+\))"
)
LONG = 4096  # characters of a line looked at
MESSAGE = 200  # characters of a message shown
CONTEXT = 64 << 10  # bytes looked back for the tool that printed a line
TRACEBACK_BACK = 64 << 10  # bytes between a traceback's header and its last line (one rfind)
BLOCK_GAP = 2  # lines: unknown lines of one tool this close are one error
CAUSE_WINDOW = 5000
BOX_WINDOW = 300  # lines below pip's box that hold its cause

PRIMARY, SYMPTOM = "primary", "symptom"


@attrs.define(frozen=True)
class _Shape:
    pattern: object  # compiled RE2, applied to the clean line without leading blanks
    tool: str | None  # None: the tool printing around the line
    kind: str
    needs_traceback: bool = False


_SOURCES: list[str] = []


def _s(pattern: str, tool: str | None, kind: str = PRIMARY, **kw: bool) -> _Shape:
    _SOURCES.append(pattern)
    return _Shape(re2.compile(pattern), tool, kind, **kw)


_EXIT = r"(?:exit code|exit status|exited with code|returned non-zero exit status)\s*:?\s*[1-9]"

# First match wins: specific tools before the shapes every tool prints.
_SHAPES = (
    _s(r"^npm (?:ERR!|error) \S", "npm"),
    _s(r"^gyp ERR! \S", "npm"),
    _s(r"^E: \S", "apt"),
    _s(r"^g?make(?:\[\d+\])?: \*\*\* ", "make", SYMPTOM),
    _s(r"^ninja: build stopped", "ninja", SYMPTOM),
    _s(r"^FAILED: \S", "ninja", SYMPTOM),
    _s(r"^CMake Error\b", "cmake"),
    _s(r"^error: could not compile `[^`]+`.* due to \d+ previous errors?", "rust", SYMPTOM),
    _s(r"^error: failed to run custom build command for `", "rust", SYMPTOM),
    _s(r"^error\[E\d{4}\]: \S", "rust"),
    _s(r"^\S+?\.(?:c|cc|cpp|cxx|h|hh|hpp|pyx|pxd|f|f90|m|mm|cu)(?::\d+){1,2}: (?:fatal )?error: \S", "gcc"),
    _s(
        r"^(?:\S*/)?(?:gcc|g\+\+|cc|c\+\+|clang|clang\+\+|cl|nvcc)(?:-[\d.]+)?(?:\.exe)?"
        r": (?:fatal )?error: \S",
        "gcc",
    ),
    _s(r"^fatal error: \S", "gcc"),
    _s(r"^nvcc fatal\s*: \S", "nvcc"),
    _s(r"^\S.*\(\d+(?:,\d+)?\) ?: (?:fatal )?error C\d{4}: \S", "msvc"),
    _s(
        r"^(?:\S*/)?(?:clang|gcc|g\+\+|collect2)(?:-[\d.]+)?: error: "
        r"(?:linker command failed|ld returned)",
        "ld",
        SYMPTOM,
    ),
    _s(
        r"^(?:\S*/)?(?:collect2|ld|ld\.\w+|lld-link|link)(?:\.exe)?: "
        r"(?:fatal )?(?:error|cannot find)\b",
        "ld",
    ),
    _s(r"^\S+\.o(?:bj)?: .*undefined reference to ", "ld"),
    _s(
        r"^(?:CondaError|CondaHTTPError|CondaValueError|CondaEnvException|CondaSSLError|"
        r"CondaToSNonInteractiveError|PackagesNotFoundError|LibMambaUnsatisfiableError|"
        r"UnsatisfiableError|ResolvePackageNotFound|CommandNotFoundError|NotWritableError|"
        r"EnvironmentLocationNotFound|DirectoryNotACondaEnvironmentError|CondaVerificationError|"
        r"ClobberError|SafetyError|PaddingError|LinkError|UnavailableInvalidChannel)\b:?",
        "conda",
    ),
    _s(r"^Fatal Python error: \S", "python"),
    _s(r"^OMP: Error #\d+: \S", "python"),
    _s(r"^Error (?:loading shared library|relocating) \S", "musl"),
    _s(r"^\S+\.pyi?:\d+: error: \S", "mypy"),
    _s(r"^configure: error: \S", "configure"),
    _s(r"^! \[rejected\] ", "git"),
    _s(r"^FAILED \S+::\S", "pytest"),
    _s(r"^ERROR \S+\.py(?:::\S+)?(?: - \S.*)?$", "pytest"),
    _s(r"^=+ .*\b\d+ (?:failed|errors?)\b.* =+$", "pytest", SYMPTOM),
    _s(
        r"^(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt|Failure)(?::(?: .*)?)?$",
        "python",
        needs_traceback=True,
    ),
    # The same line without a traceback above it (pasted alone, or printed by a tool that
    # reports an exception in one line): only Python's own exceptions of the environment.
    _s(
        r"^(?:\*\*)?(?:OSError|EnvironmentError|ImportError|FileNotFoundError|PermissionError|"
        r"RuntimeError|subprocess\.CalledProcessError): \S",
        "python",
    ),
    # A library's exception printed alone with its message (pydantic.errors.PydanticImportError,
    # torch.OutOfMemoryError), also as pytest's "E   " lines: qualified by its module, so a
    # builtin's name in prose ("ValueError: …" in a docstring) is not taken for one.
    _s(r"^(?:E {2,})?(?:[a-z_]\w*\.)+[A-Z]\w*(?:Error|Exception): \S", "python"),
    # Also a module's lower-case `error` (cv2.error, socket.error) and the names a package keeps
    # in its `exceptions` module whatever their suffix (django.core.exceptions.ImproperlyConfigured).
    _s(r"^(?:E {2,})?(?:[a-z_]\w*\.)+(?:error|exceptions\.[A-Z]\w*): \S", "python"),
    # Python's commonest exceptions alone on their line (no traceback pasted), also as pytest's
    # "E   " lines, when the message quotes or numbers something ('x' object has no attribute
    # 'y'; size changed … Expected 96): not the prose of a docstring ("ValueError: if …").
    _s(
        r"^(?:E {2,})?(?:AttributeError|ValueError|TypeError|KeyError|NameError|SyntaxError|"
        r"ModuleNotFoundError|LookupError|AssertionError|IndexError|UnicodeDecodeError|"
        r"UnicodeEncodeError|NotImplementedError|ConnectionError|TimeoutError|BadZipFile|"
        r"BadZipfile|MemoryError|RecursionError|ZeroDivisionError): \S+ [^\n]*['\"\d=(]",
        "python",
    ),
    # Node.js: its error classes and coded errors (`Error [ERR_REQUIRE_ESM]: …`).
    _s(
        r"^(?:Uncaught )?(?:SyntaxError|TypeError|ReferenceError|RangeError): [^\n]*(?:['\"\d=(]|"
        r"is not defined|is not a function|Cannot use import statement|Unexpected token)",
        "node",
    ),
    # Go: the compiler's and the go command's positions ("main.go:27:2: …") and its own
    # complaints (not its progress: "go: downloading …", "go: added …").
    _s(r"^\S+\.go:\d+:\d+: \S", "go"),
    _s(
        r"^go: [^\n]*(?:not found|cannot find|missing|requires go|needed|invalid|malformed|"
        r"errors? parsing|no required module|unknown revision|is not in GOROOT|inconsistent vendoring|"
        r"no such tool|404 Not Found|410 Gone|checksum mismatch)",
        "go",
    ),
    # Kotlin's compiler: "e: file:///…/Main.kt:12:5 …" (and the older "e: Main.kt: (12, 5): …").
    _s(r"^e: (?:file://)?\S+\.kts?(?::\d+:\d+|: \(\d+, \d+\):) \S", "kotlin"),
    # Vite's dev server and its plugins.
    _s(r"^(?:\[vite\] Internal server error: |\[plugin:[\w:-]+\] )\S", "vite"),
    # A process killed by a signal, as the shell reports it.
    _s(
        r"^(?:[\w./-]+: )?(?:line \d+: )?(?:\d+ )?(?:Illegal instruction|Segmentation fault|Bus error|"
        r"Aborted|Floating point exception)\s*\(core dumped\)",
        "shell",
    ),
    _s(
        r"^zsh: (?:illegal hardware instruction|segmentation fault|bus error|floating point exception)\b",
        "shell",
    ),
    _s(r"^(?:/bin/)?(?:sh|dash|bash): \d+: \S[^\n]*: not found$", "shell"),
    _s(
        r"^(?:exec \S+|standard_init_linux\.go:\d+: exec user process caused):? \"?exec format error",
        "docker",
    ),
    _s(r"^pyenv: version [^\n]+ is not installed", "pyenv"),
    # .NET's uncaught exception: "Unhandled exception. System.Net.Sockets.SocketException (10013): …"
    _s(r"^Unhandled [Ee]xception\. (?:\w+\.)+\w*Exception\b", "dotnet"),
    # Any tool's "file:line:column: error: …" (meson's "meson.build:163:9: ERROR: …").
    _s(r"^\S+:\d+:\d+: (?:fatal )?(?:ERROR|error): \S", None),
    _s(r"^BUILD FAILED \(\S", "pyenv"),  # python-build's "BUILD FAILED (OS X 11.6 using python-build …)"
    _s(r"^Error \[ERR_[A-Z_]+\]: \S", "node"),
    # TypeScript's compiler (alone, or after the file and position it names).
    _s(r"^(?:\S+\.(?:ts|tsx|mts|cts)\(\d+,\d+\): )?error TS\d{4,5}: \S", "typescript"),
    # MSBuild's canonical form (NuGet, the C# compiler): "proj.csproj : error NU1101: …".
    _s(r"^\S.* ?: (?:fatal )?error [A-Z]{1,4}\d{3,5}: \S", "dotnet"),
    # PHP's fatal errors (Composer running out of memory, a missing class).
    _s(r"^PHP (?:Fatal|Parse) error: +\S", "php"),
    # Ruby's exceptions with their module (Gem::Ext::BuildError, Bundler::GemNotFound).
    _s(r"^(?:[A-Z]\w*::)+[A-Z]\w*(?:Error|Exception): \S", "ruby"),
    # Celery's log lines: "[2021-08-23 08:57:38,809: ERROR/MainProcess] consumer: …".
    _s(r"^\[[^\]]{10,40}: (?:ERROR|CRITICAL)/[\w-]+\] \S", "python"),
    # The JVM's uncaught exception (Gradle, Spark, Jenkins, any java -jar).
    _s(r'^Exception in thread "[^"]*" (?:[\w$]+\.)+[\w$]*(?:Error|Exception)\b', "java"),
    # Yarn classic prints its errors as "error <message>" (no colon after the word).
    _s(
        r"^error (?:An unexpected error occurred|Command failed with exit code \d+|Couldn't find |"
        r"Found incompatible module|There appears to be trouble|\S+: The engine \S+ is incompatible)",
        "yarn",
    ),
    _s(r"^(?:\*\*)?(?:ba|z|da|fi)?sh: (?:command not found|no matches found): \S", "shell"),
    _s(r"^'[^']+' is not recognized as an internal or external command", "shell"),
    _s(r"^\S+ ?: The term '[^']+' is not recognized as (?:the|a) name of a cmdlet", "shell"),
    _s(r"^\S+: '[^']+' is not a \S+ command\.", "shell"),
    _s(
        r"^(?:docker: )?(?:Error response from daemon: \S|Got permission denied while trying to "
        r"connect|permission denied while trying to connect to the Docker daemon|"
        r"Cannot connect to the Docker daemon)",
        "docker",
    ),
    _s(
        r"^× (?:Failed to build|Getting requirements to build|Preparing metadata|Building wheel|"
        r"Building editable|pip subprocess|python setup\.py|Running setup\.py|Encountered error)",
        None,
        SYMPTOM,
    ),
    _s(r"^× \S", None),
    _s(r"^error: subprocess-exited-with-error", "pip", SYMPTOM),
    _s(r"^error: command '[^']*' failed with exit (?:code|status) \d+", "gcc", SYMPTOM),
    _s(r"^ERROR: (?:process \".*\" did not complete successfully|failed to solve:)", "docker", SYMPTOM),
    _s(r"^ERROR: Job failed:", "ci", SYMPTOM),
    _s(r"^ERROR: Complete output from command", "pip", SYMPTOM),
    _s(r"^error: failed-wheel-build-for-install", "pip", SYMPTOM),
    _s(
        r"^ERROR: (?:Failed building wheel|Could not build wheels|Failed to build|Command errored out|"
        r"Exception:$|Service '[^']*' failed to build)",
        None,
        SYMPTOM,
    ),
    _s(r"^Failed to build \S", None, SYMPTOM),
    # One space, or the four of a level padded to WARNING's width (uvicorn's "ERROR:    …");
    # not the two RubyGems puts in "ERROR:  Error installing x:" above the error it explains.
    _s(r"^(?:ERROR|error|FATAL|FATAL ERROR)(?:\[[\w.-]+\])?: (?:   )?\S", None),
    _s(r"^ERROR: {2}[\w.-]+: \S", None),  # tox: "ERROR:  py37: InterpreterNotFound: python3.7"
    # Python logging with a padded level or the logger's name: "ERROR    InvalidDistribution: …"
    # (rich, twine), "ERROR [alembic.env] Target database is not up to date."
    _s(r"^(?:ERROR|CRITICAL)(?: {2,}| \[[\w.-]+\] )\S", None),
    # PostgreSQL's fatal messages (two spaces after the level), also behind psql's name
    # (not "ERROR:  ", which RubyGems prints above the error it explains).
    _s(r"^(?:[\w.-]+: )?(?:FATAL|PANIC): {2}\S", None),
    _s(r"^[\w.-]+: error: \S", None),  # argparse/optparse: "pip: error: no such option: …"
    _s(r"^failed to solve(?: with frontend [\w.]+)?: \S", "docker"),
    _s("^(?:\\S+ )?\u2718 \\S", None),  # ✘: pipenv's and yarn's failure mark
    _s(r"^(?:ERROR|CRITICAL|FATAL):[\w.]+:\S", None),  # Python's logging: ERROR:root:…
    _s(r"^\[(?:ERROR|CRITICAL|FATAL)\]\s+\S", None),  # a logger's [ERROR] after its timestamp
    _s(r"^fatal: \S", "git"),
    _s(r"^Error: Process completed with exit code [1-9]", "ci", SYMPTOM),
    _s(r"^Error:\s+\S", None),
    _s(r"^(?:\S+: )?(?:line \d+: )?\S+: command not found$", "shell"),
    _s(
        r"^-?(?:/bin/|/usr/bin/)?(?:ba|z|da)?sh: \S.*: "
        r"(?:No such file or directory|Permission denied)$",
        "shell",
    ),
    _s(r"^Fatal error in launcher: \S", "python"),
    _s(rf"(?i){_EXIT}\b", None, SYMPTOM),
)

# All shapes in one program: a line matching none costs one C call; for one that matches,
# the group that took part says which shape to start from (RE2's leftmost-first order is
# the list's order, as every shape but the last is anchored at the line start).
_ANY_SHAPE = re2.compile("|".join(f"({p})" for p in _SOURCES))
_GROUP_OF: list[int] = []
_n = 1
for _shape in _SHAPES:
    _GROUP_OF.append(_n)
    _n += 1 + _shape.pattern.groups  # type: ignore[attr-defined]

# The gate: every shape at a line start (after blanks), over cleaned bytes; the exit-status
# shape is the one searched anywhere in a line.
if not all(p.startswith("^") for p in _SOURCES[:-1]) or _SOURCES[-1].startswith("^"):  # pragma: no cover
    raise RuntimeError("every unknown-error shape but the last (exit status) starts at the line start")
_GATE = re2.compile(("(?m)^[ \\t]*(?:" + "|".join(f"(?:{p[1:]})" for p in _SOURCES[:-1]) + ")").encode())
_EXIT_GATE = re2.compile(_SOURCES[-1].encode())
_CONTROL = re2.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PREFIX_TEXT = re.compile("^" + PREFIXES_PATTERN)
_PREFIX_BYTES = re.compile(
    b"(?m)^"
    + PREFIXES_PATTERN.replace("\\ufeff", "\\xef\\xbb\\xbf").replace("\\u2502", "\\xe2\\x94\\x82").encode()
)

# Words naming the tool that printed the lines above a finding; the nearest one wins.
_TOOL_WORDS: tuple[tuple[str, tuple[bytes, ...]], ...] = (
    (
        "pip",
        (
            b"pip install",
            b"pip3 install",
            b"Collecting ",
            b"Requirement already satisfied",
            b"Building wheel",
            b"Installing build dependencies",
            b"pip._internal",
            b"pip wheel",
        ),
    ),
    ("uv", (b"uv pip", b"uv sync", b"uv lock", b"uv add", b"uv run", b"uv venv")),
    ("conda", (b"conda ", b"mamba ", b"micromamba ", b"Solving environment")),
    ("poetry", (b"poetry ",)),
    ("rust", (b"cargo ", b"rustc ", b"   Compiling ")),
    ("npm", (b"npm ", b"yarn ", b"pnpm ")),
    ("docker", (b"docker ", b"Dockerfile", b"[internal] load", b"=> ERROR")),
    ("git", (b"git clone", b"git fetch", b"git pull", b"git checkout")),
    ("pytest", (b"test session starts", b"pytest ")),
)
_TRACEBACK = b"Traceback (most recent call last)"
_FRAME = re2.compile(rb'(?m)^\s*File "[^"\n]+", line \d+')
_CHAINED = (b"During handling of the above exception", b"The above exception was the direct cause")


_TOOL_OF_WORD = {word: tool for tool, words in _TOOL_WORDS for word in words}
_TOOL_RE = re2.compile(b"|".join(re.escape(w) for w in _TOOL_OF_WORD))


class _Tools:
    """The tool named nearest before each position, found in one forward pass over the
    data (candidate lines come in order), so the cost stays linear in the text."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.last: tuple[int, bytes] | None = None  # (offset, word) of the latest tool word

    def at(self, start: int) -> str:
        lo = max(self.pos, start - CONTEXT)
        if start > lo:  # the matches finditer would give, without a match object each
            match = _TOOL_RE._regexp.Match
            pos = lo
            while pos < start:
                begin, end = match(UNANCHORED, self.data, pos, start)[0]
                if begin < 0:
                    break
                self.last = (begin, self.data[begin:end])
                pos = end  # every tool word is non-empty
        self.pos = max(self.pos, start)
        if self.last is None or start - self.last[0] > CONTEXT:
            return "generic"
        where, word = self.last
        tool = _TOOL_OF_WORD[word]
        if tool == "pip" and self.data[max(0, where - 3) : where] == b"uv ":
            return "uv"
        return tool


def _after_traceback(data: bytes, start: int) -> tuple[bool, bool]:
    """(the line ends a traceback, that traceback was raised while handling another)."""
    header = data.rfind(_TRACEBACK, max(0, start - TRACEBACK_BACK), start)
    if header < 0:
        # A paste that starts inside the traceback: a frame (`File "…", line N`) just above.
        above = data[max(0, start - 600) : start]
        return _FRAME.search(above) is not None, False
    before = data[max(0, header - 400) : header]
    return True, any(word in before for word in _CHAINED)


_SPACE = re.compile(r"\s+")
_VARIABLE = re.compile(r"\d+|0x[0-9a-f]+|/tmp/\S+|pip-\w+-\w+", re.IGNORECASE)


def _norm(tool: str, message: str) -> tuple[str, str]:
    """What makes two lines the same error: the tool and the message without its numbers."""
    return tool, _SPACE.sub(" ", _VARIABLE.sub("#", message)).strip().lower()


def _starts(program: object, data: bytes) -> list[int]:
    """Start offsets of the matches of a compiled RE2 pattern, at most one per line."""
    return [start for start, _end in raw_spans(program._regexp, data)]  # type: ignore[attr-defined]


def _gated(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of the lines that may hold an error shape, in order. The candidate
    literals find lines with an error word anywhere; then all of them are cleaned and
    matched against every shape at once, in a few C passes over one joined blob, so only
    lines that really start like an error reach the per-line work. Lines with redraws or
    JSON-escaped breaks skip the gate (their clean view splits them into segments)."""
    plain: list[tuple[int, int]] = []
    always: list[tuple[int, int]] = []
    last = -1
    for start in _starts(_CANDIDATE, data):
        if start == last:
            continue
        last = start
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        piece = data[start : min(end, start + LONG)]
        (always if b"\r" in piece or b"\\n" in piece else plain).append((start, end))
    if not plain:
        return always
    blob = b"\n".join(data[s : min(e, s + LONG)] for s, e in plain)
    if any(marker in blob for marker in ESCAPE_MARKERS) or _CONTROL.search(blob):
        blob = strip_escapes_bytes(blob)
    blob = _PREFIX_BYTES.sub(b"", blob)
    starts = sorted({*_starts(_GATE, blob), *_starts(_EXIT_GATE, blob)})
    keep: list[tuple[int, int]] = []
    index, pos = 0, 0
    for at in starts:
        index += blob.count(b"\n", pos, at)
        pos = at
        if not keep or keep[-1] != plain[index]:
            keep.append(plain[index])
    return sorted(keep + always)


# Gradle explains a failed build in a block with no error word on its decisive line:
#   * What went wrong:
#   Execution failed for task ':app:mergeDebugResources'.
#   > A failure occurred while executing …
#      > Android resource linking failed
# The deepest "> " line is the cause (the block's first line when there is none); the block
# ends at Gradle's next section ("* Try:", "* Exception is:", …).
_GRADLE_HEADER = b"What went wrong:"
_GRADLE_END = ("* Try", "- Try", "* Exception is", "* Get more help", "BUILD FAILED", "FAILURE:", "* Where")
_GRADLE_SYMPTOM = re2.compile(
    r"Compilation (?:failed|error)|finished with non-zero exit value|See the compiler error output"
)
GRADLE_BLOCK_LINES = 40


def _quoted(text: str) -> tuple[int, str]:
    """How many "> " marks lead the line (through CI prefixes and indentation), and the rest."""
    depth = 0
    while True:
        text = text.lstrip()
        if text.startswith(">"):  # also "> " followed by indentation, which the prefixes skip
            depth += 1
            text = text[1:]
            continue
        prefix = _PREFIX_TEXT.match(text)
        if prefix is None or not prefix.group(0):
            return depth, text.rstrip()
        depth += prefix.group(0).count(">")
        text = text[prefix.end() :]


def _gradle_lines(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of the decisive line of each Gradle "What went wrong" block: its deepest
    "> " line (counted above the block's own quoting: a log pasted as a Markdown quote)."""
    out: list[tuple[int, int]] = []
    at = data.find(_GRADLE_HEADER)
    while at >= 0:
        line_end = data.find(b"\n", at)
        if line_end < 0:
            break
        pos = line_end + 1
        block: list[tuple[int, tuple[int, int]]] = []  # (depth, line)
        for _ in range(GRADLE_BLOCK_LINES):
            if pos >= len(data):
                break
            end = data.find(b"\n", pos)
            end = len(data) if end < 0 else end
            text = strip_escapes_bytes(data[pos : min(end, pos + LONG)]).decode("utf-8", "replace")
            depth, body = _quoted(text)
            if body.startswith(_GRADLE_END):
                break
            if body:
                block.append((depth, (pos, end)))
            pos = end + 1
        if block:
            top = max(depth for depth, _line in block)
            if top > min(depth for depth, _line in block):
                out.append([line for depth, line in block if depth == top][-1])
            else:
                out.append(block[0][1])
        at = data.find(_GRADLE_HEADER, line_end)
    return out


def find_unknown(data: bytes, first_line: int = 0) -> list[Finding]:
    """Raw unknown-error findings in ``data`` (which starts at line ``first_line``); the
    resolver keeps the ones no record claims."""
    out: list[Finding] = []
    tools = _Tools(data)
    gradle = set(_gradle_lines(data)) if _GRADLE_HEADER in data else set()
    line_no, counted = first_line, 0
    gated = _gated(data)  # in order already; merged with Gradle's lines only where there are some
    for start, end in sorted(set(gated) | gradle) if gradle else gated:
        line_no += data.count(b"\n", counted, start)
        counted = start
        raw = data[start : min(end, start + LONG)].decode("utf-8", "replace").rstrip("\r")
        if (start, end) in gradle:
            hit = _gradle_finding(raw, line_no)
        else:
            hit = _classify(raw, line_no, data, start, tools)
        if hit is not None:
            out.append(hit)
    return out


def _bodies(raw: str, number: int) -> Iterator[tuple[Segment, int, str]]:
    """Each clean segment of the line that holds text: (segment, where its text starts, text)."""
    for seg in clean_segments(raw, number):
        body = seg.text.lstrip()
        if body:
            yield seg, len(seg.text) - len(body), body.rstrip()


def _gradle_finding(raw: str, number: int) -> Finding | None:
    for seg, offset, body in _bodies(raw, number):
        symptom = _GRADLE_SYMPTOM.search(body) is not None
        return _unknown_finding("gradle", seg, offset, body, raw, number, PRIMARY if not symptom else SYMPTOM)
    return None


def _classify(raw: str, number: int, data: bytes, start: int, tools: _Tools) -> Finding | None:
    if is_probe(raw, data, start):
        return None
    for seg, offset, body in _bodies(raw, number):
        gate = _ANY_SHAPE.search(body)
        if gate is None:  # most candidate lines: one C call, not one per shape
            continue
        first = next((i for i, g in enumerate(_GROUP_OF) if gate.start(g) >= 0), 0)
        for shape in _SHAPES[first:]:
            m = shape.pattern.search(body)  # type: ignore[attr-defined]
            if m is None:
                continue
            kind = shape.kind
            if shape.needs_traceback:
                ends, chained = _after_traceback(data, start)
                if not ends:
                    continue
                if chained:
                    kind = SYMPTOM
            tool = shape.tool or tools.at(start)
            if shape.tool is None and body.startswith("×") and tool not in ("uv", "pip"):
                tool = "pip"
            return _unknown_finding(tool, seg, offset, body, raw, number, kind)
    return None


def _unknown_finding(
    tool: str, seg: Segment, offset: int, body: str, raw: str, number: int, kind: str
) -> Finding:
    message, _ = mask_credentials(body[:MESSAGE])
    line, col = seg.posmap.raw(offset)
    end_line, end_col = seg.posmap.raw_end(offset + len(body))
    return Finding(
        record=unknown_record(tool),
        line=line,
        col=col,
        end_line=end_line,
        end_col=end_col,
        match=body,
        captures={"message": message},
        severity="information",
        builtin=False,
        marked=True,
        texts={line: raw} if line == end_line == number else {},
        symptom=kind == SYMPTOM,
    )


def _claimed_lines(known: Iterable[Finding]) -> set[int]:
    lines: set[int] = set()
    for f in known:
        lines.update(range(f.line, f.end_line + 1))
        lines.update(f.also_at)
    return lines


def resolve_unknown(unknown: list[Finding], known: list[Finding]) -> list[Finding]:
    """The unknown findings to show beside the resolved ``known`` ones: only lines no record
    claims, one finding per error instance, symptoms linked to the failure they follow."""
    claimed = _claimed_lines(known)
    # A line just after a known error's is part of that report (apt's second ``E:`` line).
    beside = {n + d for n in claimed for d in range(BLOCK_GAP + 1)}
    fresh = sorted(unknown, key=lambda f: (f.line, f.col))
    kept: list[Finding] = []
    touched: set[int] = set()  # blocks with a line on or just after a known error: that error's report
    by_message: dict[tuple[str, str], Finding] = {}
    last_of_tool: dict[tuple[str, bool], Finding] = {}
    for f in fresh:
        # A bare header ("RuntimeError:") whose message is a known error's line belongs to it.
        on_known = bool(beside.intersection(range(f.line, f.end_line + 1))) or (
            f.match.endswith(":") and f.end_line + 1 in claimed
        )
        key = _norm(f.id, f.captures.get("message", f.match))
        first = by_message.get(key)
        if first is None:
            near = last_of_tool.get((f.id, f.symptom))
            if near is not None and f.line - max([near.line, *near.also_at]) <= BLOCK_GAP:
                first = near  # the next line of one error block (npm ERR!, E:, a compiler's list)
        if first is not None:
            if f.line != first.line and f.line not in first.also_at:
                first.also_at.append(f.line)
            if on_known:
                touched.add(id(first))
            elif _names_the_error(f) and not _names_the_error(first):
                _move_to(first, f)  # the block's line that says what failed ("… stack Error: …")
            by_message.setdefault(key, first)
            continue
        by_message[key] = f
        last_of_tool[f.id, f.symptom] = f
        kept.append(f)
        if on_known:
            touched.add(id(f))
    kept = [f for f in kept if id(f) not in touched]
    _link_symptoms(kept, known)
    # A summary whose cause a record already explains adds nothing to that explanation.
    return [f for f in kept if not (f.caused_by and not f.caused_by[0].startswith(PREFIX))]


# Summaries printed before the output that explains them: pip's box, pip's crash header.
_BEFORE_CAUSE = (
    "×",
    "error: subprocess-exited-with-error",
    "ERROR: Exception:",
    "ERROR: Complete output from command",
    "error: failed to run custom build command",
)


_NAMES_ERROR = re.compile(r"\b(?:stack )?(?:[A-Z]\w*)?Error: \S")


def _names_the_error(f: Finding) -> bool:
    return _NAMES_ERROR.search(f.match) is not None


def _move_to(main: Finding, member: Finding) -> None:
    """Let ``main`` (the instance kept) stand on ``member``'s line instead of its own."""
    old = main.line
    for field in ("line", "col", "end_line", "end_col", "match", "captures", "texts"):
        setattr(main, field, getattr(member, field))
    main.also_at = sorted({*main.also_at, old} - {main.line})


def _link_symptoms(unknown: list[Finding], known: list[Finding]) -> None:
    causes = sorted(
        [(f.line, f.id) for f in known] + [(f.line, f.id) for f in unknown if not f.symptom],
    )
    lines = [line for line, _ in causes]
    for f in unknown:
        if not f.symptom:
            continue
        cause = None
        if f.match.startswith(_BEFORE_CAUSE):
            k = bisect.bisect_right(lines, f.line)
            if k < len(causes) and causes[k][0] - f.line <= BOX_WINDOW:
                cause = causes[k]
        if cause is None:
            k = bisect.bisect_left(lines, f.line)
            if k > 0 and f.line - causes[k - 1][0] <= CAUSE_WINDOW:
                cause = causes[k - 1]
        if cause is not None:
            f.caused_by = (cause[1], cause[0])

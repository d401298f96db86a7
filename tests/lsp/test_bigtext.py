"""A big didOpen's text decoded while its frame arrives (errsig.lsp.bigtext) is exactly what
parsing the whole frame gives: the same message, and the bytes errsig would have made of its
text, for any text, any key order, any way the reads cut the bytes; anything the stream
cannot vouch for is parsed whole as before."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from errsig.lsp import bigtext, framing
from errsig.lsp.bigtext import Decoded, OpenedItem
from errsig.lsp.documents import utf8
from errsig.lsp.framing import FrameReader
from errsig.lsp.server import ErrsigServer

HOOK = ErrsigServer().protocol.structure_message  # pygls's structuring, as the server delivers


@pytest.fixture(autouse=True, params=["orjson", "json"])
def small_pieces(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces of a few bytes, so a small frame is cut in many places; each test with orjson
    (errsig[fast]) decoding the pieces and with the json module alone."""
    if request.param == "json":
        monkeypatch.setattr(bigtext, "_orjson_loads", None)
    elif bigtext._orjson_loads is None:
        pytest.skip("orjson is not installed (errsig[fast])")
    monkeypatch.setattr(bigtext, "PIECE", 8)
    monkeypatch.setattr(bigtext, "HEAD", 512)
    monkeypatch.setattr(framing, "STREAM_FRAME", 1)


def _frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


async def _read_all(stream: bytes, cuts: list[int]) -> list[Any]:
    """The frames a FrameReader yields from ``stream`` delivered in reads cut at ``cuts``."""
    points = sorted({c % (len(stream) + 1) for c in cuts} | {0, len(stream)})
    chunks = [stream[a:b] for a, b in itertools.pairwise(points)] + [b""]

    async def read() -> bytes:
        return chunks.pop(0)

    return [body async for body in FrameReader(read).frames()]


def _did_open(text: str, order: int, ascii_only: bool) -> bytes:
    item: dict[str, Any] = {"uri": "file:///w/build.log", "languageId": "log", "version": 3, "text": text}
    keys = list(item)
    keys = keys[order % 4 :] + keys[: order % 4]  # the text first, last or between (Neovim's order varies)
    ordered = {k: item[k] for k in keys}
    message = {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": ordered}}
    separators = (",", ":") if order % 2 else (", ", ": ")
    return json.dumps(message, ensure_ascii=ascii_only, separators=separators).encode(
        "utf-8", "surrogatepass"
    )


TEXT = st.lists(
    st.sampled_from(
        [
            "a",
            " ",
            "\n",
            "\r",
            "\r\n",
            '"',
            "\\",
            "\\n",
            "n",
            "/",
            "\t",
            "\x1b[31m",
            "\x00",
            "é",
            "━",
            "😀",
            "\ud800",
        ]
    ),
    max_size=80,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    text=TEXT,
    order=st.integers(0, 7),
    ascii_only=st.booleans(),
    cuts=st.lists(st.integers(0, 10**6), max_size=12),
)
async def test_streamed_text_is_the_parsed_text(
    text: str, order: int, ascii_only: bool, cuts: list[int]
) -> None:
    body = _did_open(text, order, ascii_only)
    after = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "shutdown"}).encode()
    frames = await _read_all(_frame(body) + _frame(after), cuts)
    assert len(frames) == 2
    assert json.loads(frames[1]) == json.loads(after)  # the next frame is untouched
    first = frames[0]
    expected = json.loads(body)
    if isinstance(first, Decoded):
        _check(first, expected)
    else:  # parsed whole: the text had no line break where a piece could end
        assert json.loads(first) == expected


def _check(decoded: Decoded, expected: dict[str, Any]) -> None:
    """The decoded message is the parsed one, its text in errsig's bytes."""
    message = decoded.structured(HOOK)
    want = HOOK(expected)
    item, want_item = message.params.text_document, want.params.text_document
    assert type(item) is OpenedItem
    assert item.utf8 == utf8(want_item.text)
    assert (item.uri, item.language_id, item.version) == (
        want_item.uri,
        want_item.language_id,
        want_item.version,
    )
    assert (message.method, message.jsonrpc) == (want.method, want.jsonrpc)
    assert item.text == utf8(want_item.text).decode("utf-8", "surrogatepass")  # read back when asked


async def test_a_long_log_is_decoded_while_it_arrives() -> None:
    lines = [
        f'line {i}: Downloading pkg-{i}.whl ━━━━ \x1b[32m{i}%\x1b[0m "quoted" C:\\path\\{i}'
        for i in range(400)
    ]
    text = "\r\n".join(lines) + "\r" + "progress\r" * 50 + "\n"
    body = _did_open(text, 0, False)
    (first,) = await _read_all(_frame(body), list(range(0, len(body), 997)))
    assert isinstance(first, Decoded)
    _check(first, json.loads(body))


@pytest.mark.parametrize(
    "body",
    [
        # another method with a "text" key (didChange): parsed whole
        b'{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///a","version":2},'
        b'"contentChanges":[{"text":"aaaa\\nbbbb\\ncccc\\ndddd\\neeee\\n"}]}}',
        # the first "text" key is not the document's
        b'{"jsonrpc":"2.0","method":"textDocument/didOpen","meta":{"text":"xxxx\\nyyyy\\nzzzz\\nwwww\\n"},'
        b'"params":{"textDocument":{"uri":"file:///a","languageId":"log","version":1,"text":"real\\n"}}}',
        # a duplicate key: JSON takes the last
        b'{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a",'
        b'"text":"first\\nfirst\\nfirst\\nfirst\\n","languageId":"log","version":1,"text":"second\\n"}}}',
        # the marker itself as another value
        b'{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a",'
        b'"text":"aaaa\\nbbbb\\ncccc\\ndddd\\n","languageId":"\\u0000errsig:text\\u0000","version":1}}}',
        # text made of escaped backslashes and n's: no line break to cut at, decoded at the end
        b'{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a",'
        b'"text":"' + b"\\\\n" * 200 + b'","languageId":"log","version":1}}}',
    ],
)
async def test_what_the_stream_cannot_vouch_for_is_parsed_as_json_would(body: bytes) -> None:
    (first,) = await _read_all(_frame(body), list(range(0, len(body), 5)))
    if isinstance(first, Decoded):  # decoded at the end
        _check(first, json.loads(body))
    else:
        assert json.loads(first) == json.loads(body)


@pytest.mark.parametrize(
    "body",
    [
        b'{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a","text":"ab\\ncd\\nef\\ngh\\n',
        b'{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a","text":"ab\\ncd\\nef\\ngh\\n"}',
        b'{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a","text":"ab\ncd\\nef\\ngh\\n"}}}',
        b'{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a","text":"ab\\qcd\\nef\\ngh\\n"}}}',
    ],
)
async def test_a_broken_frame_is_refused_as_before(body: bytes) -> None:
    """Truncated, unclosed, a raw line break in the string, a bad escape: the frame reaches
    the parser whole, which refuses it (answered or logged by framing.deliver)."""
    (first,) = await _read_all(_frame(body), list(range(0, len(body), 3)))
    assert first == body
    with pytest.raises(json.JSONDecodeError):
        json.loads(first)


async def test_a_decoded_frame_nested_deep_is_refused_without_raising() -> None:
    """Nesting json.loads accepts but structuring it again does not: deliver answers or logs,
    and never raises (the message loop would stop)."""
    from errsig.lsp.framing import deliver

    deep = "[" * 700 + "]" * 700  # json.loads reads it; structuring it again recurses deeper
    body = (
        b'{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a",'
        b'"languageId":"log","version":1,"text":"a\\nb\\nc\\nd\\ne\\nf\\n"},"deep":' + deep.encode() + b"}}"
    )
    (first,) = await _read_all(_frame(body), list(range(0, len(body), 50)))
    assert isinstance(first, Decoded)
    deliver(ErrsigServer().protocol, first)  # must not raise

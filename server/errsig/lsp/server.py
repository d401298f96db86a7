"""The errsig language server (pygls 2): thin handlers that call the core and translate.

``create_server()`` builds a fresh server (tests and ``run()`` use it); no module-level
server object exists. Handlers fetch what they need, call ``errsig.core``, convert the
result with :mod:`errsig.lsp.convert` and answer. Anything that fails is logged to the
client and answered with an empty result; the server keeps running.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, BinaryIO, TypeVar

from lsprotocol import types as t
from pygls.capabilities import ServerCapabilitiesBuilder
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest, JsonRpcServerNotInitialized
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import JsonRPCResponseMessage, LanguageServerProtocol, lsp_method

from errsig import __version__
from errsig.lsp import early, features, framing, records
from errsig.lsp.outcomes import FIX_APPLIED
from errsig.lsp.state import State

log = logging.getLogger("errsig.lsp")
F = TypeVar("F", bound=Callable[..., Any])


class ErrsigProtocol(LanguageServerProtocol):
    """pygls's protocol with errsig's changes:

    - ``errsig.runInTerminal`` / ``errsig.copyCommand`` are answered with their command
      text without being advertised: editors implement those two, and a client library
      that sees them in ``executeCommandProvider`` would claim them for the server;
    - pygls's own text documents are kept out of the way: errsig keeps its own line index
      (pygls re-splits the whole text on every change, O(document) per keystroke);
    - before ``initialize``, requests get the ServerNotInitialized error (-32002) and
      notifications other than ``exit`` are dropped; after ``shutdown``, requests get
      InvalidRequest (-32600), as the specification says;
    - an ``initialize`` already answered from the cache (:mod:`errsig.lsp.early`) is handled
      as usual but not answered twice; pygls's answers are what the cache keeps.
    """

    early: early.Head | None = None

    def piece_sink(self, length: int) -> features.PieceScan | None:
        """What scans a big frame's text while it arrives (:class:`errsig.lsp.framing.FrameReader`)."""
        return features.piece_scan(self._server, length)  # type: ignore[arg-type]

    def _send_response(self, msg_id: Any, result: Any | None = None, error: Any | None = None) -> None:
        head = self.early
        if head is None or head.initialize_id is None or msg_id != head.initialize_id:
            super()._send_response(msg_id, result, error)
            return
        self.early = None  # only the first answer under that id is the initialize's
        if error is not None or result is None:
            if head.answered is not None:  # the client has its answer: a second one breaks the protocol
                self._result_types.pop(msg_id, None)
                log.error("pygls refused an initialize answered from the cache: %r", error)
                return
            super()._send_response(msg_id, result, error)
            return
        response_type = self._result_types.pop(msg_id, JsonRPCResponseMessage)
        response = response_type(id=msg_id, result=result, jsonrpc=self.VERSION)
        try:
            plain = json.loads(json.dumps(response, default=self._serialize_message))["result"]
        except (TypeError, ValueError, KeyError):
            log.debug("could not keep the initialize answer", exc_info=True)
            plain = head.answered
        if plain != head.answered and head.key is not None:
            if head.answered is not None:
                log.warning("the cached initialize answer differed from pygls's; the cache is updated")
            early.remember(head.key, plain)  # kept before the answer goes: a client may stop at once
        if head.answered is None:
            self._send_data(response)

    @lsp_method(t.WORKSPACE_EXECUTE_COMMAND)
    def lsp_workspace__execute_command(self, params: t.ExecuteCommandParams, *args: Any) -> Any:
        if params.command in features.CLIENT_COMMANDS:
            args_ = list(params.arguments or [])
            return str(args_[0]) if args_ else None
        return (yield from super().lsp_workspace__execute_command(params, *args))

    initialize_seen = False

    def handle_message(self, message: Any) -> None:
        method = getattr(message, "method", None)
        if not self.initialize_seen and method is not None:
            if method == t.INITIALIZE:
                self.initialize_seen = True
            elif hasattr(message, "id"):
                self._refuse(message.id, JsonRpcServerNotInitialized("the server is not initialized yet"))
                return
            elif method != t.EXIT:
                return
        if self._shutdown and method not in (None, t.EXIT) and hasattr(message, "id"):
            self._refuse(message.id, JsonRpcInvalidRequest("the server is shutting down"))
            return
        super().handle_message(message)

    def _refuse(self, msg_id: Any, error: JsonRpcException) -> None:
        self._send_response(msg_id, error=t.ResponseError(code=error.code, message=error.message))

    @lsp_method(t.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: t.DidOpenTextDocumentParams) -> Any:
        if (handler := self.fm.features.get(t.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(t.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: t.DidChangeTextDocumentParams) -> Any:
        if (handler := self.fm.features.get(t.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(t.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: t.DidCloseTextDocumentParams) -> Any:
        if (handler := self.fm.features.get(t.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None


class ErrsigServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "errsig",
            __version__,
            text_document_sync_kind=t.TextDocumentSyncKind.Incremental,
            protocol_cls=ErrsigProtocol,
        )
        self.state = State()
        self.tasks: set[asyncio.Task[Any]] = set()
        self.started = time.monotonic()

    def start_io(
        self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None, head: early.Head | None = None
    ) -> None:
        """pygls's stdio loop, with errsig's frame reader (:mod:`errsig.lsp.framing`); ``head``
        is what :mod:`errsig.lsp.early` read (and maybe answered) before this started."""
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        initial = b""
        if head is not None:
            self.protocol.early = head  # type: ignore[attr-defined]
            initial = head.data
        try:
            asyncio.run(
                framing.serve_stream(self._stop_event, stdin or sys.stdin.buffer, self.protocol, initial)
            )
        except BrokenPipeError:
            log.error("the connection to the client is lost; shutting down")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.state.stop_background.set()
            self.shutdown()  # type: ignore[no-untyped-call]

    def start_tcp(self, host: str, port: int) -> None:
        """pygls's TCP server, with errsig's frame reader."""
        self._stop_event = stop = threading.Event()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.protocol.set_writer(writer)
            await framing.serve(stop, functools.partial(reader.read, framing.READ_SIZE), self.protocol)
            self.shutdown()  # type: ignore[no-untyped-call]

        async def serve_forever() -> None:
            self._server = await asyncio.start_server(connection, host, port)
            log.info("serving on %s:%s", host, port)
            async with self._server:
                await self._server.serve_forever()

        with contextlib.suppress(asyncio.CancelledError, KeyboardInterrupt):
            asyncio.run(serve_forever())

    def log(self, message: str, kind: t.MessageType = t.MessageType.Log) -> None:
        log.info(message)
        try:
            self.window_log_message(t.LogMessageParams(type=kind, message=message))
        except Exception:  # the transport may be gone during shutdown
            log.debug("could not send log message", exc_info=True)

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            self.log(f"background task failed: {exc!r}", t.MessageType.Error)

    def report_server_error(self, error: Exception, source: Any) -> None:
        # Never pop up dialogs for our own failures: log them; requests get an error reply.
        self.log(f"internal error ({getattr(source, '__name__', source)}): {error!r}", t.MessageType.Error)


def guarded(default: Any) -> Callable[[F], F]:
    """Log and swallow a handler's failure, answering ``default`` (the server never dies)."""

    def wrap(fn: F) -> F:
        if asyncio.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(ls: ErrsigServer, *args: Any) -> Any:
                try:
                    return await fn(ls, *args)
                except JsonRpcException:
                    raise
                except Exception as exc:
                    log.exception("handler %s failed", fn.__name__)
                    ls.log(f"{fn.__name__} failed: {exc!r}", t.MessageType.Error)
                    return default

            return run_async  # type: ignore[return-value]

        @functools.wraps(fn)
        def run(ls: ErrsigServer, *args: Any) -> Any:
            try:
                return fn(ls, *args)
            except JsonRpcException:
                raise  # a bad request is answered with its error
            except Exception as exc:
                log.exception("handler %s failed", fn.__name__)
                ls.log(f"{fn.__name__} failed: {exc!r}", t.MessageType.Error)
                return default

        return run  # type: ignore[return-value]

    return wrap


def create_server() -> ErrsigServer:
    ls = ErrsigServer()

    @ls.feature(t.INITIALIZE)
    @guarded(None)
    def initialize(ls: ErrsigServer, params: t.InitializeParams) -> None:
        encoding = ServerCapabilitiesBuilder.choose_position_encoding(params.capabilities)
        features.on_initialize(ls, params, str(getattr(encoding, "value", encoding)))

    @ls.feature(t.INITIALIZED)
    @guarded(None)
    async def initialized(ls: ErrsigServer, _params: t.InitializedParams) -> None:
        await features.on_initialized(ls)

    @ls.feature(t.SHUTDOWN)
    def shutdown(ls: ErrsigServer, *_: Any) -> None:
        ls.state.stop_background.set()
        for task in list(ls.tasks):
            task.cancel()

    @ls.feature(t.TEXT_DOCUMENT_DID_OPEN)
    @guarded(None)
    def did_open(ls: ErrsigServer, params: t.DidOpenTextDocumentParams) -> None:
        features.on_open(ls, params.text_document)

    @ls.feature(t.TEXT_DOCUMENT_DID_CHANGE)
    @guarded(None)
    def did_change(ls: ErrsigServer, params: t.DidChangeTextDocumentParams) -> None:
        features.on_change(ls, params)

    @ls.feature(t.TEXT_DOCUMENT_DID_CLOSE)
    @guarded(None)
    def did_close(ls: ErrsigServer, params: t.DidCloseTextDocumentParams) -> None:
        features.on_close(ls, params.text_document.uri)

    @ls.feature(t.TEXT_DOCUMENT_DID_SAVE)
    @guarded(None)
    def did_save(ls: ErrsigServer, params: t.DidSaveTextDocumentParams) -> None:
        features.on_saved(ls, params.text_document.uri)

    @ls.feature(
        t.TEXT_DOCUMENT_DIAGNOSTIC,
        t.DiagnosticOptions(identifier="errsig", inter_file_dependencies=True, workspace_diagnostics=True),
    )
    @guarded(t.RelatedFullDocumentDiagnosticReport(items=[]))
    async def pull(
        ls: ErrsigServer, params: t.DocumentDiagnosticParams
    ) -> t.RelatedFullDocumentDiagnosticReport | t.RelatedUnchangedDocumentDiagnosticReport:
        return await features.pull_document(ls, params.text_document.uri, params.previous_result_id)

    @ls.feature(t.WORKSPACE_DIAGNOSTIC)
    @guarded(t.WorkspaceDiagnosticReport(items=[]))
    async def pull_workspace(
        ls: ErrsigServer, params: t.WorkspaceDiagnosticParams
    ) -> t.WorkspaceDiagnosticReport:
        return await features.pull_workspace(ls, params)

    @ls.feature(t.TEXT_DOCUMENT_HOVER)
    @guarded(None)
    def hover(ls: ErrsigServer, params: t.HoverParams) -> t.Hover | None:
        return features.hover(ls, params)

    @ls.feature(
        t.TEXT_DOCUMENT_CODE_ACTION,
        t.CodeActionOptions(code_action_kinds=[t.CodeActionKind.QuickFix], resolve_provider=True),
    )
    @guarded([])
    def code_action(ls: ErrsigServer, params: t.CodeActionParams) -> list[t.CodeAction]:
        return features.code_actions(ls, params)

    @ls.feature(t.CODE_ACTION_RESOLVE)
    def code_action_resolve(ls: ErrsigServer, params: t.CodeAction) -> t.CodeAction:
        try:
            return features.resolve_code_action(ls, params)
        except Exception as exc:  # an error here must not take the server down
            ls.log(f"codeAction/resolve failed: {type(exc).__name__}: {exc}", t.MessageType.Error)
            return params

    @ls.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @guarded([])
    def symbols(ls: ErrsigServer, params: t.DocumentSymbolParams) -> list[t.DocumentSymbol]:
        return features.document_symbols(ls, params.text_document.uri)

    @ls.feature(t.TEXT_DOCUMENT_CODE_LENS, t.CodeLensOptions(resolve_provider=False))
    @guarded([])
    def lenses(ls: ErrsigServer, params: t.CodeLensParams) -> list[t.CodeLens]:
        return features.code_lenses(ls, params.text_document.uri)

    @ls.command(features.EXPLAIN)
    @guarded(None)
    def explain(ls: ErrsigServer, *arguments: Any) -> Any:
        return features.execute_command(ls, features.EXPLAIN, list(arguments))

    @ls.command(records.DRAFT_RECORD)
    @guarded(None)
    async def draft_record(ls: ErrsigServer, *arguments: Any) -> Any:
        return await records.draft(ls, list(arguments))

    @ls.feature(t.TEXT_DOCUMENT_COMPLETION, t.CompletionOptions(trigger_characters=['"']))
    @guarded(None)
    def completion(ls: ErrsigServer, params: t.CompletionParams) -> t.CompletionList | None:
        doc = ls.state.docs.get(params.text_document.uri)
        if doc is None or doc.kind != records.RECORD:
            return None
        return records.completion(ls, doc, params.position)

    @ls.command(FIX_APPLIED)
    @guarded(None)
    def fix_applied(ls: ErrsigServer, *arguments: Any) -> Any:
        return features.execute_command(ls, FIX_APPLIED, list(arguments))

    @ls.feature(t.WORKSPACE_DID_CHANGE_CONFIGURATION)
    @guarded(None)
    async def config_changed(ls: ErrsigServer, params: t.DidChangeConfigurationParams) -> None:
        await features.on_configuration_changed(ls, params.settings)

    @ls.feature(t.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @guarded(None)
    def watched_changed(ls: ErrsigServer, params: t.DidChangeWatchedFilesParams) -> None:
        features.on_watched_files(ls, [(c.uri, int(c.type)) for c in params.changes])

    @ls.feature(features.SCAN_TEXT)
    @guarded({"findings": []})
    async def scan_text(ls: ErrsigServer, params: Any) -> dict[str, Any]:
        # Up to 32 MB of terminal text: scanned in a worker thread, off the event loop.
        loop = asyncio.get_running_loop()
        result: dict[str, Any] = await loop.run_in_executor(None, features.scan_text_request, ls, params)
        return result

    return ls


def run(tcp: str | None = None, head: early.Head | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="errsig: %(levelname)s %(message)s")
    features.tune_malloc()
    server = create_server()
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io(head=head)
    return 0

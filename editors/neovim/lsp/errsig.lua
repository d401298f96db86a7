-- errsig language server config for Neovim >= 0.11 (vim.lsp.config / vim.lsp.enable).
--
-- Found on 'runtimepath' as lsp/errsig.lua, so `vim.lsp.enable('errsig')` is all a user needs.
-- Override any field with `vim.lsp.config('errsig', { ... })` before or after enabling.

local report = require('errsig.report')

local root_markers = { '.git', 'pyproject.toml', 'requirements.txt', 'setup.py' }

-- File watching. errsig rescans logs that grow on disk while they are not open (the
-- `errsig.watch` globs). It asks the client to watch them when the client declares
-- workspace.didChangeWatchedFiles.dynamicRegistration, and watches them itself otherwise.
--
-- We opt in only where Neovim's watcher is the native recursive one (macOS FSEvents,
-- Windows ReadDirectoryChangesW), which is exactly where Neovim 0.11 already opts in. On
-- Linux and the BSDs Neovim advertises `false` on purpose (TODO in vim/lsp/protocol.lua,
-- neovim#23291, #26520, #27807, #28058), and opting in there is not safe:
-- - without `inotifywait`, the fallback backend (vim._watch.watchdirs) walks the whole
--   workspace on the editor's main loop, and it only watches folders whose own path matches
--   a registered glob. With errsig's file globs (**/*.log) that means the root folder only:
--   measured with Neovim 0.11.4, a log growing in logs/ci.log produced no
--   didChangeWatchedFiles at all, while ./root.log did (after its 500 ms debounce);
-- - with `inotifywait`, every change in the tree (a .venv being installed) streams through
--   the editor.
-- The server's own watcher does the job in its own process. We set the value explicitly so
-- a global `vim.lsp.config('*', ...)` opt-in does not switch errsig to the editor's watcher.
local sysname = vim.uv.os_uname().sysname
local native_watcher = sysname == 'Darwin' or sysname == 'Windows_NT'

---@type vim.lsp.Config
return {
  cmd = { 'errsig', 'lsp' },
  -- Neovim's own filetype names (see lua/errsig/init.lua); ftdetect/errsig.lua maps *.log,
  -- *.out, `typescript` transcripts, requirements*/constraints* files and pip.conf/pip.ini.
  filetypes = { 'log', 'requirements', 'dosini' },
  root_markers = root_markers,
  -- Like root_markers (the first marker found wins, .git first), but a 'dosini' buffer only
  -- starts errsig when it is a pip configuration file, not for every setup.cfg or .npmrc.
  root_dir = function(bufnr, on_dir)
    local name = vim.fs.basename(vim.api.nvim_buf_get_name(bufnr))
    if vim.bo[bufnr].filetype == 'dosini' and name ~= 'pip.conf' and name ~= 'pip.ini' then
      return
    end
    local config = vim.lsp.config.errsig or {}
    local root = vim.fs.root(bufnr, config.root_markers or root_markers)
    if not root then
      -- A file outside any project (~/.config/pip/pip.conf) joins the running errsig
      -- client: the server that offers the fixes must see the unsaved buffer it edits.
      local running = vim.lsp.get_clients({ name = 'errsig' })[1]
      root = running and running.root_dir or nil
    end
    on_dir(root)
  end,
  -- One errsig client per Neovim: every errsig buffer attaches to it, whatever its root.
  reuse_client = function(client, config)
    return client.name == config.name
  end,
  -- What the server sees as languageId: the ids VS Code uses for the same files, so the
  -- server gets the same input from both editors.
  get_language_id = function(_, filetype)
    return ({ requirements = 'pip-requirements', dosini = 'ini' })[filetype] or filetype
  end,
  -- The defaults of errsig.core.settings.Settings (camelCase JSON names).
  settings = {
    errsig = {
      -- folders of extra records (errsig's schema or deadends.dev canons)
      packs = {},
      -- log globs, relative to the workspace, rescanned when they change on disk
      watch = { '**/*.log', '**/*.out', '**/typescript', '**/.errsig/transcripts/*.txt' },
      -- bytes; bigger files are scanned from their tail only
      maxFileSize = 50 * 1024 * 1024,
      -- signature id or domain -> 'error' | 'warning' | 'information' | 'hint' | 'off'
      severityOverrides = vim.empty_dict(),
      -- signature ids (or 'domain/*') that never report
      disable = {},
      -- quick fixes offered for one diagnostic, safest first
      maxQuickFixes = 5,
      -- 'lower': an error caused by another is shown one severity below it; 'same'
      symptomSeverity = 'lower',
      -- also show error-shaped lines no record knows (unknown/<tool>, information)
      unknownErrors = true,
      -- worker processes for a big workspace scan: 0 one per core, 1 none
      scanWorkers = 0,
    },
  },
  capabilities = {
    workspace = {
      didChangeWatchedFiles = { dynamicRegistration = native_watcher },
      -- Neovim 0.11 pulls a buffer's diagnostics only after didOpen/didChange. errsig's
      -- catalogue can change under an open log (a record drafted or saved), so it asks for
      -- a new pull with workspace/diagnostic/refresh, answered by the handler below.
      diagnostics = { refreshSupport = true },
    },
  },
  -- Neovim 0.11 pulls a buffer's diagnostics after every change but never sends the
  -- previousResultId of its last report, so the server can never answer "unchanged", and
  -- each full report makes Neovim read the whole buffer (about 100 ms for a 50 MB log, on
  -- every key typed). Remember the last result id per document and send it along; a report
  -- the server says is unchanged leaves the shown diagnostics as they are.
  on_init = function(client)
    local last = {} ---@type table<string, string>
    local request = client.request
    client.request = function(self, method, params, handler, bufnr, ...)
      if method == 'textDocument/diagnostic' and type(params) == 'table' and params.textDocument then
        local uri = params.textDocument.uri
        if params.previousResultId == nil then
          params.previousResultId = last[uri]
        end
        local inner = handler or self.handlers[method] or vim.lsp.handlers[method]
        handler = function(err, result, ctx, config)
          if not err and type(result) == 'table' and result.kind == 'full' then
            last[uri] = result.resultId
          end
          return inner(err, result, ctx, config)
        end
      end
      return request(self, method, params, handler, bufnr, ...)
    end
    -- Neovim drops a buffer's diagnostics when it is unloaded, reloaded or detached: the
    -- next report must then be a full one.
    vim.api.nvim_create_autocmd({ 'BufUnload', 'BufReadPost', 'LspDetach' }, {
      group = vim.api.nvim_create_augroup('errsig_result_ids_' .. client.id, { clear = true }),
      callback = function(ev)
        last[vim.uri_from_bufnr(ev.buf)] = nil
      end,
    })
  end,
  handlers = {
    ['workspace/diagnostic/refresh'] = function(_, _, ctx)
      local client = vim.lsp.get_client_by_id(ctx.client_id)
      if client then
        for bufnr in pairs(client.attached_buffers) do
          if vim.api.nvim_buf_is_loaded(bufnr) then
            -- no handler given: the one below (or the user's) takes the report
            client:request('textDocument/diagnostic', { textDocument = vim.lsp.util.make_text_document_params(bufnr) }, nil, bufnr)
          end
        end
      end
      return vim.NIL
    end,
    -- Reports applied as Neovim's own handlers apply them, without first copying every line
    -- of the buffer (~0.2 s per report for a 50 MB log; lua/errsig/report.lua). A handler the
    -- user set in vim.lsp.handlers is called instead, as usual.
    ['textDocument/diagnostic'] = function(err, result, ctx, config)
      local own = vim.lsp.handlers['textDocument/diagnostic']
      if err == nil and type(result) == 'table' and result.kind == 'full' and report.applies() and report.is_neovims(own) then
        return report.set(ctx.client_id, ctx.params.textDocument.uri, result.items or {}, true)
      end
      return own(err, result, ctx, config)
    end,
    ['textDocument/publishDiagnostics'] = function(err, params, ctx, config)
      local own = vim.lsp.handlers['textDocument/publishDiagnostics']
      if err == nil and type(params) == 'table' and report.applies() and report.is_neovims(own) then
        return report.set(ctx.client_id, params.uri, params.diagnostics or {}, false)
      end
      return own(err, params, ctx, config)
    end,
  },
}

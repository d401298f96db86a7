-- errsig's diagnostics reports, applied as Neovim 0.11's own handlers apply them, without
-- their cost on big logs.
--
-- Neovim 0.11 (runtime/lua/vim/lsp/diagnostic.lua, diagnostic_lsp_to_vim) needs the text of
-- a diagnostic's line to turn its column into bytes. To have it at hand it copies every
-- line of the buffer first (nvim_buf_get_lines(0, -1)), or, for a file that is not loaded,
-- reads the whole file and splits it; for a 50 MB log that is ~0.2 s of a frozen editor on
-- every report (benchmarks/neovim_latency.py). `set` does the same conversion and reads
-- only the lines the diagnostics are on. tests/neovim/plugin_check.lua holds its results
-- equal to Neovim's own handlers'.
--
-- Used only where Neovim's own handler would run (a handler the user installed is called
-- as before) and only on Neovim 0.11: later versions may convert differently.

local M = {}

local api = vim.api
local protocol = require('vim.lsp.protocol')

--- True on the Neovim versions whose conversion this module copies.
function M.applies()
  return vim.fn.has('nvim-0.11') == 1 and vim.fn.has('nvim-0.12') == 0
end

--- True if `handler` is Neovim's own diagnostics handler (from vim/lsp/handlers.lua, or
--- vim.lsp.diagnostic's), not one a user or another plugin put in its place.
function M.is_neovims(handler)
  if handler == nil then
    return false
  end
  if handler == vim.lsp.diagnostic.on_diagnostic or handler == vim.lsp.diagnostic.on_publish_diagnostics then
    return true
  end
  local info = type(handler) == 'function' and debug.getinfo(handler, 'S') or nil
  return info ~= nil and info.source:match('[/\\]vim[/\\]lsp[/\\]handlers%.lua$') ~= nil
end

local function severity(s)
  if type(s) == 'string' then
    return protocol.DiagnosticSeverity[s]
  end
  return s
end

local function tags(diagnostic, client_id)
  local out
  for _, tag in ipairs(diagnostic.tags or {}) do
    if tag == protocol.DiagnosticTag.Unnecessary then
      out = out or {}
      out.unnecessary = true
    elseif tag == protocol.DiagnosticTag.Deprecated then
      out = out or {}
      out.deprecated = true
    else
      vim.lsp.log.info(string.format('Unknown DiagnosticTag %d from LSP client %d', tag, client_id))
    end
  end
  return out
end

--- The text of the (0-based) lines in `wanted` (a set), read from the buffer when it is
--- loaded, else from its file as Neovim reads it (io.open, lines split at "\n"). A line
--- that does not exist is missing from the result.
local function lines_of(bufnr, wanted)
  local out = {}
  if api.nvim_buf_is_loaded(bufnr) then
    for n in pairs(wanted) do
      out[n] = api.nvim_buf_get_lines(bufnr, n, n + 1, false)[1]
    end
    return out
  end
  local last = -1
  for n in pairs(wanted) do
    last = math.max(last, n)
  end
  if last < 0 then
    return out
  end
  local f = io.open(api.nvim_buf_get_name(bufnr))
  if not f then
    return out
  end
  -- Read in blocks and split at "\n" (f:lines() would cut a line at a NUL byte).
  local n, parts = 0, {} -- the number of the current line; its text read so far
  while n <= last do
    local block = f:read(1048576) -- nil at the end of the file (and for a directory)
    if block == nil then
      break
    end
    local pos = 1
    while n <= last do
      local nl = block:find('\n', pos, true)
      if nl == nil then
        break
      end
      if wanted[n] then
        parts[#parts + 1] = block:sub(pos, nl - 1)
        out[n] = table.concat(parts)
      end
      parts = {}
      n, pos = n + 1, nl + 1
    end
    if n <= last and wanted[n] then
      parts[#parts + 1] = block:sub(pos)
    end
  end
  if n <= last and wanted[n] then
    out[n] = table.concat(parts) -- the last line, without a line break after it
  end
  f:close()
  return out
end

--- vim.Diagnostic items for LSP `diagnostics` in buffer `bufnr`, as Neovim 0.11 makes them.
function M.to_vim(diagnostics, bufnr, client_id)
  local wanted = {}
  for _, d in ipairs(diagnostics) do
    wanted[d.range.start.line] = true
    wanted[d.range['end'].line] = true
  end
  local text = lines_of(bufnr, wanted)
  local client = vim.lsp.get_client_by_id(client_id)
  local encoding = client and client.offset_encoding or 'utf-16'
  return vim.tbl_map(function(d)
    local start, _end = d.range.start, d.range['end']
    local message = d.message
    if type(message) ~= 'string' then
      vim.notify_once(
        string.format('Unsupported Markup message from LSP client %d', client_id),
        vim.lsp.log_levels.ERROR
      )
      message = d.message.value
    end
    local line = text[start.line] or ''
    local end_line = line
    if _end.line > start.line then
      end_line = text[_end.line] or ''
    end
    return {
      lnum = start.line,
      col = vim.str_byteindex(line, encoding, start.character, false),
      end_lnum = _end.line,
      end_col = vim.str_byteindex(end_line, encoding, _end.character, false),
      severity = severity(d.severity),
      message = message,
      source = d.source,
      code = d.code,
      _tags = tags(d, client_id),
      user_data = { lsp = d },
    }
  end, diagnostics)
end

--- What Neovim 0.11's handlers do with a report for `uri` (pull: `is_pull`).
function M.set(client_id, uri, diagnostics, is_pull)
  local fname = vim.uri_to_fname(uri)
  if #diagnostics == 0 and vim.fn.bufexists(fname) == 0 then
    return
  end
  local bufnr = vim.fn.bufadd(fname)
  if not bufnr then
    return
  end
  local namespace = vim.lsp.diagnostic.get_namespace(client_id, is_pull)
  vim.diagnostic.set(namespace, bufnr, M.to_vim(diagnostics, bufnr, client_id))
end

return M

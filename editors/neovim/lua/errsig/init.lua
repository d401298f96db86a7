-- errsig for Neovim >= 0.11: filetypes, client-side commands and :ErrsigExplain.
--
-- The language server config itself lives in lsp/errsig.lua (found by vim.lsp.config on
-- 'runtimepath'); this module is what plugin/ and ftdetect/ call.

local M = {}

--- Filetypes errsig attaches to. Neovim's own names are reused so syntax, ftplugins and
--- other tools keep working: 'requirements' (Neovim's name for requirements files) and
--- 'dosini' (Neovim's name for pip.conf / *.ini; lsp/errsig.lua only starts for the dosini
--- buffers named pip.conf or pip.ini). 'log' is ours: Neovim 0.11 gives *.log no filetype.
M.filetypes = { 'log', 'requirements', 'dosini' }

--- pip configuration file names (pip.conf on Unix, pip.ini on Windows).
M.pip_config_names = { ['pip.conf'] = true, ['pip.ini'] = true }

--- True when the buffer is a pip configuration file.
---@param bufnr integer
---@return boolean
function M.is_pip_config(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  return M.pip_config_names[vim.fs.basename(name)] == true
end

-- *.log keeps Neovim's special logs (upstreamlog, usserverlog, ...) and is 'log' otherwise.
local function log_ft(path, bufnr)
  local ok, detect = pcall(require, 'vim.filetype.detect')
  local special = ok and type(detect.log) == 'function' and detect.log(path, bufnr) or nil
  return special or 'log'
end

-- *.out is a program's captured output, except a compiled `a.out` (or any file with a NUL
-- byte in its first lines: a binary).
local function out_ft(path, bufnr)
  if vim.fs.basename(path) == 'a.out' then
    return nil
  end
  if bufnr and vim.api.nvim_buf_is_loaded(bufnr) then
    for _, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, 5, false)) do
      if line:find('%z') or line:find('\n', 1, true) then
        return nil
      end
    end
  end
  return 'log'
end

--- Adds errsig's filetype rules. Safe to call more than once.
function M.setup_filetypes()
  -- Lua patterns here are anchored; a pattern containing '/' is matched against the whole
  -- path, one without against the file name only (so no '/' at all in name-only patterns).
  vim.filetype.add({
    extension = {
      log = log_ft,
      out = out_ft,
    },
    filename = {
      -- script(1) writes its terminal transcript to ./typescript by default.
      typescript = 'log',
      ['pip.conf'] = 'dosini',
      ['pip.ini'] = 'dosini',
    },
    pattern = {
      -- requirements.txt, requirements-dev.txt, requirements_test.txt, dev-requirements.txt
      ['requirements.*%.txt'] = 'requirements',
      ['.*[-_.]requirements%.txt'] = 'requirements',
      ['constraints.*%.txt'] = 'requirements',
      ['.*[-_.]constraints%.txt'] = 'requirements',
      -- requirements/base.txt (Neovim's own rule only matches a relative path)
      ['.*/requirements/[^/]*%.txt'] = 'requirements',
      -- pip-tools inputs: only where a requirements file would be, not every *.in
      ['requirements.*%.in'] = 'requirements',
      ['.*[-_.]requirements%.in'] = 'requirements',
      ['constraints.*%.in'] = 'requirements',
      ['.*/requirements/[^/]*%.in'] = 'requirements',
      -- transcripts saved by errsig's shell integration
      ['.*/%.errsig/transcripts/[^/]*%.txt'] = 'log',
    },
  })
end

-- Commands the server puts in code actions. Neovim runs a code action's command through
-- vim.lsp.commands before asking the server, so these run in the editor.

---@param command lsp.Command
---@return string?
local function command_text(command)
  local text = command and command.arguments and command.arguments[1]
  if type(text) ~= 'string' or text == '' then
    vim.notify(
      ('errsig: %s needs the command text as its first argument'):format(command and command.command or '?'),
      vim.log.levels.ERROR
    )
    return nil
  end
  return text
end

---@param ctx? table
---@return string
local function workdir(ctx)
  local client = ctx and ctx.client_id and vim.lsp.get_client_by_id(ctx.client_id)
  local root = client and client.root_dir
  if root and vim.fn.isdirectory(root) == 1 then
    return root
  end
  return vim.fn.getcwd()
end

--- Placeholders such as `<package>` or `<proxy-host>` in a command text, in order, once each.
---@param text string
---@return string[]
function M.placeholders(text)
  local seen, out = {}, {}
  for name in text:gmatch('<(%a[%w_-]*)>') do
    if not seen[name] then
      seen[name] = true
      table.insert(out, name)
    end
  end
  return out
end

-- Asks for a value for each placeholder (vim.ui.input), then calls done(filled text), or
-- done(nil) when the user cancels.
local function fill_placeholders(text, done)
  local names = M.placeholders(text)
  local i = 0
  local function next_one()
    i = i + 1
    local name = names[i]
    if not name then
      return done(text)
    end
    vim.ui.input({ prompt = ('errsig: value for <%s>: '):format(name) }, function(value)
      if value == nil or vim.trim(value) == '' then
        return done(nil)
      end
      text = text:gsub('<' .. vim.pesc(name) .. '>', function()
        return vim.trim(value)
      end)
      next_one()
    end)
  end
  next_one()
end

---@param text string
---@param cwd string
---@return integer bufnr
---@return integer? job
local function open_terminal(text, cwd)
  vim.cmd(('botright %dnew'):format(math.max(8, math.floor(vim.o.lines / 3))))
  local buf = vim.api.nvim_get_current_buf()
  vim.b[buf].errsig_command = text
  local job = vim.fn.jobstart(text, { term = true, cwd = cwd })
  if job <= 0 then
    vim.notify('errsig: could not start: ' .. text, vim.log.levels.ERROR)
    return buf, nil
  end
  return buf, job
end

--- errsig.runInTerminal: a :terminal split at the bottom running the command in 'shell',
--- in the workspace root. Placeholders such as `<package>` are asked for first (the shell
--- would read `<package>` as a redirection); cancelling runs nothing.
---@param command lsp.Command
---@param ctx? table
---@param on_started? fun(bufnr: integer?, job: integer?)
function M.run_in_terminal(command, ctx, on_started)
  local text = command_text(command)
  if not text then
    return
  end
  local cwd = workdir(ctx)
  fill_placeholders(text, function(filled)
    if not filled then
      vim.notify('errsig: not run (a placeholder was left empty): ' .. text, vim.log.levels.WARN)
      if on_started then
        on_started(nil, nil)
      end
      return
    end
    local buf, job = open_terminal(filled, cwd)
    if on_started then
      on_started(buf, job)
    end
  end)
end

--- errsig.copyCommand: the command into the unnamed register and, when Neovim has a
--- clipboard, into the + register.
---@param command lsp.Command
---@return string? text
function M.copy_command(command)
  local text = command_text(command)
  if not text then
    return nil
  end
  vim.fn.setreg('"', text)
  local where = 'the unnamed register'
  if vim.fn.has('clipboard') == 1 then
    vim.fn.setreg('+', text)
    where = 'the clipboard (+) and the unnamed register'
  end
  vim.notify(('errsig: copied to %s: %s'):format(where, text), vim.log.levels.INFO)
  return text
end

function M.register_commands()
  vim.lsp.commands['errsig.runInTerminal'] = M.run_in_terminal
  vim.lsp.commands['errsig.copyCommand'] = M.copy_command
  -- The server's code lens ("2 known errors: ...") carries errsig.explain: show the float.
  vim.lsp.commands['errsig.explain'] = function(command)
    M.explain(command.arguments and command.arguments[1])
  end
end

-- :ErrsigExplain

---@return table<integer, true>
local function errsig_namespaces()
  local out = {}
  for ns, meta in pairs(vim.diagnostic.get_namespaces()) do
    if type(meta.name) == 'string' and meta.name:find('^vim%.lsp%.errsig%.') then
      out[ns] = true
    end
  end
  return out
end

---@param bufnr? integer
---@param lnum? integer
---@return vim.Diagnostic[]
local function errsig_diagnostics(bufnr, lnum)
  local namespaces = errsig_namespaces()
  return vim.tbl_filter(function(d)
    return namespaces[d.namespace] == true
  end, vim.diagnostic.get(bufnr, lnum and { lnum = lnum } or nil))
end

--- Signature ids of errsig's diagnostics in all buffers (for completion).
---@param arglead? string
---@return string[]
function M.complete_ids(arglead)
  local seen, ids = {}, {}
  for _, d in ipairs(errsig_diagnostics(nil)) do
    local code = d.code and tostring(d.code)
    if code and not seen[code] and vim.startswith(code, arglead or '') then
      seen[code] = true
      table.insert(ids, code)
    end
  end
  table.sort(ids)
  return ids
end

--- The id of the errsig diagnostic under the cursor (or on the cursor line).
---@return string?
local function id_at_cursor()
  local row, col = unpack(vim.api.nvim_win_get_cursor(0))
  local on_line = errsig_diagnostics(0, row - 1)
  for _, d in ipairs(on_line) do
    if d.code and col >= d.col and (d.end_lnum > d.lnum or col < math.max(d.end_col, d.col + 1)) then
      return tostring(d.code)
    end
  end
  return on_line[1] and on_line[1].code and tostring(on_line[1].code) or nil
end

---@param result any
---@return string[]
local function markdown_lines(result)
  if type(result) == 'table' and type(result.markdown) == 'string' then
    result = result.markdown
  end
  if type(result) == 'string' then
    return vim.split(result, '\n', { plain = true })
  end
  if type(result) ~= 'table' then
    return {} -- null: the catalogue has no such id
  end
  return vim.lsp.util.convert_input_to_markdown_lines(result)
end

--- Asks the server to explain a signature (workspace/executeCommand errsig.explain) and
--- shows the Markdown in a floating window. Without an id, explains the diagnostic under
--- the cursor.
---@param id? string
---@param on_shown? fun(err: any, float_buf: integer?, float_win: integer?)
function M.explain(id, on_shown)
  local function fail(msg)
    vim.notify('errsig: ' .. msg, vim.log.levels.ERROR)
    if on_shown then
      on_shown(msg)
    end
  end
  id = (id and id ~= '') and id or id_at_cursor()
  if not id then
    return fail('no signature id given and no errsig diagnostic under the cursor')
  end
  local bufnr = vim.api.nvim_get_current_buf()
  local client = vim.lsp.get_clients({ bufnr = bufnr, name = 'errsig' })[1]
    or vim.lsp.get_clients({ name = 'errsig' })[1]
  if not client then
    return fail('the errsig language server is not running (open a log, or see :checkhealth vim.lsp)')
  end
  local params = { command = 'errsig.explain', arguments = { id } }
  client:request('workspace/executeCommand', params, function(err, result)
    if err then
      return fail(('explain %s: %s'):format(id, err.message or vim.inspect(err)))
    end
    local lines = markdown_lines(result)
    if vim.tbl_isempty(lines) or (#lines == 1 and lines[1] == '') then
      return fail(('no explanation for %s: the catalogue has no such signature'):format(id))
    end
    local fbuf, fwin = vim.lsp.util.open_floating_preview(lines, 'markdown', {
      border = 'rounded',
      focus_id = 'errsig-explain',
      max_width = math.min(100, math.floor(vim.o.columns * 0.8)),
      max_height = math.floor(vim.o.lines * 0.7),
      title = ' ' .. id .. ' ',
    })
    if on_shown then
      on_shown(nil, fbuf, fwin)
    end
  end, bufnr)
end

function M.register_user_commands()
  vim.api.nvim_create_user_command('ErrsigExplain', function(opts)
    M.explain(opts.args)
  end, {
    nargs = '?',
    desc = 'errsig: explain a signature id (default: the diagnostic under the cursor)',
    complete = function(arglead)
      return M.complete_ids(arglead)
    end,
  })
end

return M

-- Checks of the Neovim plugin that need no errsig server, driven by test_neovim.py:
-- filetype detection of real buffers, the resolved lsp/errsig.lua config, and the
-- client-side commands and :ErrsigExplain against an in-process fake language server.
-- The plugin is loaded as the README says (runtimepath); vim.lsp.enable is not called, so
-- no real server starts.

local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
vim.opt.runtimepath:append(vim.fs.normalize(vim.fn.fnamemodify(here .. '/../../editors/neovim', ':p')))

local work = assert(os.getenv('ERRSIG_TEST_WORK'), 'set ERRSIG_TEST_WORK')
local result = { ok = false }

local function finish(ok, why)
  result.ok, result.why = ok, why
  local f = assert(io.open(work .. '/plugin_result.json', 'w'))
  f:write(vim.json.encode(result))
  f:close()
  vim.cmd(ok and 'qall!' or 'cquit! 1')
end

local function write(path, text)
  vim.fn.mkdir(vim.fs.dirname(path), 'p')
  local f = assert(io.open(path, 'wb'))
  f:write(text)
  f:close()
end

-- name (relative to the work dir) -> contents; the pytest side holds the expected filetypes
local FILES = {
  ['build.log'] = 'Collecting requests\n',
  ['upstream.log'] = 'x\n',
  ['reports/pytest.out'] = 'collected 3 items\n',
  ['a.out'] = '\127ELF\2\1\1\0\0\0\0\0\0\0\0\0',
  ['blob.out'] = 'abc\0def\n',
  ['typescript'] = 'Script started on 2026-11-24\n',
  ['src/app.ts'] = 'export const x = 1\n',
  ['requirements.txt'] = 'requests\n',
  ['requirements-dev.txt'] = 'pytest\n',
  ['requirements_test.txt'] = 'pytest\n',
  ['dev-requirements.txt'] = 'pytest\n',
  ['requirements/base.txt'] = 'flask\n',
  ['requirements/base.in'] = 'flask\n',
  ['requirements.in'] = 'flask\n',
  ['constraints.txt'] = 'urllib3<3\n',
  ['constraints-py311.txt'] = 'urllib3<3\n',
  ['Makefile.in'] = 'all:\n\ttrue\n',
  ['notes.txt'] = 'hello\n',
  ['pip.conf'] = '[global]\ntimeout = 60\n',
  ['venv/pip.ini'] = '[global]\ntimeout = 60\n',
  ['setup.cfg'] = '[metadata]\nname = x\n',
  ['.errsig/transcripts/2026-11-24.txt'] = 'ERROR: x\n',
}

local function check_filetypes()
  result.filetypes = {}
  for name, text in pairs(FILES) do
    local path = work .. '/ft/' .. name
    write(path, text)
    local b = vim.fn.bufadd(path)
    vim.fn.bufload(b)
    result.filetypes[name] = vim.bo[b].filetype
  end
end

local function check_config()
  local c = assert(vim.lsp.config.errsig, 'lsp/errsig.lua not found on runtimepath')
  result.config = {
    cmd = c.cmd,
    filetypes = c.filetypes,
    root_markers = c.root_markers,
    settings_json = vim.json.encode(c.settings),
    dynamic_registration = vim.tbl_get(c.capabilities or {}, 'workspace', 'didChangeWatchedFiles', 'dynamicRegistration'),
    sysname = vim.uv.os_uname().sysname,
    language_ids = {
      log = c.get_language_id(0, 'log'),
      requirements = c.get_language_id(0, 'requirements'),
      dosini = c.get_language_id(0, 'dosini'),
    },
  }
  -- root_dir: every errsig filetype gets the marker root, but only pip.conf among dosini files
  write(work .. '/proj/.git/HEAD', 'ref: refs/heads/main\n')
  write(work .. '/proj/sub/pyproject.toml', '[project]\nname = "x"\n')
  result.roots = {}
  for _, name in ipairs({ 'sub/build.log', 'sub/requirements.txt', 'sub/pip.conf', 'sub/setup.cfg' }) do
    local path = work .. '/proj/' .. name
    write(path, '\n')
    local b = vim.fn.bufadd(path)
    vim.fn.bufload(b)
    local root = false
    c.root_dir(b, function(dir)
      root = dir and vim.fs.relpath(work, dir) or vim.NIL
    end)
    result.roots[name] = { filetype = vim.bo[b].filetype, root = root }
  end
end

-- A language server inside Neovim (vim.lsp.start with a function `cmd`).
local requests = {}
local function fake_server(dispatchers)
  local closing = false
  local id = 0
  local srv = {}
  function srv.request(method, params, callback)
    id = id + 1
    table.insert(requests, { method = method, params = params })
    local answer
    if method == 'initialize' then
      answer = {
        capabilities = {
          codeActionProvider = { codeActionKinds = { 'quickfix' } },
          executeCommandProvider = { commands = { 'errsig.explain' } },
        },
        serverInfo = { name = 'fake-errsig' },
      }
    elseif method == 'textDocument/codeAction' then
      answer = {
        {
          title = 'Copy the retry command',
          kind = 'quickfix',
          command = {
            title = 'Copy',
            command = 'errsig.copyCommand',
            arguments = { 'pip install --timeout 120 --retries 5 requests' },
          },
        },
        {
          title = 'Run the retry command in a terminal',
          kind = 'quickfix',
          command = {
            title = 'Run',
            command = 'errsig.runInTerminal',
            arguments = { 'printf "errsig ran in %s\\n" "$(pwd)" > ran.txt' },
          },
        },
      }
    elseif method == 'workspace/executeCommand' then
      answer = '### `' .. tostring(params.arguments[1]) .. '`\n\nThe connection was reset.\n\n- retry'
    end
    vim.schedule(function()
      callback(nil, answer)
    end)
    return true, id
  end
  function srv.notify(method)
    if method == 'exit' then
      closing = true
      vim.schedule(function()
        dispatchers.on_exit(0, 15)
      end)
    end
    return true
  end
  function srv.is_closing()
    return closing
  end
  function srv.terminate()
    closing = true
  end
  return srv
end

local function sent(method)
  return vim.tbl_filter(function(r)
    return r.method == method
  end, requests)
end

local function apply(title)
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(a)
      return a.title == title
    end,
  })
end

local function check_commands()
  result.commands_registered = {
    runInTerminal = type(vim.lsp.commands['errsig.runInTerminal']) == 'function',
    copyCommand = type(vim.lsp.commands['errsig.copyCommand']) == 'function',
    explain = type(vim.lsp.commands['errsig.explain']) == 'function',
    ErrsigExplain = vim.fn.exists(':ErrsigExplain') == 2,
  }
  local root = work .. '/proj'
  vim.cmd.edit(vim.fn.fnameescape(root .. '/notes.md'))
  vim.api.nvim_buf_set_lines(0, 0, -1, false, { 'line one', 'line two' })
  local buf = vim.api.nvim_get_current_buf()
  local client_id = assert(vim.lsp.start({ name = 'errsig', cmd = fake_server, root_dir = root }, { bufnr = buf }))
  assert(
    vim.wait(3000, function()
      local c = vim.lsp.get_client_by_id(client_id)
      return c and c.initialized
    end, 10),
    'fake client did not initialize'
  )

  -- errsig.copyCommand through Neovim's code action path
  vim.fn.setreg('"', '')
  apply('Copy the retry command')
  vim.wait(3000, function()
    return vim.fn.getreg('"') ~= ''
  end, 10)
  result.copy = { register = vim.fn.getreg('"') }

  -- errsig.runInTerminal: a terminal split running the command in the client's root
  local wins = #vim.api.nvim_tabpage_list_wins(0)
  apply('Run the retry command in a terminal')
  local ran = root .. '/ran.txt'
  vim.wait(5000, function()
    local f = io.open(ran)
    local text = f and f:read('*a')
    if f then
      f:close()
    end
    return text and text:find('\n') ~= nil
  end, 20)
  local tbuf = vim.api.nvim_get_current_buf()
  local f = io.open(ran)
  result.terminal = {
    windows_added = #vim.api.nvim_tabpage_list_wins(0) - wins,
    buftype = vim.bo[tbuf].buftype,
    command = vim.b[tbuf].errsig_command,
    output = f and f:read('*a') or nil,
    root = vim.uv.fs_realpath(root),
  }
  if f then
    f:close()
  end
  result.execute_commands_sent = vim.tbl_map(function(r)
    return r.params.command
  end, sent('workspace/executeCommand'))

  -- placeholders are asked for (vim.ui.input) before running; cancelling runs nothing
  local input = vim.ui.input
  local prompts = {}
  local answers = { 'requests', nil }
  vim.ui.input = function(opts, on_confirm)
    table.insert(prompts, opts.prompt)
    on_confirm(table.remove(answers, 1))
  end
  local run = vim.lsp.commands['errsig.runInTerminal']
  local filled
  run({ title = 'x', command = 'errsig.runInTerminal', arguments = { 'printf "%s\\n" <package> > <package>.txt' } }, {
    client_id = client_id,
  }, function(b)
    filled = b and vim.b[b].errsig_command or vim.NIL
  end)
  local function slurp(path)
    local h = io.open(path)
    local text = h and h:read('*a')
    if h then
      h:close()
    end
    return text
  end
  -- the shell creates the file (redirection) before printf writes: wait for the newline
  vim.wait(5000, function()
    return filled ~= nil and (slurp(root .. '/requests.txt') or ''):find('\n') ~= nil
  end, 20)
  result.placeholders = { prompts = prompts, command = filled, output = slurp(root .. '/requests.txt') or vim.NIL }
  local notes = {}
  local notify = vim.notify
  vim.notify = function(msg, level)
    table.insert(notes, { msg = msg, level = level })
  end
  local cancelled = 'pending'
  local wins_before = #vim.api.nvim_tabpage_list_wins(0)
  answers = {}
  run({ title = 'x', command = 'errsig.runInTerminal', arguments = { 'pip install <package>' } }, {}, function(b)
    cancelled = b == nil
  end)
  result.placeholders.cancelled = cancelled
  result.placeholders.cancel_windows_added = #vim.api.nvim_tabpage_list_wins(0) - wins_before
  result.placeholders.cancel_note = notes[1] and notes[1].msg or vim.NIL
  vim.ui.input = input

  -- bad arguments are reported, not run
  notes = {}
  run({ title = 'x', command = 'errsig.runInTerminal', arguments = {} }, {})
  vim.notify = notify
  result.bad_arguments = { notified = notes[1] and notes[1].msg or vim.NIL }

  -- :ErrsigExplain ID -> workspace/executeCommand errsig.explain -> float
  vim.cmd('wincmd p')
  vim.api.nvim_set_current_buf(buf)
  local function float_text()
    for _, w in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
      if vim.api.nvim_win_get_config(w).relative ~= '' then
        return table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(w), 0, -1, false), '\n')
      end
    end
  end
  vim.cmd('ErrsigExplain pip/network-connection-reset-by-peer')
  vim.wait(3000, function()
    return float_text() ~= nil
  end, 10)
  result.explain = { float = float_text() or vim.NIL }
  for _, w in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
    if vim.api.nvim_win_get_config(w).relative ~= '' then
      vim.api.nvim_win_close(w, true)
    end
  end

  -- :ErrsigExplain without an id explains the errsig diagnostic under the cursor, and
  -- completes the ids of errsig diagnostics
  local ns = vim.api.nvim_create_namespace('vim.lsp.errsig.' .. client_id)
  vim.diagnostic.set(ns, buf, {
    { lnum = 1, col = 5, end_lnum = 1, end_col = 8, code = 'pip/resolution-impossible', message = 'm' },
  })
  local other = vim.api.nvim_create_namespace('some-linter')
  vim.diagnostic.set(other, buf, { { lnum = 1, col = 0, end_col = 4, code = 'E501', message = 'long' } })
  vim.api.nvim_win_set_cursor(0, { 2, 6 })
  vim.cmd('ErrsigExplain')
  vim.wait(3000, function()
    return float_text() ~= nil
  end, 10)
  result.explain_at_cursor = { float = float_text() or vim.NIL }
  result.completion = vim.fn.getcompletion('ErrsigExplain pip/', 'cmdline')
  result.explain_arguments = vim.tbl_map(function(r)
    return r.params.arguments
  end, sent('workspace/executeCommand'))
end

-- lua/errsig/report.lua applies errsig's reports itself (reading only the lines it needs);
-- what it sets must be what Neovim's own handlers set for the same report, in every
-- position encoding, for a loaded buffer and for a file that is not loaded.
local function check_reports()
  local report = require('errsig.report')
  local root = work .. '/reports'
  local loaded_path, disk_path = root .. '/open.log', root .. '/closed.log'
  -- Multi-byte text before the columns (2-, 3- and 4-byte UTF-8), a NUL byte, a CRLF line,
  -- and a last line without a line break.
  local text = '│ ERROR é 😀 here\r\nplain\na\0b 😀 x\nlast é'
  write(loaded_path, text)
  write(disk_path, text)
  vim.cmd.edit(vim.fn.fnameescape(loaded_path))
  local loaded_buf = vim.api.nvim_get_current_buf()
  local client_id = assert(vim.lsp.start({ name = 'report-check', cmd = fake_server, root_dir = root }, { bufnr = loaded_buf }))
  assert(vim.wait(3000, function()
    local c = vim.lsp.get_client_by_id(client_id)
    return c and c.initialized
  end, 10), 'report-check client did not initialize')
  local client = assert(vim.lsp.get_client_by_id(client_id))
  local function range(l1, c1, l2, c2)
    return { start = { line = l1, character = c1 }, ['end'] = { line = l2, character = c2 } }
  end
  local items = {
    { range = range(0, 10, 0, 14), message = 'after é and 😀', severity = 1, code = 'pip/x', source = 'errsig' },
    { range = range(0, 2, 1, 3), message = 'two lines', severity = 'Warning' },
    { range = range(2, 4, 2, 7), message = 'after a NUL', tags = { 1, 2 }, code = 7 },
    { range = range(3, 5, 3, 99), message = 'past the end of the line', severity = 4 },
    { range = range(40, 0, 40, 3), message = 'past the last line' },
  }
  local out = { cases = 0, mismatches = {}, sizes = {} }
  for _, encoding in ipairs({ 'utf-16', 'utf-8', 'utf-32' }) do
    client.offset_encoding = encoding
    for _, path in ipairs({ loaded_path, disk_path }) do
      for _, pull in ipairs({ true, false }) do
        local uri = vim.uri_from_fname(path)
        local ns = vim.lsp.diagnostic.get_namespace(client_id, pull)
        local items_copy = vim.deepcopy(items)
        vim.diagnostic.reset(ns)
        report.set(client_id, uri, items_copy, pull)
        local bufnr = vim.fn.bufnr(path)
        local mine = vim.diagnostic.get(bufnr, { namespace = ns })
        vim.diagnostic.reset(ns)
        local ctx = { client_id = client_id, method = 'textDocument/diagnostic', params = { textDocument = { uri = uri } } }
        if pull then
          vim.lsp.diagnostic.on_diagnostic(nil, { kind = 'full', items = items_copy }, ctx)
        else
          vim.lsp.diagnostic.on_publish_diagnostics(nil, { uri = uri, diagnostics = items_copy }, ctx)
        end
        local theirs = vim.diagnostic.get(bufnr, { namespace = ns })
        local name = table.concat({ encoding, vim.fs.basename(path), pull and 'pull' or 'push', vim.api.nvim_buf_is_loaded(bufnr) and 'loaded' or 'not loaded' }, ' ')
        out.cases = out.cases + 1
        out.sizes[#out.sizes + 1] = #mine
        if not vim.deep_equal(mine, theirs) then
          out.mismatches[#out.mismatches + 1] = { case = name, mine = mine, theirs = theirs }
        end
      end
    end
  end
  -- no buffer is made for an empty report on a file that has none (as Neovim does)
  report.set(client_id, vim.uri_from_fname(root .. '/never.log'), {}, true)
  out.empty_report_made_buffer = vim.fn.bufexists(root .. '/never.log') == 1
  -- the config's handlers hand reports to a handler the user installed, untouched
  local config = vim.lsp.config.errsig
  local seen = {}
  local saved = vim.lsp.handlers['textDocument/publishDiagnostics']
  vim.lsp.handlers['textDocument/publishDiagnostics'] = function(_, params)
    seen[#seen + 1] = params.uri
  end
  local ok, err = pcall(config.handlers['textDocument/publishDiagnostics'], nil, { uri = 'file:///x.log', diagnostics = {} }, { client_id = client_id })
  vim.lsp.handlers['textDocument/publishDiagnostics'] = saved
  assert(ok, err)
  out.user_handler_called = seen
  out.neovims = {
    pull = report.is_neovims(vim.lsp.handlers['textDocument/diagnostic']),
    push = report.is_neovims(saved),
    user = report.is_neovims(function() end),
  }
  out.applies = report.applies()
  vim.lsp.stop_client(client_id, true)
  result.reports = out
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  nested = true,
  callback = function()
    local ok, err = xpcall(function()
      check_filetypes()
      check_config()
      check_commands()
      check_reports()
    end, debug.traceback)
    finish(ok, not ok and tostring(err) or nil)
  end,
})

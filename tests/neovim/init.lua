-- End-to-end test of errsig in a real Neovim (>= 0.11), driven by tests/neovim/test_neovim.py.
--
-- The first block is the user setup from editors/neovim/README.md, unchanged except for the
-- path of the plugin and, through ERRSIG_TEST_PYTHON, the server command (the test's Python
-- instead of the `errsig` script on PATH). Everything after it only drives the editor and
-- records what happened in $ERRSIG_TEST_WORK/result.json; it never changes errsig's config.

local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local plugin_dir = vim.fs.normalize(vim.fn.fnamemodify(here .. '/../../editors/neovim', ':p'))

-- ---- user setup (README) -------------------------------------------------------------
vim.opt.runtimepath:append(plugin_dir)
local test_python = os.getenv('ERRSIG_TEST_PYTHON')
if test_python then
  vim.lsp.config('errsig', { cmd = { test_python, '-m', 'errsig', 'lsp' } })
end
vim.lsp.enable('errsig')
-- ---- end of user setup ---------------------------------------------------------------

local work = assert(os.getenv('ERRSIG_TEST_WORK'), 'set ERRSIG_TEST_WORK')
local ID = os.getenv('ERRSIG_TEST_ID') or 'pip/network-connection-reset-by-peer'
local out = work .. '/result.json'
local t0 = vim.uv.hrtime()
local function ms()
  return math.floor((vim.uv.hrtime() - t0) / 1e6)
end

local result = {
  ok = false,
  steps = {},
  server_messages = {},
  registrations = {},
}

local function step(name)
  table.insert(result.steps, { name = name, ms = ms() })
end

local function finish(ok, why)
  result.ok, result.why, result.total_ms = ok, why, ms()
  local f = assert(io.open(out, 'w'))
  f:write(vim.json.encode(result))
  f:close()
  vim.cmd(ok and 'qall!' or 'cquit! 1')
end

-- Observe (and pass on) what the server sends; nothing here changes the behaviour.
local function observe(method, record)
  local original = vim.lsp.handlers[method]
  vim.lsp.handlers[method] = function(err, res, ctx, config)
    local client = vim.lsp.get_client_by_id(ctx.client_id)
    if client and client.name == 'errsig' then
      pcall(record, err, res, ctx)
    end
    return original(err, res, ctx, config)
  end
end
observe('window/logMessage', function(_, res)
  table.insert(result.server_messages, { type = res.type, message = res.message })
end)
observe('window/showMessage', function(_, res)
  table.insert(result.server_messages, { type = res.type, message = res.message, shown = true })
end)
observe('client/registerCapability', function(_, res)
  for _, reg in ipairs(res.registrations or {}) do
    table.insert(result.registrations, { method = reg.method, registerOptions = reg.registerOptions })
  end
end)
-- The diagnostics handlers are left as Neovim has them: errsig's plugin applies reports
-- itself only where Neovim's own handlers would run (lua/errsig/report.lua), as for a user.

local function errsig_namespaces(bufnr)
  local names = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local meta = vim.diagnostic.get_namespaces()[d.namespace]
    names[meta and meta.name or tostring(d.namespace)] = true
  end
  return vim.tbl_keys(names)
end

local function simple(d)
  return {
    lnum = d.lnum,
    col = d.col,
    end_lnum = d.end_lnum,
    end_col = d.end_col,
    code = d.code,
    source = d.source,
    severity = d.severity,
    message = d.message,
  }
end

local function with_id(bufnr)
  return vim.tbl_filter(function(d)
    return d.code == ID
  end, vim.diagnostic.get(bufnr))
end

local function request(client, bufnr, method, params, timeout)
  local res, err = client:request_sync(method, params, timeout or 5000, bufnr)
  assert(res, ('%s: no answer (%s)'):format(method, tostring(err)))
  assert(not res.err, ('%s: error %s'):format(method, vim.inspect(res.err)))
  return res.result
end

-- What a WorkspaceEdit does, in a form the pytest side can compare.
local function summarize_edit(edit)
  if not edit then
    return nil
  end
  local changes = {}
  for _, ch in ipairs(edit.documentChanges or {}) do
    if ch.kind then
      table.insert(changes, {
        kind = ch.kind,
        file = vim.fs.basename(vim.uri_to_fname(ch.uri or ch.newUri)),
        options = ch.options,
      })
    else
      table.insert(changes, {
        kind = 'edit',
        file = vim.fs.basename(vim.uri_to_fname(ch.textDocument.uri)),
        version = ch.textDocument.version,
        edits = ch.edits,
      })
    end
  end
  for uri, edits in pairs(edit.changes or {}) do
    table.insert(changes, { kind = 'changes', file = vim.fs.basename(vim.uri_to_fname(uri)), edits = edits })
  end
  return changes
end

-- The fix under test: it edits the pip.conf named by PIP_CONFIG_FILE (the server may also
-- offer the user-level pip.conf) and its title says it sets `timeout`.
local conf_path = vim.fs.normalize(os.getenv('PIP_CONFIG_FILE') or (work .. '/pip.conf'))
local function is_timeout_fix(action)
  local title = action.title or ''
  if not title:find('timeout', 1, true) then
    return false
  end
  local edit = action.edit
  if not edit then -- resolved lazily: only the title can tell
    return title:find(conf_path, 1, true) ~= nil
  end
  local function on_conf(uri)
    return vim.fs.normalize(vim.uri_to_fname(uri)) == conf_path
  end
  for _, ch in ipairs(edit.documentChanges or {}) do
    if ch.textDocument and on_conf(ch.textDocument.uri) then
      return true
    end
  end
  for uri in pairs(edit.changes or {}) do
    if on_conf(uri) then
      return true
    end
  end
  return false
end

-- The quick fixes as the lightbulb gets them, each then resolved (codeAction/resolve) the way
-- Neovim does when one is picked, so that the pytest side sees every edit.
local function code_actions(client, bufnr, diag)
  local lsp_diag = diag.user_data.lsp
  local actions = request(client, bufnr, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag }, only = { 'quickfix' }, triggerKind = 1 },
  }) or {}
  local out = {}
  for _, a in ipairs(actions) do
    if not a.edit and not a.command and a.data ~= nil then
      local resolved = request(client, bufnr, 'codeAction/resolve', a)
      resolved.lazy = true
      a = resolved
    end
    table.insert(out, a)
  end
  return out
end

-- Applies one action the way a user does (vim.lsp.buf.code_action with apply=true, which also
-- resolves the action and runs its command), then waits for `done()`.
local function apply_action(bufnr, diag, title, done)
  vim.api.nvim_set_current_buf(bufnr)
  vim.api.nvim_win_set_cursor(0, { diag.lnum + 1, diag.col })
  vim.lsp.buf.code_action({
    apply = true,
    context = { diagnostics = { diag.user_data.lsp }, only = { 'quickfix' } },
    filter = function(a)
      return a.title == title
    end,
  })
  return vim.wait(8000, done, 20)
end

local function pip_conf_action(actions, label)
  for _, a in ipairs(actions) do
    if is_timeout_fix(a) then
      return a
    end
  end
  error(label .. ': no code action sets timeout in ' .. conf_path .. '; titles: ' .. vim.inspect(vim.tbl_map(function(a)
    return a.title
  end, actions)))
end

local function read(path)
  local f = io.open(path, 'rb')
  if not f then
    return nil
  end
  local s = f:read('*a')
  f:close()
  return s
end

local function run()
  local conf = conf_path
  assert(not vim.uv.fs_stat(conf), 'pip.conf must be missing at the start')

  -- 1. open the log; diagnostics arrive, each once
  vim.cmd.edit(vim.fn.fnameescape(work .. '/build.log'))
  local buf = vim.api.nvim_get_current_buf()
  result.log = { filetype = vim.bo[buf].filetype }
  assert(
    vim.wait(15000, function()
      return #with_id(buf) > 0
    end, 20),
    'no ' .. ID .. ' diagnostic on build.log within 15 s'
  )
  step('diagnostics')
  local client = assert(vim.lsp.get_clients({ bufnr = buf, name = 'errsig' })[1], 'errsig not attached')
  result.client = {
    root_dir = client.root_dir and vim.fs.basename(client.root_dir),
    offset_encoding = client.offset_encoding,
    diagnostic_provider = client.server_capabilities.diagnosticProvider ~= nil,
    execute_commands = vim.tbl_get(client.server_capabilities, 'executeCommandProvider', 'commands'),
  }
  vim.wait(600) -- a push arriving after the pull (or a second pull) would show up here
  result.log.diagnostics = vim.tbl_map(simple, vim.diagnostic.get(buf))
  result.log.namespaces = errsig_namespaces(buf)
  local diag = with_id(buf)[1]

  -- 2. hover on the diagnostic
  vim.api.nvim_win_set_cursor(0, { diag.lnum + 1, diag.col })
  local hover = request(client, buf, 'textDocument/hover', vim.lsp.util.make_position_params(0, client.offset_encoding))
  result.hover = hover and hover.contents
  step('hover')

  -- 3. quick fixes for the diagnostic
  local actions = code_actions(client, buf, diag)
  result.actions = vim.tbl_map(function(a)
    return {
      title = a.title,
      kind = a.kind,
      isPreferred = a.isPreferred,
      command = a.command,
      edit = summarize_edit(a.edit),
      lazy = a.lazy or false,
      diagnostics = a.diagnostics and #a.diagnostics or 0,
    }
  end, actions)
  step('code actions')

  -- 4. the pip.conf fix on a MISSING pip.conf
  local fix = pip_conf_action(actions, 'missing pip.conf')
  result.missing = { title = fix.title }
  result.missing.applied = apply_action(buf, diag, fix.title, function()
    local b = vim.fn.bufnr(conf)
    return vim.uv.fs_stat(conf) ~= nil or (b ~= -1 and vim.api.nvim_buf_is_loaded(b) and vim.bo[b].modified)
  end)
  assert(result.missing.applied, 'applying "' .. fix.title .. '" changed no pip.conf buffer or file')
  result.missing.exists_before_write = vim.uv.fs_stat(conf) ~= nil
  vim.cmd('silent wall')
  result.missing.disk = read(conf)
  step('pip.conf created')

  -- 5. the same fix on an EXISTING pip.conf with a comment, another section and a timeout
  vim.cmd('silent! bwipeout! ' .. vim.fn.bufnr(conf))
  local existing = table.concat({
    '# team mirror settings: keep this comment',
    '[global]',
    'index-url = https://pypi.org/simple',
    'timeout = 15',
    '',
    '[install]',
    'no-compile = true',
    '',
  }, '\n')
  local f = assert(io.open(conf, 'wb'))
  f:write(existing)
  f:close()
  result.existing = { before = existing }
  local actions2 = code_actions(client, buf, diag)
  local fix2 = pip_conf_action(actions2, 'existing pip.conf')
  result.existing.title = fix2.title
  result.existing.edit = summarize_edit(fix2.edit)
  result.existing.applied = apply_action(buf, diag, fix2.title, function()
    local b = vim.fn.bufnr(conf)
    return (b ~= -1 and vim.api.nvim_buf_is_loaded(b) and vim.bo[b].modified) or read(conf) ~= existing
  end)
  assert(result.existing.applied, 'applying "' .. fix2.title .. '" changed no pip.conf buffer or file')
  vim.cmd('silent wall')
  result.existing.disk = read(conf)
  step('pip.conf merged')

  -- 6. a command action goes to the plugin's handler (errsig.copyCommand -> registers)
  local copy
  for _, a in ipairs(actions) do
    if a.command and a.command.command == 'errsig.copyCommand' then
      copy = a
      break
    end
  end
  if copy then
    vim.fn.setreg('"', '')
    result.copy = { title = copy.title, argument = copy.command.arguments and copy.command.arguments[1] }
    apply_action(buf, diag, copy.title, function()
      return vim.fn.getreg('"') ~= ''
    end)
    result.copy.register = vim.fn.getreg('"')
  end

  -- 7. :ErrsigExplain (workspace/executeCommand errsig.explain) shows a float
  local shown
  require('errsig').explain(ID, function(err, fbuf)
    shown = { err = err, text = fbuf and table.concat(vim.api.nvim_buf_get_lines(fbuf, 0, -1, false), '\n') }
  end)
  vim.wait(5000, function()
    return shown ~= nil
  end, 20)
  result.explain = shown or { err = 'no answer within 5 s' }
  step('explain')

  -- 8. a log that is NOT open grows on disk: its diagnostics arrive (watched globs)
  local watched = work .. '/logs/ci.log'
  local wbuf = vim.fn.bufadd(watched)
  result.watched = { before = #with_id(wbuf) }
  vim.wait(300) -- the watcher is set up by now; give a polling backend one tick
  local started = ms()
  local wf = assert(io.open(watched, 'ab'))
  wf:write('ERROR: Could not install packages due to a ConnectionError: [Errno 104] Connection reset by peer\n')
  wf:close()
  local got = vim.wait(10000, function()
    return #with_id(wbuf) > 0
  end, 50)
  result.watched.ms = ms() - started
  result.watched.loaded = vim.api.nvim_buf_is_loaded(wbuf)
  vim.wait(300)
  result.watched.diagnostics = vim.tbl_map(simple, vim.diagnostic.get(wbuf))
  assert(got, 'no diagnostics for the watched, unopened logs/ci.log within 10 s of it growing')
  step('watched log')

  -- 9. :ErrsigExplain with an id the catalogue lacks: a message, no Lua error
  local unknown
  local ok_unknown, lua_err = pcall(require('errsig').explain, 'pip/no-such-signature', function(err)
    unknown = { err = err }
  end)
  vim.wait(5000, function()
    return unknown ~= nil
  end, 20)
  result.explain_unknown = { ok = ok_unknown, lua_error = not ok_unknown and tostring(lua_err) or nil, err = unknown and unknown.err }
  step('explain unknown id')

  -- 10. a pip.conf outside the project (the user's, under $HOME) joins the running client
  local home = assert(os.getenv('HOME'))
  local user_conf = home .. '/.config/pip/pip.conf'
  vim.fn.mkdir(home .. '/.config/pip', 'p')
  local uf = assert(io.open(user_conf, 'w'))
  uf:write('[global]\ntimeout = 15\n')
  uf:close()
  vim.cmd('edit ' .. vim.fn.fnameescape(user_conf))
  local cbuf = vim.api.nvim_get_current_buf()
  vim.wait(5000, function()
    return #vim.lsp.get_clients({ bufnr = cbuf, name = 'errsig' }) > 0
  end, 20)
  local ids = {}
  for _, c in ipairs(vim.lsp.get_clients({ name = 'errsig' })) do
    ids[#ids + 1] = c.id
  end
  local attached = vim.lsp.get_clients({ bufnr = cbuf, name = 'errsig' })[1]
  local log_client = vim.lsp.get_clients({ bufnr = buf, name = 'errsig' })[1]
  result.user_conf = {
    clients = #ids,
    same_client = attached ~= nil and log_client ~= nil and attached.id == log_client.id,
  }
  step('user pip.conf shares the client')

  -- 11. an error no record knows: Draft a record (a quick fix), and the line becomes known
  vim.cmd.edit(vim.fn.fnameescape(work .. '/worker.log'))
  local ubuf = vim.api.nvim_get_current_buf()
  local function first_code(bufnr)
    local ds = vim.diagnostic.get(bufnr)
    table.sort(ds, function(x, y)
      return x.lnum < y.lnum
    end)
    return ds[1] and ds[1].code, ds[1]
  end
  assert(vim.wait(10000, function()
    return #vim.lsp.get_clients({ bufnr = ubuf, name = 'errsig' }) > 0
  end, 20), 'errsig not attached to worker.log')
  local uclient = vim.lsp.get_clients({ bufnr = ubuf, name = 'errsig' })[1]
  vim.wait(500) -- the open buffer's own diagnostics replace the watched file's
  assert(vim.wait(15000, function()
    return first_code(ubuf) == 'unknown/python'
  end, 20), 'no unknown/python diagnostic on worker.log; got ' .. vim.inspect(vim.tbl_map(simple, vim.diagnostic.get(ubuf))))
  local _, udiag = first_code(ubuf)
  result.draft = { before = udiag.code, line = udiag.lnum, severity = udiag.severity }
  result.draft.titles = vim.tbl_map(function(a)
    return a.title
  end, code_actions(uclient, ubuf, udiag))
  local became = apply_action(ubuf, udiag, 'Draft a record for this error (errsig)', function()
    local cur = vim.api.nvim_get_current_buf()
    if cur ~= ubuf then
      -- window/showDocument opened the draft; the user goes back to the log (a pull client
      -- asks for the log's diagnostics again when its buffer is entered)
      result.draft.shown = vim.api.nvim_buf_get_name(cur)
      vim.api.nvim_set_current_buf(ubuf)
    end
    local code = first_code(ubuf)
    return code ~= nil and code ~= 'unknown/python'
  end)
  result.draft.after = first_code(ubuf)
  result.draft.became_known = became
  result.draft.files = vim.fn.globpath(work .. '/.errsig/records', '**/*.json', false, true)
  step('draft a record')
end

-- nested = true: without it :edit inside VimEnter fires no FileType, so no client attaches.
vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  nested = true,
  callback = function()
    local ok, err = xpcall(run, debug.traceback)
    finish(ok, not ok and tostring(err) or nil)
  end,
})

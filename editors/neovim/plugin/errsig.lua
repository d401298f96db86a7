-- errsig: filetypes, the client-side commands of errsig's code actions, :ErrsigExplain.
-- The server itself is configured in lsp/errsig.lua and started by vim.lsp.enable('errsig').
if vim.g.loaded_errsig then
  return
end
vim.g.loaded_errsig = true

if vim.fn.has('nvim-0.11') == 0 then
  vim.notify_once('errsig: needs Neovim 0.11 or newer', vim.log.levels.WARN)
  return
end

local errsig = require('errsig')
-- Also done by ftdetect/errsig.lua; repeated here for plugin managers that load plugin/ after
-- filetype detection was set up. vim.filetype.add is idempotent.
errsig.setup_filetypes()
errsig.register_commands()
errsig.register_user_commands()

-- errsig's filetype rules (see lua/errsig/init.lua): *.log, *.out and `typescript` transcripts
-- are 'log'; requirements*/constraints* files (and *.in next to them) are 'requirements';
-- pip.conf and pip.ini are 'dosini', as Neovim already names them.
if vim.fn.has('nvim-0.11') == 1 then
  require('errsig').setup_filetypes()
end

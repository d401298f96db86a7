import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanTerminalOutput, stripAnsi } from '../../src/ansi';

describe('cleanTerminalOutput', () => {
    it('keeps plain text and turns CRLF into LF', () => {
        assert.equal(cleanTerminalOutput('a\r\nb\r\n'), 'a\nb');
        assert.equal(cleanTerminalOutput('a\nb'), 'a\nb');
    });

    it('removes SGR colours and keeps the words', () => {
        const raw = '\x1b[31mERROR:\x1b[0m Could not install packages due to a \x1b[1;33mConnectionError\x1b[m\r\n';
        assert.equal(cleanTerminalOutput(raw), 'ERROR: Could not install packages due to a ConnectionError');
    });

    it('removes OSC sequences ended by BEL or ST, including shell integration marks', () => {
        const raw = '\x1b]633;C\x07out\x1b]8;;https://example.org\x1b\\link\x1b]8;;\x1b\\\r\n\x1b]633;D;1\x07';
        assert.equal(cleanTerminalOutput(raw), 'outlink');
    });

    it('shows only the last redraw of a progress line', () => {
        const raw = 'Downloading 10%\rDownloading 55%\rDownloading 100%\r\ndone\r\n';
        assert.equal(cleanTerminalOutput(raw), 'Downloading 100%\ndone');
    });

    it('applies erase-in-line after a carriage return', () => {
        assert.equal(cleanTerminalOutput('a long first draw\r\x1b[Kshort\n'), 'short');
        assert.equal(cleanTerminalOutput('a long first draw\rshort\n'), 'shortg first draw');
        assert.equal(cleanTerminalOutput('abc\x1b[2Kxyz\n'), '   xyz');
    });

    it('handles backspace and cursor column moves', () => {
        assert.equal(cleanTerminalOutput('abx\bc\n'), 'abc');
        assert.equal(cleanTerminalOutput('hello\x1b[1Gj\n'), 'jello');
        assert.equal(cleanTerminalOutput('ab\x1b[3Cc\n'), 'ab   c');
    });

    it('drops charset designators, keypad modes, DCS strings and stray controls', () => {
        const raw = '\x1b(B\x1b=\x1b>\x1bPq#0;1\x1b\\x\x07y\x0ez\x0f\n';
        assert.equal(cleanTerminalOutput(raw), 'xyz');
    });

    it('drops 8-bit CSI and an unterminated OSC at the end', () => {
        assert.equal(cleanTerminalOutput('a\x9b31mb\n'), 'ab');
        assert.equal(cleanTerminalOutput('text\x1b]633;P;Cwd=/tmp'), 'text');
    });

    it('trims trailing blanks and keeps a final partial line and tabs', () => {
        assert.equal(cleanTerminalOutput('a  \r\nb\tc'), 'a\nb\tc');
    });

    it('keeps non-ASCII text', () => {
        assert.equal(cleanTerminalOutput('\x1b[32m错误：连接被重置\x1b[0m\r\n'), '错误：连接被重置');
    });

    it('cleans a pip failure as a bash terminal prints it', () => {
        const raw =
            '\x1b]633;E;pip install requests;abc\x07\x1b]633;C\x07Collecting requests\r\n' +
            '\x1b[31mERROR: Could not install packages due to a ConnectionError: [Errno 104] Connection reset by peer\x1b[0m\r\n' +
            '\x1b]633;D;1\x07\x1b]633;A\x07$ \x1b]633;B\x07';
        assert.equal(
            cleanTerminalOutput(raw),
            'Collecting requests\nERROR: Could not install packages due to a ConnectionError: [Errno 104] Connection reset by peer\n$',
        );
    });
});

describe('stripAnsi', () => {
    it('removes sequences but keeps line ends', () => {
        assert.equal(stripAnsi('\x1b[1ma\x1b[0m\r\nb\rc'), 'a\nb\rc');
    });
});

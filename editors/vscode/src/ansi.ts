/**
 * Turning raw terminal output (what `TerminalShellExecution.read()` yields: escape
 * sequences, CR/LF line ends, progress bars redrawn with `\r`) into the plain text a person
 * saw on the screen, line by line. Pure; no VS Code API.
 */

const ESC = '\x1b';
const BEL = '\x07';

/** Splits raw output into printable text and control tokens. */
type Token =
    | { kind: 'text'; text: string }
    | { kind: 'cr' }
    | { kind: 'lf' }
    | { kind: 'bs' }
    | { kind: 'csi'; params: string; final: string };

function isFinalByte(code: number): boolean {
    return code >= 0x40 && code <= 0x7e;
}

/** Index just past a string-terminated sequence (OSC, DCS, APC, PM, SOS) starting at `from`. */
function skipStringSequence(raw: string, from: number): number {
    for (let i = from; i < raw.length; i++) {
        const ch = raw[i];
        if (ch === BEL || ch === '\x9c') {
            return i + 1;
        }
        if (ch === ESC && raw[i + 1] === '\\') {
            return i + 2;
        }
    }
    return raw.length; // unterminated: drop the rest
}

function tokenize(raw: string): Token[] {
    const tokens: Token[] = [];
    let text = '';
    const flush = (): void => {
        if (text) {
            tokens.push({ kind: 'text', text });
            text = '';
        }
    };
    let i = 0;
    while (i < raw.length) {
        const ch = raw.charAt(i);
        const code = ch.charCodeAt(0);
        if (ch === ESC || ch === '\x9b' || ch === '\x9d' || ch === '\x90') {
            flush();
            let kind: string;
            let j: number;
            if (ch === ESC) {
                kind = raw[i + 1] ?? '';
                j = i + 2;
            } else {
                kind = ch === '\x9b' ? '[' : ch === '\x9d' ? ']' : 'P';
                j = i + 1;
            }
            if (kind === '[') {
                let params = '';
                while (j < raw.length && !isFinalByte(raw.charCodeAt(j))) {
                    params += raw.charAt(j);
                    j++;
                }
                const final = raw[j] ?? '';
                tokens.push({ kind: 'csi', params, final });
                i = j + 1;
            } else if (kind === ']' || kind === 'P' || kind === 'X' || kind === '^' || kind === '_') {
                i = skipStringSequence(raw, j);
            } else {
                // ESC, intermediates 0x20-0x2f, one final byte 0x30-0x7e (ESC ( B, ESC 7, ESC =, ESC M ...)
                while (j - 1 < raw.length && /[\x20-\x2f]/.test(raw[j - 1] ?? '')) {
                    j++;
                }
                i = Math.min(j, raw.length);
            }
            continue;
        }
        if (ch === '\r') {
            flush();
            if (raw[i + 1] === '\n') {
                tokens.push({ kind: 'lf' });
                i += 2;
            } else {
                tokens.push({ kind: 'cr' });
                i += 1;
            }
            continue;
        }
        if (ch === '\n') {
            flush();
            tokens.push({ kind: 'lf' });
            i++;
            continue;
        }
        if (ch === '\b') {
            flush();
            tokens.push({ kind: 'bs' });
            i++;
            continue;
        }
        if ((code < 0x20 && ch !== '\t') || code === 0x7f || (code >= 0x80 && code < 0xa0)) {
            i++; // other C0/C1 controls (BEL, SO/SI, NUL...) print nothing
            continue;
        }
        text += ch;
        i++;
    }
    flush();
    return tokens;
}

/** One screen line being drawn, with a cursor (columns are UTF-16 units, good enough here). */
class LineBuffer {
    private cells: string[] = [];
    private cursor = 0;

    write(text: string): void {
        for (const ch of text) {
            while (this.cells.length < this.cursor) {
                this.cells.push(' ');
            }
            this.cells[this.cursor] = ch;
            this.cursor++;
        }
    }

    carriageReturn(): void {
        this.cursor = 0;
    }

    backspace(): void {
        this.cursor = Math.max(0, this.cursor - 1);
    }

    csi(params: string, final: string): void {
        const n = Number.parseInt(params || '0', 10) || 0;
        switch (final) {
            case 'K': // erase in line
                if (n === 0) {
                    this.cells.length = Math.min(this.cells.length, this.cursor);
                } else if (n === 1) {
                    for (let k = 0; k <= this.cursor && k < this.cells.length; k++) {
                        this.cells[k] = ' ';
                    }
                } else if (n === 2) {
                    this.cells = [];
                }
                break;
            case 'G': // cursor horizontal absolute (1-based)
                this.cursor = Math.max(0, (n || 1) - 1);
                break;
            case 'C': // cursor forward
                this.cursor += n || 1;
                break;
            case 'D': // cursor back
                this.cursor = Math.max(0, this.cursor - (n || 1));
                break;
            default:
                break; // colours (m), cursor up/down, modes: no effect on this line's text
        }
    }

    take(): string {
        const line = this.cells.join('').trimEnd();
        this.cells = [];
        this.cursor = 0;
        return line;
    }

    get empty(): boolean {
        return this.cells.length === 0;
    }
}

/**
 * Plain text of raw terminal output: escape sequences removed, CRLF and CR handled as a
 * terminal would (a line redrawn after `\r` keeps only what was drawn last), trailing
 * blanks of each line dropped, lines joined with `\n`. A final partial line is kept.
 */
export function cleanTerminalOutput(raw: string): string {
    const lines: string[] = [];
    const line = new LineBuffer();
    for (const token of tokenize(raw)) {
        switch (token.kind) {
            case 'text':
                line.write(token.text);
                break;
            case 'cr':
                line.carriageReturn();
                break;
            case 'bs':
                line.backspace();
                break;
            case 'lf':
                lines.push(line.take());
                break;
            case 'csi':
                line.csi(token.params, token.final);
                break;
        }
    }
    if (!line.empty) {
        lines.push(line.take());
    }
    return lines.join('\n');
}

/** Only the escape sequences removed; line ends and `\r` kept (for logs of raw output). */
export function stripAnsi(raw: string): string {
    return tokenize(raw)
        .map((t) => (t.kind === 'text' ? t.text : t.kind === 'lf' ? '\n' : t.kind === 'cr' ? '\r' : t.kind === 'bs' ? '\b' : ''))
        .join('');
}

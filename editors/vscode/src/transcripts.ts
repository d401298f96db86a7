/**
 * Transcript files: the cleaned output of one terminal command, kept under the workspace
 * (default `.errsig/transcripts/`) so the server's watcher scans it like any log and its
 * diagnostics and quick fixes stand in the Problems panel. Bounded in size (the tail of the
 * output is kept) and in count (the oldest files are deleted). Node only; no VS Code API.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** `20261125-192301-123-pip-install-requests.txt`: sorts by time, says what ran. */
const NAME_RE = /^\d{8}-\d{6}-\d{3}(?:-[a-z0-9-]+)?(?:~\d+)?\.txt$/;

export function isTranscriptName(name: string): boolean {
    return NAME_RE.test(name);
}

export function slugify(commandLine: string, maxLength = 40): string {
    const slug = commandLine
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '');
    return slug.slice(0, maxLength).replace(/-+$/, '');
}

function pad(n: number, width = 2): string {
    return String(n).padStart(width, '0');
}

export function transcriptFileName(when: Date, commandLine: string): string {
    const stamp =
        `${when.getUTCFullYear()}${pad(when.getUTCMonth() + 1)}${pad(when.getUTCDate())}-` +
        `${pad(when.getUTCHours())}${pad(when.getUTCMinutes())}${pad(when.getUTCSeconds())}-` +
        pad(when.getUTCMilliseconds(), 3);
    const slug = slugify(commandLine);
    return slug ? `${stamp}-${slug}.txt` : `${stamp}.txt`;
}

/** Transcript files to delete so that at most `max` remain (oldest first; other files untouched). */
export function rotationPlan(names: readonly string[], max: number): string[] {
    const ours = names.filter(isTranscriptName).sort();
    const keep = Math.max(0, Math.floor(max));
    return ours.slice(0, Math.max(0, ours.length - keep));
}

/**
 * The last `maxBytes` bytes (UTF-8) of `text`, starting at a line boundary when it had to
 * be cut, so the first kept line is whole.
 */
export function tailBytes(text: string, maxBytes: number): { text: string; truncated: boolean } {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes <= maxBytes) {
        return { text, truncated: false };
    }
    const buf = Buffer.from(text, 'utf8');
    let start = buf.length - Math.max(0, maxBytes);
    // Never start inside a UTF-8 sequence.
    while (start < buf.length && (buf.readUInt8(start) & 0xc0) === 0x80) {
        start++;
    }
    let tail = buf.subarray(start).toString('utf8');
    const nl = tail.indexOf('\n');
    if (nl >= 0 && nl < tail.length - 1) {
        tail = tail.slice(nl + 1);
    }
    return { text: tail, truncated: true };
}

/**
 * Bounded accumulator for streamed output: keeps at most about `2 * maxBytes` of the
 * most recent text in memory while a command runs.
 */
export class TailBuffer {
    private parts: string[] = [];
    private length = 0;
    private dropped = false;

    constructor(private readonly maxChars: number) {}

    push(chunk: string): void {
        this.parts.push(chunk);
        this.length += chunk.length;
        if (this.length > 2 * this.maxChars) {
            const joined = this.parts.join('');
            const kept = joined.slice(joined.length - this.maxChars);
            this.parts = [kept];
            this.length = kept.length;
            this.dropped = true;
        }
    }

    /** The text kept; when the head was dropped, the first (partial) line is dropped too. */
    text(): { text: string; truncated: boolean } {
        let text = this.parts.join('');
        if (this.dropped) {
            const nl = text.indexOf('\n');
            text = nl >= 0 ? text.slice(nl + 1) : text;
        }
        return { text, truncated: this.dropped };
    }
}

export interface TranscriptEntry {
    commandLine: string;
    output: string;
    exitCode?: number | undefined;
    truncated?: boolean;
}

export const TRUNCATION_NOTE = '[errsig: earlier output dropped]';

/** The file's text: the command as it was typed, then its output, then its exit code. */
export function renderTranscript(entry: TranscriptEntry): string {
    const lines = [`$ ${entry.commandLine.replace(/\r?\n/g, ' ')}`];
    if (entry.truncated) {
        lines.push(TRUNCATION_NOTE);
    }
    lines.push(entry.output.replace(/\n+$/, ''));
    if (entry.exitCode !== undefined) {
        lines.push(`[exit code ${entry.exitCode}]`);
    }
    return lines.join('\n') + '\n';
}

export const GITIGNORE_TEXT = '# written by the errsig VS Code extension: terminal transcripts stay local\n*\n';

export interface WriteOptions {
    maxTranscripts: number;
    maxTranscriptBytes: number;
    now?: Date;
}

/**
 * Writes one transcript into `dir` (created, with a `.gitignore` ignoring everything in it),
 * then deletes the oldest transcripts beyond `maxTranscripts`. Returns the new file's path
 * and the paths deleted.
 */
export async function writeTranscript(dir: string, entry: TranscriptEntry, options: WriteOptions): Promise<{ file: string; removed: string[] }> {
    await fs.mkdir(dir, { recursive: true });
    const gitignore = path.join(dir, '.gitignore');
    try {
        await fs.writeFile(gitignore, GITIGNORE_TEXT, { flag: 'wx' });
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
            throw err;
        }
    }
    const { text, truncated } = tailBytes(entry.output, options.maxTranscriptBytes);
    const body = renderTranscript({ ...entry, output: text, truncated: (entry.truncated ?? false) || truncated });
    const base = transcriptFileName(options.now ?? new Date(), entry.commandLine);
    let file = path.join(dir, base);
    for (let n = 1; ; n++) {
        try {
            await fs.writeFile(file, body, { flag: 'wx' });
            break;
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n > 100) {
                throw err;
            }
            file = path.join(dir, base.replace(/\.txt$/, `~${n}.txt`));
        }
    }
    const names = await fs.readdir(dir);
    const removed: string[] = [];
    for (const old of rotationPlan(names, options.maxTranscripts)) {
        await fs.rm(path.join(dir, old), { force: true });
        removed.push(path.join(dir, old));
    }
    return { file, removed };
}

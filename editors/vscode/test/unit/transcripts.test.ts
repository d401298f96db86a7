import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
    GITIGNORE_TEXT,
    TRUNCATION_NOTE,
    TailBuffer,
    isTranscriptName,
    renderTranscript,
    rotationPlan,
    slugify,
    tailBytes,
    transcriptFileName,
    writeTranscript,
} from '../../src/transcripts';

const when = new Date(Date.UTC(2026, 10, 25, 19, 23, 1, 7));

describe('transcript names', () => {
    it('puts the UTC time first and a slug of the command after it', () => {
        assert.equal(transcriptFileName(when, 'pip install "requests>=2"'), '20261125-192301-007-pip-install-requests-2.txt');
        assert.equal(transcriptFileName(when, '   '), '20261125-192301-007.txt');
    });

    it('bounds the slug', () => {
        assert.equal(slugify('x'.repeat(100)).length, 40);
        assert.equal(slugify('a b-'.repeat(30), 10), 'a-b-a-b-a');
    });

    it('recognises only its own names', () => {
        assert.ok(isTranscriptName('20261125-192301-007-pip.txt'));
        assert.ok(isTranscriptName('20261125-192301-007-pip~2.txt'));
        assert.ok(!isTranscriptName('notes.txt'));
        assert.ok(!isTranscriptName('.gitignore'));
    });
});

describe('rotationPlan', () => {
    const names = ['20260101-000000-000-a.txt', '20260103-000000-000-c.txt', '20260102-000000-000-b.txt', 'keep-me.txt', '.gitignore'];

    it('deletes the oldest beyond the maximum, never other files', () => {
        assert.deepEqual(rotationPlan(names, 2), ['20260101-000000-000-a.txt']);
        assert.deepEqual(rotationPlan(names, 1), ['20260101-000000-000-a.txt', '20260102-000000-000-b.txt']);
        assert.deepEqual(rotationPlan(names, 5), []);
    });

    it('orders a same-millisecond duplicate after its original', () => {
        assert.deepEqual(rotationPlan(['20260101-000000-000-a~1.txt', '20260101-000000-000-a.txt'], 1), ['20260101-000000-000-a.txt']);
    });
});

describe('tailBytes', () => {
    it('returns short text unchanged', () => {
        assert.deepEqual(tailBytes('abc\n', 10), { text: 'abc\n', truncated: false });
    });

    it('keeps the tail from a line boundary', () => {
        const text = 'line one\nline two\nline three\n';
        assert.deepEqual(tailBytes(text, 16), { text: 'line three\n', truncated: true });
    });

    it('never splits a UTF-8 character', () => {
        const { text } = tailBytes('ééééé', 3);
        assert.equal(text, 'é');
    });
});

describe('TailBuffer', () => {
    it('keeps everything while small', () => {
        const b = new TailBuffer(100);
        b.push('a\n');
        b.push('b\n');
        assert.deepEqual(b.text(), { text: 'a\nb\n', truncated: false });
    });

    it('keeps the recent tail, starting at a whole line, when it overflows', () => {
        const b = new TailBuffer(10);
        for (let i = 0; i < 20; i++) {
            b.push(`line${i}\n`);
        }
        const { text, truncated } = b.text();
        assert.ok(truncated);
        assert.ok(text.endsWith('line19\n'));
        assert.ok(text.length <= 20);
        assert.match(text, /^line\d+\n/);
    });
});

describe('renderTranscript', () => {
    it('writes the command, the output and the exit code', () => {
        assert.equal(renderTranscript({ commandLine: 'pip install x', output: 'boom\n\n', exitCode: 1 }), '$ pip install x\nboom\n[exit code 1]\n');
    });

    it('says when earlier output was dropped', () => {
        assert.equal(renderTranscript({ commandLine: 'a\nb', output: 'tail', truncated: true }), `$ a b\n${TRUNCATION_NOTE}\ntail\n`);
    });
});

describe('writeTranscript', () => {
    it('creates the folder with a .gitignore, writes, and rotates', async () => {
        const root = await fs.mkdtemp(path.join(os.tmpdir(), 'errsig-transcripts-'));
        const dir = path.join(root, '.errsig', 'transcripts');
        try {
            const files: string[] = [];
            const removed: string[] = [];
            for (let i = 0; i < 5; i++) {
                const result = await writeTranscript(
                    dir,
                    { commandLine: `cmd ${i}`, output: `out ${i}\n`, exitCode: i },
                    { maxTranscripts: 3, maxTranscriptBytes: 1000, now: new Date(when.getTime() + i * 1000) },
                );
                files.push(result.file);
                removed.push(...result.removed);
            }
            assert.deepEqual(removed, files.slice(0, 2));
            const left = (await fs.readdir(dir)).sort();
            assert.deepEqual(left, ['.gitignore', ...files.slice(2).map((f) => path.basename(f))].sort());
            assert.equal(await fs.readFile(path.join(dir, '.gitignore'), 'utf8'), GITIGNORE_TEXT);
            assert.equal(await fs.readFile(files[4]!, 'utf8'), '$ cmd 4\nout 4\n[exit code 4]\n');
        } finally {
            await fs.rm(root, { recursive: true, force: true });
        }
    });

    it('keeps an existing .gitignore, bounds the size, and never overwrites a transcript', async () => {
        const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'errsig-transcripts-'));
        try {
            await fs.writeFile(path.join(dir, '.gitignore'), 'mine\n');
            const big = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n');
            const opts = { maxTranscripts: 10, maxTranscriptBytes: 100, now: when };
            const { file: a } = await writeTranscript(dir, { commandLine: 'same', output: big }, opts);
            const { file: b } = await writeTranscript(dir, { commandLine: 'same', output: 'second' }, opts);
            assert.notEqual(a, b);
            assert.match(path.basename(b), /~1\.txt$/);
            const text = await fs.readFile(a, 'utf8');
            assert.ok(text.includes(TRUNCATION_NOTE));
            assert.ok(text.includes('line 199'));
            assert.ok(!text.includes('line 100\n'));
            assert.equal(await fs.readFile(path.join(dir, '.gitignore'), 'utf8'), 'mine\n');
        } finally {
            await fs.rm(dir, { recursive: true, force: true });
        }
    });
});

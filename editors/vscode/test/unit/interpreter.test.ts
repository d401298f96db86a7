import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
    type InterpreterCandidate,
    type ProbeResult,
    abiTag,
    chooseLaunch,
    describeServer,
    expandInterpreterPath,
    importStrategy,
    interpreterCandidates,
    interpreterSetting,
    launchFromPath,
    listBundledLibs,
    parseProbeOutput,
    probeInterpreter,
    resolveLaunch,
} from '../../src/interpreter';

const posix = { workspaceFolder: '/work/proj', home: '/home/u', env: { VENV: '/opt/venv' }, platform: 'linux' as const };

describe('expandInterpreterPath', () => {
    it('expands variables, ~ and workspace-relative paths', () => {
        assert.equal(expandInterpreterPath('${workspaceFolder}/.venv/bin/python', posix), '/work/proj/.venv/bin/python');
        assert.equal(expandInterpreterPath('~/py/bin/python3', posix), '/home/u/py/bin/python3');
        assert.equal(expandInterpreterPath('${userHome}/x', posix), '/home/u/x');
        assert.equal(expandInterpreterPath('${env:VENV}/bin/python', posix), '/opt/venv/bin/python');
        assert.equal(expandInterpreterPath('.venv/bin/python', posix), '/work/proj/.venv/bin/python');
    });

    it('leaves a bare command name for PATH lookup', () => {
        assert.equal(expandInterpreterPath(' python3.12 ', posix), 'python3.12');
    });

    it('uses Windows path rules on Windows', () => {
        const win = { workspaceFolder: 'C:\\proj', home: 'C:\\Users\\u', env: {}, platform: 'win32' as const };
        assert.equal(expandInterpreterPath('.venv\\Scripts\\python.exe', win), 'C:\\proj\\.venv\\Scripts\\python.exe');
        assert.equal(expandInterpreterPath('D:\\py\\python.exe', win), 'D:\\py\\python.exe');
    });
});

describe('interpreterCandidates', () => {
    it('uses only the setting when set', () => {
        assert.deepEqual(interpreterCandidates({ setting: '~/venv/bin/python', pythonExtension: '/usr/bin/python3.11', platform: 'linux', expand: posix }), [
            { source: 'setting', command: ['/home/u/venv/bin/python'] },
        ]);
    });

    it('prefers the Python extension, then python3 and python', () => {
        assert.deepEqual(interpreterCandidates({ setting: '  ', pythonExtension: '/x/bin/python', platform: 'linux', expand: posix }), [
            { source: 'python-extension', command: ['/x/bin/python'] },
            { source: 'default', command: ['python3'] },
            { source: 'default', command: ['python'] },
        ]);
    });

    it('uses the py launcher on Windows', () => {
        const c = interpreterCandidates({ platform: 'win32', expand: { ...posix, platform: 'win32' } });
        assert.deepEqual(c.map((x) => x.command), [['py', '-3'], ['python']]);
    });
});

describe('parseProbeOutput', () => {
    it('reads the last JSON line', () => {
        assert.deepEqual(parseProbeOutput('noise\n{"executable": "/usr/bin/python3", "version": [3, 11, 7], "errsig": null}\n'), {
            executable: '/usr/bin/python3',
            version: [3, 11, 7],
            errsig: null,
        });
    });

    it('rejects anything else', () => {
        assert.equal(parseProbeOutput(''), undefined);
        assert.equal(parseProbeOutput('Python was not found'), undefined);
        assert.equal(parseProbeOutput('{"executable": 1}'), undefined);
    });
});

const cand: InterpreterCandidate = { source: 'default', command: ['py', '-3'] };
const probe = (errsig: string | null, version: [number, number, number] = [3, 11, 2]): ProbeResult => ({ executable: '/usr/bin/python3', version, errsig });

describe('chooseLaunch', () => {
    it("runs the environment's own errsig when it is importable and errsig.importStrategy says so", () => {
        const launch = chooseLaunch({ candidate: cand, probe: probe('0.1.0'), bundledRoot: '/ext/bundled/libs', bundled: ['cp311'], pathSeparator: ':', strategy: 'fromEnvironment' });
        assert.ok(typeof launch !== 'string');
        assert.equal(launch.command, 'py');
        assert.deepEqual(launch.args, ['-3', '-m', 'errsig', 'lsp']);
        assert.deepEqual(launch.env, {});
        assert.equal(launch.origin, 'environment');
    });

    it('falls back to the bundled copy for the same Python version, ahead of PYTHONPATH', () => {
        const launch = chooseLaunch({
            candidate: { source: 'default', command: ['python3'] },
            probe: probe(null),
            bundledRoot: '/ext/bundled/libs',
            bundled: ['cp310', 'cp311', 'cp312'],
            pathSeparator: ':',
            existingPythonPath: '/mine',
        });
        assert.ok(typeof launch !== 'string');
        assert.equal(launch.origin, 'bundled');
        assert.deepEqual(launch.args, ['-m', 'errsig', 'lsp']);
        assert.deepEqual(launch.env, { PYTHONPATH: `${path.join('/ext/bundled/libs', 'cp311')}:/mine` });
    });

    it('explains when neither works', () => {
        const why = chooseLaunch({ candidate: cand, probe: probe(null, [3, 13, 0]), bundledRoot: '/b', bundled: ['cp311', 'cp310'], pathSeparator: ':' });
        assert.equal(typeof why, 'string');
        assert.match(why as string, /Python 3\.13/);
        assert.match(why as string, /built for Python 3\.10, 3\.11/);
    });

    it('refuses a Python older than 3.10', () => {
        const why = chooseLaunch({ candidate: cand, probe: probe(null, [3, 8, 10]), bundledRoot: '/b', bundled: ['cp38'], pathSeparator: ':' });
        assert.match(why as string, /needs Python 3\.10 or newer/);
    });

    it('names the ABI folder', () => {
        assert.equal(abiTag([3, 12, 1]), 'cp312');
    });
});

describe('resolveLaunch', () => {
    it('tries the candidates in order and reports why the others failed', async () => {
        const seen: string[] = [];
        const result = await resolveLaunch({
            candidates: [
                { source: 'python-extension', command: ['/gone/python'] },
                { source: 'default', command: ['python3'] },
            ],
            bundledRoot: '/b',
            env: {},
            pathSeparator: ':',
            listBundled: () => Promise.resolve(['cp311']),
            probe: (command) => {
                seen.push(command[0]!);
                return Promise.resolve(command[0] === 'python3' ? probe(null) : undefined);
            },
        });
        assert.deepEqual(seen, ['/gone/python', 'python3']);
        assert.equal(result.launch?.origin, 'bundled');
        assert.deepEqual(result.problems, ['/gone/python (python-extension): not a working Python']);
    });
});

describe('probing a real interpreter', () => {
    it('reports the version of python3 and whether errsig imports', async () => {
        const result = await probeInterpreter([process.platform === 'win32' ? 'python' : 'python3'], { ...process.env, PYTHONPATH: '' });
        assert.ok(result, 'python3 should run');
        assert.equal(result.version[0], 3);
        assert.ok(result.errsig === null || typeof result.errsig === 'string');
    });

    it('gives undefined for a missing interpreter', async () => {
        assert.equal(await probeInterpreter(['/nonexistent/python'], process.env), undefined);
    });

    it('lists only cp folders of the bundle', async () => {
        const root = await fs.mkdtemp(path.join(os.tmpdir(), 'errsig-bundle-'));
        try {
            await fs.mkdir(path.join(root, 'cp311'));
            await fs.mkdir(path.join(root, 'cp312'));
            await fs.writeFile(path.join(root, 'cp39'), '');
            await fs.mkdir(path.join(root, 'other'));
            assert.deepEqual((await listBundledLibs(root)).sort(), ['cp311', 'cp312']);
            assert.deepEqual(await listBundledLibs(path.join(root, 'missing')), []);
        } finally {
            await fs.rm(root, { recursive: true, force: true });
        }
    });
});

describe('errsig.importStrategy', () => {
    const both = (strategy?: 'useBundled' | 'fromEnvironment') =>
        chooseLaunch({ candidate: { source: 'default', command: ['python3'] }, probe: probe('0.0.9'), bundledRoot: '/ext/bundled/libs', bundled: ['cp311'], pathSeparator: ':', strategy });

    it('useBundled (the default): the bundle wins over an errsig installed in the environment', () => {
        for (const launch of [both(), both('useBundled')]) {
            assert.ok(typeof launch !== 'string');
            assert.equal(launch.origin, 'bundled');
            assert.deepEqual(launch.env, { PYTHONPATH: path.join('/ext/bundled/libs', 'cp311') });
        }
    });

    it("fromEnvironment: the environment's errsig when it has one, else the bundle", () => {
        const env = both('fromEnvironment');
        assert.ok(typeof env !== 'string');
        assert.equal(env.origin, 'environment');
        const none = chooseLaunch({ candidate: cand, probe: probe(null), bundledRoot: '/b', bundled: ['cp311'], pathSeparator: ':', strategy: 'fromEnvironment' });
        assert.ok(typeof none !== 'string');
        assert.equal(none.origin, 'bundled');
    });

    it('useBundled without a bundle for that Python (the universal package) uses the environment', () => {
        const launch = chooseLaunch({ candidate: cand, probe: probe('0.1.0', [3, 14, 0]), bundledRoot: '/b', bundled: [], pathSeparator: ':' });
        assert.ok(typeof launch !== 'string');
        assert.equal(launch.origin, 'environment');
        const none = chooseLaunch({ candidate: cand, probe: probe(null, [3, 14, 0]), bundledRoot: '/b', bundled: [], pathSeparator: ':' });
        assert.match(none as string, /is not part of this package/);
    });

    it('reads the setting, defaulting to useBundled', () => {
        assert.equal(importStrategy('fromEnvironment'), 'fromEnvironment');
        assert.equal(importStrategy(undefined), 'useBundled');
        assert.equal(importStrategy('nonsense'), 'useBundled');
    });
});

describe('errsig.interpreter as an array, errsig.path', () => {
    const expand = { workspaceFolder: '/ws', home: '/home/u', env: {}, platform: 'linux' as NodeJS.Platform };
    it('takes a path and its arguments', () => {
        assert.deepEqual(interpreterSetting(['py', '-3.12']), ['py', '-3.12']);
        assert.deepEqual(interpreterSetting('  /usr/bin/python3 '), ['/usr/bin/python3']);
        assert.equal(interpreterSetting([]), undefined);
        assert.equal(interpreterSetting(''), undefined);
        const [c] = interpreterCandidates({ setting: ['~/py/bin/python', '-X', 'utf8'], platform: 'linux', expand });
        assert.deepEqual(c?.command, ['/home/u/py/bin/python', '-X', 'utf8']);
    });

    it('runs an errsig executable as `<path…> lsp`', () => {
        assert.deepEqual(launchFromPath(['~/.local/bin/errsig'], expand), { command: '/home/u/.local/bin/errsig', args: ['lsp'] });
        assert.deepEqual(launchFromPath(['uvx', 'errsig'], expand), { command: 'uvx', args: ['errsig', 'lsp'] });
        assert.equal(launchFromPath([], expand), undefined);
        assert.equal(launchFromPath('errsig', expand), undefined);
    });

    it('says which server runs', () => {
        const bundled = chooseLaunch({ candidate: cand, probe: probe('0.0.9', [3, 12, 1]), bundledRoot: '/b', bundled: ['cp312'], pathSeparator: ':' });
        assert.ok(typeof bundled !== 'string');
        assert.equal(describeServer(bundled, '0.1.0'), 'bundled errsig 0.1.0 on Python 3.12');
        const env = chooseLaunch({ candidate: cand, probe: probe('0.0.9', [3, 12, 1]), bundledRoot: '/b', bundled: [], pathSeparator: ':' });
        assert.ok(typeof env !== 'string');
        assert.equal(describeServer(env), 'errsig 0.0.9 from the environment of /usr/bin/python3 (Python 3.12)');
    });
});

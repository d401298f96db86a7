/**
 * Which Python runs the server, and how: the interpreter the user chose (`errsig.interpreter`),
 * else the Python extension's active interpreter, else `python3` (`py -3` on Windows); then
 * `-m errsig lsp` with that interpreter's own errsig, or, when errsig is not importable
 * there, with the copy bundled in the extension (`bundled/libs/cp3XX`, put on PYTHONPATH).
 * Pure except for `probeInterpreter` and `listBundledLibs`, which touch the machine.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export type InterpreterSource = 'setting' | 'python-extension' | 'default';

export interface InterpreterCandidate {
    source: InterpreterSource;
    /** Executable followed by its own arguments (`['py', '-3']`). */
    command: string[];
}

export interface ExpandContext {
    workspaceFolder?: string | undefined;
    home: string;
    env: Readonly<Record<string, string | undefined>>;
    platform: NodeJS.Platform;
}

/** `${workspaceFolder}`, `${userHome}`, `${env:NAME}`, a leading `~`; relative paths against the workspace. */
export function expandInterpreterPath(value: string, ctx: ExpandContext): string {
    let out = value.trim();
    out = out.replace(/\$\{workspaceFolder\}/g, ctx.workspaceFolder ?? '');
    out = out.replace(/\$\{userHome\}/g, ctx.home);
    out = out.replace(/\$\{env:([^}]+)\}/g, (_m, name: string) => ctx.env[name] ?? '');
    if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) {
        out = ctx.home + out.slice(1);
    }
    const p = ctx.platform === 'win32' ? path.win32 : path.posix;
    const looksLikePath = out.includes('/') || out.includes('\\');
    if (looksLikePath && !p.isAbsolute(out) && ctx.workspaceFolder) {
        out = p.resolve(ctx.workspaceFolder, out);
    }
    return out;
}

export function defaultInterpreters(platform: NodeJS.Platform): string[][] {
    return platform === 'win32' ? [['py', '-3'], ['python']] : [['python3'], ['python']];
}

/**
 * The interpreters to try, in order. An explicit setting is the only candidate: if it does
 * not work the user hears about it instead of silently getting another Python.
 */
export function interpreterCandidates(opts: {
    setting?: string | readonly string[] | undefined;
    pythonExtension?: string | undefined;
    platform: NodeJS.Platform;
    expand: ExpandContext;
}): InterpreterCandidate[] {
    const setting = interpreterSetting(opts.setting);
    if (setting) {
        const [exe = '', ...args] = setting;
        return [{ source: 'setting', command: [expandInterpreterPath(exe, opts.expand), ...args] }];
    }
    const out: InterpreterCandidate[] = [];
    if (opts.pythonExtension?.trim()) {
        out.push({ source: 'python-extension', command: [opts.pythonExtension.trim()] });
    }
    for (const command of defaultInterpreters(opts.platform)) {
        out.push({ source: 'default', command });
    }
    return out;
}

/** Printed by the probe: one JSON line. */
export const PROBE_SCRIPT = [
    'import json, sys',
    'try:',
    '    import errsig',
    '    v = getattr(errsig, "__version__", "unknown")',
    'except Exception:',
    '    v = None',
    'print(json.dumps({"executable": sys.executable, "version": list(sys.version_info[:3]), "errsig": v}))',
].join('\n');

export interface ProbeResult {
    executable: string;
    version: [number, number, number];
    /** errsig's version when importable with this interpreter, else null. */
    errsig: string | null;
}

export function parseProbeOutput(stdout: string): ProbeResult | undefined {
    const line = stdout.trim().split(/\r?\n/).pop() ?? '';
    try {
        const data = JSON.parse(line) as Record<string, unknown>;
        const version = data.version;
        const errsig = data.errsig;
        if (
            typeof data.executable === 'string' &&
            Array.isArray(version) &&
            version.length >= 2 &&
            version.every((n) => typeof n === 'number') &&
            (errsig === null || typeof errsig === 'string')
        ) {
            const [major = 0, minor = 0, micro = 0] = version;
            return { executable: data.executable, version: [major, minor, micro], errsig };
        }
    } catch {
        // not JSON: not a working Python
    }
    return undefined;
}

/** Runs the probe with an interpreter; undefined when it cannot run. */
export function probeInterpreter(command: string[], env: NodeJS.ProcessEnv, timeoutMs = 15000): Promise<ProbeResult | undefined> {
    const [exe, ...args] = command;
    if (!exe) {
        return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
        execFile(exe, [...args, '-c', PROBE_SCRIPT], { env, timeout: timeoutMs, windowsHide: true }, (err, stdout) => {
            resolve(err ? undefined : parseProbeOutput(stdout));
        });
    });
}

/** `cp311` for Python 3.11. */
export function abiTag(version: readonly number[]): string {
    return `cp${version[0]}${version[1]}`;
}

/** The `cp3XX` folders under `bundled/libs` (each a `pip install --target` of the server wheel). */
export async function listBundledLibs(root: string): Promise<string[]> {
    try {
        const entries = await fs.readdir(root, { withFileTypes: true });
        return entries.filter((e) => e.isDirectory() && /^cp\d+$/.test(e.name)).map((e) => e.name);
    } catch {
        return [];
    }
}

export interface Launch {
    command: string;
    args: string[];
    /** Variables to add to the server's environment. */
    env: Record<string, string>;
    /** 'environment': errsig from the interpreter's environment; 'bundled': the extension's copy;
     * 'path': the executable of `errsig.path`. */
    origin: 'environment' | 'bundled' | 'path';
    probe: ProbeResult;
    candidate: InterpreterCandidate;
}

export const MIN_PYTHON: readonly [number, number] = [3, 10];

export function describeVersion(version: readonly number[]): string {
    return version.slice(0, 2).join('.');
}

/** `errsig.importStrategy`, as in Microsoft's Python tool extensions (black, isort, ruff, mypy). */
export type ImportStrategy = 'useBundled' | 'fromEnvironment';

export function importStrategy(value: unknown): ImportStrategy {
    return value === 'fromEnvironment' ? 'fromEnvironment' : 'useBundled';
}

/**
 * How to start the server with a probed interpreter. `useBundled` (the default): the copy
 * bundled in the extension for that Python version, put first on PYTHONPATH so that an older
 * errsig installed in the project's environment cannot shadow it; the environment's errsig only
 * when the extension has no bundle for that Python (the universal package, or a Python the
 * bundle lacks). `fromEnvironment`: the environment's errsig when importable, else the bundle.
 * A string explains why neither works.
 */
export function chooseLaunch(opts: {
    candidate: InterpreterCandidate;
    probe: ProbeResult;
    bundledRoot: string;
    bundled: readonly string[];
    pathSeparator: string;
    existingPythonPath?: string | undefined;
    strategy?: ImportStrategy;
}): Launch | string {
    const { candidate, probe } = opts;
    const [command, ...pre] = candidate.command;
    if (!command) {
        return 'no interpreter command';
    }
    const args = [...pre, '-m', 'errsig', 'lsp'];
    const tooOld = probe.version[0] < MIN_PYTHON[0] || (probe.version[0] === MIN_PYTHON[0] && probe.version[1] < MIN_PYTHON[1]);
    if (tooOld) {
        return `${probe.executable} is Python ${describeVersion(probe.version)}; errsig needs Python ${describeVersion(MIN_PYTHON)} or newer.`;
    }
    const environment: Launch | undefined = probe.errsig !== null ? { command, args, env: {}, origin: 'environment', probe, candidate } : undefined;
    const tag = abiTag(probe.version);
    let bundled: Launch | undefined;
    if (opts.bundled.includes(tag)) {
        const libs = path.join(opts.bundledRoot, tag);
        const pythonPath = opts.existingPythonPath ? `${libs}${opts.pathSeparator}${opts.existingPythonPath}` : libs;
        bundled = { command, args, env: { PYTHONPATH: pythonPath }, origin: 'bundled', probe, candidate };
    }
    const first = (opts.strategy ?? 'useBundled') === 'fromEnvironment' ? (environment ?? bundled) : (bundled ?? environment);
    if (first) {
        return first;
    }
    const have = [...opts.bundled].sort().map((t) => `${t[2]}.${t.slice(3)}`);
    return (
        `errsig is not installed for ${probe.executable} (Python ${describeVersion(probe.version)}), and the bundled copy ` +
        (have.length ? `is built for Python ${have.join(', ')}` : 'is not part of this package') +
        `. Install it there (python -m pip install errsig) or set errsig.interpreter.`
    );
}

/** `errsig.path`: an errsig executable (and its own arguments) that is run as `<path…> lsp`. */
export function launchFromPath(setting: unknown, expand: ExpandContext): { command: string; args: string[] } | undefined {
    const parts = Array.isArray(setting) ? setting.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
    const [exe, ...rest] = parts;
    if (!exe) {
        return undefined;
    }
    return { command: expandInterpreterPath(exe, expand), args: [...rest, 'lsp'] };
}

/** `errsig.interpreter`: a path, or (as the Python tool extensions have it) an array of a path and its arguments. */
export function interpreterSetting(value: unknown): string[] | undefined {
    if (typeof value === 'string') {
        return value.trim() ? [value.trim()] : undefined;
    }
    if (Array.isArray(value)) {
        const parts = value.filter((x): x is string => typeof x === 'string' && x.trim() !== '');
        return parts.length ? parts : undefined;
    }
    return undefined;
}

/**
 * Tries the candidates in order; returns the first launch that works, or the reasons none did.
 */
export async function resolveLaunch(opts: {
    candidates: readonly InterpreterCandidate[];
    bundledRoot: string;
    env: NodeJS.ProcessEnv;
    pathSeparator: string;
    strategy?: ImportStrategy;
    probe?: (command: string[], env: NodeJS.ProcessEnv) => Promise<ProbeResult | undefined>;
    listBundled?: (root: string) => Promise<string[]>;
}): Promise<{ launch?: Launch; problems: string[] }> {
    const probe = opts.probe ?? probeInterpreter;
    const bundled = await (opts.listBundled ?? listBundledLibs)(opts.bundledRoot);
    const problems: string[] = [];
    for (const candidate of opts.candidates) {
        const result = await probe(candidate.command, opts.env);
        if (!result) {
            problems.push(`${candidate.command.join(' ')} (${candidate.source}): not a working Python`);
            continue;
        }
        const launch = chooseLaunch({
            candidate,
            probe: result,
            bundledRoot: opts.bundledRoot,
            bundled,
            pathSeparator: opts.pathSeparator,
            existingPythonPath: opts.env.PYTHONPATH,
            strategy: opts.strategy,
        });
        if (typeof launch === 'string') {
            problems.push(launch);
            continue;
        }
        return { launch, problems };
    }
    return { problems };
}

/** Which server runs: `bundled errsig 0.1.0 on Python 3.12`, `errsig 0.1.0 from the environment of …`. */
export function describeServer(launch: Launch, bundledVersion?: string): string {
    const py = `Python ${launch.probe.version.slice(0, 2).join('.')}`;
    switch (launch.origin) {
        case 'bundled':
            return `bundled errsig ${bundledVersion ?? ''} on ${py}`.replace('  ', ' ');
        case 'path':
            return `errsig ${launch.probe.errsig ?? ''} from errsig.path (${launch.command})`;
        default:
            return `errsig ${launch.probe.errsig ?? ''} from the environment of ${launch.probe.executable} (${py})`;
    }
}

/**
 * The settings the extension sends to the server (section `errsig`, the names of
 * server/errsig/core/settings.py JSON_NAMES) and the extension's own settings. Pure.
 */

/** Settings the server reads; package.json contributes exactly these (a test checks it). */
export const SERVER_SETTING_KEYS = ['packs', 'watch', 'maxFileSize', 'severityOverrides', 'disable', 'maxQuickFixes', 'symptomSeverity', 'unknownErrors', 'scanWorkers'] as const;
export type ServerSettingKey = (typeof SERVER_SETTING_KEYS)[number];

/** Settings only the extension reads. */
export const EXTENSION_SETTING_KEYS = [
    'interpreter',
    'importStrategy',
    'path',
    'showNotifications',
    'terminal.watch',
    'trace.server',
    'terminal.transcripts',
    'terminal.transcriptDir',
    'terminal.maxTranscripts',
    'terminal.maxTranscriptBytes',
] as const;

export const DEFAULT_TRANSCRIPT_DIR = '.errsig/transcripts';

export interface TerminalSettings {
    watch: boolean;
    transcripts: boolean;
    transcriptDir: string;
    maxTranscripts: number;
    maxTranscriptBytes: number;
}

export type Getter = (key: string) => unknown;

function positiveInt(value: unknown, fallback: number): number {
    return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}

export function terminalSettings(get: Getter): TerminalSettings {
    const dir = get('terminal.transcriptDir');
    return {
        watch: get('terminal.watch') !== false,
        transcripts: get('terminal.transcripts') !== false,
        transcriptDir: typeof dir === 'string' && dir.trim() ? dir.trim() : DEFAULT_TRANSCRIPT_DIR,
        maxTranscripts: positiveInt(get('terminal.maxTranscripts'), 20),
        maxTranscriptBytes: positiveInt(get('terminal.maxTranscriptBytes'), 1 << 20),
    };
}

/** `**\/<dir>/*.txt` for a folder relative to the workspace; undefined for an absolute one. */
export function transcriptWatchGlob(dir: string): string | undefined {
    let d = dir.trim().replace(/\\/g, '/');
    if (!d || d.startsWith('/') || /^[A-Za-z]:\//.test(d) || d.startsWith('~')) {
        return undefined;
    }
    d = d.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    if (!d || d === '.' || d.split('/').includes('..')) {
        return undefined;
    }
    return `**/${d}/*.txt`;
}

/**
 * The `errsig` object sent as initializationOptions, on workspace/configuration and with
 * didChangeConfiguration: the server settings as configured (undefined ones left out, so
 * the server's defaults apply), with the transcript folder added to `watch` when the
 * terminal transcripts are on and it is not already covered.
 */
export function serverSettings(get: Getter): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of SERVER_SETTING_KEYS) {
        const value = get(key);
        if (value !== undefined && value !== null) {
            out[key] = value;
        }
    }
    const terminal = terminalSettings(get);
    const glob = terminal.transcripts ? transcriptWatchGlob(terminal.transcriptDir) : undefined;
    if (glob && Array.isArray(out.watch) && !out.watch.includes(glob)) {
        out.watch = [...(out.watch as unknown[]), glob];
    }
    return out;
}

/** `errsig.showNotifications`, as in Microsoft's Python tool extensions. */
export type NotificationLevel = 'off' | 'onError' | 'onWarning' | 'always';

export function notificationLevel(value: unknown): NotificationLevel {
    return value === 'off' || value === 'onError' || value === 'always' ? value : 'onWarning';
}

/** Whether a notification of `severity` is shown at `level`. */
export function shouldNotify(level: NotificationLevel, severity: 'error' | 'warning' | 'information'): boolean {
    switch (level) {
        case 'off':
            return false;
        case 'onError':
            return severity === 'error';
        case 'onWarning':
            return severity !== 'information';
        default:
            return true;
    }
}

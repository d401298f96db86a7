import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EXTENSION_SETTING_KEYS, type NotificationLevel, SERVER_SETTING_KEYS, notificationLevel, serverSettings, shouldNotify, terminalSettings, transcriptWatchGlob } from '../../src/settings';

// out/test/unit -> editors/vscode
const EXT = path.resolve(__dirname, '..', '..', '..');
const REPO = path.resolve(EXT, '..', '..');

interface Manifest {
    activationEvents: string[];
    contributes: {
        configuration: { properties: Record<string, { default?: unknown; type?: string; markdownDescription?: string; description?: string }> };
        commands: { command: string }[];
    };
}
const manifest = JSON.parse(readFileSync(path.join(EXT, 'package.json'), 'utf8')) as Manifest;
const properties = manifest.contributes.configuration.properties;

interface Model {
    source: string;
    names: string[];
    defaults: Record<string, unknown>;
}

function pythonModel(): Model {
    const python = process.env.ERRSIG_PYTHON ?? (process.platform === 'win32' ? 'python' : 'python3');
    const out = execFileSync(python, [path.join(EXT, 'scripts', 'settings_model.py'), REPO], { encoding: 'utf8' });
    return JSON.parse(out) as Model;
}

describe('package.json against the server settings model (server/errsig/core/settings.py)', () => {
    const model = pythonModel();
    const extensionOnly = new Set(EXTENSION_SETTING_KEYS.map((k) => `errsig.${k}`));
    const contributedServerKeys = Object.keys(properties)
        .filter((k) => !extensionOnly.has(k))
        .map((k) => k.replace(/^errsig\./, ''));

    it('contributes exactly the server settings, and the extension ones', () => {
        assert.deepEqual([...contributedServerKeys].sort(), [...model.names].sort());
        assert.deepEqual([...SERVER_SETTING_KEYS].sort(), [...model.names].sort());
        for (const key of extensionOnly) {
            assert.ok(key in properties, `${key} is contributed`);
        }
    });

    it('has the same defaults as the server', () => {
        for (const name of model.names) {
            assert.deepEqual(properties[`errsig.${name}`]?.default, model.defaults[name], `default of errsig.${name}`);
        }
    });

    it('describes every setting', () => {
        for (const [key, prop] of Object.entries(properties)) {
            assert.ok((prop.markdownDescription ?? prop.description ?? '').length > 20, `${key} has a description`);
        }
    });
});

describe('package.json', () => {
    it('contributes the commands the extension registers', () => {
        const commands = manifest.contributes.commands.map((c) => c.command).sort();
        assert.deepEqual(commands, ['errsig.copyCommand', 'errsig.explain', 'errsig.restart', 'errsig.runInTerminal', 'errsig.showOutput']);
    });

    it('activates on its files and terminals with shell integration, not on startup', () => {
        assert.ok(!manifest.activationEvents.includes('*'));
        assert.ok(!manifest.activationEvents.includes('onStartupFinished'));
        assert.ok(manifest.activationEvents.includes('onLanguage:log'));
        assert.ok(manifest.activationEvents.includes('onTerminalShellIntegration:*'));
    });

    it('has the extension-side defaults the docs promise', () => {
        assert.equal(properties['errsig.terminal.transcripts']?.default, true);
        assert.equal(properties['errsig.terminal.transcriptDir']?.default, '.errsig/transcripts');
        assert.equal(properties['errsig.terminal.maxTranscripts']?.default, 20);
        assert.equal(properties['errsig.terminal.maxTranscriptBytes']?.default, 1048576);
        assert.equal(properties['errsig.trace.server']?.default, 'off');
    });
});

function getter(values: Record<string, unknown>) {
    return (key: string): unknown => values[key];
}

describe('serverSettings', () => {
    const watch = ['**/*.log', '**/.errsig/transcripts/*.txt'];

    it('sends the server keys only, leaving undefined ones to the server', () => {
        const s = serverSettings(getter({ packs: ['/p'], watch, maxFileSize: 10, interpreter: '/py', 'terminal.transcripts': true }));
        assert.deepEqual(s, { packs: ['/p'], watch, maxFileSize: 10 });
    });

    it('adds a custom transcript folder to watch', () => {
        const s = serverSettings(getter({ watch, 'terminal.transcriptDir': './logs/term/' }));
        assert.deepEqual(s.watch, [...watch, '**/logs/term/*.txt']);
    });

    it('does not add it when transcripts are off or it is outside the workspace', () => {
        assert.deepEqual(serverSettings(getter({ watch, 'terminal.transcripts': false, 'terminal.transcriptDir': 'x' })).watch, watch);
        assert.deepEqual(serverSettings(getter({ watch, 'terminal.transcriptDir': '/tmp/t' })).watch, watch);
    });
});

describe('transcriptWatchGlob and terminalSettings', () => {
    it('makes a glob of a relative folder only', () => {
        assert.equal(transcriptWatchGlob('.errsig/transcripts'), '**/.errsig/transcripts/*.txt');
        assert.equal(transcriptWatchGlob('out\\term'), '**/out/term/*.txt');
        assert.equal(transcriptWatchGlob('C:\\t'), undefined);
        assert.equal(transcriptWatchGlob('../t'), undefined);
        assert.equal(transcriptWatchGlob('~/t'), undefined);
        assert.equal(transcriptWatchGlob('.'), undefined);
    });

    it('falls back to the defaults for bad values', () => {
        assert.deepEqual(terminalSettings(getter({ 'terminal.maxTranscripts': -1, 'terminal.maxTranscriptBytes': 'x', 'terminal.transcriptDir': ' ' })), {
            watch: true,
            transcripts: true,
            transcriptDir: '.errsig/transcripts',
            maxTranscripts: 20,
            maxTranscriptBytes: 1048576,
        });
    });
});

describe('errsig.showNotifications', () => {
    it('shows what the level allows', () => {
        const table: [NotificationLevel, boolean, boolean, boolean][] = [
            ['off', false, false, false],
            ['onError', true, false, false],
            ['onWarning', true, true, false],
            ['always', true, true, true],
        ];
        for (const [level, error, warning, info] of table) {
            assert.deepEqual([shouldNotify(level, 'error'), shouldNotify(level, 'warning'), shouldNotify(level, 'information')], [error, warning, info], level);
        }
    });

    it('defaults to onWarning, the default package.json declares', () => {
        assert.equal(notificationLevel(undefined), 'onWarning');
        assert.equal(notificationLevel('nonsense'), 'onWarning');
        assert.equal(properties['errsig.showNotifications']?.default, notificationLevel(undefined));
    });

    it('reads the terminal switch (on unless set to false)', () => {
        assert.equal(terminalSettings(() => undefined).watch, true);
        assert.equal(terminalSettings((k) => (k === 'terminal.watch' ? false : undefined)).watch, false);
    });
});

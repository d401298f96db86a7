/**
 * The language client: finds the interpreter, starts `python -m errsig lsp` over stdio,
 * keeps the server's settings in sync, and offers the custom requests to the rest of the
 * extension.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
    DidChangeConfigurationNotification,
    DidChangeWatchedFilesNotification,
    FileChangeType,
    type FileEvent,
    ExecuteCommandRequest,
    type DocumentSelector,
    type ExecuteCommandOptions,
    LanguageClient,
    type LanguageClientOptions,
    type RegistrationData,
    RequestType,
    type ServerOptions,
    State,
} from 'vscode-languageclient/node';
import { type Finding, SCAN_TEXT_METHOD, type ScanTextParams, type ScanTextResult, parseScanResult } from './findings';

/**
 * A typed request: sendRequest with a bare method name sends several arguments (an
 * undefined cancellation token included) by position, as a JSON array.
 */
const ScanTextRequest = new RequestType<ScanTextParams, ScanTextResult, void>(SCAN_TEXT_METHOD);
import { execFile } from 'node:child_process';
import { type Launch, describeVersion, importStrategy, interpreterCandidates, interpreterSetting, launchFromPath, resolveLaunch } from './interpreter';
import { notificationLevel, serverSettings, shouldNotify } from './settings';

/** Commands the extension itself implements; never forwarded to the server. */
export const CLIENT_COMMANDS: ReadonlySet<string> = new Set([
    'errsig.runInTerminal',
    'errsig.copyCommand',
    'errsig.explain',
    'errsig.restart',
    'errsig.showOutput',
]);

export const DOCUMENT_SELECTOR: DocumentSelector = [
    { scheme: 'file', language: 'log' },
    { scheme: 'untitled', language: 'log' },
    { scheme: 'file', language: 'pip-requirements' },
    { scheme: 'file', pattern: '**/requirements*.txt' },
    { scheme: 'file', pattern: '**/constraints*.txt' },
    { scheme: 'file', pattern: '**/*.out' },
    { scheme: 'file', pattern: '**/typescript' },
    { scheme: 'file', pattern: '**/.errsig/transcripts/*.txt' },
    { scheme: 'file', pattern: '**/{pip.conf,pip.ini}' },
    // Record files: diagnostics, hover on `regex`, completion (errsig's own packs and seeds).
    { scheme: 'file', pattern: '**/.errsig/records/**/*.json' },
    { scheme: 'file', pattern: '**/seeds/**/*.json' },
];

interface PythonEnvironmentsApi {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
    resolveEnvironment(env: { id: string; path: string } | string): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
}

interface PythonExtensionApi {
    environments?: PythonEnvironmentsApi;
    settings?: { getExecutionDetails(resource?: vscode.Uri): { execCommand: string[] | undefined } };
}

function config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('errsig');
}

export function currentServerSettings(): Record<string, unknown> {
    const cfg = config();
    return serverSettings((key) => cfg.get(key));
}

export class ErrsigServer implements vscode.Disposable {
    private client: LanguageClient | undefined;
    private starting: Promise<LanguageClient | undefined> | undefined;
    private readonly disposables: { dispose(): unknown }[] = [];
    private readonly stateEmitter = new vscode.EventEmitter<void>();
    readonly onDidChangeState = this.stateEmitter.event;
    launch: Launch | undefined;
    lastError: string | undefined;

    constructor(
        private readonly context: vscode.ExtensionContext,
        readonly output: vscode.LogOutputChannel,
        private readonly traceOutput: vscode.LogOutputChannel = output,
    ) {
        this.disposables.push(
            this.stateEmitter,
            vscode.workspace.onDidChangeConfiguration((e) => {
                if (['errsig.interpreter', 'errsig.importStrategy', 'errsig.path'].some((k) => e.affectsConfiguration(k))) {
                    void this.restart();
                } else if (e.affectsConfiguration('errsig') && this.client?.isRunning()) {
                    void this.client.sendNotification(DidChangeConfigurationNotification.type, {
                        settings: { errsig: currentServerSettings() },
                    });
                }
            }),
        );
        void this.watchPythonExtension();
    }

    get running(): boolean {
        return this.client?.isRunning() ?? false;
    }

    private async pythonExtension(): Promise<PythonExtensionApi | undefined> {
        const ext = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
        if (!ext) {
            return undefined;
        }
        try {
            return ext.isActive ? ext.exports : await ext.activate();
        } catch (err) {
            this.output.warn(`could not activate the Python extension: ${String(err)}`);
            return undefined;
        }
    }

    private async watchPythonExtension(): Promise<void> {
        if (!vscode.extensions.getExtension('ms-python.python')) {
            return;
        }
        const api = await this.pythonExtension();
        const event = api?.environments?.onDidChangeActiveEnvironmentPath;
        if (event) {
            this.disposables.push(
                event(() => {
                    if (!interpreterSetting(config().get('interpreter')) && !config().get<string[]>('path')?.length) {
                        void this.restart();
                    }
                }),
            );
        }
    }

    /** The Python extension's active interpreter for the first workspace folder, if any. */
    private async pythonExtensionInterpreter(): Promise<string | undefined> {
        if (!vscode.extensions.getExtension('ms-python.python')) {
            return undefined;
        }
        const api = await this.pythonExtension();
        const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
        try {
            if (api?.environments) {
                const active = api.environments.getActiveEnvironmentPath(resource);
                const env = await api.environments.resolveEnvironment(active);
                return env?.executable.uri?.fsPath ?? active.path;
            }
            return api?.settings?.getExecutionDetails(resource).execCommand?.[0];
        } catch (err) {
            this.output.warn(`the Python extension did not give an interpreter: ${String(err)}`);
            return undefined;
        }
    }

    private async resolve(): Promise<{ launch?: Launch; error?: string }> {
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
        const expand = { workspaceFolder: folder, home: os.homedir(), env: process.env, platform: process.platform };
        const fromPath = launchFromPath(config().get('path'), expand);
        if (fromPath) {
            // errsig.path: an errsig executable the user chose; it is run as it is.
            const version = await new Promise<string | null>((resolve) => {
                execFile(fromPath.command, [...fromPath.args.slice(0, -1), '--version'], { timeout: 15000, windowsHide: true }, (err, stdout) => {
                    resolve(err ? null : (/errsig (\S+)/.exec(stdout)?.[1] ?? null));
                });
            });
            if (version === null) {
                return { error: `errsig.path: ${[fromPath.command, ...fromPath.args.slice(0, -1)].join(' ')} --version did not answer as errsig does.` };
            }
            this.output.info(`server: ${fromPath.command} ${fromPath.args.join(' ')} — errsig ${version} (errsig.path)`);
            return {
                launch: {
                    command: fromPath.command,
                    args: fromPath.args,
                    env: {},
                    origin: 'path',
                    probe: { executable: fromPath.command, version: [0, 0, 0], errsig: version },
                    candidate: { source: 'setting', command: [fromPath.command] },
                },
            };
        }
        const setting = interpreterSetting(config().get('interpreter'));
        this.output.debug(`errsig.interpreter: ${JSON.stringify(config().inspect('interpreter'))}`);
        const fromPython = setting ? undefined : await this.pythonExtensionInterpreter();
        const candidates = interpreterCandidates({ setting, pythonExtension: fromPython, platform: process.platform, expand });
        const strategy = importStrategy(config().get('importStrategy'));
        const { launch, problems } = await resolveLaunch({
            candidates,
            bundledRoot: this.context.asAbsolutePath(path.join('bundled', 'libs')),
            env: process.env,
            pathSeparator: path.delimiter,
            strategy,
        });
        for (const p of problems) {
            this.output.warn(p);
        }
        if (!launch) {
            return { error: problems.at(-1) ?? 'no Python interpreter found' };
        }
        if (launch.origin === 'bundled') {
            this.bundledVersion = await bundledErrsigVersion(this.context.asAbsolutePath(path.join('bundled', 'libs')), launch.env.PYTHONPATH);
        }
        const why =
            launch.origin === 'bundled'
                ? `errsig ${this.bundledVersion ?? ''} bundled with the extension` +
                  (launch.probe.errsig !== null ? ` (errsig ${launch.probe.errsig} in that environment is not used: errsig.importStrategy is useBundled)` : '')
                : `errsig ${launch.probe.errsig ?? ''} from that environment` +
                  (strategy === 'useBundled' ? ` (this package has no bundle for Python ${describeVersion(launch.probe.version)})` : ' (errsig.importStrategy is fromEnvironment)');
        this.output.info(`server: ${launch.command} ${launch.args.join(' ')} — Python ${describeVersion(launch.probe.version)} (${launch.candidate.source}), ${why}`);
        return { launch };
    }

    /** The errsig version of the bundle in use (its dist-info folder), for the status bar. */
    bundledVersion: string | undefined;

    /** Starts the server if it is not running; resolves to the client, or undefined if it cannot start. */
    start(): Promise<LanguageClient | undefined> {
        if (this.client?.isRunning()) {
            return Promise.resolve(this.client);
        }
        this.starting ??= this.doStart().finally(() => {
            this.starting = undefined;
        });
        return this.starting;
    }

    private async doStart(): Promise<LanguageClient | undefined> {
        const { launch, error } = await this.resolve();
        this.launch = launch;
        this.lastError = error;
        if (!launch) {
            this.stateEmitter.fire();
            if (!shouldNotify(notificationLevel(config().get('showNotifications')), 'error')) {
                this.output.error(`cannot start the language server: ${error ?? ''}`);
                return undefined;
            }
            const choice = await vscode.window.showErrorMessage(
                `errsig: cannot start the language server. ${error ?? ''}`,
                'Set Interpreter',
                'Show Output',
            );
            if (choice === 'Set Interpreter') {
                void vscode.commands.executeCommand('workbench.action.openSettings', 'errsig.interpreter');
            } else if (choice === 'Show Output') {
                this.output.show();
            }
            return undefined;
        }
        const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? this.context.extensionPath;
        const serverOptions: ServerOptions = {
            command: launch.command,
            args: launch.args,
            // No `transport`: with TransportKind.stdio the client appends `--stdio` to the
            // arguments; the server speaks stdio by default (`python -m errsig lsp`).
            options: { cwd, env: { ...process.env, ...launch.env, PYTHONUNBUFFERED: '1' } },
        };
        const clientOptions: LanguageClientOptions = {
            documentSelector: DOCUMENT_SELECTOR,
            outputChannel: this.output,
            traceOutputChannel: this.traceOutput,
            diagnosticCollectionName: 'errsig',
            initializationOptions: currentServerSettings(),
            middleware: {
                workspace: {
                    configuration: async (params, token, next) => {
                        const result = await next(params, token);
                        if (!Array.isArray(result)) {
                            return result;
                        }
                        const values: unknown[] = result;
                        return params.items.map((item, i) => (item.section === 'errsig' ? currentServerSettings() : values[i]));
                    },
                },
            },
        };
        const client = new LanguageClient('errsig', 'errsig', serverOptions, clientOptions);
        keepClientCommandsLocal(client);
        client.onDidChangeState(() => this.stateEmitter.fire());
        this.client = client;
        try {
            await client.start();
        } catch (err) {
            this.lastError = String(err);
            this.output.error(`the language server failed to start: ${String(err)}`);
            this.stateEmitter.fire();
            return undefined;
        }
        this.stateEmitter.fire();
        return client;
    }

    async stop(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        if (client && client.state !== State.Stopped) {
            try {
                await client.stop(5000);
            } catch (err) {
                this.output.warn(`stopping the server: ${String(err)}`);
            }
        }
        await client?.dispose().catch(() => undefined);
        this.stateEmitter.fire();
    }

    async restart(): Promise<void> {
        await this.starting?.catch(() => undefined);
        await this.stop();
        await this.start();
    }

    /** Tells the server about files the extension wrote or deleted (a duplicate of a watcher event is harmless). */
    filesChanged(created: readonly vscode.Uri[], deleted: readonly vscode.Uri[]): void {
        const client = this.client;
        if (!client?.isRunning()) {
            return;
        }
        const changes: FileEvent[] = [
            ...created.map((u): FileEvent => ({ uri: client.code2ProtocolConverter.asUri(u), type: FileChangeType.Created })),
            ...deleted.map((u): FileEvent => ({ uri: client.code2ProtocolConverter.asUri(u), type: FileChangeType.Deleted })),
        ];
        if (changes.length) {
            void client.sendNotification(DidChangeWatchedFilesNotification.type, { changes });
        }
    }

    /** `errsig/scanText`: findings in a text (terminal output). */
    async scanText(params: ScanTextParams, token?: vscode.CancellationToken): Promise<Finding[]> {
        const client = await this.start();
        if (!client) {
            return [];
        }
        const result: unknown = token ? await client.sendRequest(ScanTextRequest, params, token) : await client.sendRequest(ScanTextRequest, params);
        return parseScanResult(result);
    }

    /** The server's `errsig.explain` command: the signature's card as Markdown. */
    async explain(id: string): Promise<string | undefined> {
        const client = await this.start();
        if (!client) {
            return undefined;
        }
        const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, { command: 'errsig.explain', arguments: [id] });
        if (result && typeof result === 'object' && typeof (result as { markdown?: unknown }).markdown === 'string') {
            return (result as { markdown: string }).markdown;
        }
        return typeof result === 'string' ? result : undefined;
    }

    dispose(): void {
        void this.stop();
        for (const d of this.disposables) {
            d.dispose();
        }
    }
}

/**
 * vscode-languageclient registers a VS Code command for every command in the server's
 * executeCommandProvider, forwarding it to the server. The extension implements
 * `errsig.runInTerminal`, `errsig.copyCommand` and `errsig.explain` itself (and registers
 * them before the client starts), so leave those out: a second registration would fail,
 * and a forwarded copy/run could not touch the clipboard or the terminal.
 */
export async function bundledErrsigVersion(root: string, pythonPath: string | undefined): Promise<string | undefined> {
    const libs = pythonPath?.split(path.delimiter)[0];
    if (!libs?.startsWith(root)) {
        return undefined;
    }
    try {
        const names = await fs.readdir(libs);
        return names.map((n) => /^errsig-(.+)\.dist-info$/.exec(n)?.[1]).find((v) => v !== undefined);
    } catch {
        return undefined;
    }
}

export function keepClientCommandsLocal(client: LanguageClient): void {
    const feature = client.getFeature(ExecuteCommandRequest.method) as unknown as {
        register(data: RegistrationData<ExecuteCommandOptions>): void;
    };
    const register = feature.register.bind(feature);
    feature.register = (data) => {
        const commands = data.registerOptions.commands.filter((c) => !CLIENT_COMMANDS.has(c));
        register({ ...data, registerOptions: { ...data.registerOptions, commands } });
    };
}

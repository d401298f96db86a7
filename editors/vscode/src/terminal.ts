/**
 * Watching the integrated terminal through shell integration: the output of every command
 * is read from its start, cleaned of escape sequences, and scanned by the server
 * (`errsig/scanText`). A known error gets a notification with the preferred fix and
 * "Explain", and the output is kept as a transcript file the server watches like a log.
 * Terminals without shell integration fire no execution events and are not watched.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { applyFixFromDocument, runInTerminal, showFinding } from './actions';
import { cleanTerminalOutput } from './ansi';
import type { ErrsigServer } from './client';
import { type Finding, planNotification } from './findings';
import { notificationLevel, shouldNotify, terminalSettings } from './settings';
import { TailBuffer, writeTranscript } from './transcripts';

interface Capture {
    buffer: TailBuffer;
    done: Promise<void>;
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

function shortLabel(text: string, max = 48): string {
    const one = text.replace(/\s+/g, ' ').trim();
    return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

export class TerminalWatcher implements vscode.Disposable {
    private readonly captures = new Map<vscode.TerminalShellExecution, Capture>();
    private readonly disposables: vscode.Disposable[] = [];

    constructor(
        private readonly server: ErrsigServer,
        private readonly output: vscode.LogOutputChannel,
        private readonly explain: (id: string) => Promise<void>,
    ) {
        this.disposables.push(
            vscode.window.onDidStartTerminalShellExecution((e) => this.onStart(e)),
            vscode.window.onDidEndTerminalShellExecution((e) => {
                void this.onEnd(e).catch((err: unknown) => this.output.error(`terminal watch: ${String(err)}`));
            }),
        );
    }

    private onStart(e: vscode.TerminalShellExecutionStartEvent): void {
        const settings = terminalSettings((k) => vscode.workspace.getConfiguration('errsig').get(k));
        if (!settings.watch) {
            return; // errsig.terminal.watch is off: the command's output is not read
        }
        // Raw output carries escape sequences: keep a generous multiple of the transcript bound.
        const buffer = new TailBuffer(settings.maxTranscriptBytes * 4);
        // read() yields only what is written after its first call: call it now, at the start.
        const stream = e.execution.read();
        const done = (async () => {
            try {
                for await (const data of stream) {
                    buffer.push(data);
                }
            } catch (err) {
                this.output.warn(`terminal watch: reading output failed: ${String(err)}`);
            }
        })();
        this.captures.set(e.execution, { buffer, done });
    }

    private async onEnd(e: vscode.TerminalShellExecutionEndEvent): Promise<void> {
        const capture = this.captures.get(e.execution);
        if (!capture) {
            return;
        }
        this.captures.delete(e.execution);
        await Promise.race([capture.done, sleep(3000)]);
        const { text: raw, truncated } = capture.buffer.text();
        const output = cleanTerminalOutput(raw);
        if (!output.trim()) {
            return;
        }
        const commandLine = e.execution.commandLine.value;
        const findings = await this.server.scanText({ text: output, name: commandLine || 'terminal' });
        this.output.info(
            `terminal: \`${shortLabel(commandLine, 80)}\` exited ${e.exitCode ?? '?'}, ${output.length} chars, ` +
                `${findings.length} finding(s)${findings.length ? `: ${[...new Set(findings.map((f) => f.id))].join(', ')}` : ''}`,
        );
        if (!findings.length) {
            return;
        }
        const transcript = await this.keepTranscript(e, commandLine, output, truncated);
        await this.notify(findings, commandLine, e.terminal, transcript);
    }

    private async keepTranscript(
        e: vscode.TerminalShellExecutionEndEvent,
        commandLine: string,
        output: string,
        truncated: boolean,
    ): Promise<vscode.Uri | undefined> {
        const settings = terminalSettings((k) => vscode.workspace.getConfiguration('errsig').get(k));
        if (!settings.transcripts) {
            return undefined;
        }
        const cwd = e.execution.cwd ?? e.shellIntegration.cwd;
        const folder = (cwd && vscode.workspace.getWorkspaceFolder(cwd)) ?? vscode.workspace.workspaceFolders?.[0];
        if (!folder || folder.uri.scheme !== 'file') {
            return undefined;
        }
        const dir = path.resolve(folder.uri.fsPath, settings.transcriptDir);
        try {
            const { file, removed } = await writeTranscript(dir, { commandLine, output, exitCode: e.exitCode, truncated }, settings);
            this.output.info(`terminal: transcript ${file}`);
            const uri = vscode.Uri.file(file);
            // VS Code's watcher can miss a file created together with its folder: tell the server directly.
            this.server.filesChanged([uri], removed.map((r) => vscode.Uri.file(r)));
            return uri;
        } catch (err) {
            this.output.warn(`terminal: cannot write a transcript in ${dir}: ${String(err)}`);
            return undefined;
        }
    }

    private async notify(findings: Finding[], commandLine: string, terminal: vscode.Terminal, transcript: vscode.Uri | undefined): Promise<void> {
        const plan = planNotification(findings, commandLine);
        if (!plan) {
            return;
        }
        const level = notificationLevel(vscode.workspace.getConfiguration('errsig').get('showNotifications'));
        if (!shouldNotify(level, plan.severity)) {
            return; // still in the Problems panel (transcript) and the output channel
        }
        const fix = plan.fix;
        const canFix = fix && (fix.command !== null || transcript !== undefined);
        const fixLabel = fix && canFix ? `${fix.command !== null ? 'Run' : 'Fix'}: ${shortLabel(fix.title)}` : undefined;
        const explainLabel = 'Explain';
        const showLabel = 'Show Transcript';
        const items = [fixLabel, explainLabel, transcript ? showLabel : undefined].filter((x): x is string => !!x);
        const show =
            plan.severity === 'error'
                ? vscode.window.showErrorMessage
                : plan.severity === 'warning'
                  ? vscode.window.showWarningMessage
                  : vscode.window.showInformationMessage;
        const choice = await show(plan.message, ...items);
        if (!choice) {
            return;
        }
        if (choice === fixLabel && fix) {
            if (fix.command !== null) {
                runInTerminal(fix.command, terminal);
            } else if (transcript) {
                await applyFixFromDocument(transcript, plan.finding.id, fix.title);
            }
        } else if (choice === explainLabel) {
            await this.explain(plan.finding.id);
        } else if (choice === showLabel && transcript) {
            await showFinding(transcript, plan.finding.id);
        }
    }

    dispose(): void {
        for (const d of this.disposables) {
            d.dispose();
        }
        this.captures.clear();
    }
}

/**
 * Status-bar item: how many known errors errsig reports in the workspace (its diagnostics in
 * the Problems panel), and whether the server runs.
 */
import * as vscode from 'vscode';
import type { ErrsigServer } from './client';
import { describeServer } from './interpreter';

export function countErrsigDiagnostics(all: ReadonlyArray<readonly [vscode.Uri, readonly vscode.Diagnostic[]]>): { findings: number; files: number } {
    let findings = 0;
    let files = 0;
    for (const [, diags] of all) {
        const n = diags.filter((d) => d.source === 'errsig').length;
        findings += n;
        files += n ? 1 : 0;
    }
    return { findings, files };
}

export class StatusItem implements vscode.Disposable {
    private readonly item = vscode.window.createStatusBarItem('errsig.status', vscode.StatusBarAlignment.Left, 10);
    private readonly disposables: { dispose(): unknown }[] = [];
    private timer: NodeJS.Timeout | undefined;

    constructor(private readonly server: ErrsigServer) {
        this.item.name = 'errsig';
        this.disposables.push(
            this.item,
            vscode.languages.onDidChangeDiagnostics(() => this.schedule()),
            server.onDidChangeState(() => this.schedule()),
        );
        this.update();
        this.item.show();
    }

    private schedule(): void {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.update(), 150);
    }

    update(): void {
        const { findings, files } = countErrsigDiagnostics(vscode.languages.getDiagnostics());
        const launch = this.server.launch;
        const where = launch ? describeServer(launch, this.server.bundledVersion) : 'not running';
        if (!this.server.running && this.server.lastError) {
            this.item.text = '$(error) errsig';
            this.item.tooltip = `errsig: the language server is not running — ${this.server.lastError}`;
            this.item.command = 'errsig.showOutput';
            this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
            return;
        }
        this.item.backgroundColor = undefined;
        this.item.text = `${findings ? '$(warning)' : '$(check)'} errsig: ${findings}`;
        this.item.tooltip = `${findings} known error${findings === 1 ? '' : 's'} found in ${files} file${files === 1 ? '' : 's'} of the workspace. Server: ${where}. Click for the Problems panel.`;
        this.item.command = 'workbench.actions.view.problems';
    }

    dispose(): void {
        clearTimeout(this.timer);
        for (const d of this.disposables) {
            d.dispose();
        }
    }
}

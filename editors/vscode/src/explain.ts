/**
 * `errsig.explain`: pick a signature (those found in the workspace first, then the whole
 * catalogue) and show its card, rendered from the server's Markdown, in a webview.
 */
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import type { ErrsigServer } from './client';
import { diagnosticCodeValue } from './findings';

export interface CatalogueEntry {
    id: string;
    signature?: string;
    domain?: string;
}

export function parseCatalogue(stdout: string): CatalogueEntry[] {
    try {
        const data: unknown = JSON.parse(stdout);
        if (!Array.isArray(data)) {
            return [];
        }
        return data
            .filter((r): r is CatalogueEntry => !!r && typeof r === 'object' && typeof (r as CatalogueEntry).id === 'string')
            .map((r) => ({ id: r.id, signature: r.signature, domain: r.domain }));
    } catch {
        return [];
    }
}

export function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export class Explainer implements vscode.Disposable {
    private panel: vscode.WebviewPanel | undefined;
    private catalogue: Promise<CatalogueEntry[]> | undefined;

    constructor(private readonly server: ErrsigServer) {}

    /** The catalogue as the CLI lists it, with the same interpreter, environment and packs as the server. */
    private loadCatalogue(): Promise<CatalogueEntry[]> {
        this.catalogue ??= (async () => {
            await this.server.start();
            const launch = this.server.launch;
            if (!launch) {
                return [];
            }
            const packs = vscode.workspace.getConfiguration('errsig').get<string[]>('packs') ?? [];
            const args = [...launch.args.slice(0, -1), 'list', '--format', 'json', ...packs.flatMap((p) => ['--pack', p])];
            return new Promise<CatalogueEntry[]>((resolve) => {
                execFile(
                    launch.command,
                    args,
                    { env: { ...process.env, ...launch.env }, maxBuffer: 64 << 20, timeout: 60000, cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath },
                    (err, stdout) => resolve(err ? [] : parseCatalogue(stdout)),
                );
            });
        })();
        return this.catalogue;
    }

    async pick(): Promise<string | undefined> {
        const found = new Map<string, number>();
        for (const [, diags] of vscode.languages.getDiagnostics()) {
            for (const d of diags) {
                const id = d.source === 'errsig' ? diagnosticCodeValue(d.code) : undefined;
                if (id) {
                    found.set(id, (found.get(id) ?? 0) + 1);
                }
            }
        }
        type Item = vscode.QuickPickItem & { id?: string };
        const items: Item[] = [];
        if (found.size) {
            items.push({ label: 'Found in the workspace', kind: vscode.QuickPickItemKind.Separator });
            for (const [id, n] of [...found].sort((a, b) => b[1] - a[1])) {
                items.push({ label: id, description: `${n}×`, id });
            }
        }
        const catalogue = await this.loadCatalogue();
        if (catalogue.length) {
            items.push({ label: 'Catalogue', kind: vscode.QuickPickItemKind.Separator });
            for (const entry of catalogue) {
                if (!found.has(entry.id)) {
                    items.push({ label: entry.id, detail: entry.signature?.split('\n')[0], id: entry.id });
                }
            }
        }
        if (!items.length) {
            return vscode.window.showInputBox({ prompt: 'errsig: signature id to explain', placeHolder: 'pip/resolution-impossible' });
        }
        const choice = await vscode.window.showQuickPick(items, { placeHolder: 'Explain which known error?', matchOnDetail: true });
        return choice?.id;
    }

    async explain(id?: string): Promise<void> {
        const target = id ?? (await this.pick());
        if (!target) {
            return;
        }
        let markdown: string | undefined;
        try {
            markdown = await this.server.explain(target);
        } catch (err) {
            void vscode.window.showErrorMessage(`errsig: cannot explain ${target}: ${String(err)}`);
            return;
        }
        if (!markdown) {
            void vscode.window.showWarningMessage(`errsig: no explanation for ${target}.`);
            return;
        }
        await this.show(target, markdown);
    }

    private async show(id: string, markdown: string): Promise<void> {
        let body: string;
        try {
            body = (await vscode.commands.executeCommand<string | undefined>('markdown.api.render', markdown)) ?? '';
        } catch {
            body = '';
        }
        if (!body) {
            body = `<pre>${escapeHtml(markdown)}</pre>`;
        }
        if (!this.panel) {
            this.panel = vscode.window.createWebviewPanel('errsig.explain', `errsig: ${id}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
                enableFindWidget: true,
                enableScripts: false,
            });
            this.panel.onDidDispose(() => (this.panel = undefined));
        }
        this.panel.title = `errsig: ${id}`;
        const csp = `default-src 'none'; style-src ${this.panel.webview.cspSource} 'unsafe-inline'; img-src ${this.panel.webview.cspSource} https: data:;`;
        this.panel.webview.html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<style>
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 1.5em; line-height: 1.5; }
code, pre { font-family: var(--vscode-editor-font-family); }
pre { background: var(--vscode-textCodeBlock-background); padding: 0.6em; overflow-x: auto; white-space: pre-wrap; }
a { color: var(--vscode-textLink-foreground); }
</style></head><body>${body}</body></html>`;
        this.panel.reveal(undefined, true);
    }

    dispose(): void {
        this.panel?.dispose();
    }
}

/**
 * The client-side commands behind fixes: run a command in a terminal, copy it, apply a
 * file fix from a document's code actions (a transcript's), show a document at a finding.
 */
import * as vscode from 'vscode';
import { buildTerminalCommand, diagnosticCodeValue } from './findings';

export function runInTerminal(text: string, terminal?: vscode.Terminal): void {
    const cmd = buildTerminalCommand(text);
    if (!cmd) {
        return;
    }
    const target = terminal && terminal.exitStatus === undefined ? terminal : (vscode.window.activeTerminal ?? vscode.window.createTerminal({ name: 'errsig' }));
    target.show();
    if (cmd.execute && target.shellIntegration) {
        target.shellIntegration.executeCommand(cmd.text);
    } else {
        target.sendText(cmd.text, cmd.execute);
    }
    if (!cmd.execute) {
        void vscode.window.showInformationMessage(
            `errsig: the command is typed in the terminal but not run: replace ${cmd.placeholders.join(', ')} and press Enter.`,
        );
    }
}

export async function copyCommand(text: string): Promise<void> {
    const cmd = buildTerminalCommand(text);
    await vscode.env.clipboard.writeText(cmd?.text ?? text);
    vscode.window.setStatusBarMessage(`errsig: copied ${cmd?.text ?? text}`, 4000);
}

function diagnosticsFor(uri: vscode.Uri, id: string): vscode.Diagnostic[] {
    return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'errsig' && diagnosticCodeValue(d.code) === id);
}

/** Waits until errsig has published a diagnostic with this code for the document. */
export function waitForDiagnostic(uri: vscode.Uri, id: string, timeoutMs: number): Promise<vscode.Diagnostic | undefined> {
    const now = diagnosticsFor(uri, id)[0];
    if (now) {
        return Promise.resolve(now);
    }
    return new Promise((resolve) => {
        const timer = setTimeout(() => {
            sub.dispose();
            resolve(undefined);
        }, timeoutMs);
        const sub = vscode.languages.onDidChangeDiagnostics((e) => {
            if (!e.uris.some((u) => u.toString() === uri.toString())) {
                return;
            }
            const found = diagnosticsFor(uri, id)[0];
            if (found) {
                clearTimeout(timer);
                sub.dispose();
                resolve(found);
            }
        });
    });
}

/** Opens a document with the cursor on the first errsig diagnostic with this code (or the top). */
export async function showFinding(uri: vscode.Uri, id?: string): Promise<vscode.TextEditor> {
    const editor = await vscode.window.showTextDocument(uri, { preview: false });
    const diag = id ? await waitForDiagnostic(uri, id, 5000) : undefined;
    if (diag) {
        editor.selection = new vscode.Selection(diag.range.start, diag.range.start);
        editor.revealRange(diag.range, vscode.TextEditorRevealType.InCenter);
    }
    return editor;
}

/**
 * Applies a file fix (one without a shell command) the way the lightbulb would: asks the
 * server's code actions at the diagnostic in `uri` and applies the one titled `title`, else
 * the preferred one. Edited files are saved if they were not dirty before.
 */
export async function applyFixFromDocument(uri: vscode.Uri, id: string, title?: string): Promise<boolean> {
    const editor = await showFinding(uri, id);
    const diag = diagnosticsFor(uri, id)[0];
    if (!diag) {
        void vscode.window.showWarningMessage(`errsig: ${id} is not (or no longer) reported in ${vscode.workspace.asRelativePath(uri)}.`);
        return false;
    }
    editor.selection = new vscode.Selection(diag.range.start, diag.range.start);
    const actions =
        (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[] | undefined>(
            'vscode.executeCodeActionProvider',
            uri,
            diag.range,
            vscode.CodeActionKind.QuickFix.value,
            20,
        )) ?? [];
    const ours = actions.filter(
        (a): a is vscode.CodeAction =>
            a instanceof vscode.CodeAction || ('title' in a && ('edit' in a || 'isPreferred' in a || 'diagnostics' in a)),
    );
    const related = ours.filter((a) => !a.diagnostics || a.diagnostics.some((d) => diagnosticCodeValue(d.code) === id));
    const pick = (title ? related.find((a) => a.title === title) : undefined) ?? related.find((a) => a.isPreferred) ?? related[0];
    if (!pick) {
        void vscode.window.showWarningMessage(`errsig: no quick fix is offered for ${id} here.`);
        return false;
    }
    if (pick.edit) {
        const touched = pick.edit.entries().map(([u]) => u.toString());
        const wasDirty = new Set(vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.uri.toString()));
        const ok = await vscode.workspace.applyEdit(pick.edit);
        if (!ok) {
            void vscode.window.showErrorMessage(`errsig: could not apply "${pick.title}".`);
            return false;
        }
        for (const doc of vscode.workspace.textDocuments) {
            const key = doc.uri.toString();
            if (touched.includes(key) && doc.isDirty && !wasDirty.has(key)) {
                await doc.save();
            }
        }
    }
    if (pick.command) {
        await vscode.commands.executeCommand(pick.command.command, ...((pick.command.arguments ?? []) as unknown[]));
    }
    vscode.window.setStatusBarMessage(`errsig: applied "${pick.title}"`, 5000);
    return true;
}

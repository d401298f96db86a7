/**
 * errsig for VS Code: the language server's diagnostics, hovers and quick fixes on logs,
 * requirements and pip config files, plus the integrated terminal (with shell integration).
 */
import * as vscode from 'vscode';
import { copyCommand, runInTerminal } from './actions';
import { ErrsigServer } from './client';
import { Explainer } from './explain';
import { firstStringArg } from './findings';
import { StatusItem } from './status';
import { TerminalWatcher } from './terminal';
import { traceChannel } from './trace';

let server: ErrsigServer | undefined;

export function activate(context: vscode.ExtensionContext): { server: ErrsigServer } {
    const output = vscode.window.createOutputChannel('errsig', { log: true });
    const trace = traceChannel(output);
    server = new ErrsigServer(context, output, trace);
    const explainer = new Explainer(server);
    const srv = server;
    context.subscriptions.push(output, trace, server, explainer);

    // Client-side commands, registered before the client starts (the client never forwards them).
    context.subscriptions.push(
        vscode.commands.registerCommand('errsig.restart', () => srv.restart()),
        vscode.commands.registerCommand('errsig.showOutput', () => output.show()),
        vscode.commands.registerCommand('errsig.explain', (...args: unknown[]) => explainer.explain(firstStringArg(args))),
        vscode.commands.registerCommand('errsig.runInTerminal', async (...args: unknown[]) => {
            const text = firstStringArg(args) ?? (await vscode.window.showInputBox({ prompt: 'errsig: command to run in the terminal' }));
            if (text) {
                runInTerminal(text);
            }
        }),
        vscode.commands.registerCommand('errsig.copyCommand', async (...args: unknown[]) => {
            const text = firstStringArg(args);
            if (text) {
                await copyCommand(text);
            }
        }),
        new StatusItem(server),
        new TerminalWatcher(server, output, (id) => explainer.explain(id)),
    );

    void server.start();
    return { server };
}

export async function deactivate(): Promise<void> {
    await server?.stop();
    server = undefined;
}

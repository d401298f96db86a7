/**
 * vscode-languageclient traces only when its trace channel's log level is Trace. This
 * channel reports Trace while `errsig.trace.server` is not `off`, and writes the trace at
 * info level into the errsig output channel, so the setting alone turns tracing on.
 */
import * as vscode from 'vscode';

export function traceChannel(base: vscode.LogOutputChannel): vscode.LogOutputChannel & { dispose(): void } {
    const emitter = new vscode.EventEmitter<vscode.LogLevel>();
    const enabled = (): boolean => vscode.workspace.getConfiguration('errsig').get<string>('trace.server', 'off') !== 'off';
    const level = (): vscode.LogLevel => (enabled() ? vscode.LogLevel.Trace : base.logLevel);
    const subscriptions = [
        emitter,
        vscode.workspace.onDidChangeConfiguration((e) => {
            if (e.affectsConfiguration('errsig.trace.server')) {
                emitter.fire(level());
            }
        }),
        base.onDidChangeLogLevel(() => emitter.fire(level())),
    ];
    return {
        name: base.name,
        get logLevel() {
            return level();
        },
        onDidChangeLogLevel: emitter.event,
        trace: (message: string, ...args: unknown[]) => (enabled() ? base.info(message, ...args) : base.trace(message, ...args)),
        debug: (message: string, ...args: unknown[]) => base.debug(message, ...args),
        info: (message: string, ...args: unknown[]) => base.info(message, ...args),
        warn: (message: string, ...args: unknown[]) => base.warn(message, ...args),
        error: (error: string | Error, ...args: unknown[]) => base.error(error, ...args),
        append: (value: string) => base.append(value),
        appendLine: (value: string) => base.appendLine(value),
        replace: (value: string) => base.replace(value),
        clear: () => base.clear(),
        // Only the one-argument form is implemented; the rule flags the name because of the deprecated overload.
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        show: (preserveFocus?: boolean) => base.show(preserveFocus ?? false),
        hide: () => base.hide(),
        dispose: () => {
            for (const s of subscriptions) {
                s.dispose();
            }
        },
    } as vscode.LogOutputChannel & { dispose(): void };
}

/**
 * The server's `errsig/scanText` result and what the extension makes of it: which fix to
 * offer, what the notification says, and the terminal text of a fix command. Pure.
 */

export const SCAN_TEXT_METHOD = 'errsig/scanText';

export interface ScanTextParams {
    text: string;
    name?: string;
}

export interface Fix {
    title: string;
    /** Shell command text, or null for a fix that edits a file (offered as a code action). */
    command: string | null;
    preferred: boolean;
}

export interface Finding {
    file: string;
    line: number;
    column: number;
    end_line: number;
    end_column: number;
    id: string;
    severity: string;
    message: string;
    title: string;
    match: string;
    captures: Record<string, string>;
    caused_by?: { id: string; line: number };
    doc_url?: string;
    fixes?: Fix[];
}

export interface ScanTextResult {
    findings: Finding[];
}

/** Tolerant reading of a scanText result (a bad one yields no findings, never a throw). */
export function parseScanResult(value: unknown): Finding[] {
    if (!value || typeof value !== 'object') {
        return [];
    }
    const findings = (value as { findings?: unknown }).findings;
    if (!Array.isArray(findings)) {
        return [];
    }
    return findings.filter(
        (f): f is Finding =>
            !!f && typeof f === 'object' && typeof (f as Finding).id === 'string' && typeof (f as Finding).title === 'string',
    );
}

export function preferredFix(fixes: readonly Fix[] | undefined): Fix | undefined {
    if (!fixes?.length) {
        return undefined;
    }
    return fixes.find((f) => f.preferred) ?? fixes[0];
}

const SEVERITY_RANK: Record<string, number> = { error: 0, warning: 1, information: 2, hint: 3 };

/**
 * The finding a notification names: root causes before their consequences (a finding
 * whose `caused_by` points at another one is a consequence), then by severity, then first seen.
 */
export function primaryFinding(findings: readonly Finding[]): Finding | undefined {
    const ranked = [...findings].sort((a, b) => {
        const ca = a.caused_by ? 1 : 0;
        const cb = b.caused_by ? 1 : 0;
        if (ca !== cb) {
            return ca - cb;
        }
        const sa = SEVERITY_RANK[a.severity] ?? 9;
        const sb = SEVERITY_RANK[b.severity] ?? 9;
        return sa !== sb ? sa - sb : a.line - b.line || a.column - b.column;
    });
    return ranked[0];
}

export interface NotificationPlan {
    finding: Finding;
    severity: 'error' | 'warning' | 'information';
    message: string;
    fix?: Fix;
}

function shorten(text: string, max: number): string {
    const one = text.replace(/\s+/g, ' ').trim();
    return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** What to tell the user after a command's output had known errors in it. */
export function planNotification(findings: readonly Finding[], commandLine?: string): NotificationPlan | undefined {
    const finding = primaryFinding(findings);
    if (!finding) {
        return undefined;
    }
    const others = new Set(findings.map((f) => f.id));
    others.delete(finding.id);
    const where = commandLine ? ` in the output of \`${shorten(commandLine, 60)}\`` : '';
    let message = `errsig: ${finding.id}${where}: ${shorten(finding.title, 160)}`;
    if (others.size) {
        message += ` (and ${others.size} more known error${others.size > 1 ? 's' : ''})`;
    }
    const severity = finding.severity === 'error' ? 'error' : finding.severity === 'warning' ? 'warning' : 'information';
    const fix = preferredFix(finding.fixes);
    if (fix && fix.command !== null) {
        // The button runs this: the user sees all of it, never only a title.
        message += ` — its fix runs: ${buildTerminalCommand(fix.command)?.text ?? fix.command}`;
    }
    return fix ? { finding, severity, message, fix } : { finding, severity, message };
}

/** `<package>`, `<version>`: parts of a fix command the user must fill in. */
const PLACEHOLDER_RE = /<[A-Za-z_][A-Za-z0-9_.-]*>/g;

export function placeholders(text: string): string[] {
    return [...new Set(text.match(PLACEHOLDER_RE) ?? [])];
}

export interface TerminalCommand {
    /** The text to type: the fix's lines joined with `&&`, comment lines dropped. */
    text: string;
    /** False when placeholders remain: the text is typed but not run, for the user to edit. */
    execute: boolean;
    placeholders: string[];
}

export function buildTerminalCommand(commandText: string): TerminalCommand | undefined {
    const lines = commandText
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'));
    if (!lines.length) {
        return undefined;
    }
    const text = lines.join(' && ');
    const holes = placeholders(text);
    return { text, execute: holes.length === 0, placeholders: holes };
}

/** The first string argument of a command invocation (code actions pass `[text]`). */
export function firstStringArg(args: readonly unknown[]): string | undefined {
    const first = args[0];
    if (typeof first === 'string') {
        return first;
    }
    if (Array.isArray(first) && typeof first[0] === 'string') {
        return first[0];
    }
    return undefined;
}

/** A diagnostic's code as VS Code holds it (a string, a number, or `{value, target}`). */
export function diagnosticCodeValue(code: unknown): string | undefined {
    if (typeof code === 'string' || typeof code === 'number') {
        return String(code);
    }
    if (code && typeof code === 'object' && 'value' in code) {
        const value = code.value;
        return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
    }
    return undefined;
}

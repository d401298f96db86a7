import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
    type Finding,
    buildTerminalCommand,
    diagnosticCodeValue,
    firstStringArg,
    parseScanResult,
    placeholders,
    planNotification,
    preferredFix,
    primaryFinding,
} from '../../src/findings';

function finding(over: Partial<Finding>): Finding {
    return {
        file: 'terminal',
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 10,
        id: 'pip/network-connection-reset-by-peer',
        severity: 'error',
        message: 'm',
        title: 'ERROR: Could not install packages due to a ConnectionError: [Errno 104] Connection reset by peer',
        match: 'x',
        captures: {},
        ...over,
    };
}

describe('buildTerminalCommand', () => {
    it('runs a plain command', () => {
        assert.deepEqual(buildTerminalCommand('pip install --retries 5 requests\n'), {
            text: 'pip install --retries 5 requests',
            execute: true,
            placeholders: [],
        });
    });

    it('chains several lines with && and drops comments and blanks', () => {
        assert.equal(buildTerminalCommand('# first\npip freeze > constraints.txt\r\n\n  pip install -r r.txt -c constraints.txt ')!.text, 'pip freeze > constraints.txt && pip install -r r.txt -c constraints.txt');
    });

    it('types but does not run a command with placeholders left', () => {
        const cmd = buildTerminalCommand("pip install '<package>>=<version>' <package>")!;
        assert.equal(cmd.execute, false);
        assert.deepEqual(cmd.placeholders, ['<package>', '<version>']);
    });

    it('gives nothing for an empty command', () => {
        assert.equal(buildTerminalCommand(' \n# only a comment\n'), undefined);
    });

    it('does not take shell redirections for placeholders', () => {
        assert.deepEqual(placeholders('pip freeze > c.txt && cat < c.txt'), []);
    });
});

describe('fix and finding choice', () => {
    it('prefers the preferred fix, else the first', () => {
        const a = { title: 'a', command: 'x', preferred: false };
        const b = { title: 'b', command: null, preferred: true };
        assert.equal(preferredFix([a, b]), b);
        assert.equal(preferredFix([a]), a);
        assert.equal(preferredFix([]), undefined);
        assert.equal(preferredFix(undefined), undefined);
    });

    it('names a root cause before its consequences, then the most severe', () => {
        const consequence = finding({ id: 'pip/resolution-impossible', line: 1, caused_by: { id: 'x/cause', line: 9 } });
        const warning = finding({ id: 'pip/resolver-backtracking', severity: 'warning', line: 2 });
        const cause = finding({ id: 'x/cause', line: 9 });
        assert.equal(primaryFinding([consequence, warning, cause])?.id, 'x/cause');
        assert.equal(primaryFinding([warning, consequence])?.id, 'pip/resolver-backtracking');
        assert.equal(primaryFinding([]), undefined);
    });
});

describe('planNotification', () => {
    it('names the signature and the command, and offers the preferred fix', () => {
        const fix = { title: 'Set timeout and retries in pip.conf', command: null, preferred: true };
        const plan = planNotification([finding({ fixes: [fix] }), finding({ id: 'other/x', severity: 'warning' })], 'pip install requests');
        assert.ok(plan);
        assert.equal(plan.severity, 'error');
        assert.equal(plan.fix, fix);
        assert.match(plan.message, /^errsig: pip\/network-connection-reset-by-peer in the output of `pip install requests`: ERROR: Could not install/);
        assert.match(plan.message, /\(and 1 more known error\)$/);
    });

    it('shows the whole command a Run button would run', () => {
        const fix = { title: 'Harmless title', command: 'pip install x\necho "$(id)"', preferred: false };
        const plan = planNotification([finding({ fixes: [fix] })]);
        assert.ok(plan);
        assert.ok(plan.message.endsWith(' — its fix runs: pip install x && echo "$(id)"'), plan.message);
    });

    it('has no fix when the finding has none, and maps severities', () => {
        const plan = planNotification([finding({ severity: 'hint' })]);
        assert.equal(plan?.fix, undefined);
        assert.equal(plan?.severity, 'information');
        assert.equal(planNotification([]), undefined);
    });
});

describe('protocol values', () => {
    it('reads scanText results tolerantly', () => {
        const f = finding({});
        assert.deepEqual(parseScanResult({ findings: [f, { nope: 1 }, null] }), [f]);
        assert.deepEqual(parseScanResult(null), []);
        assert.deepEqual(parseScanResult({ findings: 'x' }), []);
    });

    it('takes the command text from command arguments', () => {
        assert.equal(firstStringArg(['pip install x']), 'pip install x');
        assert.equal(firstStringArg([['pip install y']]), 'pip install y');
        assert.equal(firstStringArg([{ uri: 1 }]), undefined);
        assert.equal(firstStringArg([]), undefined);
    });

    it('reads diagnostic codes in every shape VS Code uses', () => {
        assert.equal(diagnosticCodeValue('pip/x'), 'pip/x');
        assert.equal(diagnosticCodeValue(42), '42');
        assert.equal(diagnosticCodeValue({ value: 'pip/y', target: {} }), 'pip/y');
        assert.equal(diagnosticCodeValue(undefined), undefined);
    });
});

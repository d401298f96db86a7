/**
 * End-to-end test in a real VS Code: code-server (VS Code from npm) with the built .vsix
 * installed, driven in Debian's headless Chromium by playwright-core.
 *
 * 1. a workspace with a failing pip log and a pip.conf: the diagnostic is in the Problems panel;
 * 2. hovering the squiggle shows the card;
 * 3. the lightbulb's preferred quick fix edits pip.conf on disk;
 * 4. a failing command in an integrated terminal (bash, shell integration): the notification
 *    names the error, and the transcript's diagnostic is in the Problems panel.
 * Screenshots of each step go to test-artifacts/vscode/ (ERRSIG_E2E_ARTIFACTS).
 *
 * env: ERRSIG_VSIX (default dist-vsix/errsig-linux-x64-<version>.vsix), ERRSIG_E2E_PYTHON (interpreter without errsig,
 *      so the bundled copy is exercised), ERRSIG_E2E_KEEP=1 keeps the work folder.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { promises as fs, readFileSync, openSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Browser, type Locator, type Page, chromium } from 'playwright-core';

const EXT = path.resolve(__dirname, '..', '..', '..');
const REPO = path.resolve(EXT, '..', '..');
const ARTIFACTS = path.resolve(process.env.ERRSIG_E2E_ARTIFACTS ?? path.join(REPO, 'test-artifacts', 'vscode'));
const VERSION = (JSON.parse(readFileSync(path.join(EXT, 'package.json'), 'utf8')) as { version: string }).version;
const VSIX = path.resolve(process.env.ERRSIG_VSIX ?? path.join(EXT, 'dist-vsix', `errsig-linux-x64-${VERSION}.vsix`));
const CHROMIUM = process.env.ERRSIG_E2E_CHROMIUM ?? '/usr/bin/chromium';
const SIGNATURE = 'pip/network-connection-reset-by-peer';
const ERROR_LINE = "ERROR: Could not install packages due to an OSError: ('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))";
const PIP_CONF = '[global]\nindex-url = https://pypi.org/simple\n';

const PIP_LOG = `$ python -m pip install requests
Collecting requests
  Downloading requests-2.32.3-py3-none-any.whl.metadata (4.6 kB)
WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ProtocolError('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))': /simple/urllib3/
${ERROR_LINE}
`;

/** A stand-in for a pip run that fails: colours, a progress bar redrawn with \\r, exit 1. */
const FAKE_PIP = `#!/usr/bin/env bash
printf 'Collecting requests\\n'
for p in 10 40 70; do printf '\\r  Downloading requests-2.32.3-py3-none-any.whl \\033[32m%s%%\\033[0m' "$p"; sleep 0.05; done
printf '\\n'
printf '\\033[31m%s\\033[0m\\n' ${JSON.stringify(ERROR_LINE).replace(/\$/g, '\\$')}
exit 1
`;

interface Step {
    name: string;
    ms: number;
    screenshots: string[];
}

const steps: Step[] = [];
let stepShots: string[] = [];
const t0 = Date.now();

function log(message: string): void {
    console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1)}s] ${message}`);
}

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const start = Date.now();
    stepShots = [];
    log(`${name} …`);
    const result = await fn();
    const ms = Date.now() - start;
    steps.push({ name, ms, screenshots: stepShots });
    log(`${name}: ok (${ms} ms)`);
    return result;
}

async function shot(page: Page, file: string): Promise<void> {
    const target = path.join(ARTIFACTS, file);
    await page.screenshot({ path: target });
    stepShots.push(file);
    log(`screenshot ${path.relative(REPO, target)}`);
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const addr = srv.address();
            srv.close(() => {
                if (addr && typeof addr === 'object') {
                    resolve(addr.port);
                } else {
                    reject(new Error('no port'));
                }
            });
        });
    });
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
        const value = await probe();
        if (value !== undefined) {
            return value;
        }
        if (Date.now() > until) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        }
        await new Promise((r) => setTimeout(r, 250));
    }
}

function pickPython(): string {
    const candidates = process.env.ERRSIG_E2E_PYTHON ? [process.env.ERRSIG_E2E_PYTHON] : ['/usr/bin/python3', 'python3'];
    for (const py of candidates) {
        try {
            execFileSync(py, ['-c', 'import sys; assert sys.version_info >= (3, 10)'], { stdio: 'ignore' });
            return py;
        } catch {
            // next
        }
    }
    throw new Error(`no Python 3.10+ among ${candidates.join(', ')}`);
}

async function runCommand(page: Page, title: string): Promise<void> {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
}

/** The locator's box once the layout has settled (code lenses and widgets move lines around). */
async function stableBox(page: Page, locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
    let last = '';
    return waitFor('a settled layout', 15000, async () => {
        const box = await locator.boundingBox();
        const key = JSON.stringify(box);
        const settled = box && key === last ? box : undefined;
        last = key;
        if (!settled) {
            await page.waitForTimeout(400);
        }
        return settled ?? undefined;
    });
}

async function openFile(page: Page, name: string): Promise<void> {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(name);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: name }).waitFor({ state: 'visible' });
}

/** Waits for a locator, failing at once if errsig reports that its server cannot run. */
async function waitUnlessServerFails(page: Page, target: Locator, timeout: number): Promise<void> {
    const failure = page.locator('.notification-toast', { hasText: /errsig server crashed|errsig: cannot start|Server initialization failed/ }).first();
    await waitFor('the errsig diagnostic', timeout, async () => {
        if (await failure.isVisible()) {
            throw new Error(`the errsig server failed: ${(await failure.innerText()).replace(/\s+/g, ' ')}`);
        }
        return (await target.isVisible()) ? true : undefined;
    });
}

async function problemsRow(page: Page, text: string): Promise<Locator> {
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: text }).first();
    await row.waitFor({ state: 'visible', timeout: 60000 });
    return row;
}

async function showProblems(page: Page): Promise<void> {
    if (!(await page.locator('.markers-panel').isVisible())) {
        await runCommand(page, 'View: Focus Problems');
    }
    await page.locator('.markers-panel').waitFor({ state: 'visible' });
}

async function main(): Promise<void> {
    await fs.access(VSIX).catch(() => {
        throw new Error(`${VSIX} is missing: run npm run package first`);
    });
    await fs.rm(ARTIFACTS, { recursive: true, force: true });
    await fs.mkdir(ARTIFACTS, { recursive: true });

    const nodeBin = await step('tools (node 24, code-server, chromium)', () =>
        Promise.resolve(
            process.env.ERRSIG_E2E_NODE_BIN ??
                execFileSync('bash', [path.join(EXT, 'scripts', 'e2e-setup.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim(),
        ),
    );
    const codeServer = path.join(nodeBin, 'code-server');
    log(`a Python 3.10+ for the default discovery: ${pickPython()}`);

    const work = await fs.mkdtemp(path.join(os.tmpdir(), 'errsig-e2e-'));
    const ws = path.join(work, 'workspace');
    const userData = path.join(work, 'user-data');
    const extensions = path.join(work, 'extensions');
    const home = path.join(work, 'home');
    for (const d of [ws, path.join(userData, 'User'), extensions, home]) {
        await fs.mkdir(d, { recursive: true });
    }
    await fs.writeFile(path.join(ws, 'pip-install.log'), PIP_LOG);
    await fs.writeFile(path.join(ws, 'pip.conf'), PIP_CONF);
    await fs.writeFile(path.join(ws, 'fake-pip'), FAKE_PIP, { mode: 0o755 });
    await fs.writeFile(
        path.join(userData, 'User', 'settings.json'),
        JSON.stringify(
            {
                'security.workspace.trust.enabled': false,
                'workbench.startupEditor': 'none',
                'workbench.tips.enabled': false,
                'workbench.welcomePage.walkthroughs.openOnInstall': false,
                'workbench.secondarySideBar.defaultVisibility': 'hidden',
                'chat.disableAIFeatures': true,
                'extensions.autoUpdate': false,
                'extensions.autoCheckUpdates': false,
                'telemetry.telemetryLevel': 'off',
                'update.mode': 'none',
                'files.refactoring.autoSave': true,
                'editor.hover.delay': 200,
                'editor.lightbulb.enabled': 'on',
                'terminal.integrated.defaultProfile.linux': 'bash',
                'terminal.integrated.shellIntegration.enabled': true,
                'terminal.integrated.enablePersistentSessions': false,
                'terminal.integrated.suggest.enabled': false,
                'terminal.integrated.gpuAcceleration': 'off',
            },
            null,
            2,
        ),
    );

    // A hermetic environment: no pip settings from this machine; pip.conf of the workspace is pip's config file.
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
        if (!/^(PIP_|VIRTUAL_ENV|CONDA_|PYTHON|VSCODE_|ELECTRON_)/.test(k)) {
            env[k] = v;
        }
    }
    Object.assign(env, {
        PATH: `${nodeBin}${path.delimiter}${process.env.PATH ?? ''}`,
        HOME: home,
        XDG_CONFIG_HOME: path.join(work, 'xdg', 'config'),
        XDG_DATA_HOME: path.join(work, 'xdg', 'data'),
        XDG_CACHE_HOME: path.join(work, 'xdg', 'cache'),
        PIP_CONFIG_FILE: path.join(ws, 'pip.conf'),
        SHELL: '/bin/bash',
    });

    await step('install the .vsix into code-server', async () => {
        execFileSync(codeServer, ['--install-extension', VSIX, '--extensions-dir', extensions, '--user-data-dir', userData, '--force'], {
            env,
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        const installed = await fs.readdir(extensions);
        if (!installed.some((d) => d.startsWith('errsig.errsig-'))) {
            throw new Error(`extension not installed: ${installed.join(', ')}`);
        }
    });

    const port = await freePort();
    const serverLog = openSync(path.join(ARTIFACTS, 'code-server.log'), 'w');
    const cs: ChildProcess = spawn(
        codeServer,
        [
            '--bind-addr',
            `127.0.0.1:${port}`,
            '--auth',
            'none',
            '--disable-telemetry',
            '--disable-update-check',
            '--disable-workspace-trust',
            '--disable-getting-started-override',
            '--user-data-dir',
            userData,
            '--extensions-dir',
            extensions,
            ws,
        ],
        { env, detached: true, stdio: ['ignore', serverLog, serverLog] },
    );
    let browser: Browser | undefined;
    let page: Page | undefined;
    let failed = false;
    try {
        await step('code-server answers', () =>
            waitFor('code-server', 60000, async () => {
                try {
                    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
                    return res.ok ? true : undefined;
                } catch {
                    return undefined;
                }
            }),
        );
        browser = await chromium.launch({
            executablePath: CHROMIUM,
            args: [
                '--no-sandbox',
                '--disable-gpu',
                '--disable-quic',
                '--no-first-run',
                '--disable-background-networking',
                '--disable-component-update',
                '--disable-sync',
                '--disable-dev-shm-usage',
            ],
            // Chromium's profile, crash reports and caches stay in the run's folder, never in
            // the user's home (playwright already gives it a temporary --user-data-dir).
            env: { ...process.env, HOME: home, XDG_CONFIG_HOME: env.XDG_CONFIG_HOME, XDG_CACHE_HOME: env.XDG_CACHE_HOME },
        });
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${port}` });
        page = await context.newPage();
        const p = page;

        await step('workbench loads', async () => {
            await p.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
            await p.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90000 });
            await p.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ state: 'visible', timeout: 60000 });
        });

        await step('diagnostic of the pip log in the Problems panel', async () => {
            await openFile(p, 'pip-install.log');
            await waitUnlessServerFails(p, p.locator('.monaco-editor .squiggly-error').first(), 120000);
            await showProblems(p);
            await problemsRow(p, SIGNATURE);
            await shot(p, '01-problems.png');
        });

        await step('hover shows the card', async () => {
            await p.locator('.monaco-editor .view-lines').first().click();
            const box = await stableBox(p, p.locator('.monaco-editor .squiggly-error').last());
            await p.mouse.move(box.x + Math.min(40, box.width / 2), box.y + box.height / 2);
            const hover = p.locator('.monaco-hover:visible', { hasText: SIGNATURE }).first();
            await hover.waitFor({ state: 'visible', timeout: 20000 });
            const text = (await hover.innerText()).replace(/\s+/g, ' ');
            // Only errsig's card has these (the diagnostic's own hover shows its message): the
            // record's root cause, a workaround's title, and the dead-end section.
            const record = JSON.parse(await fs.readFile(path.join(EXT, '..', '..', 'seeds', `${SIGNATURE}.json`), 'utf8')) as {
                root_cause: string;
                workarounds: { action: string }[];
            };
            const cause = record.root_cause.split(/[.:]/)[0]?.replace(/\s+/g, ' ').trim() ?? '';
            for (const want of ['Root cause', cause, record.workarounds[0]?.action ?? '', 'Dead ends']) {
                if (!want || !text.includes(want)) {
                    throw new Error(`errsig's card lacks ${JSON.stringify(want)} in the hover: ${text.slice(0, 300)}`);
                }
            }
            await shot(p, '02-hover.png');
        });

        const before = await fs.readFile(path.join(ws, 'pip.conf'), 'utf8');
        await step('preferred quick fix from the lightbulb edits pip.conf', async () => {
            await p.mouse.move(5, 5);
            await p.keyboard.press('Escape');
            // Cursor into the matched text on the last line with an error.
            const box = await stableBox(p, p.locator('.monaco-editor .squiggly-error').last());
            await p.mouse.click(box.x + Math.min(20, box.width / 2), box.y + box.height / 2);
            await p.mouse.move(5, 5);
            const bulb = p.locator('.lightBulbWidget .codicon, .lightbulb-glyph, .codicon-lightbulb-autofix, .codicon-lightbulb-sparkle-autofix').first();
            await bulb.waitFor({ state: 'visible', timeout: 20000 });
            await bulb.click();
            const menu = p.locator('.action-widget:not(.action-list-submenu-panel)').first();
            await menu.waitFor({ state: 'visible', timeout: 15000 });
            const first = menu.locator('.monaco-list-row.action').first();
            await first.waitFor({ state: 'visible' });
            const title = (await first.innerText()).trim();
            log(`first (preferred) quick fix: ${title}`);
            await shot(p, '03-quickfix.png');
            await first.click();
            const after = await waitFor('pip.conf to change on disk', 20000, async () => {
                const now = await fs.readFile(path.join(ws, 'pip.conf'), 'utf8');
                return now !== before ? now : undefined;
            });
            log(`pip.conf now:\n${after}`);
            if (!after.includes('index-url = https://pypi.org/simple')) {
                throw new Error('the fix lost the existing setting');
            }
            if (!/^\s*(retries|timeout|default-timeout|resume-retries)\s*=/m.test(after)) {
                throw new Error('pip.conf did not get a retries/timeout setting');
            }
            await fs.writeFile(path.join(ARTIFACTS, 'pip.conf.after'), after);
            // The first row is the one marked preferred: "Auto Fix" applies only a quick fix
            // whose isPreferred is set, and gives the same file from the same start.
            await fs.writeFile(path.join(ws, 'pip.conf'), before);
            await waitFor('pip.conf restored in the editor', 10000, async () => ((await fs.readFile(path.join(ws, 'pip.conf'), 'utf8')) === before ? true : undefined));
            await openFile(p, 'pip-install.log');
            const again = await stableBox(p, p.locator('.monaco-editor .squiggly-error').last());
            await p.mouse.click(again.x + Math.min(20, again.width / 2), again.y + again.height / 2);
            await runCommand(p, 'Auto Fix...');
            const auto = await waitFor('Auto Fix to change pip.conf', 20000, async () => {
                const now = await fs.readFile(path.join(ws, 'pip.conf'), 'utf8');
                return now !== before ? now : undefined;
            });
            if (auto !== after) {
                throw new Error(`the first quick fix is not the preferred one: Auto Fix wrote\n${auto}\ninstead of\n${after}`);
            }
            await openFile(p, 'pip.conf');
            await p.locator('.monaco-editor .view-lines', { hasText: 'index-url' }).first().waitFor({ state: 'visible' });
            await shot(p, '04-pip-conf-fixed.png');
        });

        await step('a failing command in the terminal: notification and transcript diagnostic', async () => {
            await runCommand(p, 'Terminal: Create New Terminal');
            const term = p.locator('.terminal-wrapper.active .xterm, .terminal .xterm').first();
            await term.waitFor({ state: 'visible', timeout: 30000 });
            // Shell integration: the prompt has been drawn once bash ran VS Code's script.
            await waitFor('the bash prompt', 30000, async () => {
                const text = await p.locator('.xterm-rows').first().innerText().catch(() => '');
                return /[$#]\s/.test(text) ? true : undefined;
            });
            await new Promise((r) => setTimeout(r, 1500));
            await term.click();
            await p.keyboard.type('./fake-pip install requests', { delay: 10 });
            await p.keyboard.press('Enter');
            const toast = p.locator('.notifications-toasts .notification-toast', { hasText: SIGNATURE }).first();
            await toast.waitFor({ state: 'visible', timeout: 60000 });
            const message = (await toast.innerText()).replace(/\s+/g, ' ');
            log(`notification: ${message.slice(0, 300)}`);
            if (!/Explain/.test(message)) {
                throw new Error('the notification offers no Explain');
            }
            await p.waitForTimeout(800); // let the toast finish sliding in
            await shot(p, '05-terminal-notification.png');
            const dir = path.join(ws, '.errsig', 'transcripts');
            const transcript = await waitFor('a transcript file', 10000, async () => {
                const names = await fs.readdir(dir).catch(() => [] as string[]);
                return names.find((n) => n.endsWith('.txt'));
            });
            const text = await fs.readFile(path.join(dir, transcript), 'utf8');
            log(`transcript ${transcript}:\n${text}`);
            if (!text.includes(ERROR_LINE) || text.includes('\x1b') || !text.startsWith('$ ./fake-pip install requests')) {
                throw new Error('the transcript is not the cleaned output');
            }
            if ((await fs.readFile(path.join(dir, '.gitignore'), 'utf8')).trim().split('\n').pop() !== '*') {
                throw new Error('the transcript folder is not git-ignored');
            }
            await fs.writeFile(path.join(ARTIFACTS, 'transcript.txt'), text);
            await showProblems(p);
            await problemsRow(p, transcript);
            await p.locator('.statusbar-item', { hasText: 'errsig: 2' }).first().waitFor({ state: 'visible', timeout: 10000 });
            await shot(p, '06-transcript-problems.png');
        });

        await step("the notification's fix is applied from the transcript's quick fixes", async () => {
            const before = await fs.readFile(path.join(ws, 'pip.conf'), 'utf8');
            const toast = p.locator('.notifications-toasts .notification-toast', { hasText: SIGNATURE }).first();
            const fixButton = toast.locator('.monaco-button', { hasText: /^(Fix|Run):/ }).first();
            const label = (await fixButton.innerText()).trim();
            log(`notification button: ${label}`);
            await fixButton.click();
            const after = await waitFor('pip.conf to change again', 20000, async () => {
                const now = await fs.readFile(path.join(ws, 'pip.conf'), 'utf8');
                return now !== before ? now : undefined;
            });
            log(`pip.conf now:\n${after}`);
            await p.locator('.tab.active', { hasText: '.txt' }).waitFor({ state: 'visible' });
            await shot(p, '07-notification-fix.png');
        });

        await step('errsig.explain: pick a found signature, see its card', async () => {
            await runCommand(p, 'errsig: Explain a Known Error');
            const item = p.locator('.quick-input-list .monaco-list-row', { hasText: SIGNATURE }).first();
            await item.waitFor({ state: 'visible', timeout: 30000 });
            await item.click();
            await p.locator('.tab', { hasText: `errsig: ${SIGNATURE}` }).first().waitFor({ state: 'visible', timeout: 20000 });
            await p.waitForTimeout(1500); // the webview renders in its own frame
            await shot(p, '08-explain.png');
        });

        await step('an error no record knows: Draft a record, fill it, save: the log knows it', async () => {
            // Written now, so the finding counts of the steps before stay as they were.
            await fs.writeFile(path.join(ws, 'worker.log'), await fs.readFile(path.join(REPO, 'tests', 'data', 'unknown', 'zmq.log'), 'utf8'));
            // A file that appeared just now: open it from the Explorer once it lists it.
            const row = p.locator('.explorer-folders-view .monaco-list-row', { hasText: 'worker.log' }).first();
            await row.waitFor({ state: 'visible', timeout: 30000 });
            await row.click();
            await p.locator('.tab.active', { hasText: 'worker.log' }).waitFor({ state: 'visible', timeout: 20000 });
            await showProblems(p);
            await problemsRow(p, 'unknown/python');
            await shot(p, '09-unknown.png');
            // The quick fix on the unknown line (line 8), from the keyboard.
            await p.locator('.monaco-editor .view-lines').first().click();
            await p.keyboard.press('Control+G');
            const goto = p.locator('.quick-input-widget input');
            await goto.waitFor({ state: 'visible' });
            await goto.fill(':8:5');
            await p.keyboard.press('Enter');
            await p.keyboard.press('Control+.');
            const menu = p.locator('.action-widget:not(.action-list-submenu-panel)').first();
            await menu.waitFor({ state: 'visible', timeout: 15000 });
            const draft = menu.locator('.monaco-list-row.action', { hasText: 'Draft a record' }).first();
            await draft.waitFor({ state: 'visible' });
            await shot(p, '10-draft-action.png');
            await draft.click();
            const records = path.join(ws, '.errsig', 'records');
            const file = await waitFor('the drafted record on disk', 20000, async () => {
                const found = (await fs.readdir(records, { recursive: true }).catch(() => [] as string[]))
                    .map(String)
                    .filter((f) => f.endsWith('.json'));
                const first = found[0];
                if (!first) {
                    return undefined;
                }
                // Written whole, then linked into place: it parses as soon as it exists.
                const text = await fs.readFile(path.join(records, first), 'utf8');
                return { path: path.join(records, first), record: JSON.parse(text) as { id: string } };
            });
            const rid = file.record.id;
            log(`drafted ${rid} in ${path.relative(ws, file.path)}`);
            // window/showDocument opened it.
            await p.locator('.tab.active', { hasText: path.basename(file.path) }).waitFor({ state: 'visible', timeout: 20000 });
            // Fill the root cause in the editor and save.
            await p.keyboard.press('Control+H');
            const find = p.locator('.find-widget textarea[aria-label="Find"], .find-widget .find-part textarea').first();
            await find.waitFor({ state: 'visible' });
            await find.fill('"root_cause": ""');
            const replace = p.locator('.find-widget .replace-part textarea').first();
            await replace.fill('"root_cause": "Another worker already listens on this port."');
            await p.keyboard.press('Control+Alt+Enter');
            await p.keyboard.press('Escape');
            await p.keyboard.press('Control+S');
            await waitFor('the root cause saved', 20000, async () =>
                (await fs.readFile(file.path, 'utf8')).includes('Another worker already listens') ? true : undefined,
            );
            await shot(p, '11-record-edited.png');
            // The log's diagnostic is now the new record, with the text just written.
            await p.locator('.explorer-folders-view .monaco-list-row', { hasText: 'worker.log' }).first().click();
            await p.locator('.tab.active', { hasText: 'worker.log' }).waitFor({ state: 'visible', timeout: 20000 });
            await showProblems(p);
            await problemsRow(p, rid);
            await problemsRow(p, 'Another worker already listens');
            await shot(p, '12-known-now.png');
        });

        await step('with no setting, the server ran on python3 from PATH with the bundled errsig', async () => {
            const logs = path.join(userData, 'logs');
            const found = await waitFor('the errsig output log', 10000, async () => {
                const files = (await fs.readdir(logs, { recursive: true })).map(String).filter((f) => /errsig\.log$/.test(f));
                for (const f of files) {
                    const text = await fs.readFile(path.join(logs, f), 'utf8');
                    if (text.includes('server:')) {
                        return text;
                    }
                }
                return undefined;
            });
            await fs.writeFile(path.join(ARTIFACTS, 'errsig-output.log'), found);
            // Default discovery (no errsig.interpreter, no Python extension): python3, then python.
            // errsig.importStrategy useBundled: the bundle, even where python3's environment has
            // an errsig of its own (this test runs from the project's venv).
            if (!/server: python3 -m errsig lsp — Python 3\.\d+ \(default\), errsig \S+ bundled with the extension/.test(found)) {
                throw new Error('the server did not run with the default interpreter and the bundled copy of errsig');
            }
        });
    } catch (err) {
        failed = true;
        console.error(err);
        if (page) {
            await page.screenshot({ path: path.join(ARTIFACTS, 'failure.png') }).catch(() => undefined);
        }
    } finally {
        await browser?.close().catch(() => undefined);
        if (cs.pid) {
            try {
                process.kill(-cs.pid, 'SIGTERM');
            } catch {
                // already gone
            }
            await new Promise((r) => setTimeout(r, 500));
            try {
                process.kill(-cs.pid, 'SIGKILL');
            } catch {
                // already gone
            }
        }
        if (process.env.ERRSIG_E2E_KEEP) {
            log(`work folder kept: ${work}`);
        } else {
            await fs.rm(work, { recursive: true, force: true }).catch(() => undefined);
        }
    }
    const total = Date.now() - t0;
    await fs.writeFile(path.join(ARTIFACTS, 'e2e-result.json'), JSON.stringify({ ok: !failed, total_ms: total, steps }, null, 2));
    console.log(`${steps.length} passed, ${failed ? 1 : 0} failed`);
    if (failed) {
        process.exitCode = 1;
    }
}

main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
});

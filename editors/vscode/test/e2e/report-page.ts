/**
 * `errsig report --html` in a real browser: Debian's headless Chromium, driven by playwright-core
 * (the same browser and driver as the extension's end-to-end test).
 *
 *   node out/test/e2e/report-page.js REPORT.html REPORT.json [SCREENSHOT.png]
 *
 * Fails (exit 1) when the page logs a console error or an uncaught exception, asks for anything
 * over the network (the page must be self-contained), or shows a number that differs from the
 * JSON document written by the same run. Writes a screenshot of the top of the page when asked.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.ERRSIG_E2E_CHROMIUM ?? '/usr/bin/chromium';

interface Group { group: Record<string, string>; logs: number }
interface Signature { id: string; logs: number; findings: number; groups: Group[] }
interface ReportDoc {
    totals: { logs: number; findings: number };
    signatures: Signature[];
    group_by: string | null;
}

function anchor(id: string): string {
    return 'sig-' + Array.from(id, (c) => (/[\p{L}\p{N}]/u.test(c) ? c : '-')).join('');
}

async function main(): Promise<number> {
    const [htmlPath, jsonPath, shot] = process.argv.slice(2);
    if (!htmlPath || !jsonPath) {
        console.error('usage: report-page.js REPORT.html REPORT.json [SCREENSHOT.png]');
        return 2;
    }
    const doc = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as ReportDoc;
    const problems: string[] = [];
    // Chromium's profile and caches stay in a temporary folder, never in the user's home.
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'errsig-report-page-'));
    const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
        env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_CACHE_HOME: path.join(home, 'cache') },
    });
    try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        page.on('console', (m) => {
            if (m.type() === 'error' || m.type() === 'warning') {problems.push(`console ${m.type()}: ${m.text()}`);}
        });
        page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
        await page.route('**/*', async (route) => {
            const url = route.request().url();
            if (url.startsWith('file:')) {return route.continue();}
            problems.push(`network request at view time: ${url}`);
            return route.abort();
        });
        await page.goto(pathToFileURL(path.resolve(htmlPath)).href, { waitUntil: 'load' });

        const check = (what: string, shown: unknown, expected: unknown): void => {
            if (String(shown) !== String(expected)) {problems.push(`${what}: page shows ${String(shown)}, JSON has ${String(expected)}`);}
        };
        const totals = page.locator('#totals');
        check('totals logs', await totals.getAttribute('data-logs'), doc.totals.logs);
        check('totals findings', await totals.getAttribute('data-findings'), doc.totals.findings);
        check('totals text', (await totals.locator('b').first().textContent())?.trim(), doc.totals.logs);

        // The bar chart: the top 15 signatures, in the JSON's order, each bar as long as its count says.
        const top = doc.signatures.slice(0, 15);
        const bars = page.locator('svg[aria-label="top known failures by logs"] rect');
        check('bars', await bars.count(), top.length);
        const widths: number[] = [];
        for (const [i, s] of top.entries()) {
            check(`bar ${s.id}`, await bars.nth(i).getAttribute('data-logs'), s.logs);
            const width = (await bars.nth(i).boundingBox())?.width ?? -1;
            const prev = top[i - 1];
            if (prev && s.logs < prev.logs && width > (widths[i - 1] ?? 0)) {problems.push(`bar ${s.id} drawn longer than a bigger count`);}
            widths.push(width);
        }
        const labels = await page.locator('svg[aria-label="top known failures by logs"] a text').allTextContents();
        check('bar labels', labels.join(','), top.map((s) => s.id).join(','));

        if (shot) {
            await page.screenshot({ path: shot, fullPage: false });
        }
        // Every signature's card shows its count; a bar's label leads to its card.
        for (const s of doc.signatures) {
            const card = page.locator(`[id="${anchor(s.id)}"]`);
            check(`card ${s.id}`, (await card.locator('b.logs').textContent())?.trim(), s.logs);
        }
        const first = top[0];
        if (first) {
            await page.locator('svg[aria-label="top known failures by logs"] a').first().click();
            check('bar link', decodeURIComponent(new URL(page.url()).hash), `#${anchor(first.id)}`);
        }

        // The table by group: each count equals the JSON's logs for that group and signature.
        if (doc.group_by) {
            const cols = doc.signatures.slice(0, 8);
            const rows = page.locator('table').first().locator('tr');
            const n = await rows.count();
            const want = new Map<string, Map<string, number>>();
            for (const s of cols) {
                for (const g of s.groups) {
                    const label = Object.keys(g.group).sort().map((k) => `${k}=${g.group[k]}`).join(' / ') || '(all)';
                    if (!want.has(label)) {want.set(label, new Map());}
                    want.get(label)!.set(s.id, g.logs);
                }
            }
            check('group rows', n - 1, want.size);
            for (let r = 1; r < n; r++) {
                const cells = await rows.nth(r).locator('td').allTextContents();
                const label = cells[0] ?? '';
                for (const [c, s] of cols.entries()) {
                    const expected = want.get(label)?.get(s.id);
                    check(`group ${label} / ${s.id}`, (cells[c + 1] ?? '').trim(), expected ?? '');
                }
            }
        }
    } finally {
        await browser.close();
        fs.rmSync(home, { recursive: true, force: true });
    }
    for (const p of problems) {console.error(`[report-page] ${p}`);}
    console.log(`[report-page] ${doc.signatures.length} signatures, ${doc.totals.logs} logs: ${problems.length} problems`);
    return problems.length ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        console.error(err);
        process.exit(1);
    },
);

/**
 * The HTML report in a real browser: headless Chromium (Debian's `chromium` package) loads the file,
 * we read back the DOM it built (--dump-dom) and a screenshot (--screenshot). Fails, never skips, when
 * Chromium is missing.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../cli/report-html';
import { HOSTILE_GAP, HOSTILE_NAME, HOSTILE_TAG, INPUT } from '../unit/cli/report-fixtures';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function chromium(args: string[], profile: string): Promise<{ stdout: string; stderr: string }> {
  if (!existsSync(CHROMIUM)) throw new Error('chromium is not installed: apt-get install -y chromium');
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
  ];
  return new Promise((resolve, reject) =>
    execFile(
      CHROMIUM,
      [...flags, ...args],
      { timeout: 50_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`chromium failed: ${err.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    ),
  );
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(path: string): { width: number; height: number } {
  const b = readFileSync(path);
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('HTML report in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-report-'));
  const file = join(dir, 'report.html');
  let dom = '';

  beforeAll(async () => {
    writeFileSync(file, renderHtmlReport(INPUT));
    dom = (await chromium(['--dump-dom', pathToFileURL(file).href], join(dir, 'profile-dom'))).stdout;
  }, 60_000);

  it('builds the page: title, totals by severity, both charts, the worst resource first', () => {
    expect(dom).toContain('<title>ECS compliance report · 111122223333, 444455556666 · 2026-06-01</title>');
    expect(dom).toMatch(/data-severity="total"><span class="n">8<\/span><span class="l">Findings/);
    expect(dom).toMatch(/data-severity="critical"><span class="n">2<\/span><span class="l">Critical/);
    expect(dom).toContain('<figcaption>Findings by rule</figcaption>');
    expect(dom).toContain('<figcaption>Findings by account</figcaption>');
    expect((dom.match(/<rect /g) ?? []).length).toBeGreaterThanOrEqual(9);
    expect(dom).toMatch(/<tbody><tr><td>1<\/td><td><a href="#r-1">agent:7<\/a>/);
  });

  it("shows a finding's evidence and its Security Hub control id", () => {
    expect(dom).toContain(
      '<code>containerDefinitions[1].privileged</code> container "sidecar" is privileged',
    );
    expect(dom).toContain('data-control="ECS.4">Security Hub ECS.4</span>');
    expect(dom).toContain('Exemption expired on 2026-01-31 (SEC-1)');
  });

  it('renders hostile names as text and runs none of them', () => {
    // Text nodes serialize back escaped; an element would have been parsed and serialized as a tag.
    expect(dom).not.toMatch(/<script|<img|<b /);
    expect(dom).not.toContain('pwned"</title>');
    expect(dom).not.toContain('data-pwned');
    expect(dom).toContain('&lt;script&gt;document.title="pwned"&lt;/script&gt;_TOKEN');
    expect(dom).toContain('owner=&lt;img src=x onerror="document.body.dataset.pwned=1"&gt;');
    expect(dom).toContain('&lt;b onmouseover=alert(1)&gt;denied&lt;/b&gt;');
    for (const h of [HOSTILE_NAME, HOSTILE_TAG, HOSTILE_GAP]) expect(dom).not.toContain(h);
  });

  it('says the sweep was partial and what was missed', () => {
    expect(dom).toContain('<strong>Partial sweep.</strong>');
    expect(dom).toContain('<strong>running tasks of cluster prod</strong>');
  });

  it('renders to a screenshot', async () => {
    const png = join(dir, 'report.png');
    await chromium(
      ['--hide-scrollbars', '--window-size=1200,2400', `--screenshot=${png}`, pathToFileURL(file).href],
      join(dir, 'profile-shot'),
    );
    expect(pngSize(png)).toEqual({ width: 1200, height: 2400 });
    // A blank page compresses to a few KB; the report has text, cards and bars.
    expect(statSync(png).size).toBeGreaterThan(50_000);
  }, 60_000);
});

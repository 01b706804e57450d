/** Debian's Chromium driven by playwright-core, plus screenshot and axe-core helpers for UI tests. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Result as AxeResult } from 'axe-core';

const CHROMIUM = '/usr/bin/chromium';
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts');

// Quiet, offline, deterministic: no sandbox (we run as root in containers), no GPU, no background
// traffic to Google that would hang on a machine without internet.
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export interface LaunchedBrowser {
  context: BrowserContext;
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

/**
 * A user agent like a mail security sandbox's (Defender Safe Links detonates links in Edge). With
 * `--disable-blink-features=AutomationControlled` such a browser runs script and has navigator.webdriver false:
 * nothing on a page can tell it from a person's.
 */
export const EDGE_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86';
export const STEALTH = { userAgent: EDGE_UA, args: ['--disable-blink-features=AutomationControlled'] };

export async function launchBrowser(o: { userAgent?: string; args?: string[] } = {}): Promise<LaunchedBrowser> {
  // A fresh profile per launch so cookies/storage never leak between test files.
  // (Passing --user-data-dir in args throws; the profile dir is launchPersistentContext's first argument.)
  const profile = await mkdtemp(path.join(os.tmpdir(), 'chromium-test-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...ARGS, ...(o.args ?? [])],
      ...(o.userAgent ? { userAgent: o.userAgent } : {}),
    });
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
  let closed = false;
  return {
    context,
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page PNG as test-artifacts/NAME.png under the repo root (kept for humans/CI); returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

let axeSource: string | null = null;

/** Runs axe-core in the page and returns only violations of impact serious or critical. */
export async function runAxe(page: Page): Promise<AxeResult[]> {
  // Evaluated through the DevTools protocol rather than an inline <script>: every page has a CSP that blocks inline
  // script (as it must), and this works for data: URLs and pages with no network access to node_modules too.
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  // Runs in the browser; the tsconfig has no DOM lib, so reach axe through globalThis.
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return (violations as AxeResult[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** One line per violation, for readable assertion messages: `expect(violations, formatAxe(violations)).toEqual([])`. */
export function formatAxe(violations: AxeResult[]): string {
  return violations
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)
    .join('\n');
}

// Shared helpers for the dashboard's browser scripts (playwright-core driving
// Debian's Chromium; no browser download).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
export const AXE_PATH = require.resolve('axe-core/axe.min.js');
const AXE_SOURCE = readFileSync(AXE_PATH, 'utf8');

export async function launch() {
  const args = [];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox'); // Chromium refuses root without it
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [...args, '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** A fresh context (own cookie jar) with a page that records script errors and CSP violations. */
export async function newPage(browser, { width = 1280, height = 900, base } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, baseURL: base, locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push('pageerror: ' + e.message));
  page.on('console', (m) => {
    // 4xx answers are the app's expected business (validation, 401 → sign-in); anything else is a problem.
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) page.problems.push('console: ' + m.text());
  });
  return { context, page };
}

export async function signIn(page, base, key) {
  await page.goto(base + '/signin');
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
}

/** Runs axe-core on the page; returns the serious and critical violations. */
export async function axe(page) {
  // Not page.addScriptTag: it inserts an inline <script>, which the page's
  // CSP rightly refuses. Evaluating the source through the DevTools protocol
  // is not subject to the CSP, and the app's own CSP stays fully in force.
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(AXE_SOURCE);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function describeViolations(vs) {
  return vs.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`).join('\n');
}

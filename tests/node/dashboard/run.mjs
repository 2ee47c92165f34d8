// The dashboard's browser tests, against a real server (started by
// tests/e2e/test_dashboard.py). One Chromium, a few contexts.
//
// env: LEADTERRA_URL, LEADTERRA_KEY, SMTP_PORT, SMTP_USER, SMTP_PASSWORD,
// TRACKED_MAIL_FILE (JSON [{to, html}] of the peer's messages with tracking
// URLs, kept up to date by test_dashboard.py; the 'tracking' section needs it),
// for the 'inbox' section DASHBOARD_INBOX=1, IMAP_PORT, IMAP_USER,
// IMAP_PASSWORD (a Dovecot user) and INBOX_REQUESTS_FILE / INBOX_MAIL_FILE
// (replies asked of test_dashboard.py's InboxDesk, and what the SMTP peer
// received for those leads); DASHBOARD_SECTIONS=a,b runs only those sections.
// Prints "SECTION <name> ok|FAIL|SKIP <ms> <detail>" per section and a last
// line "RESULT <json>"; exits 1 when a section failed.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { launch, newPage, signIn, axe, describeViolations } from './lib.mjs';

const BASE = process.env.LEADTERRA_URL;
const KEY = process.env.LEADTERRA_KEY;
const SMTP_PORT = Number(process.env.SMTP_PORT);
const SMTP_USER = process.env.SMTP_USER || 'sender@leadterra.test';
const SMTP_PASSWORD = process.env.SMTP_PASSWORD || 's3cret-pw';
const DELIVER_TIMEOUT = Number(process.env.DELIVER_TIMEOUT_MS || 240000);
const TRACKED_MAIL_FILE = process.env.TRACKED_MAIL_FILE;
const SELECTED = process.env.DASHBOARD_SECTIONS ? new Set(process.env.DASHBOARD_SECTIONS.split(',').map((x) => x.trim())) : null;
// A person's browser (the context's own agent says HeadlessChrome, which the
// server rightly counts as a machine).
const BROWSER_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
if (!BASE || !KEY || !SMTP_PORT) {
  console.error('set LEADTERRA_URL, LEADTERRA_KEY and SMTP_PORT');
  process.exit(2);
}

const IMG = '<img src=x onerror=window.__pwned=1>';
const SCRIPT = '</script><script>window.__pwned=1</script>';
const XSS_NAME = `Launch ${IMG} ${SCRIPT}`;

const results = {};
const state = {};
const axeFindings = [];

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function section(name, deps, fn) {
  if (SELECTED && !SELECTED.has(name)) {
    results[name] = { status: 'skip', detail: 'not selected' };
    console.log(`SECTION ${name} SKIP 0 not selected`);
    return;
  }
  const missing = deps.filter((d) => results[d]?.status !== 'ok');
  if (missing.length) {
    results[name] = { status: 'skip', detail: 'needs ' + missing.join(', ') };
    console.log(`SECTION ${name} SKIP 0 needs ${missing.join(', ')}`);
    return;
  }
  const t0 = Date.now();
  try {
    const detail = (await fn()) || '';
    results[name] = { status: 'ok', ms: Date.now() - t0, detail };
    console.log(`SECTION ${name} ok ${Date.now() - t0} ${detail}`);
  } catch (e) {
    results[name] = { status: 'fail', ms: Date.now() - t0, detail: String(e && e.stack ? e.stack : e) };
    console.log(`SECTION ${name} FAIL ${Date.now() - t0} ${e && e.stack ? e.stack : e}`);
    if (state.page) {
      try {
        console.log(`  at ${state.page.url()}; page problems: ${JSON.stringify(state.page.problems)}`);
        const shot = `/tmp/dashboard-fail-${name}.png`;
        await state.page.screenshot({ path: shot, fullPage: true });
        console.log(`  screenshot: ${shot}`);
      } catch {
        /* the page may be gone */
      }
    }
  }
}

/** Creates a campaign from the Campaigns page and adds its first step in the editor. */
async function newCampaignWithOneStep(page, name) {
  await page.goto(BASE + '/campaigns');
  await page.getByRole('button', { name: 'New campaign' }).first().click();
  await page.getByLabel('Campaign name').fill(name);
  await page.getByRole('button', { name: 'Create and edit steps' }).click();
  await page.waitForURL((u) => /^\/campaigns\/camp_[0-9a-z]{26}\/edit$/.test(u.pathname));
  const id = new URL(page.url()).pathname.split('/')[2];
  await page.getByRole('button', { name: '+ Add step' }).click();
  await page.waitForFunction(() => document.activeElement?.closest('li.step-card'));
  return { id, step: page.locator('li.step-card').nth(0) };
}

/** axe on the current page; serious/critical findings are collected per page. */
async function check(page, label) {
  const v = await axe(page);
  if (v.length) axeFindings.push(`${label} (${page.url()}):\n${describeViolations(v)}`);
  const pwned = await page.evaluate(() => window.__pwned);
  assert(pwned === undefined, `window.__pwned is ${pwned} on ${label}`);
  assert(page.problems.length === 0, `script problems on ${label}: ${page.problems.join('; ')}`);
}

async function api(page, method, path, body, headers = { 'X-Requested-With': 'leadterra' }) {
  return page.evaluate(
    async ([method, path, body, headers]) => {
      const r = await fetch(path, {
        method,
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: body === null ? undefined : JSON.stringify(body),
      });
      let json = null;
      try {
        json = await r.json();
      } catch {
        json = null;
      }
      return { status: r.status, json };
    },
    [method, path, body, headers],
  );
}

const waitText = (page, selector, text, timeout = 15000) =>
  page.waitForFunction(
    ([s, t]) => [...document.querySelectorAll(s)].some((e) => e.textContent.includes(t)),
    [selector, text],
    { timeout },
  );

/** Polls fn() until it returns something truthy; fails with describe(last value). */
async function waitFor(fn, describe, timeout = 60000, every = 300) {
  const t0 = Date.now();
  for (;;) {
    const last = await fn();
    if (last) return last;
    if (Date.now() - t0 > timeout) throw new Error('timed out: ' + describe(last));
    await new Promise((r) => setTimeout(r, every));
  }
}

/** The focused element: tag, accessible text, its label's text, and whether it shows a focus ring. */
const focused = (page) =>
  page.evaluate(() => {
    const a = document.activeElement;
    return { tag: a?.tagName, text: (a?.getAttribute('aria-label') || a?.textContent || '').trim(), label: a?.labels?.[0]?.textContent?.trim() || '', ring: a ? getComputedStyle(a).outlineStyle : 'none' };
  });

/** Presses Tab until pred(focused) holds; that element must show a focus ring. */
async function tabTo(page, pred, what, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const a = await focused(page);
    if (pred(a)) {
      assert(a.ring !== 'none', `focus ring visible on ${what}`);
      return a;
    }
  }
  throw new Error('could not Tab to ' + what);
}

function leadsCsv() {
  const rows = ['Email,First Name,Last Name,Company,Title,Industry'];
  const q = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  rows.push(['xss@leads.test', IMG, 'Tester', SCRIPT, 'CTO', IMG].map(q).join(','));
  for (let i = 1; i < 1000; i++) {
    if (i === 500) rows.push('not-an-email,Broken,Row,Nowhere Inc,CEO,Retail');
    else rows.push(`lead${i}@leads.test,First${i},Last${i},Company ${i % 37},VP Sales,SaaS`);
  }
  return rows.join('\n') + '\n';
}

const browser = await launch();
try {
  // ---------------------------------------------------------------- sign in
  await section('signin', [], async () => {
    const { context, page } = await newPage(browser, { base: BASE });
    state.context = context;
    state.page = page;
    // A deep link while signed out goes to sign-in and comes back after.
    await page.goto(BASE + '/settings/webhooks');
    await page.waitForURL((u) => u.pathname === '/signin');
    assert(new URL(page.url()).searchParams.get('next') === '/settings/webhooks', 'next= kept: ' + page.url());
    await check(page, 'sign-in page');
    await page.getByLabel('API key').fill('sk_live_' + 'x'.repeat(32));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitText(page, '.field-error', 'not accepted');
    await page.getByLabel('API key').fill(KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/settings/webhooks');
    assert((await page.getByLabel('API key').count()) === 0, 'the key field is gone');
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    assert(!stored.includes(KEY) && !stored.includes('sk_live_'), 'the key is not in browser storage or readable cookies');
    const cookies = await context.cookies();
    assert(cookies.length >= 1 && cookies.every((c) => c.httpOnly), 'session cookie is HttpOnly: ' + JSON.stringify(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])));
    state.cookies = cookies;
    await page.getByRole('link', { name: 'Campaigns' }).click();
    await page.waitForURL((u) => u.pathname === '/campaigns');
    await check(page, 'campaigns (empty)');
    return `cookie ${cookies.map((c) => c.name).join(',')}`;
  });

  // ------------------------------------------------------------------ CSRF
  await section('csrf', ['signin'], async () => {
    const page = state.page;
    const r = await api(page, 'POST', '/v1/campaigns', { name: 'No header' }, {});
    assert(r.status === 403 && r.json?.error?.code === 'csrf_check_failed', 'POST without X-Requested-With: ' + JSON.stringify(r));
    const ok = await api(page, 'GET', '/v1/campaigns?limit=1', null);
    assert(ok.status === 200, 'GET with the cookie works: ' + ok.status);
    return 'POST without the header → 403 csrf_check_failed';
  });

  // --------------------------------------------------------------- editor
  await section('editor', ['signin'], async () => {
    const page = state.page;
    await page.getByRole('button', { name: 'New campaign' }).first().click();
    await page.getByLabel('Campaign name').fill(XSS_NAME);
    await page.getByRole('button', { name: 'Create and edit steps' }).click();
    await page.waitForURL((u) => /^\/campaigns\/camp_[0-9a-z]{26}\/edit$/.test(u.pathname));
    state.campaignId = new URL(page.url()).pathname.split('/')[2];
    // "+ Add step" moves the focus into the new step a moment later: wait
    // for it, or a fill typed meanwhile would land where the focus goes.
    const addStep = async (n) => {
      await page.getByRole('button', { name: '+ Add step' }).click();
      await page.waitForFunction((n) => document.activeElement?.closest('li.step-card') === document.querySelectorAll('li.step-card')[n - 1], n);
    };
    await addStep(1);
    const step1 = page.locator('li.step-card').nth(0);
    await step1.getByLabel('Subject').fill('Quick question, {{firstName}}');
    await step1.getByLabel('Body (HTML)').fill('<p>Hi {{firstName|there}}, how is {{company}} doing?</p><p>{{industry|your industry}}</p>');
    await addStep(2);
    const step2 = page.locator('li.step-card').nth(1);
    await step2.getByLabel('Wait after the previous step (days)').fill('-1');
    await step2.getByLabel('Body (HTML)').fill('<p>Following up, {{firstName}}.</p>');
    // The server refuses a negative delay and names the field.
    await page.waitForFunction(() => document.querySelectorAll('li.step-card')[1]?.querySelector('.field-error'), null, { timeout: 10000 });
    const errText = await step2.locator('.field-error').first().textContent();
    assert((await step2.getByLabel('Wait after the previous step (days)').getAttribute('aria-invalid')) === 'true', 'delay marked invalid: ' + errText);
    await step2.getByLabel('Wait after the previous step (days)').fill('2');
    await waitText(page, '.save-state', 'All changes saved');
    // Live preview of step 1 against the sample lead.
    await step1.getByLabel('Subject').focus();
    await waitText(page, '[data-testid=preview-subject]', 'Quick question, Ada');
    await waitText(page, '[data-testid=preview-text]', 'how is Analytical Engines doing');
    // A third step, moved up, then deleted.
    await addStep(3);
    const step3 = page.locator('li.step-card').nth(2);
    await step3.getByLabel('Subject').fill('Third');
    await step3.getByLabel('Body (HTML)').fill('<p>Third step</p>');
    await waitText(page, '.save-state', 'All changes saved');
    await page.getByRole('button', { name: 'Move step 3 up' }).click();
    await waitText(page, '.save-state', 'All changes saved');
    let c = (await api(page, 'GET', `/v1/campaigns/${state.campaignId}`, null)).json.data;
    assert(c.sequenceSteps.map((s) => s.subject).join('|') === 'Quick question, {{firstName}}|Third|', 'reordered: ' + JSON.stringify(c.sequenceSteps));
    await page.getByRole('button', { name: 'Delete step 2' }).click();
    await waitText(page, '.save-state', 'All changes saved');
    c = (await api(page, 'GET', `/v1/campaigns/${state.campaignId}`, null)).json.data;
    assert(c.sequenceSteps.length === 2, 'two steps left');
    assert(c.sequenceSteps[1].delayDays === 2 && c.sequenceSteps[1].bodyHtml.includes('Following up'), 'step 2 kept: ' + JSON.stringify(c.sequenceSteps[1]));
    assert(c.name === XSS_NAME, 'name saved as typed');
    // Step 2's preview.
    await page.locator('li.step-card').nth(1).getByLabel('Body (HTML)').focus();
    await waitText(page, '#preview-title', 'step 2');
    await waitText(page, '[data-testid=preview-text]', 'Following up, Ada.');
    await check(page, 'sequence editor');
    return `campaign ${state.campaignId}; delay error shown: ${errText.trim()}`;
  });

  // --------------------------------------------------------------- import
  await section('import', ['editor'], async () => {
    const page = state.page;
    await page.goto(`${BASE}/campaigns/${state.campaignId}/import`);
    await page.getByLabel('CSV file').setInputFiles({ name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from(leadsCsv()) });
    await waitText(page, '#map-title ~ p', '1,000 rows');
    const target = (col) => page.getByLabel(`Import column ${col} as`).inputValue();
    assert((await target('Email')) === 'email', 'Email guessed');
    assert((await target('First Name')) === 'firstName', 'First Name guessed');
    assert((await target('Last Name')) === 'lastName', 'Last Name guessed');
    assert((await target('Company')) === 'company', 'Company guessed');
    assert((await target('Title')) === 'jobTitle', 'Title guessed');
    assert((await target('Industry')) === 'custom', 'Industry is a custom field');
    assert((await page.getByLabel('Custom field name for column Industry').inputValue()) === 'industry', 'custom key');
    await check(page, 'import mapping');
    await page.getByRole('button', { name: 'Import 1,000 leads' }).click();
    await waitText(page, '#progress-title', 'Import finished', 60000);
    const prog = await page.locator('#import-progress').evaluate((p) => [p.value, p.max]);
    assert(prog[0] === 1000 && prog[1] === 1000, 'progress at 100 %: ' + prog);
    await waitText(page, 'label[for=import-progress]', '(100 %)');
    assert((await page.getByTestId('enrolled').textContent()) === '999', 'enrolled 999');
    assert((await page.getByTestId('error-count').textContent()) === '1', 'one row error');
    const errRow = page.locator('section[aria-labelledby=errors-title] tbody tr');
    assert((await errRow.count()) === 1, 'one error row listed');
    const cells = await errRow.locator('td').allTextContents();
    assert(cells[0] === '502' && cells[1] === 'not-an-email' && cells[2] === 'email', 'error row: ' + cells.join(' | '));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download errors as CSV' }).click()]);
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(path, 'utf8');
    assert(/^row,email,field,code,message\r\n502,not-an-email,email,invalid_email,/.test(csv), 'downloaded CSV: ' + csv.slice(0, 200));
    await check(page, 'import result');
    return `errors: ${cells.join(' | ')}`;
  });

  // -------------------------------------------------------------- mailbox
  await section('mailbox', ['signin'], async () => {
    const page = state.page;
    await page.getByRole('link', { name: 'Mailboxes' }).click();
    await page.waitForURL((u) => u.pathname === '/mailboxes');
    await check(page, 'mailboxes (empty)');
    await page.getByRole('button', { name: 'Add mailbox' }).first().click();
    await page.getByLabel('Email address').fill('sales@sender.test');
    await page.getByLabel('From name').fill('Sam Sender');
    await page.getByLabel('Daily limit').fill('5000');
    const smtp = page.locator('fieldset', { hasText: 'Outgoing mail (SMTP)' });
    await smtp.getByLabel('Host').fill('127.0.0.1');
    await smtp.getByLabel('Port').fill(String(SMTP_PORT));
    await smtp.getByLabel('Security').selectOption('none');
    await smtp.getByLabel('Username').fill(SMTP_USER);
    await smtp.getByLabel('Password').fill(SMTP_PASSWORD);
    await check(page, 'mailbox form');
    await page.getByRole('button', { name: 'Add mailbox' }).click();
    await page.getByRole('button', { name: 'Verify sales@sender.test' }).click();
    await waitText(page, '.banner', 'Verified.', 30000);
    const banner = await page.locator('.banner-ok').textContent();
    assert(/SMTP:\s*OK/.test(banner), 'SMTP verified: ' + banner);
    await check(page, 'mailboxes');
    return banner.replace(/\s+/g, ' ').trim();
  });

  // ------------------------------------------------- start and deliver
  await section('deliver', ['import', 'mailbox'], async () => {
    const page = state.page;
    await page.getByRole('link', { name: 'Campaigns' }).click();
    await page.getByRole('link', { name: XSS_NAME }).click();
    await page.waitForURL((u) => u.pathname === `/campaigns/${state.campaignId}`);
    // The name is text, in the heading and the title.
    assert((await page.locator('h1').textContent()) === XSS_NAME, 'heading shows the name as text');
    await page.evaluate(() => (window.__sameDocument = true));
    await page.getByRole('button', { name: 'Start campaign' }).click();
    const anyway = page.getByRole('button', { name: 'Start anyway' });
    await Promise.race([anyway.waitFor({ timeout: 10000 }).then(() => anyway.click()), page.getByRole('button', { name: 'Pause campaign' }).waitFor({ timeout: 10000 })]).catch(() => {});
    await page.getByRole('button', { name: 'Pause campaign' }).waitFor({ timeout: 15000 });
    await waitText(page, '.page-subtitle .badge', 'Running');
    const t0 = Date.now();
    await page.waitForFunction(() => document.querySelector('[data-stat=delivered]')?.textContent === '999', null, { timeout: DELIVER_TIMEOUT, polling: 500 });
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    assert((await page.evaluate(() => window.__sameDocument)) === true, 'no reload happened');
    assert((await page.locator('[data-stat=enrolled]').textContent()) === '999', 'enrolled card');
    await check(page, 'campaign running');
    return `delivered 999 on screen ${secs}s after start`;
  });

  // ------------------------------------------------ chart and per-step table
  if (process.env.DASHBOARD_ANALYTICS === '0') {
    results.analytics = { status: 'skip', detail: 'the server has no analytics endpoint' };
    console.log('SECTION analytics SKIP 0 the server has no analytics endpoint');
  } else await section('analytics', ['deliver'], async () => {
    const page = state.page;
    // The chart and the per-step table come from the analytics endpoint.
    await page.waitForSelector('.chart-box canvas', { timeout: 20000 });
    await page.getByRole('button', { name: 'By hour (48 h)' }).click();
    await page.waitForURL((u) => u.searchParams.get('interval') === 'hour');
    await page.waitForSelector('.chart-box canvas');
    await page.waitForFunction(() => {
      const row = [...document.querySelectorAll('section[aria-labelledby=steps-title] tbody tr')].find((r) => r.textContent.startsWith('Step 1'));
      return row && row.children[2].textContent === '999';
    }, null, { timeout: 30000 });
    await check(page, 'campaign chart');
    return 'chart drawn by day and by hour; step 1 shows 999 delivered';
  });

  // ------------------------------------------------- overview (home page)
  await section('overview', ['deliver'], async () => {
    const page = state.page;
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.waitForURL((u) => u.pathname === '/overview');
    // The totals and the mailbox's row come from GET /v1/analytics/overview.
    await page.waitForFunction(() => Number((document.querySelector('[data-stat=sent]')?.textContent || '').replace(/\D/g, '')) >= 999, null, { timeout: 30000 });
    const row = page.locator('table tbody tr', { hasText: 'sales@sender.test' });
    await row.waitFor();
    const text = (await row.textContent()).replace(/\s+/g, ' ');
    assert(/999 of 5,000/.test(text), 'sent today of the daily limit: ' + text);
    await page.getByRole('button', { name: 'Last 24 hours' }).click();
    await page.waitForURL((u) => u.searchParams.get('days') === '1');
    await check(page, 'overview');
    // Back where the next sections expect to be.
    await page.goto(`${BASE}/campaigns/${state.campaignId}`);
    return 'totals and mailbox health: ' + text.trim();
  });

  // --------------------------------------------------- XSS: leads, thread, preview
  await section('xss', ['deliver'], async () => {
    const page = state.page;
    const cell = page.locator('table tbody tr', { hasText: 'xss@leads.test' });
    await cell.waitFor();
    const text = await cell.textContent();
    assert(text.includes(IMG) && text.includes(SCRIPT), 'payloads shown as text in the leads table: ' + text);
    assert((await page.locator('table img').count()) === 0, 'no <img> made from lead data');
    await page.getByRole('button', { name: 'Show the thread with xss@leads.test' }).click();
    await page.waitForURL((u) => u.searchParams.get('lead')?.startsWith('lead_'));
    await waitText(page, '.thread-subject', 'Quick question, ' + IMG, 20000);
    const panel = await page.locator('.lead-panel').textContent();
    assert(panel.includes(SCRIPT) && panel.includes('industry') && panel.includes(IMG), 'lead fields and custom field as text: ' + panel);
    await page.reload();
    await waitText(page, '.thread-subject', 'Quick question, ' + IMG, 20000);
    await check(page, 'campaign thread after reload');
    // The campaign list.
    await page.goto(BASE + '/campaigns');
    await waitText(page, 'table a', XSS_NAME);
    await check(page, 'campaign list');
    // Preview against the lead, as text and in the sandboxed frame.
    await page.goto(`${BASE}/campaigns/${state.campaignId}/edit`);
    await waitText(page, '.save-state', 'All changes saved');
    // Running: the steps are locked, and the page says why.
    await waitText(page, '.banner', 'Pause the campaign to edit its steps');
    assert(await page.locator('li.step-card textarea').first().isDisabled(), 'step bodies disabled while running');
    assert(await page.getByRole('button', { name: '+ Add step' }).isDisabled(), 'Add step disabled while running');
    const select = page.getByLabel('Preview for', { exact: true });
    const value = await select.locator('option', { hasText: 'xss@leads.test' }).getAttribute('value');
    await select.selectOption(value);
    await waitText(page, '[data-testid=preview-subject]', 'Quick question, ' + IMG);
    await waitText(page, '[data-testid=preview-text]', SCRIPT);
    await page.getByRole('button', { name: 'HTML', exact: true }).click();
    const frame = page.locator('iframe.preview-frame');
    await frame.waitFor();
    assert((await frame.getAttribute('sandbox')) === '', 'the frame is sandboxed without scripts');
    await page.waitForTimeout(500);
    await check(page, 'preview with XSS lead');
    return 'payloads rendered as text in table, thread, list and preview; window.__pwned undefined';
  });

  // --------------------------------------------------------------- pause
  await section('pause', ['deliver'], async () => {
    const page = state.page;
    await page.goto(`${BASE}/campaigns/${state.campaignId}`);
    await page.getByRole('button', { name: 'Pause campaign' }).click();
    await page.getByRole('button', { name: 'Resume campaign' }).waitFor();
    const c = (await api(page, 'GET', `/v1/campaigns/${state.campaignId}`, null)).json.data;
    assert(c.status === 'paused', 'paused on the server');
    // The editor is open while someone else starts the campaign: the save is
    // refused (409 invalid_state) and the editor says what to do.
    await page.goto(`${BASE}/campaigns/${state.campaignId}/edit`);
    await waitText(page, '.save-state', 'All changes saved');
    const body = page.locator('li.step-card').nth(1).getByLabel('Body (HTML)');
    assert(!(await body.isDisabled()), 'editable while paused');
    const started = await api(page, 'POST', `/v1/campaigns/${state.campaignId}/start`, {});
    assert(started.status === 200, 'started elsewhere: ' + started.status);
    await body.fill('<p>Changed while running, {{firstName}}.</p>');
    await waitText(page, '.banner', 'Pause the campaign to edit its steps', 15000);
    assert(await body.isDisabled(), 'locked after the 409');
    const paused = await api(page, 'POST', `/v1/campaigns/${state.campaignId}/pause`, {});
    assert(paused.status === 200, 'paused again');
    await check(page, 'editor after 409');
    return 'paused; a step edit on a campaign started elsewhere is refused with a clear message';
  });

  // ------------------------------------------------------------ A/B variants
  await section('variants', ['signin', 'mailbox'], async () => {
    const page = state.page;
    const SUBJECT_A = 'Quick question, {{firstName}}';
    const SUBJECT_B = `Two minutes, {{firstName}}? ${IMG}`;
    const { id, step } = await newCampaignWithOneStep(page, 'Subject line test');
    await step.getByLabel('Subject').fill(SUBJECT_A);
    await step.getByLabel('Body (HTML)').fill('<p>Hi {{firstName|there}}, this is version A.</p>');
    // The step becomes a test of A and B, both from its content; the focus
    // goes to B's subject.
    await step.getByRole('button', { name: 'Test variants of this step' }).click();
    await page.waitForFunction(() => {
      const a = document.activeElement;
      return a?.labels?.[0]?.textContent === 'Subject' && a.closest('fieldset')?.querySelector('legend')?.textContent === 'Variant B';
    });
    const variant = (j) => step.locator('fieldset.variant').nth(j);
    assert((await variant(0).locator('legend').textContent()) === 'Variant A', 'first variant is A');
    assert((await variant(0).getByLabel('Subject').inputValue()) === SUBJECT_A, 'A starts from the step subject');
    assert((await variant(1).getByLabel('Body (HTML)').inputValue()).includes('version A'), 'B starts from the step body');
    await variant(1).getByLabel('Subject').fill(SUBJECT_B);
    await variant(1).getByLabel('Body (HTML)').fill('<p>Hi {{firstName|there}}, this is version B.</p>');
    await variant(1).getByLabel('Weight').fill('30');
    await waitText(page, '.save-state', 'All changes saved');
    // A third variant takes the next letter; removing it leaves A and B.
    await step.getByRole('button', { name: '+ Add variant' }).click();
    await page.waitForFunction(() => document.activeElement?.closest('fieldset')?.querySelector('legend')?.textContent === 'Variant C');
    await step.getByRole('button', { name: 'Remove variant C', exact: true }).click();
    assert((await step.locator('fieldset.variant').count()) === 2, 'back to two variants');
    // A duplicate label is refused by the server, at B's label.
    await variant(1).getByLabel('Label').fill('A');
    await page.waitForFunction(() => document.querySelectorAll('fieldset.variant')[1]?.querySelector('.field-error'), null, { timeout: 10000 });
    assert((await variant(1).getByLabel('Label').getAttribute('aria-invalid')) === 'true', 'B label marked invalid');
    const labelError = (await variant(1).locator('.field-error').first().textContent()).trim();
    await variant(1).getByLabel('Label').fill('B');
    await waitText(page, '.save-state', 'All changes saved');
    assert((await variant(1).locator('.field-error').count()) === 0, 'error gone once fixed');
    // Both variants' previews, side by side, each under its label.
    await variant(0).getByLabel('Subject').focus();
    await page.waitForFunction(() => document.querySelectorAll('.preview-variant').length === 2);
    await waitText(page, '.preview-variant[data-variant=A] [data-testid=preview-subject]', 'Quick question, Ada');
    await waitText(page, '.preview-variant[data-variant=B] [data-testid=preview-subject]', 'Two minutes, Ada? ' + IMG);
    await waitText(page, '.preview-variant[data-variant=B] [data-testid=preview-text]', 'this is version B');
    const titles = await page.locator('.preview-variant h3').allTextContents();
    assert(titles.join('|') === 'Variant A|Variant B', 'previews labelled: ' + titles.join('|'));
    const [boxA, boxB] = await Promise.all(['A', 'B'].map((l) => page.locator(`.preview-variant[data-variant=${l}]`).boundingBox()));
    assert(Math.abs(boxA.y - boxB.y) < 2 && boxB.x >= boxA.x + boxA.width, `side by side: ${JSON.stringify([boxA, boxB])}`);
    assert((await page.locator('.preview-pane img').count()) === 0, 'the hostile subject is text');
    // A/B test settings, saved with the campaign.
    await page.getByLabel('Pick the winner automatically').check();
    await page.getByLabel('Minimum delivered per variant').fill('50');
    await page.getByLabel('Confidence', { exact: true }).selectOption({ label: '99 %' });
    await waitText(page, '.save-state', 'All changes saved');
    await check(page, 'editor with variants');
    let c = (await api(page, 'GET', `/v1/campaigns/${id}`, null)).json.data;
    const vs = c.sequenceSteps[0].variants || [];
    assert(
      vs.map((v) => `${v.label}:${v.subject}:${v.weight}`).join('|') === `A:${SUBJECT_A}:50|B:${SUBJECT_B}:30`,
      'variants saved: ' + JSON.stringify(vs),
    );
    assert(c.abTest.autoSelectWinner === true && c.abTest.minSendsPerVariant === 50 && c.abTest.confidence === 0.99, 'abTest saved: ' + JSON.stringify(c.abTest));
    const idB = vs[1].id;
    // A few leads, sent to the SMTP peer; the per-variant table fills.
    const leads = Array.from({ length: 6 }, (_, i) => ({ email: `ab${i}@variants.test`, firstName: `Ab${i}` }));
    const added = await api(page, 'POST', `/v1/campaigns/${id}/leads/bulk`, { leads });
    assert(added.status === 200 || added.status === 201, 'leads added: ' + JSON.stringify(added));
    await page.getByRole('link', { name: 'Done' }).click();
    await page.waitForURL((u) => u.pathname === `/campaigns/${id}`);
    await waitText(page, '[data-testid=ab-auto]', 'Automatic winner selection is on');
    await page.getByRole('button', { name: 'Start campaign' }).click();
    const anyway = page.getByRole('button', { name: 'Start anyway' });
    await Promise.race([anyway.waitFor({ timeout: 10000 }).then(() => anyway.click()), page.getByRole('button', { name: 'Pause campaign' }).waitFor({ timeout: 10000 })]).catch(() => {});
    await page.getByRole('button', { name: 'Pause campaign' }).waitFor({ timeout: 15000 });
    const table = page.locator('.ab-step[data-step="1"] table');
    await page.waitForFunction(
      () => {
        const rows = [...document.querySelectorAll('.ab-step[data-step="1"] tbody tr')];
        return rows.length === 2 && rows.reduce((n, r) => n + Number(r.querySelector('td[data-label=Delivered]').textContent.replace(/\D/g, '') || 0), 0) === 6;
      },
      null,
      { timeout: 60000, polling: 500 },
    );
    const rowText = await table.locator('tbody tr').evaluateAll((rs) => rs.map((r) => {
      const [label, weight, sent, delivered] = [...r.cells].map((c) => c.textContent.trim());
      return `${label} (weight ${weight}): ${sent} sent, ${delivered} delivered`;
    }));
    await check(page, 'campaign with variant results');
    // B wins by hand while the campaign runs, with the keyboard: the confirm
    // takes the focus, its button is one Tab away.
    await page.getByRole('button', { name: 'Choose as winner: variant B of step 1' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.textContent === 'Choose variant B as the winner of step 1?');
    await page.keyboard.press('Tab');
    assert((await page.evaluate(() => document.activeElement?.textContent)) === 'Choose variant B', 'Tab reaches the confirm button');
    await page.keyboard.press('Enter');
    await waitText(page, '.ab-step[data-step="1"] tbody tr', 'Winner');
    const winnerRow = await page.locator('.ab-step[data-step="1"] tbody tr', { has: page.getByTestId('winner-badge') }).locator('td').first().textContent();
    assert(winnerRow.trim() === 'B', 'row B marked as the winner: ' + winnerRow);
    assert((await page.getByRole('button', { name: /^Choose as winner/ }).count()) === 0, 'no more choices once there is a winner');
    await waitText(page, '[data-testid=winner-status-1]', 'Winner: variant B');
    c = (await api(page, 'GET', `/v1/campaigns/${id}`, null)).json.data;
    assert(c.status === 'running' && c.sequenceSteps[0].winnerVariantId === idB && c.sequenceSteps[0].winnerSelectedAt, 'winner B on the server: ' + JSON.stringify(c.sequenceSteps[0]));
    // A lead's thread names the variant it got.
    await page.getByRole('button', { name: 'Show the thread with ab0@variants.test' }).click();
    await waitText(page, '.thread-meta', 'Variant ');
    const got = (await page.locator('.thread-item.outbound .thread-meta').first().textContent()).match(/Variant ([AB])/)?.[1];
    assert(got, 'the thread names the variant');
    await check(page, 'campaign with a winner');
    // The editor says so too.
    await page.goto(`${BASE}/campaigns/${id}/edit`);
    await waitText(page, '[data-testid=editor-winner]', 'Winner: variant B');
    await api(page, 'POST', `/v1/campaigns/${id}/pause`, {});
    // At 390 px the previews stack, and nothing scrolls sideways.
    const narrow = await newPage(browser, { base: BASE, width: 390, height: 844 });
    await narrow.context.addCookies(state.cookies);
    state.page = narrow.page;
    try {
      await narrow.page.goto(`${BASE}/campaigns/${id}/edit`);
      await narrow.page.waitForFunction(() => document.querySelectorAll('.preview-variant [data-testid=preview-subject]').length === 2);
      const [a, b] = await Promise.all(['A', 'B'].map((l) => narrow.page.locator(`.preview-variant[data-variant=${l}]`).boundingBox()));
      assert(b.y >= a.y + a.height && Math.abs(a.x - b.x) < 2, `stacked at 390 px: ${JSON.stringify([a, b])}`);
      const overflow = await narrow.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert(overflow <= 0, 'no sideways scrolling in the editor at 390 px: ' + overflow);
      await check(narrow.page, 'editor with variants at 390 px');
      await narrow.page.goto(`${BASE}/campaigns/${id}`);
      await narrow.page.getByTestId('winner-badge').waitFor();
      await check(narrow.page, 'variant results at 390 px');
    } finally {
      await narrow.context.close();
      state.page = page;
    }
    return `variants A,B saved (${labelError}); delivered ${rowText.join(' / ')}; B chosen while running`;
  });

  // ------------------------------------------------- open and click tracking
  await section('tracking', ['signin', 'mailbox'], async () => {
    assert(TRACKED_MAIL_FILE, 'TRACKED_MAIL_FILE is not set');
    const page = state.page;
    const LINK = 'https://acme.test/pricing';
    const { id, step } = await newCampaignWithOneStep(page, 'Tracked follow-up');
    await step.getByLabel('Subject').fill('Pricing for {{company|your team}}');
    await step.getByLabel('Body (HTML)').fill(`<p>Hi {{firstName|there}}, the pricing is <a href="${LINK}">here</a>.</p>`);
    await waitText(page, '.save-state', 'All changes saved');
    // Off by default, with the warning beside the boxes.
    const opens = page.getByLabel('Track opens');
    const clicks = page.getByLabel('Track clicks');
    assert(!(await opens.isChecked()) && !(await clicks.isChecked()), 'tracking off by default');
    await waitText(page, '.tracking-warning', 'privacy proxies');
    await opens.check();
    await clicks.check();
    await waitText(page, '.save-state', 'All changes saved');
    let c = (await api(page, 'GET', `/v1/campaigns/${id}`, null)).json.data;
    assert(c.tracking?.opens === true && c.tracking?.clicks === true, 'tracking saved: ' + JSON.stringify(c.tracking));
    await check(page, 'editor with tracking on');
    const leads = ['tr0@tracking.test', 'tr1@tracking.test'].map((email, i) => ({ email, firstName: `Tr${i}` }));
    const added = await api(page, 'POST', `/v1/campaigns/${id}/leads/bulk`, { leads });
    assert(added.status === 200 || added.status === 201, 'leads added: ' + JSON.stringify(added));
    await page.getByRole('link', { name: 'Done' }).click();
    await page.waitForURL((u) => u.pathname === `/campaigns/${id}`);
    await waitText(page, '[data-testid=tracking-status]', 'Tracking: opens and clicks');
    await page.waitForFunction(() => document.querySelector('[data-stat=opened]')?.textContent === '0');
    await page.getByRole('button', { name: 'Start campaign' }).click();
    const anyway = page.getByRole('button', { name: 'Start anyway' });
    await Promise.race([anyway.waitFor({ timeout: 10000 }).then(() => anyway.click()), page.getByRole('button', { name: 'Pause campaign' }).waitFor({ timeout: 10000 })]).catch(() => {});
    await page.getByRole('button', { name: 'Pause campaign' }).waitFor({ timeout: 15000 });
    await page.waitForFunction(() => document.querySelector('[data-stat=delivered]')?.textContent === '2', null, { timeout: 60000, polling: 500 });
    // Past the server's grace after delivery (5 s by default), when fetches
    // count as a person's; both messages are delivered by now.
    const deliveredAt = Date.now();
    // The received HTML, from the SMTP peer through the file the fixture keeps.
    const mail = {};
    for (let i = 0; i < 100 && Object.keys(mail).length < 2; i++) {
      if (existsSync(TRACKED_MAIL_FILE))
        for (const m of JSON.parse(readFileSync(TRACKED_MAIL_FILE, 'utf8'))) if (m.to[0].endsWith('@tracking.test')) mail[m.to[0].toLowerCase()] = m.html;
      if (Object.keys(mail).length < 2) await page.waitForTimeout(200);
    }
    assert(mail['tr0@tracking.test'] && mail['tr1@tracking.test'], 'both tracked messages received: ' + Object.keys(mail));
    const urls = (html) => ({ pixel: html.match(/<img[^>]*src="([^"]*\/t\/o\/[^"]*)"/)?.[1], link: html.match(/href="([^"]*\/t\/c\/[^"]*)"/)?.[1] });
    const person = urls(mail['tr0@tracking.test']);
    const machine = urls(mail['tr1@tracking.test']);
    assert(person.pixel && person.link && machine.pixel && machine.link, 'pixel and tracked link in the HTML: ' + mail['tr0@tracking.test']);
    await page.waitForTimeout(Math.max(0, deliveredAt + 6500 - Date.now()));
    // A person opens tr0's message and clicks its link.
    const gif = await page.request.get(person.pixel, { headers: { 'User-Agent': BROWSER_UA } });
    assert(gif.status() === 200 && gif.headers()['content-type'] === 'image/gif', 'pixel: ' + gif.status() + ' ' + gif.headers()['content-type']);
    const click = await page.request.get(person.link, { headers: { 'User-Agent': BROWSER_UA }, maxRedirects: 0 });
    assert(click.status() === 302 && click.headers()['location'] === LINK, `click: ${click.status()} → ${click.headers()['location']}`);
    // Machines fetch tr1's: a HEAD of the pixel, a link scanner's click.
    const head = await page.request.fetch(machine.pixel, { method: 'HEAD', headers: { 'User-Agent': BROWSER_UA } });
    assert(head.status() === 200, 'HEAD pixel: ' + head.status());
    const scan = await page.request.get(machine.link, { headers: { 'User-Agent': 'Mozilla/5.0 (compatible; Barracuda)' }, maxRedirects: 0 });
    assert(scan.status() === 302, 'scanner click: ' + scan.status());
    // The page refreshes its numbers by itself.
    await page.waitForFunction(
      () => {
        const v = (k) => document.querySelector(`[data-stat=${k}]`)?.textContent;
        const mc = document.querySelector('[data-testid=machine-counts]')?.textContent || '';
        return v('opened') === '1' && v('clicked') === '1' && mc.includes('1 machine open ') && mc.includes('1 machine click ');
      },
      null,
      { timeout: 30000, polling: 500 },
    );
    const notes = await page.locator('.stat-note').allTextContents();
    assert(notes.join('|') === '50 % of delivered|50 % of delivered', 'rates under the cards: ' + notes.join('|'));
    const m = (await api(page, 'GET', `/v1/campaigns/${id}/stats`, null)).json.data.metrics;
    assert(m.opened === 1 && m.clicked === 1 && m.openRate === 0.5 && m.clickRate === 0.5 && m.machineOpened === 1 && m.machineClicked === 1, 'stats: ' + JSON.stringify(m));
    // The per-step table has the columns, and fills on its next refresh.
    await page.reload();
    await page.waitForFunction(() => {
      const t = document.querySelector('section[aria-labelledby=steps-title] table');
      if (!t) return false;
      const heads = [...t.tHead.rows[0].cells].map((c) => c.textContent);
      const row = [...t.tBodies[0].rows].find((r) => r.textContent.startsWith('Step 1'));
      return row && row.cells[heads.indexOf('Opened')]?.textContent === '1' && row.cells[heads.indexOf('Clicked')]?.textContent === '1';
    }, null, { timeout: 30000 });
    const machineText = (await page.getByTestId('machine-counts').textContent()).trim();
    await check(page, 'campaign with tracking numbers');
    // Tracking stays editable while the campaign runs.
    await page.getByRole('link', { name: 'change in the sequence editor' }).click();
    await page.waitForURL((u) => u.pathname === `/campaigns/${id}/edit`);
    await waitText(page, '.banner', 'Pause the campaign to edit its steps');
    assert(!(await page.getByLabel('Track clicks').isDisabled()), 'tracking editable while running');
    await page.getByLabel('Track clicks').uncheck();
    await waitText(page, '.save-state', 'All changes saved');
    c = (await api(page, 'GET', `/v1/campaigns/${id}`, null)).json.data;
    assert(c.status === 'running' && c.tracking.opens === true && c.tracking.clicks === false, 'clicks off while running: ' + JSON.stringify(c.tracking));
    await api(page, 'POST', `/v1/campaigns/${id}/pause`, {});
    return `opened 1, clicked 1 (→ ${LINK}); ${machineText}; clicks turned off while running`;
  });

  // ------------------------------------------- inbox, leads and a lead's page
  if (process.env.DASHBOARD_INBOX !== '1') {
    results.inbox = { status: 'skip', detail: 'the server has no inbox endpoint, or there is no Dovecot' };
    console.log('SECTION inbox SKIP 0 the server has no inbox endpoint, or there is no Dovecot');
  } else await section('inbox', ['signin', 'mailbox'], async () => {
    const page = state.page;
    const REQUESTS = process.env.INBOX_REQUESTS_FILE;
    const MAIL = process.env.INBOX_MAIL_FILE;
    const ADA = 'ada@inbox.test';
    const ALAN = 'alan@inbox.test';
    const BOB = 'bob@inbox.test';
    const GRACE = 'grace@inbox.test';
    const REPLY = `Thanks Sam, this looks interesting.\n\nCould you send pricing for 40 seats?\n${IMG}\n\nAda`;
    const ANSWER = 'Hi Ada,\n\nSure: 40 seats are <b>€1,200</b> a month.\nTalk soon,\nSam';
    const ok = (r, what) => assert(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.json)}`);
    const mailFile = () => (existsSync(MAIL) ? JSON.parse(readFileSync(MAIL, 'utf8')) : { replies: [], mail: [] });
    const ask = (requests) => {
      writeFileSync(REQUESTS + '.tmp', JSON.stringify(requests));
      renameSync(REQUESTS + '.tmp', REQUESTS);
    };
    const summary = async () => (await api(page, 'GET', '/v1/inbox/summary', null)).json?.data;

    // The sending mailbox reads its replies from the Dovecot user's INBOX.
    const mailboxes = (await api(page, 'GET', '/v1/mailboxes?limit=100', null)).json.data;
    const mbx = mailboxes.find((m) => m.email === 'sales@sender.test');
    assert(mbx, 'the mailbox of the mailbox section');
    const imap = { host: '127.0.0.1', port: Number(process.env.IMAP_PORT), username: process.env.IMAP_USER, password: process.env.IMAP_PASSWORD, security: 'none', pollIntervalSeconds: 1 };
    ok(await api(page, 'PATCH', `/v1/mailboxes/${mbx.id}`, { imap }), 'IMAP added to the mailbox');
    // A one-step campaign to five leads, sent to the SMTP peer.
    const c = await api(page, 'POST', '/v1/campaigns', {
      name: 'Inbox: pricing follow-up',
      sequenceSteps: [{ subject: 'Pricing for {{company|your team}}', bodyHtml: '<p>Hi {{firstName|there}}, shall I send our pricing?</p>' }],
    });
    ok(c, 'campaign');
    const cid = c.json.data.id;
    const leads = [
      { email: ADA, firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Engines', jobTitle: 'Mathematician' },
      { email: ALAN, firstName: 'Alan', lastName: 'Turing', company: 'Bletchley Park' },
      { email: BOB, firstName: 'Bob', lastName: 'Byers', company: 'Byers & Co' },
      { email: GRACE, firstName: 'Grace', lastName: 'Hopper', company: 'Navy Labs' },
      { email: 'quiet@inbox.test', firstName: 'Quinn', lastName: 'Quiet', company: 'Silent Partners' },
    ];
    ok(await api(page, 'POST', `/v1/campaigns/${cid}/leads/bulk`, { leads }), 'leads');
    ok(await api(page, 'POST', `/v1/campaigns/${cid}/start`, {}), 'start');
    await waitFor(async () => (await api(page, 'GET', `/v1/campaigns/${cid}/stats`, null)).json.data.metrics.delivered === 5, () => 'five delivered');
    // Their replies come back through the IMAP inbox: two people and an out-of-office.
    const before = (await summary())?.total ?? 0;
    const requests = [
      { to: ALAN, kind: 'reply', fromName: 'Alan Turing', body: 'Not for us right now, thanks.' },
      { to: GRACE, kind: 'out_of_office', fromName: 'Grace Hopper' },
    ];
    ask(requests);
    await waitFor(async () => ((await summary())?.total ?? 0) >= before + 2, () => 'two replies in the inbox summary');
    // Ada's comes a second later (Date headers count whole seconds), so it is the newest.
    await page.waitForTimeout(1100);
    requests.push({ to: ADA, kind: 'reply', fromName: 'Ada Lovelace', body: REPLY });
    ask(requests);
    const sum = await waitFor(async () => {
      const s = await summary();
      return s && s.total >= before + 3 && s;
    }, (s) => 'three replies in the inbox summary: ' + JSON.stringify(s));
    const adaReply = mailFile().replies.find((r) => r.to === ADA);
    assert(adaReply?.messageId, 'the reply put into Dovecot: ' + JSON.stringify(mailFile().replies));
    const listed = (await api(page, 'GET', `/v1/inbox?campaignId=${cid}`, null)).json.data;
    assert(listed.length === 3 && listed[0].lead.email === ADA, 'API: three replies, newest (Ada) first: ' + JSON.stringify(listed.map((x) => x.lead.email)));

    // The navigation shows the unread count; the Inbox lists the replies, newest first.
    await page.goto(BASE + '/overview');
    const nav = page.getByRole('navigation', { name: 'Main' });
    const inboxLink = nav.getByRole('link', { name: /^Inbox/ });
    await page.waitForFunction((n) => document.querySelector('#site-nav a[href="/inbox"] .nav-count')?.textContent.startsWith(String(n)), sum.unread);
    const navName = (await inboxLink.textContent()).trim();
    assert(navName === `Inbox ${sum.unread} unread`, 'nav link: ' + navName);
    await inboxLink.click();
    await page.waitForURL((u) => u.pathname === '/inbox');
    await waitText(page, '[data-testid=inbox-summary]', `${sum.unread} unread of ${sum.total} replies`);
    const item = (email) => page.locator('.inbox-item', { hasText: email });
    await item(ADA).waitFor();
    const order = await page.locator('.inbox-item').evaluateAll((els) => els.map((e) => e.dataset.id));
    const apiOrder = (await api(page, 'GET', '/v1/inbox?limit=25', null)).json.data.map((x) => x.id);
    assert(order.join() === apiOrder.join(), `newest first, as the API: ${order} vs ${apiOrder}`);
    const adaCard = (await item(ADA).textContent()).replace(/\s+/g, ' ');
    assert(/Ada Lovelace/.test(adaCard) && adaCard.includes('Inbox: pricing follow-up') && adaCard.includes('Re: Pricing for Analytical Engines') && adaCard.includes('Thanks Sam'), 'Ada card: ' + adaCard);
    assert((await item(ADA).getAttribute('class')).includes('unread'), 'Ada marked unread');
    assert((await item(GRACE).textContent()).includes('Out of office'), 'the out-of-office is labelled on arrival: ' + (await item(GRACE).textContent()));
    await check(page, 'inbox');
    // Filters, kept in the URL: a label, "No label", unread only, a campaign.
    await page.getByLabel('Label', { exact: true }).selectOption('out_of_office');
    await page.waitForURL((u) => u.searchParams.get('label') === 'out_of_office');
    await page.waitForFunction(() => document.querySelectorAll('.inbox-item').length === 1 && !document.querySelector('.table-foot [role=status]'));
    assert((await page.locator('.inbox-item').textContent()).includes(GRACE), 'label filter shows Grace');
    await page.getByLabel('Label', { exact: true }).selectOption('none');
    await page.waitForURL((u) => u.searchParams.get('label') === 'none');
    await page.waitForFunction(() => document.querySelectorAll('.inbox-item').length === 2 && !document.querySelector('.table-foot [role=status]'));
    await page.getByLabel('Label', { exact: true }).selectOption('');
    await page.getByLabel('Campaign', { exact: true }).selectOption(cid);
    await page.getByLabel('Unread only').check();
    await page.waitForURL((u) => u.searchParams.get('unread') === 'true' && u.searchParams.get('campaign') === cid);
    await page.reload();
    assert((await page.getByLabel('Unread only').isChecked()) && (await page.getByLabel('Campaign', { exact: true }).inputValue()) === cid, 'filters kept after reload');
    await page.waitForFunction((n) => document.querySelectorAll('.inbox-item').length === n && !document.querySelector('.table-foot [role=status]'), listed.filter((x) => !x.read).length);
    await page.getByLabel('Unread only').uncheck();
    await page.waitForURL((u) => !u.searchParams.has('unread'));

    // Opening Ada's reply: its whole text as text, line breaks kept; it is now read.
    await item(ADA).getByRole('link').click();
    await page.waitForURL((u) => /^\/inbox\/inb_[0-9a-z]{26}$/.test(u.pathname) && u.searchParams.get('campaign') === cid);
    const inboxId = new URL(page.url()).pathname.split('/')[2];
    assert(inboxId === listed[0].id, 'the URL names the reply');
    await waitText(page, '#reply-title', 'Re: Pricing for Analytical Engines');
    const text = page.getByTestId('reply-text');
    await waitText(page, '[data-testid=reply-text]', 'Could you send pricing for 40 seats?');
    const shown = await text.textContent();
    assert(shown.includes('this looks interesting.\n\nCould you send pricing for 40 seats?\n' + IMG + '\n\nAda'), 'the whole text with its line breaks and the tag as text: ' + JSON.stringify(shown.slice(0, 300)));
    assert((await text.evaluate((e) => getComputedStyle(e).whiteSpace)) === 'pre-wrap', 'white-space: pre-wrap');
    assert((await page.locator('.inbox-pane img').count()) === 0, 'no <img> made from the reply');
    assert((await page.evaluate(() => document.activeElement?.id)) === 'reply-title', 'the focus moves to the open reply');
    await waitFor(async () => (await api(page, 'GET', `/v1/inbox/${inboxId}`, null)).json.data.read === true, () => 'opening marks it read');
    await page.waitForFunction((n) => document.querySelector('#site-nav a[href="/inbox"] .nav-count')?.textContent.startsWith(String(n)), sum.unread - 1);
    await page.reload();
    await waitText(page, '#reply-title', 'Re: Pricing for Analytical Engines');
    assert((await page.locator('.inbox-item.selected').getAttribute('data-id')) === inboxId, 'reload keeps the reply open and selected');
    await check(page, 'open reply');

    // Labelled "interested" with the keyboard alone: Tab from the heading, Enter.
    await page.locator('#reply-title').focus();
    await tabTo(page, (a) => a.tag === 'BUTTON' && a.text === 'Interested', 'the Interested button');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-pressed') === 'true' && document.activeElement.textContent === 'Interested');
    await waitFor(async () => (await api(page, 'GET', `/v1/inbox/${inboxId}`, null)).json.data.label === 'interested', () => 'label saved');
    await waitText(page, `.inbox-item[data-id="${inboxId}"] .badge`, 'Interested');
    // A reply arriving meanwhile is announced (the summary refreshes after each change).
    requests.push({ to: 'quiet@inbox.test', kind: 'reply', fromName: 'Quinn Quiet', body: 'Sure, send it over.' });
    ask(requests);
    await waitFor(async () => ((await summary())?.total ?? 0) === sum.total + 1, () => 'the fourth reply');
    // Unread and read again.
    await page.getByRole('button', { name: 'Mark as unread' }).click();
    await waitFor(async () => (await api(page, 'GET', `/v1/inbox/${inboxId}`, null)).json.data.read === false, () => 'marked unread');
    await page.getByRole('button', { name: 'Mark as read' }).click();
    await waitFor(async () => (await api(page, 'GET', `/v1/inbox/${inboxId}`, null)).json.data.read === true, () => 'marked read');
    await waitText(page, '.inbox-list .banner', '1 new reply since this list was loaded.');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await item('quiet@inbox.test').waitFor();
    assert((await page.locator('.inbox-list .banner').count()) === 0, 'the notice goes once the list is loaded again');

    // The answer: the first attempt is lost on the way, the page retries it with the same Idempotency-Key.
    const attempts = [];
    await page.route('**/v1/inbox/*/reply', async (route) => {
      attempts.push({ key: route.request().headers()['idempotency-key'], xrw: route.request().headers()['x-requested-with'], body: route.request().postDataJSON() });
      if (attempts.length === 1) await route.abort('failed');
      else await route.continue();
    });
    await page.getByLabel('Your answer').fill(ANSWER);
    await page.getByRole('button', { name: 'Send answer' }).click();
    await waitText(page, '.answer .banner', 'Answer delivered.', 30000);
    await page.unroute('**/v1/inbox/*/reply');
    page.problems = page.problems.filter((p) => !p.includes('net::ERR_FAILED'));
    assert(attempts.length === 2 && attempts[0].key && attempts[0].key === attempts[1].key && attempts[1].xrw === 'leadterra', 'one Idempotency-Key across the retry: ' + JSON.stringify(attempts.map((a) => a.key)));
    const html = attempts[1].body.bodyHtml;
    assert(html === '<p>Hi Ada,</p><p>Sure: 40 seats are &lt;b&gt;€1,200&lt;/b&gt; a month.<br>Talk soon,<br>Sam</p>', 'the text as escaped paragraphs: ' + html);
    assert((await page.getByLabel('Your answer').inputValue()) === '', 'the box is emptied once delivered');
    await waitText(page, '.inbox-pane .thread-item.outbound .thread-meta', 'Answer');
    // The API's thread and the SMTP peer have it, threaded under Ada's reply, from the mailbox.
    const thread = (await api(page, 'GET', `/v1/campaigns/${cid}/leads/${listed[0].leadId}/messages`, null)).json.data;
    const answers = thread.filter((m) => m.kind === 'answer');
    assert(answers.length === 1 && answers[0].direction === 'outbound' && /^ans_/.test(answers[0].id), 'one answer in the thread: ' + JSON.stringify(thread.map((m) => [m.direction, m.kind, m.id])));
    const got = await waitFor(() => {
      const m = mailFile().mail.filter((x) => x.to.includes(ADA) && x.inReplyTo === adaReply.messageId);
      return Promise.resolve(m.length ? m : null);
    }, () => 'the answer at the SMTP peer: ' + JSON.stringify(mailFile().mail.map((x) => [x.to, x.subject, x.inReplyTo])), 30000);
    assert(got.length === 1, 'sent once: ' + got.length);
    const a = got[0];
    assert(a.from.includes('sales@sender.test') && a.envelopeFrom.toLowerCase() === 'sales@sender.test', 'from the mailbox: ' + a.from + ' / ' + a.envelopeFrom);
    assert(a.subject === 'Re: Pricing for Analytical Engines', 'subject: ' + a.subject);
    assert((a.references || '').includes(adaReply.messageId), 'References: ' + a.references);
    assert(a.html.includes('&lt;b&gt;€1,200&lt;/b&gt;') || a.html.includes('&lt;b&gt;&euro;1,200&lt;/b&gt;'), 'the tag arrives as text: ' + a.html.slice(0, 400));
    await check(page, 'reply answered');

    // Leads: search by the start of a name, open the lead.
    await nav.getByRole('link', { name: 'Leads', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/leads');
    await check(page, 'leads');
    await page.getByLabel('Search leads').fill('Lovel');
    await page.waitForURL((u) => u.searchParams.get('q') === 'Lovel');
    await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length === 1 && !document.querySelector('.table-foot [role=status]'));
    const row = (await page.locator('table tbody tr').textContent()).replace(/\s+/g, ' ');
    assert(row.includes(ADA) && row.includes('Ada Lovelace') && row.includes('Analytical Engines') && row.includes('Mathematician'), 'search result: ' + row);
    await page.getByLabel('Search leads').fill('ada@');
    await page.waitForURL((u) => u.searchParams.get('q') === 'ada@');
    await page.getByRole('link', { name: ADA }).click();
    await page.waitForURL((u) => /^\/leads\/lead_[0-9a-z]{26}$/.test(u.pathname));
    const leadId = new URL(page.url()).pathname.split('/')[2];
    assert(leadId === listed[0].leadId, 'the lead of the reply');
    await waitText(page, 'h1', 'Ada Lovelace');
    await waitText(page, 'section[aria-labelledby=enrollments-title] tbody', 'Inbox: pricing follow-up');
    assert((await page.locator('section[aria-labelledby=enrollments-title] tbody').textContent()).includes('replied'), 'enrollment status replied');
    await waitText(page, '.lead-thread .thread-item.outbound .thread-meta', 'Answer');
    await waitText(page, '.lead-thread .thread-item.inbound', 'Thanks Sam');
    // Edit: a new job title, the company cleared, a time zone.
    await page.getByLabel('Job title').fill('Countess of Lovelace');
    await page.getByLabel('Company').fill('');
    await page.getByLabel('Time zone').selectOption('Europe/London');
    await page.getByRole('button', { name: 'Save lead' }).click();
    await waitText(page, '.toast', 'Lead saved');
    const saved = (await api(page, 'GET', `/v1/leads/${leadId}`, null)).json.data;
    assert(saved.jobTitle === 'Countess of Lovelace' && !saved.company && saved.timezone === 'Europe/London' && saved.firstName === 'Ada', 'lead saved: ' + JSON.stringify(saved));
    await check(page, 'lead page');

    // Bob is removed from every campaign; Alan is erased.
    const openLead = async (q, email) => {
      await page.goto(`${BASE}/leads?q=${encodeURIComponent(q)}`);
      await page.getByRole('link', { name: email }).click();
      await page.waitForURL((u) => u.pathname.startsWith('/leads/lead_'));
      await page.getByTestId('lead-email').waitFor();
      return new URL(page.url()).pathname.split('/')[2];
    };
    const bobId = await openLead('bob', BOB);
    await page.getByRole('button', { name: 'Remove from all campaigns' }).click();
    await page.waitForFunction(() => document.activeElement?.textContent?.startsWith('Remove bob@inbox.test from every campaign?'));
    await page.keyboard.press('Tab');
    assert((await focused(page)).text === 'Remove from all campaigns', 'Tab reaches the confirm button');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/leads');
    const bobNow = (await api(page, 'GET', '/v1/leads?q=bob', null)).json.data;
    assert(!bobNow.some((l) => l.id === bobId), 'Bob no longer listed: ' + JSON.stringify(bobNow));
    const alanId = await openLead('alan', ALAN);
    await page.getByRole('button', { name: 'Erase', exact: true }).click();
    const confirmText = await page.locator('.danger-zone [role=alert]').textContent();
    assert(confirmText.includes('cannot be undone') && confirmText.includes('SHA-256'), 'erasure explained: ' + confirmText);
    await check(page, 'erase confirmation');
    await page.getByRole('button', { name: 'Erase lead' }).click();
    await page.waitForURL((u) => u.pathname === '/leads');
    await waitText(page, '.toast', 'Lead erased');
    const gone = await api(page, 'GET', `/v1/leads/${alanId}`, null);
    assert(gone.status === 404, 'the erased lead answers 404: ' + gone.status);
    const inboxNow = JSON.stringify((await api(page, 'GET', '/v1/inbox?limit=100', null)).json);
    assert(!inboxNow.includes(ALAN) && !inboxNow.includes('Not for us right now'), 'the erased lead is nowhere in the inbox: ' + inboxNow.slice(0, 300));
    const hash = 'sha256:' + createHash('sha256').update(ALAN).digest('hex');
    const sup = (await api(page, 'GET', '/v1/suppressions?limit=200', null)).json.data;
    assert(sup.some((x) => x.value === hash && x.type === 'email_hash' && x.reason === 'erased'), 'suppressed by hash: ' + JSON.stringify(sup.filter((x) => x.type === 'email_hash')));

    // 390 px: the list, then the open reply alone with a way back; the lead page.
    const narrow = await newPage(browser, { base: BASE, width: 390, height: 844 });
    await narrow.context.addCookies(state.cookies);
    state.page = narrow.page;
    try {
      const np = narrow.page;
      const noSideways = async (what) => {
        const overflow = await np.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert(overflow <= 0, `no sideways scrolling on ${what} at 390 px: ${overflow}`);
      };
      await np.goto(BASE + '/inbox');
      await np.locator('.inbox-item', { hasText: ADA }).waitFor();
      assert(!(await np.locator('.inbox-pane').isVisible()), 'no reading pane beside the list');
      await noSideways('the inbox');
      await check(np, 'inbox at 390 px');
      await np.locator('.inbox-item', { hasText: ADA }).getByRole('link').click();
      await waitText(np, '#reply-title', 'Re: Pricing for Analytical Engines');
      assert(!(await np.locator('.inbox-list').isVisible()) && (await np.getByRole('link', { name: '← All replies' }).isVisible()), 'the reply alone, with a way back');
      await noSideways('an open reply');
      await check(np, 'open reply at 390 px');
      await np.getByRole('link', { name: '← All replies' }).click();
      await np.locator('.inbox-item', { hasText: ADA }).waitFor();
      await np.goto(`${BASE}/leads/${leadId}`);
      await waitText(np, '.lead-thread .thread-item.outbound .thread-meta', 'Answer');
      await noSideways('the lead page');
      await check(np, 'lead page at 390 px');
    } finally {
      await narrow.context.close();
      state.page = page;
    }
    return `3 replies listed (nav: ${navName}), a 4th announced; labelled interested by keyboard; answer ${answers[0].id} delivered once (In-Reply-To ${adaReply.messageId}, from ${a.from}); lead searched, edited, one removed, one erased (${hash.slice(0, 20)}…)`;
  });

  // ---------------------------------------------------- filters survive reload
  await section('urls', ['signin'], async () => {
    const page = state.page;
    await page.goto(BASE + '/campaigns');
    await page.getByLabel('Status').selectOption('paused');
    await page.waitForURL((u) => u.searchParams.get('status') === 'paused');
    await page.reload();
    assert((await page.getByLabel('Status').inputValue()) === 'paused', 'filter kept after reload');
    await page.goto(`${BASE}/campaigns/${state.campaignId || 'camp_00000000000000000000000000'}?leadStatus=delivered`);
    await page.goBack();
    await page.waitForURL((u) => u.pathname === '/campaigns' && u.searchParams.get('status') === 'paused');
    assert((await page.getByLabel('Status').inputValue()) === 'paused', 'filter kept after Back');
    return 'status filter kept through reload and Back';
  });

  // ------------------------------------------------ every settings page + axe
  await section('settings', ['signin'], async () => {
    const page = state.page;
    const visited = [];
    for (const [link, path, heading] of [
      ['Delivery', '/settings/delivery', 'Delivery settings'],
      ['Webhooks', '/settings/webhooks', 'Webhooks'],
      ['Suppressions', '/settings/suppressions', 'Suppressions'],
      ['DKIM keys', '/settings/dkim', 'DKIM keys'],
      ['API keys', '/settings/api-keys', 'API keys'],
    ]) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
      await page.waitForURL((u) => u.pathname === path);
      await waitText(page, 'h1', heading);
      await page.waitForLoadState('networkidle');
      await check(page, heading);
      visited.push(path);
    }
    // Delivery: save a window and a time zone.
    await page.goto(BASE + '/settings/delivery');
    await page.getByLabel('Time zone').selectOption('Europe/Berlin');
    await page.getByLabel('Send only on some days and hours').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await waitText(page, '.toast', 'Delivery settings saved');
    const d = (await api(page, 'GET', '/v1/settings/delivery', null)).json.data;
    assert(d.timezone === 'Europe/Berlin' && d.sendingWindow && d.sendingWindow.days.join() === '1,2,3,4,5', 'delivery saved: ' + JSON.stringify(d));
    await api(page, 'PATCH', '/v1/settings/delivery', { sendingWindow: null, timezone: 'UTC' });
    // Webhooks: the secret is shown once.
    await page.goto(BASE + '/settings/webhooks');
    await page.getByRole('button', { name: 'Add endpoint' }).first().click();
    await page.getByLabel('Endpoint URL').fill('http://127.0.0.1:9/hook');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = await page.getByTestId('webhook-secret').textContent();
    assert(/^whsec_[0-9A-Za-z]{32}$/.test(secret), 'secret shown: ' + secret);
    await page.getByRole('button', { name: 'Send test to http://127.0.0.1:9/hook' }).click();
    await waitText(page, '#deliveries-title', 'Delivery log');
    await check(page, 'webhooks with secret and log');
    await page.reload();
    assert((await page.getByTestId('webhook-secret').count()) === 0, 'secret not shown again');
    // Suppressions: add, search, remove.
    await page.goto(BASE + '/settings/suppressions');
    await page.getByLabel('Addresses or domains').fill('blocked@nowhere.test\ncompetitor.test');
    await page.getByRole('button', { name: 'Add to suppressions' }).click();
    await waitText(page, 'table', 'competitor.test');
    await page.getByLabel('Search').fill('blocked');
    await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length === 1);
    await page.getByRole('button', { name: 'Remove blocked@nowhere.test from the suppression list' }).click();
    await waitText(page, '.toast', 'removed');
    await check(page, 'suppressions');
    // DKIM: create, record with copy buttons, deactivate.
    await page.goto(BASE + '/settings/dkim');
    await page.getByRole('button', { name: 'Add key' }).first().click();
    await page.getByLabel('Sending domain').fill('sender.test');
    await page.getByRole('button', { name: 'Create key' }).click();
    await waitText(page, '.card code', 'leadterra._domainkey');
    await page.getByRole('button', { name: 'Deactivate' }).click();
    await page.getByRole('button', { name: 'Activate' }).waitFor();
    await check(page, 'dkim');
    // API keys: create (shown once) and revoke it.
    await page.goto(BASE + '/settings/api-keys');
    await page.getByLabel('New key name').fill('CI robot');
    await page.getByRole('button', { name: 'Create key' }).click();
    const k = await page.getByTestId('api-key-secret').textContent();
    assert(/^sk_live_[0-9A-Za-z]{32,}$/.test(k), 'new key shown');
    await page.getByRole('button', { name: 'Revoke CI robot' }).click();
    await page.getByRole('button', { name: 'Revoke now' }).click();
    await waitText(page, '.badge', 'revoked');
    const r = await fetch(BASE + '/v1/campaigns', { headers: { Authorization: 'Bearer ' + k } });
    assert(r.status === 401, 'revoked key refused: ' + r.status);
    await check(page, 'api keys');
    return visited.join(' ');
  });

  // ------------------------------------------- a big import, cancelled midway
  await section('import-cancel', ['signin'], async () => {
    const page = state.page;
    const c = await api(page, 'POST', '/v1/campaigns', { name: 'Big import' });
    assert(c.status === 201, 'campaign for the big import: ' + c.status);
    const rows = ['email,first_name,company'];
    for (let i = 0; i < 40000; i++) rows.push(`big${i}@bulk.test,Big${i},Bulk ${i % 50}`);
    await page.goto(`${BASE}/campaigns/${c.json.data.id}/import`);
    await page.getByLabel('CSV file').setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await waitText(page, '#map-title ~ p', '40,000 rows', 30000);
    assert((await page.getByLabel('Import column first_name as').inputValue()) === 'firstName', 'first_name guessed');
    await page.getByRole('button', { name: 'Import 40,000 leads' }).click();
    // The page stays responsive while the worker parses: the Cancel button works.
    await page.waitForFunction(() => Number(document.querySelector('#import-progress')?.value) > 0, null, { timeout: 30000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await waitText(page, '#progress-title', 'Import cancelled', 30000);
    const [value, max] = await page.locator('#import-progress').evaluate((p) => [p.value, p.max]);
    assert(max === 40000 && value > 0 && value < 40000 && value % 2000 === 0, `stopped after whole batches: ${value} of ${max}`);
    const stats = (await api(page, 'GET', `/v1/campaigns/${c.json.data.id}/stats`, null)).json.data;
    assert(stats.enrolledLeads === value, `the server holds what was sent: ${stats.enrolledLeads} vs ${value}`);
    await api(page, 'DELETE', `/v1/campaigns/${c.json.data.id}`, null);
    return `cancelled after ${value} of ${max} rows`;
  });

  // ------------------------------------------------------- narrow screen
  await section('mobile', ['signin'], async () => {
    const { context, page } = await newPage(browser, { base: BASE, width: 390, height: 844 });
    await context.addCookies(state.cookies);
    const prev = state.page;
    state.page = page;
    await page.goto(BASE + '/campaigns');
    await page.waitForSelector('h1');
    const nav = page.locator('#site-nav');
    assert(!(await nav.isVisible()), 'nav collapsed at 390 px');
    await page.getByRole('button', { name: 'Menu' }).click();
    assert(await nav.isVisible(), 'nav opens');
    await check(page, 'campaigns at 390 px, menu open');
    await nav.getByRole('link', { name: 'Mailboxes' }).click();
    await page.waitForURL((u) => u.pathname === '/mailboxes');
    assert(!(await nav.isVisible()), 'nav closes after navigating');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 0, 'no horizontal scrolling at 390 px: ' + overflow);
    await check(page, 'mailboxes at 390 px');
    if (state.campaignId) {
      await page.goto(`${BASE}/campaigns/${state.campaignId}`);
      await page.waitForSelector('[data-stat=delivered]');
      await check(page, 'campaign at 390 px');
    }
    await context.close();
    state.page = prev;
    return 'menu toggles, no sideways scroll';
  });

  // --------------------------------------------------------------- keyboard
  await section('keyboard', ['mailbox'], async () => {
    const { context, page } = await newPage(browser, { base: BASE });
    const prev = state.page;
    state.page = page;
    const kb = page.keyboard;
    // The focused element and its focus ring, read together (a re-render
    // between two reads would report the ring of another element).
    const active = () => page.evaluate(() => {
      const a = document.activeElement;
      return { tag: a?.tagName, text: (a?.getAttribute('aria-label') || a?.textContent || '').trim(), label: a?.labels?.[0]?.textContent?.trim() || '', ring: a ? getComputedStyle(a).outlineStyle : 'none' };
    });
    async function tabTo(pred, what, max = 80) {
      for (let i = 0; i < max; i++) {
        await kb.press('Tab');
        const a = await active();
        if (pred(a)) {
          assert(a.ring !== 'none', `focus ring visible on ${what}`);
          return a;
        }
      }
      throw new Error('could not Tab to ' + what);
    }
    await page.goto(BASE + '/signin');
    await page.waitForSelector('input[name=apiKey]');
    assert((await active()).label === 'API key', 'the key field has focus');
    await kb.type(KEY);
    await kb.press('Enter');
    // Home is the overview; the navigation is reached by Tab too.
    await page.waitForURL((u) => u.pathname === '/overview');
    await page.waitForSelector('h1');
    await tabTo((a) => a.tag === 'A' && a.text === 'Campaigns', 'the Campaigns link');
    await kb.press('Enter');
    await page.waitForURL((u) => u.pathname === '/campaigns');
    // Let the list load before tabbing through it.
    await waitText(page, 'h1', 'Campaigns');
    await page.waitForFunction(() => !document.querySelector('.table-foot [role=status]'));
    await tabTo((a) => a.tag === 'BUTTON' && a.text === 'New campaign', 'New campaign');
    await kb.press('Enter');
    await page.waitForFunction(() => document.activeElement?.name === 'name');
    await kb.type('Keyboard campaign');
    await kb.press('Enter');
    await page.waitForURL((u) => u.pathname.endsWith('/edit'));
    await page.waitForSelector('#add-step');
    await tabTo((a) => a.text === '+ Add step', 'Add step');
    await kb.press('Enter');
    await page.waitForFunction(() => document.activeElement?.labels?.[0]?.textContent === 'Subject');
    await kb.type('Hello {{firstName|there}}');
    await kb.press('Tab');
    assert((await active()).label === 'Body (HTML)', 'Tab goes from subject to body');
    await kb.type('<p>Hi {{firstName|there}}, a short note.</p>');
    await waitText(page, '.save-state', 'All changes saved');
    await tabTo((a) => a.tag === 'A' && a.text === 'Done', 'Done', 120).catch(async () => {
      // Tab order wraps: go round again from the top.
      await tabTo((a) => a.tag === 'A' && a.text === 'Done', 'Done', 120);
    });
    await kb.press('Enter');
    await page.waitForURL((u) => /^\/campaigns\/camp_[0-9a-z]{26}$/.test(u.pathname));
    await page.waitForSelector('h1');
    await tabTo((a) => a.tag === 'BUTTON' && a.text === 'Start campaign', 'Start campaign');
    await kb.press('Enter');
    const started = await Promise.race([
      page.getByRole('button', { name: 'Pause campaign' }).waitFor({ timeout: 15000 }).then(() => 'direct'),
      page.getByRole('button', { name: 'Start anyway' }).waitFor({ timeout: 15000 }).then(() => 'confirm'),
    ]);
    if (started === 'confirm') {
      await tabTo((a) => a.text === 'Start anyway', 'Start anyway');
      await kb.press('Enter');
      await page.getByRole('button', { name: 'Pause campaign' }).waitFor({ timeout: 15000 });
    }
    const id = new URL(page.url()).pathname.split('/')[2];
    const c = (await api(page, 'GET', `/v1/campaigns/${id}`, null)).json.data;
    assert(c.status === 'running', 'running: ' + c.status);
    await tabTo((a) => a.text === 'Pause campaign', 'Pause campaign');
    await kb.press('Enter');
    await page.getByRole('button', { name: 'Resume campaign' }).waitFor();
    await check(page, 'keyboard flow');
    await context.close();
    state.page = prev;
    return `signed in, created and started ${id} with the keyboard (${started})`;
  });

  // ---------------------------------------------------------- accessibility
  await section('axe', ['signin'], async () => {
    assert(axeFindings.length === 0, 'serious/critical axe violations:\n' + axeFindings.join('\n\n'));
    return 'no serious or critical violations on any checked page';
  });

  // ---------------------------------------------------------------- sign out
  await section('signout', ['signin'], async () => {
    const page = state.page;
    const cookieHeader = state.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const before = await fetch(BASE + '/v1/session', { headers: { Cookie: cookieHeader } });
    assert(before.status === 200, 'the cookie works before sign-out: ' + before.status);
    await page.goto(BASE + '/campaigns');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/signin');
    const after = await fetch(BASE + '/v1/session', { headers: { Cookie: cookieHeader } });
    assert(after.status === 401, 'the old cookie is refused after sign-out: ' + after.status);
    const list = await fetch(BASE + '/v1/campaigns', { headers: { Cookie: cookieHeader, 'X-Requested-With': 'leadterra' } });
    assert(list.status === 401, 'and on the API: ' + list.status);
    await page.goto(BASE + '/campaigns');
    await page.waitForURL((u) => u.pathname === '/signin');
    return 'old cookie → 401';
  });
} finally {
  await browser.close();
}

const failed = Object.values(results).filter((r) => r.status === 'fail' || (r.status === 'skip' && r.detail.startsWith('needs'))).length;
const passed = Object.values(results).filter((r) => r.status === 'ok').length;
console.log('RESULT ' + JSON.stringify(results));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

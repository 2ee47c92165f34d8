// Screenshots of every dashboard page (scripts/screenshots.sh runs it on a
// server filled by seed.mjs).
// usage: node screenshots.mjs URL KEY OUTDIR '{"sent":"camp_…","second":"camp_…","draft":"camp_…","ab":"camp_…","tracked":"camp_…","inbox":"inb_…","lead":"lead_…"}' [only-name-substring]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, newPage, signIn } from './lib.mjs';

const [base, key, outDir, idsJson, only] = process.argv.slice(2);
// SHOT_WIDTH=390: every page at that width (each page's phone layout).
const forcedWidth = Number(process.env.SHOT_WIDTH || 0);
const ids = JSON.parse(idsJson || '{}');
mkdirSync(outDir, { recursive: true });

const settle = async (page) => {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.waitForFunction(() => !document.querySelector('[role=status].muted, .loading-page'), null, { timeout: 10000 }).catch(() => {});
  await page.waitForTimeout(400);
};

// Scrolls an element to just under the sticky top bar (for viewport-only shots).
const scrollTo = (page, selector) => page.locator(selector).evaluate((e) => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 70));

const shots = [
  { name: 'signin', path: '/signin', signedOut: true },
  { name: 'overview', path: '/overview', wait: '[data-stat=sent]' },
  { name: 'campaigns', path: '/campaigns' },
  { name: 'campaign', path: `/campaigns/${ids.sent}`, wait: '.chart-box canvas' },
  {
    name: 'campaign-thread',
    path: `/campaigns/${ids.sent}`,
    wait: '.lead-email',
    act: async (page) => {
      await page.locator('button.lead-email').first().click();
      await page.waitForSelector('.thread-item');
      await page.locator('.lead-panel').scrollIntoViewIfNeeded();
    },
    fullPage: false,
  },
  { name: 'campaign-running', path: `/campaigns/${ids.second}?interval=hour`, wait: '.chart-box canvas' },
  { name: 'editor', path: `/campaigns/${ids.sent}/edit`, wait: '[data-testid=preview-subject]' },
  { name: 'editor-variants', path: `/campaigns/${ids.ab}/edit`, wait: '.preview-variant [data-testid=preview-subject]' },
  { name: 'campaign-variants', path: `/campaigns/${ids.ab}`, wait: '.ab-step td[data-label=Delivered]', fullPage: false },
  {
    name: 'editor-tracking',
    path: `/campaigns/${ids.tracked}/edit`,
    wait: '[data-testid=preview-subject]',
    act: (page) => scrollTo(page, '.tracking-settings'),
    fullPage: false,
  },
  // downTo: a window as tall as the page down to the section holding that element (here the per-step table).
  { name: 'campaign-tracking', path: `/campaigns/${ids.tracked}?interval=hour`, wait: '.chart-box canvas', downTo: '#steps-title', fullPage: false },
  {
    name: 'import',
    path: `/campaigns/${ids.draft}/import`,
    act: async (page) => {
      const rows = ['Email,First Name,Last Name,Company,Job Title,Industry,Seat count'];
      for (let i = 0; i < 300; i++) rows.push(i === 120 ? 'not-an-email,Broken,Row,Nowhere,CEO,Retail,5' : `person${i}@example-${i % 9}.test,Alex${i},Morgan,Example ${i % 9} GmbH,Head of Sales,SaaS,${10 + i}`);
      await page.getByLabel('CSV file').setInputFiles({ name: 'trade-show-leads.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
      await page.waitForSelector('table.mapping');
    },
  },
  {
    name: 'import-done',
    path: `/campaigns/${ids.draft}/import`,
    act: async (page) => {
      const rows = ['Email,First Name,Company,Industry'];
      for (let i = 0; i < 300; i++) rows.push(i === 120 ? 'not-an-email,Broken,Nowhere,Retail' : `person${i}@example-${i % 9}.test,Alex${i},Example ${i % 9} GmbH,SaaS`);
      await page.getByLabel('CSV file').setInputFiles({ name: 'trade-show-leads.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
      await page.getByRole('button', { name: /^Import .* leads$/ }).click();
      await page.waitForFunction(() => document.querySelector('#progress-title')?.textContent.includes('finished'));
    },
  },
  // The inbox with the answered reply open, its list at 390 px; the leads and the lead who replied.
  { name: 'inbox', path: `/inbox/${ids.inbox}`, wait: '[data-testid=reply-text]', skip: !ids.inbox },
  { name: 'inbox-mobile', path: '/inbox', width: 390, wait: '.inbox-item', fullPage: false, skip: !ids.inbox },
  { name: 'leads', path: '/leads', wait: 'table tbody tr', fullPage: false },
  { name: 'lead', path: `/leads/${ids.lead}`, wait: '.lead-thread .thread-item', skip: !ids.lead },
  { name: 'mailboxes', path: '/mailboxes' },
  { name: 'mailbox-form', path: '/mailboxes?form=new' },
  { name: 'settings-delivery', path: '/settings/delivery' },
  { name: 'settings-webhooks', path: '/settings/webhooks' },
  { name: 'settings-suppressions', path: '/settings/suppressions' },
  { name: 'settings-dkim', path: '/settings/dkim' },
  { name: 'settings-api-keys', path: '/settings/api-keys' },
  { name: 'mobile-overview', path: '/overview', width: 390, wait: '[data-stat=sent]' },
  { name: 'mobile-campaigns', path: '/campaigns', width: 390 },
  {
    name: 'mobile-menu',
    path: '/campaigns',
    width: 390,
    act: async (page) => {
      await page.getByRole('button', { name: 'Menu' }).click();
    },
    fullPage: false,
  },
  { name: 'mobile-campaign', path: `/campaigns/${ids.sent}`, width: 390, wait: '.chart-box canvas' },
  { name: 'mobile-editor', path: `/campaigns/${ids.sent}/edit`, width: 390, wait: '[data-testid=preview-subject]' },
  {
    name: 'mobile-editor-variants',
    path: `/campaigns/${ids.ab}/edit`,
    width: 390,
    wait: '.preview-variant [data-testid=preview-subject]',
    act: (page) => scrollTo(page, '#preview-title'),
    fullPage: false,
  },
  {
    name: 'mobile-campaign-tracking',
    path: `/campaigns/${ids.tracked}`,
    width: 390,
    wait: '[data-testid=tracking-status]',
    act: (page) => scrollTo(page, '.stats >> nth=0'),
    fullPage: false,
  },
  {
    name: 'mobile-campaign-variants',
    path: `/campaigns/${ids.ab}`,
    width: 390,
    wait: '.ab-step td[data-label=Delivered]',
    act: (page) => scrollTo(page, '#ab-title'),
    fullPage: false,
  },
];

const browser = await launch();
const contexts = {};
async function ctxFor(width, signedOut) {
  const k = `${width}:${signedOut ? 'out' : 'in'}`;
  if (!contexts[k]) {
    const { context, page } = await newPage(browser, { base, width, height: width < 500 ? 844 : 860 });
    if (!signedOut) await signIn(page, base, key);
    await page.close();
    contexts[k] = context;
  }
  return contexts[k];
}
try {
  for (const s of shots) {
    if ((only && !s.name.includes(only)) || s.skip) continue;
    if (forcedWidth) s.width = forcedWidth;
    const context = await ctxFor(s.width || 1280, s.signedOut);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + s.path);
    if (s.wait) await page.waitForSelector(s.wait, { timeout: 15000 }).catch(() => errors.push('no ' + s.wait));
    await settle(page);
    if (s.act) await s.act(page);
    await settle(page);
    const file = join(outDir, `${s.name}.png`);
    const clip = process.env.CLIP_HEIGHT ? { x: 0, y: Number(process.env.CLIP_Y || 0), width: s.width || 1280, height: Number(process.env.CLIP_HEIGHT) } : undefined;
    if (s.downTo) {
      const height = await page.locator(s.downTo).evaluate((e) => Math.ceil(e.closest('section').getBoundingClientRect().bottom + window.scrollY + 20));
      await page.setViewportSize({ width: s.width || 1280, height });
      await settle(page);
    }
    await page.screenshot({ path: file, fullPage: s.fullPage !== false, clip });
    console.log(`${file}${errors.length ? '  ERRORS: ' + errors.join('; ') : ''}`);
    await page.close();
  }
} finally {
  await browser.close();
}

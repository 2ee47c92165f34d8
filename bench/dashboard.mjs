// The dashboard measured in Chromium (driven by bench/dashboard.py, which
// loads the data): bytes transferred for a first load, and time until a page
// shows its rows. Prints one JSON object. Asserts nothing.
// Usage: node dashboard.mjs URL API_KEY SMALL_CAMPAIGN LARGE_CAMPAIGN [RUNS]
import { chromium } from 'playwright-core';

const [base, apiKey, small, large, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 7);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const signIn = await context.request.post(base + '/v1/session', { data: { apiKey } });
  if (!signIn.ok()) throw new Error('sign-in failed: ' + signIn.status());

  // First load: an empty cache, every byte on the wire (headers included)
  // until the campaigns list shows its first row.
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  let bytes = 0, requests = 0;
  const assetBytes = {};
  const urls = {};
  cdp.on('Network.requestWillBeSent', (e) => { urls[e.requestId] = e.request.url; });
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    requests += 1;
    const url = urls[e.requestId] || '';
    const kind = url.includes('/v1/') ? 'api' : 'assets';
    assetBytes[kind] = (assetBytes[kind] || 0) + e.encodedDataLength;
  });
  const campaignsRow = 'table:has(caption:text-is("Campaigns")) tbody tr';
  await page.goto(base + '/campaigns');
  await page.waitForSelector(campaignsRow, { state: 'attached' });
  await page.waitForLoadState('networkidle');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  const firstLoad = { bytes, requests, assets: assetBytes.assets || 0, api: assetBytes.api || 0 };

  async function timeUntil(url, selector) {
    const times = [];
    for (let i = 0; i < runs + 1; i++) {
      const t0 = performance.now();
      await page.goto(url);
      await page.waitForSelector(selector, { state: 'attached' }).catch(async (e) => {
        await page.screenshot({ path: '/tmp/dashboard-bench-failure.png', fullPage: true });
        throw e;
      });
      if (i > 0) times.push(performance.now() - t0);  // the first run warms caches
    }
    return median(times);
  }
  const leadRow = 'button[aria-label^="Show the thread with"]';
  const campaignsMs = await timeUntil(base + '/campaigns', campaignsRow);
  const smallMs = await timeUntil(base + '/campaigns/' + small, leadRow);
  const largeMs = await timeUntil(base + '/campaigns/' + large, leadRow);
  console.log(JSON.stringify({
    firstLoadBytes: firstLoad.bytes, firstLoadRequests: firstLoad.requests,
    firstLoadAssetBytes: firstLoad.assets, firstLoadApiBytes: firstLoad.api, campaignsListMs: campaignsMs,
    campaignPageSmallMs: smallMs, campaignPageLargeMs: largeMs,
  }));
} finally {
  await browser.close();
}

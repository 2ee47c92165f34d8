// Fills a workspace with realistic sample data through the API (Bearer key):
// mailboxes on the test SMTP peer, five campaigns (one sent, one running
// slowly, one draft, one A/B test of step 1 sent and paused, one with open
// and click tracking), a few hundred named leads, a webhook, suppressions
// and a DKIM key. Used by scripts/screenshots.sh.
//
// With TRACKED_MAIL_FILE (JSON [{to, html}] of the peer's messages with
// tracking URLs, which screenshots.sh keeps), some tracked messages are
// opened and clicked, by people and by machines. With IMAP_PORT and
// IMAP_PASSWORD the two sending mailboxes read an IMAP inbox (a Dovecot user
// named like the mailbox), and with INBOX_REQUESTS_FILE some leads reply
// (screenshots.sh's peer puts those replies into the inboxes): the inbox
// gets replies, labels and an answer.
//
// usage: node seed.mjs URL KEY SMTP_PORT   → prints {"sent": "camp_…", …} on the last line

const [base, key, smtpPort] = process.argv.slice(2);
if (!base || !key || !smtpPort) {
  console.error('usage: node seed.mjs URL KEY SMTP_PORT');
  process.exit(2);
}
const USER = process.env.SMTP_USER || 'sender@leadterra.test';
const PASSWORD = process.env.SMTP_PASSWORD || 's3cret-pw';

async function call(method, path, body) {
  for (let attempt = 0; ; attempt++) {
    const r = await fetch(base + path, {
      method,
      headers: { Authorization: 'Bearer ' + key, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if ((r.status === 429 || r.status === 503) && attempt < 10) {
      await new Promise((res) => setTimeout(res, 1000));
      continue;
    }
    const text = await r.text();
    const json = text ? JSON.parse(text) : null;
    if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${text}`);
    return json?.data;
  }
}

const FIRST = ['Dana', 'Miguel', 'Priya', 'Tom', 'Aiko', 'Lena', 'Omar', 'Grace', 'Jonas', 'Sofia', 'Kwame', 'Elena', 'Raj', 'Chloe', 'Mateo', 'Hannah', 'Yusuf', 'Ines', 'Liam', 'Mei'];
const LAST = ['Whitfield', 'Alvarez', 'Raman', 'Becker', 'Tanaka', 'Novak', 'Haddad', 'Okafor', 'Lindqvist', 'Rossi', 'Mensah', 'Petrova', 'Iyer', 'Martin', 'Santos', 'Kim', 'Demir', 'Costa', 'Walsh', 'Chen'];
const COMPANIES = ['Northwind Traders', 'Contoso Analytics', 'Fabrikam Cloud', 'Tailspin Logistics', 'Wide World Importers', 'Proseware', 'Litware Health', 'Adventure Works', 'Lucerne Publishing', 'Blue Yonder Air', 'Coho Vineyard', 'Trey Research'];
const TITLES = ['VP Sales', 'Head of Revenue Operations', 'Sales Director', 'Chief Revenue Officer', 'Head of Growth', 'Sales Enablement Lead'];
const INDUSTRIES = ['SaaS', 'Logistics', 'Healthcare', 'Fintech', 'Retail', 'Manufacturing'];

function leads(n, domainTag, offset = 0) {
  return Array.from({ length: n }, (_, j) => {
    const i = j + offset;
    const f = FIRST[i % FIRST.length];
    const l = LAST[(i * 7) % LAST.length];
    const c = COMPANIES[(i * 5) % COMPANIES.length];
    return {
      email: `${f}.${l}.${i}@${c.toLowerCase().replace(/[^a-z]+/g, '')}.${domainTag}`.toLowerCase(),
      firstName: f,
      lastName: l,
      company: c,
      jobTitle: TITLES[i % TITLES.length],
      customFields: { industry: INDUSTRIES[i % INDUSTRIES.length], seats: 20 + ((i * 37) % 480) },
    };
  });
}

const IMAP_PORT = Number(process.env.IMAP_PORT || 0);
const mailbox = (email, fromName, dailyLimit) => ({
  email,
  fromName,
  dailyLimit,
  smtp: { host: '127.0.0.1', port: Number(smtpPort), username: USER, password: PASSWORD, security: 'none' },
  ...(IMAP_PORT ? { imap: { host: '127.0.0.1', port: IMAP_PORT, username: email, password: process.env.IMAP_PASSWORD, security: 'none', pollIntervalSeconds: 2 } } : {}),
});

const m1 = await call('POST', '/v1/mailboxes', mailbox('dana@northwind-outbound.test', 'Dana Whitfield', 2000));
await call('POST', `/v1/mailboxes/${m1.id}/verify`);
const m2 = await call('POST', '/v1/mailboxes', mailbox('sam@northwind-outbound.test', 'Sam Carter', 500));
await call('POST', `/v1/mailboxes/${m2.id}/verify`);
// A mailbox whose server refuses connections, to show a last error.
const m3 = await call('POST', '/v1/mailboxes', { email: 'old@northwind-legacy.test', fromName: 'Legacy sender', dailyLimit: 50, status: 'paused', smtp: { host: '127.0.0.1', port: 1, security: 'none' } });
await fetch(base + `/v1/mailboxes/${m3.id}/verify`, { method: 'POST', headers: { Authorization: 'Bearer ' + key } });

const steps = [
  { subject: 'Quick question, {{firstName}}', bodyHtml: '<p>Hi {{firstName|there}},</p><p>Teams like {{company}} in {{industry|your space}} lose hours every week to manual follow-ups. Worth a 15-minute look?</p><p>— Dana</p>', delayDays: 0 },
  { subject: '', bodyHtml: '<p>Hi {{firstName|there}}, bumping this in case it got buried. Happy to send a 2-minute video instead.</p>', delayDays: 3 },
  { subject: 'Closing the loop', bodyHtml: '<p>{{firstName|Hi}}, I will stop here. If {{company}} ever wants to compare notes on outbound, just reply.</p>', delayDays: 5 },
];

const sent = await call('POST', '/v1/campaigns', { name: 'VP Sales — AI Workflow Q1', sequenceSteps: steps });
await call('POST', `/v1/campaigns/${sent.id}/leads/bulk`, { leads: leads(240, 'test').concat([1, 2, 3, 4].map((i) => ({ email: `reject.${i}@gone-company.test`, firstName: 'Former', company: 'Gone Co' }))) });
await call('POST', `/v1/campaigns/${sent.id}/start`);

const second = await call('POST', '/v1/campaigns', {
  name: 'RevOps leaders — Logistics',
  sequenceSteps: [
    { subject: '{{company}} and route planning', bodyHtml: '<p>Hi {{firstName}},</p><p>Saw {{company}} is growing its fleet…</p>', delayDays: 0 },
    { subject: '', bodyHtml: '<p>Following up, {{firstName}}.</p>', delayDays: 4 },
  ],
});
await call('POST', `/v1/campaigns/${second.id}/leads/bulk`, { leads: leads(60, 'test', 300).concat([{ email: 'no.name@unknown-co.test' }, { email: 'bad address' }]) });

// An A/B test of the first email's subject and opening, 70:30, sent and paused.
const ab = await call('POST', '/v1/campaigns', {
  name: 'Founders — subject line test',
  abTest: { autoSelectWinner: true, minSendsPerVariant: 200, confidence: 0.95 },
  sequenceSteps: [
    {
      variants: [
        { label: 'A', weight: 70, subject: 'Quick question, {{firstName}}', bodyHtml: '<p>Hi {{firstName|there}},</p><p>Teams like {{company}} lose hours every week to manual follow-ups. Worth a 15-minute look?</p><p>— Dana</p>' },
        { label: 'B', weight: 30, subject: '{{company}} and 6 hours a week', bodyHtml: '<p>{{firstName|Hi}}, a guess: someone at {{company}} still copies replies into the CRM by hand.</p><p>We took that to zero for Proseware in a week. Open to a short call on Thursday?</p><p>— Dana</p>' },
      ],
    },
    { subject: '', bodyHtml: '<p>Hi {{firstName|there}}, bumping this in case it got buried.</p>', delayDays: 3 },
  ],
});
await call('POST', `/v1/campaigns/${ab.id}/leads/bulk`, { leads: leads(160, 'test', 600) });
await call('POST', `/v1/campaigns/${ab.id}/start`);

// A warm list with tracking on, 120 delivered; opened and clicked below.
const tracked = await call('POST', '/v1/campaigns', {
  name: 'Customers — reply sync launch',
  tracking: { opens: true, clicks: true },
  sequenceSteps: [
    {
      subject: 'Replies now land in your CRM, {{firstName|there}}',
      bodyHtml: '<p>Hi {{firstName|there}},</p><p>You asked for it: replies now reach {{company}}\'s CRM within a minute. The two-minute tour is <a href="https://northwind.example/tour">here</a>.</p><p>— Dana</p>',
      delayDays: 0,
    },
    { subject: '', bodyHtml: '<p>{{firstName|Hi}}, in case the tour got buried: <a href="https://northwind.example/tour">two minutes</a>.</p>', delayDays: 4 },
  ],
});
await call('POST', `/v1/campaigns/${tracked.id}/leads/bulk`, { leads: leads(120, 'test', 900) });
await call('POST', `/v1/campaigns/${tracked.id}/start`);

const draft = await call('POST', '/v1/campaigns', { name: 'Webinar follow-up (draft)', sequenceSteps: [{ subject: 'Thanks for joining, {{firstName|there}}', bodyHtml: '<p>Here is the recording: …</p>' }] });

await call('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hooks/leadterra', events: ['message.sent', 'message.replied', 'message.bounced'], description: 'CRM sync' });
await call('POST', '/v1/suppressions', { emails: ['legal@contoso.test', 'ceo@fabrikam.test'], domains: ['competitor.test'], reason: 'asked not to be contacted' });
await call('POST', '/v1/dkim-keys', { domain: 'northwind-outbound.test' });
await call('POST', '/v1/api-keys', { name: 'CRM sync' });
await call('PATCH', '/v1/settings/delivery', { timezone: 'Europe/Berlin', sendingWindow: null, minGapSeconds: 0 });

// Wait for the sent campaign's and the A/B test's first step to go out.
for (let i = 0; i < 120; i++) {
  const s = await call('GET', `/v1/campaigns/${sent.id}/stats`);
  const t = await call('GET', `/v1/campaigns/${ab.id}/stats`);
  const u = await call('GET', `/v1/campaigns/${tracked.id}/stats`);
  if (s.metrics.delivered >= 240 && t.metrics.delivered >= 160 && u.metrics.delivered >= 120) break;
  await new Promise((res) => setTimeout(res, 500));
}
await call('POST', `/v1/campaigns/${sent.id}/pause`).catch(() => {});
await call('POST', `/v1/campaigns/${ab.id}/pause`).catch(() => {});
await call('POST', `/v1/campaigns/${second.id}/start`).catch(() => {});

// Opens and clicks of the tracked campaign, past the server's grace after
// delivery (5 s): people in a browser, and machines (Apple's privacy proxy,
// a HEAD, a link scanner), which the stats count apart.
const trackedFile = process.env.TRACKED_MAIL_FILE;
if (trackedFile) {
  const { existsSync, readFileSync } = await import('node:fs');
  await new Promise((res) => setTimeout(res, 6000));
  const mail = existsSync(trackedFile) ? JSON.parse(readFileSync(trackedFile, 'utf8')) : [];
  const BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
  const hit = (url, agent, method = 'GET') => fetch(url, { method, headers: { 'User-Agent': agent }, redirect: 'manual' }).then((r) => r.arrayBuffer());
  let people = 0;
  for (const [i, m] of mail.entries()) {
    const pixel = m.html.match(/<img[^>]*src="([^"]*\/t\/o\/[^"]*)"/)?.[1];
    const link = m.html.match(/href="([^"]*\/t\/c\/[^"]*)"/)?.[1];
    if (!pixel || !link) continue;
    if (i % 3 === 0) await hit(pixel, 'Mozilla/5.0'); // Apple Mail Privacy Protection
    if (i % 7 === 2) await hit(pixel, BROWSER, 'HEAD');
    if (i % 10 === 0) await hit(link, 'Mozilla/5.0 (compatible; Barracuda)');
    if (i % 4 === 1) {
      await hit(pixel, BROWSER);
      people++;
      if (i % 16 === 1) await hit(link, BROWSER);
    }
  }
  for (let i = 0; i < 40; i++) {
    if ((await call('GET', `/v1/campaigns/${tracked.id}/stats`)).metrics.opened >= people) break;
    await new Promise((res) => setTimeout(res, 250));
  }
}
// Replies to the first campaign, read from the mailboxes' IMAP inboxes, a
// second apart (the last is the newest): labelled, some read, one answered.
const inboxIds = {};
const requestsFile = process.env.INBOX_REQUESTS_FILE;
if (requestsFile && IMAP_PORT) {
  const { renameSync, writeFileSync } = await import('node:fs');
  const people = leads(240, 'test');
  const REPLIES = [
    [27, 'out_of_office', '', null, true],
    [45, 'reply', 'Happy to talk. Does Thursday at 15:00 CET work? I have sent you an invite.\n\n{first}', 'meeting_booked', true],
    [61, 'reply', 'Not a priority for us this year, sorry.', 'not_interested', true],
    [88, 'reply', "I'm not the right person for this. Try Priya Raman, she runs RevOps here.\n\nBest,\n{first}", 'wrong_person', true],
    [150, 'out_of_office', '', null, false],
    [104, 'reply', 'Interesting. How is this different from the sequences we already run in HubSpot?\n\n{first}', null, false],
    [190, 'reply', 'Yes, send me the two-minute video.\n\n{first}', null, false],
    [12, 'reply', 'Hi Dana,\n\nGood timing, actually: we are rebuilding our outbound this quarter.\nCould you send pricing for a team of 12 SDRs?\n\nThanks,\n{first}', 'interested', true],
  ];
  const asked = REPLIES.map(([i, kind, body]) => ({ to: people[i].email, kind, fromName: `${people[i].firstName} ${people[i].lastName}`, body: body.replace('{first}', people[i].firstName) }));
  writeFileSync(requestsFile + '.tmp', JSON.stringify(asked));
  renameSync(requestsFile + '.tmp', requestsFile);
  let items = [];
  for (let i = 0; i < 120; i++) {
    items = await call('GET', '/v1/inbox?limit=50');
    if (items.length >= REPLIES.length) break;
    await new Promise((res) => setTimeout(res, 500));
  }
  const byEmail = Object.fromEntries(items.map((x) => [x.lead.email, x]));
  for (const [i, , , label, read] of REPLIES) {
    const item = byEmail[people[i].email];
    if (!item) continue;
    const body = {};
    if (label) body.label = label;
    if (read) body.read = true;
    if (Object.keys(body).length) await call('PATCH', `/v1/inbox/${item.id}`, body);
  }
  // Answer the pricing question; the lead is also queued in the webinar draft.
  const pricing = byEmail[people[12].email];
  if (pricing) {
    await call('POST', `/v1/inbox/${pricing.id}/reply`, {
      bodyHtml: `<p>Hi ${people[12].firstName},</p><p>For 12 seats it is €480 a month, billed yearly, with a 30-day trial.</p><p>Shall I send the order form, or would a 20-minute call on Thursday be easier?</p><p>Dana</p>`,
    });
    await call('POST', `/v1/campaigns/${draft.id}/leads/bulk`, { leads: [people[12]] });
    inboxIds.inbox = pricing.id;
    inboxIds.lead = pricing.leadId;
  }
}
console.log(JSON.stringify({ sent: sent.id, second: second.id, draft: draft.id, ab: ab.id, tracked: tracked.id, ...inboxIds }));

// Drives Debian's Chromium through pushrelay.js's cross-tab sharing (share: true) against a
// running pushrelay (the configuration PushRelayJsIT writes): tabs A and B of one browser follow
// one channel, C joins after three messages; the server must see one subscriber the whole time.
// Then the leader gets a message it does not relay and its tab closes: another tab takes the lead
// from its own cursor, and every tab still open gets every message once, in order. What each tab saw, and
// the subscriber counts the server reported, are written as JSON for PushRelayJsIT, which
// asserts on them; exits non-zero if a step times out.
//
//   node share-test.mjs BASEURL RESULT.json
import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';

const [base, resultFile] = process.argv.slice(2);
if (!resultFile) {
  console.error('usage: node share-test.mjs BASEURL RESULT.json');
  process.exit(2);
}
const STEP = 20_000; // ms any single wait may take before the run fails
const CHANNEL = 'shared';
const result = { counts: [] };
const step = (what) => console.log(new Date().toISOString(), what);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', // PushRelayJsIT passes the one it found
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60_000,
});
const publish = async (text) => {
  const r = await fetch(`${base}/publish?id=${CHANNEL}`, {
    method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: text,
  });
  if (r.status !== 201 && r.status !== 202) throw new Error(`publish: ${r.status}`);
};
const subscribers = async () => {
  const r = await fetch(`${base}/publish?id=${CHANNEL}`, { headers: { Accept: 'text/json' } });
  return r.status === 200 ? JSON.parse(await r.text()).subscribers : -1;
};
const until = async (what, test) => {
  const deadline = Date.now() + STEP;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
// the server's subscriber count once it is n, recorded with what was going on
const expectSubscribers = async (n, when) => {
  await until(`${n} subscriber(s) ${when}`, async () => (await subscribers()) === n);
  result.counts.push([when, await subscribers()]);
};

const context = await browser.newContext(); // one browser profile: its tabs share locks and channels
const tabs = {};
/** A tab following the channel with share on; its subscription records what it saw. */
const open = async (name) => {
  const page = await context.newPage();
  page.on('console', (m) => console.log(`${name}:`, m.text()));
  await page.goto(`${base}/pushrelay.js`); // any page of the origin: the library is injected below
  await page.addScriptTag({ url: `${base}/pushrelay.js` });
  await page.evaluate((url) => {
    const seen = { messages: [], roles: [], transports: [], gaps: [], errors: [] };
    window.sub = PushRelay.subscribe(url, {
      share: true, openTimeout: 10000, minBackoff: 100, maxBackoff: 400,
      onMessage: (text, meta) => seen.messages.push([text, meta.id, meta.relayed === true]),
      onRole: (role) => seen.roles.push(role),
      onTransport: (t) => seen.transports.push(t),
      onGap: (token) => seen.gaps.push(token),
      onError: (e, delay) => seen.errors.push([String(e.message), delay]),
    });
    window.seen = () => Object.assign({ role: window.sub.role, cursor: window.sub.cursor.token,
      running: window.sub.running }, seen);
  }, `/activity?id=${CHANNEL}`);
  tabs[name] = page;
};
const role = (name, r) => tabs[name].waitForFunction((k) => window.sub.role === k, r, { timeout: STEP });
const count = (name, n) => tabs[name].waitForFunction((k) => window.seen().messages.length >= k, n, { timeout: STEP });
const seen = (name) => tabs[name].evaluate(() => window.seen());

try {
  await publish('s1'); // stored before any tab follows: each tab starts with it
  await open('a');
  await role('a', 'leader');
  await open('b');
  await role('b', 'follower');
  await count('a', 1);
  await count('b', 1);
  await expectSubscribers(1, 'a and b');
  step('a leads, b follows');

  await publish('s2');
  await publish('s3');
  for (const t of ['a', 'b']) await count(t, 3);
  await expectSubscribers(1, 'a and b after s3');

  // a tab that joins late gets s1..s3 from the leader's history, on no connection of its own
  await open('c');
  await role('c', 'follower');
  await count('c', 3);
  await expectSubscribers(1, 'a, b and c');
  step('c joined');

  // the leader gets s4 but never relays it (as a tab that hangs or crashes mid-way), then closes:
  // the tab that takes over must fetch s4 itself, from its own cursor
  await tabs.a.evaluate(() => window.sub.share.channel.close());
  await publish('s4');
  await count('a', 4);
  result.a = await seen('a');
  await tabs.a.close();
  await until('b or c leads', async () => (await seen('b')).role === 'leader' || (await seen('c')).role === 'leader');
  await expectSubscribers(1, 'after a closed');
  await publish('s5');
  for (const t of ['b', 'c']) await count(t, 5);
  await expectSubscribers(1, 'b and c after s5');
  step('took over');
  result.b = await seen('b');
  result.c = await seen('c');
} finally {
  writeFileSync(resultFile, JSON.stringify(result, null, 1));
  await browser.close();
}

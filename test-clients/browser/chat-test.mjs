// Drives Debian's Chromium (never a downloaded browser) through the chat demo served by a
// running pushrelay (conf/demo.conf): alice on pushrelay.js's default (WebSocket), bob forced
// to long-poll, carol to EventSource; then pushrelay.js's long-poll error paths. Writes what
// each page saw as JSON for BrowserChatIT, which asserts on it; exits non-zero if a step
// times out.
//
//   node chat-test.mjs BASEURL RESULT.json SCREENSHOT.png
import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';

const [base, resultFile, screenshotFile] = process.argv.slice(2);
if (!screenshotFile) {
  console.error('usage: node chat-test.mjs BASEURL RESULT.json SCREENSHOT.png');
  process.exit(2);
}
const STEP = 20_000; // ms any single wait may take before the run fails
const result = {};
const step = (what) => console.log(new Date().toISOString(), what);

// Playwright gives the browser a fresh temporary profile (user-data dir) and deletes it after.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', // BrowserChatIT passes the one it found
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60_000,
});

// What the chat page shows: [from, text] per line, in order.
const lines = (page) => page.$$eval('#log .line', (rows) => rows.map((r) =>
  [r.querySelector('.who').textContent, r.querySelector('.text').textContent]));
const awaitLines = (page, n) => page.waitForFunction(
  (n) => document.querySelectorAll('#log .line').length >= n, n, { timeout: STEP });
const say = async (page, text) => {
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
};
// A route matcher for the subscriber requests of one channel.
const channelIs = (id) => (url) => url.pathname === '/activity' && url.searchParams.get('id') === id;
const publish = (room, from, text) => fetch(`${base}/publish?id=${room}`, {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ from, text }),
}).then((r) => r.status);
const subscribers = async (channel) => {
  const r = await fetch(`${base}/publish?id=${channel}`, { headers: { Accept: 'text/json' } });
  return r.status === 200 ? JSON.parse(await r.text()).subscribers : -1;
};
const awaitSubscribers = async (channel, n) => {
  const deadline = Date.now() + STEP;
  while (await subscribers(channel) !== n) {
    if (Date.now() > deadline) throw new Error(`never ${n} subscribers on ${channel}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

try {
  // Two tabs of one browser in the chat room, each typing five lines, interleaved.
  const tabs = await browser.newContext({ viewport: { width: 820, height: 560 } });
  const alice = await tabs.newPage();
  const bob = await tabs.newPage();
  for (const page of [alice, bob]) page.on('console', (m) => console.log('page:', m.text()));
  await alice.goto(`${base}/?room=lobby&name=alice`); // the index: chat.html
  await bob.goto(`${base}/chat.html?room=lobby&name=bob&transports=long-poll`);
  result.title = await alice.title();
  step('both tabs open');
  await awaitSubscribers('lobby', 2);
  for (let i = 1; i <= 5; i++) {
    await say(alice, `a${i} from alice`);
    await say(bob, `b${i} from bob`);
  }
  await awaitLines(alice, 10);
  await awaitLines(bob, 10);
  step('ten lines on both tabs');
  // a last line from outside: once both show it, no straggler (a duplicate) can come after
  await publish('lobby', 'server', 'the end');
  for (const page of [alice, bob]) {
    await page.waitForFunction(() => [...document.querySelectorAll('#log .text')]
      .some((t) => t.textContent === 'the end'), null, { timeout: STEP });
  }
  result.alice = await lines(alice);
  result.bob = await lines(bob);
  result.aliceStatus = await alice.textContent('#status');
  result.transports = { alice: await alice.textContent('#transport'), bob: await bob.textContent('#transport') };
  await alice.screenshot({ path: screenshotFile });
  step('screenshot taken');

  // A third browser joins late (gets the stored lines), loses its network, misses two lines
  // while offline and catches up once back online: each line once, nothing lost.
  const other = await browser.newContext({ viewport: { width: 820, height: 560 } });
  const carol = await other.newPage();
  carol.on('console', (m) => console.log('carol:', m.text()));
  await carol.goto(`${base}/?room=lobby&name=carol&transports=eventsource`);
  step('carol page loaded');
  await awaitLines(carol, 11);
  step('carol has the stored lines');
  await awaitSubscribers('lobby', 3);
  step('carol in the room');
  await other.setOffline(true);
  await carol.waitForFunction(() => /offline|reconnecting/.test(document.querySelector('#status').textContent),
    null, { timeout: STEP });
  result.carolOfflineStatus = await carol.textContent('#status');
  step('carol offline');
  result.offlinePublishes = [await publish('lobby', 'server', 'while carol was offline 1'),
    await publish('lobby', 'server', 'while carol was offline 2')];
  await other.setOffline(false);
  step('carol back online');
  await awaitLines(carol, 13);
  await awaitLines(alice, 13);
  await awaitLines(bob, 13);
  result.carol = await lines(carol);
  result.transports.carol = await carol.textContent('#transport');
  result.aliceAfter = await lines(alice);
  result.bobAfter = await lines(bob);
  step('carol caught up');

  // pushrelay.js error paths, in a page of the demo's origin.
  const lab = await other.newPage();
  await lab.goto(`${base}/chat.html?room=lab&name=lab`);
  // 5xx: retried with doubling backoff, capped, then the message arrives
  let flakyRequests = 0;
  await lab.route(channelIs('flaky'), (route) =>
    ++flakyRequests <= 4 ? route.fulfill({ status: 503, body: 'busy' }) : route.continue());
  await publish('flaky', 'server', 'after the storm');
  result.flaky = await lab.evaluate(() => new Promise((resolve) => {
    const delays = [];
    const sub = PushRelay.subscribe('/activity?id=flaky', {
      transports: ['long-poll'], minBackoff: 50, maxBackoff: 200,
      onError: (e, delay) => delays.push([e.status, delay]),
      onMessage: (text) => {
        sub.stop();
        resolve({ delays, message: JSON.parse(text).text, cursor: sub.cursor });
      },
    });
  }));
  result.flaky.requests = flakyRequests;
  // 409: surfaced to the caller, and the subscription stops
  let conflictRequests = 0;
  await lab.route(channelIs('conflict'), (route) => {
    conflictRequests++;
    return route.fulfill({ status: 409, body: '' });
  });
  result.conflict = await lab.evaluate(() => new Promise((resolve) => {
    const sub = PushRelay.subscribe('/activity?id=conflict', {
      transports: ['long-poll'],
      onConflict: (response) => setTimeout(() => resolve({ status: response.status, running: sub.running }), 300),
    });
  }));
  result.conflict.requests = conflictRequests;
  // 404: not retried, reported with delay -1
  await lab.route(channelIs('misconfigured'), (route) => route.fulfill({ status: 404, body: 'no' }));
  result.notFound = await lab.evaluate(() => new Promise((resolve) => {
    const sub = PushRelay.subscribe('/activity?id=misconfigured', {
      transports: ['long-poll'],
      onError: (e, delay) => resolve({ status: e.status, delay, running: sub.running }),
    });
  }));
  // 410: the real thing, the channel deleted while the subscriber waits
  const gone = lab.evaluate(() => new Promise((resolve) => {
    const sub = PushRelay.subscribe('/activity?id=doomed', {
      transports: ['long-poll'],
      onGone: () => resolve({ gone: true, running: sub.running }),
    });
  }));
  await awaitSubscribers('doomed', 1);
  result.deleteStatus = (await fetch(`${base}/publish?id=doomed`, { method: 'DELETE' })).status;
  result.gone = await gone;
  step('error paths done');
} finally {
  writeFileSync(resultFile, JSON.stringify(result, null, 2));
  await browser.close();
}

// Drives Debian's Chromium through pushrelay.js's transports against a running pushrelay
// (the configuration PushRelayJsIT writes): each transport forced, the default order, the
// fallback where a location refuses WebSocket (and EventSource), the cursor carried from one
// transport to the next, the gap signal, a deleted channel, and a server restart
// (PushRelayJsIT restarts it when this script prints RESTART, and then creates RESULT.json.restarted).
// What each subscription saw is written as JSON for PushRelayJsIT, which asserts on it; exits
// non-zero if a step times out.
//
//   node pushrelay-test.mjs BASEURL RESULT.json
import { chromium } from 'playwright-core';
import { existsSync, writeFileSync } from 'node:fs';

const [base, resultFile] = process.argv.slice(2);
if (!resultFile) {
  console.error('usage: node pushrelay-test.mjs BASEURL RESULT.json');
  process.exit(2);
}
const STEP = 20_000; // ms any single wait may take before the run fails
const result = {};
const step = (what) => console.log(new Date().toISOString(), what);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', // PushRelayJsIT passes the one it found
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60_000,
});
const publish = async (channel, text) => {
  const r = await fetch(`${base}/publish?id=${channel}`, {
    method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: text,
  });
  if (r.status !== 201 && r.status !== 202) throw new Error(`publish ${channel}: ${r.status}`);
};
const info = async (channel) => {
  const r = await fetch(`${base}/publish?id=${channel}`, { headers: { Accept: 'text/json' } });
  return r.status === 200 ? JSON.parse(await r.text()) : null;
};
const until = async (what, test, limit = STEP) => {
  const deadline = Date.now() + limit;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
const awaitSubscribers = (channel, n) => until(`${n} subscribers on ${channel}`,
  async () => ((await info(channel)) || { subscribers: -1 }).subscribers === n);
// at least n: a subscription just stopped may still be counted until the server sees it leave
const awaitAtLeast = (channel, n) => until(`at least ${n} subscribers on ${channel}`,
  async () => ((await info(channel)) || { subscribers: -1 }).subscribers >= n);

try {
  const page = await browser.newPage();
  page.on('console', (m) => console.log('page:', m.text()));
  await page.goto(`${base}/pushrelay.js`); // any page of the origin: the library is injected below
  await page.addScriptTag({ url: `${base}/pushrelay.js` });
  // In the page: subscriptions by name, each recording what it saw.
  await page.evaluate(() => {
    window.subs = {};
    window.follow = (name, url, options) => {
      const seen = { messages: [], transports: [], gaps: [], errors: [], gone: false, conflict: false };
      const sub = PushRelay.subscribe(url, Object.assign({
        openTimeout: 10000, minBackoff: 100, maxBackoff: 400,
        onMessage: (text, meta) => seen.messages.push([text, meta.id, meta.transport]),
        onTransport: (t) => seen.transports.push(t),
        onGap: (token) => seen.gaps.push([token, seen.messages.length]),
        onError: (e, delay) => seen.errors.push([String(e.message), delay]),
        onGone: () => { seen.gone = true; },
        onConflict: () => { seen.conflict = true; },
      }, options));
      window.subs[name] = { sub, seen };
    };
    window.seen = (name) => {
      const s = window.subs[name];
      return Object.assign({ running: s.sub.running, transport: s.sub.transport, cursor: s.sub.cursor.token,
        refused: [...s.sub.refused] }, s.seen);
    };
    window.stop = (name) => { window.subs[name].sub.stop(); return window.seen(name); };
  });
  const follow = (name, url, options = {}) => page.evaluate(([n, u, o]) => window.follow(n, u, o), [name, url, options]);
  const count = (name, n) => page.waitForFunction(([s, k]) => window.subs[s].seen.messages.length >= k,
    [name, n], { timeout: STEP });
  const seen = (name) => page.evaluate((n) => window.seen(n), name);
  const stop = (name) => page.evaluate((n) => window.stop(n), name);
  const transportIs = (name, t) => page.waitForFunction(([s, k]) => window.subs[s].sub.transport === k,
    [name, t], { timeout: STEP });

  // 1. Each transport forced: two stored messages, then two live ones.
  result.forced = {};
  for (const t of ['websocket', 'eventsource', 'long-poll']) {
    const ch = `forced-${t}`;
    await publish(ch, 'one');
    await publish(ch, 'two\nlines');
    await follow(t, `/activity?id=${ch}`, { transports: [t] });
    await count(t, 2);
    await awaitSubscribers(ch, 1);
    await publish(ch, 'three');
    await publish(ch, 'four');
    await count(t, 4);
    result.forced[t] = await stop(t);
  }
  step('forced transports');

  // 2. The default order on a location that serves everything: WebSocket.
  await publish('default', 'd1');
  await follow('default', '/activity?id=default');
  await count('default', 1);
  result.default = await stop('default');

  // 3. Fallback: /sse refuses WebSocket, /lp refuses WebSocket and EventSource (nchan_subscriber).
  await publish('fallback', 'f1');
  await follow('sse', '/sse?id=fallback');
  await follow('lp', '/lp?id=fallback');
  await count('sse', 1);
  await count('lp', 1);
  await transportIs('lp', 'long-poll');
  await awaitSubscribers('fallback', 2);
  await publish('fallback', 'f2');
  await count('sse', 2);
  await count('lp', 2);
  // a reconnect skips what the location refused: the next message comes by the same transport
  await page.evaluate(() => { window.subs.lp.sub.retryNow(); window.subs.sse.sub.retryNow(); });
  await awaitSubscribers('fallback', 2);
  await publish('fallback', 'f3');
  await count('sse', 3);
  await count('lp', 3);
  result.fallbackSse = await stop('sse');
  result.fallbackLp = await stop('lp');
  // with nothing stored, /lp answers the EventSource probe as a waiting poll: openTimeout ends it
  await follow('lpEmpty', '/lp?id=fallback-empty', { openTimeout: 1500 });
  await page.waitForFunction(() => window.subs.lpEmpty.sub.trying === 'long-poll', null, { timeout: STEP });
  await awaitSubscribers('fallback-empty', 1);
  await publish('fallback-empty', 'e1');
  await count('lpEmpty', 1);
  result.fallbackEmpty = await stop('lpEmpty');
  step('fallback');

  // 4. One cursor across transports: each resumes exactly after the last message of the one before
  //    (a message published while nobody follows, then one live), starting with two stored ones.
  await publish('across', 'm1');
  await publish('across', 'm2');
  const legs = [];
  let cursor = null;
  let m = 3;
  for (const t of ['websocket', 'eventsource', 'long-poll', 'websocket', 'interval-poll']) {
    const name = `across-${legs.length}`;
    if (cursor) await publish('across', `m${m++}`);
    await follow(name, '/activity?id=across', { transports: [t], cursor, interval: 100 });
    if (cursor) {
      await count(name, 1);
      if (t !== 'interval-poll') await awaitAtLeast('across', 1); // an interval-poll never waits
      await publish('across', `m${m++}`);
    }
    await count(name, 2);
    const leg = await stop(name);
    step(`across: ${t} leg done`);
    legs.push(leg);
    cursor = leg.cursor;
  }
  result.across = legs;
  step('across transports');

  // 5. The gap signal: a cursor older than the buffer (3) on each transport.
  await publish('gap', 'g1');
  const first = await page.evaluate(async () => {
    const r = await fetch('/activity?id=gap', { cache: 'no-store' });
    return `${Math.floor(Date.parse(r.headers.get('Last-Modified')) / 1000)}:${r.headers.get('Etag')}`;
  });
  for (const m of ['g2', 'g3', 'g4', 'g5']) await publish('gap', m);
  result.gap = { first };
  for (const t of ['websocket', 'eventsource', 'long-poll']) {
    await follow(`gap-${t}`, '/activity?id=gap', { transports: [t], cursor: first });
    await count(`gap-${t}`, 3);
    result.gap[t] = await stop(`gap-${t}`);
  }
  step('gap');

  // 6. A channel deleted under a stream: onGone, stopped.
  result.gone = {};
  for (const t of ['websocket', 'eventsource']) {
    const ch = `doomed-${t}`;
    await publish(ch, 'last words');
    await follow(`gone-${t}`, `/activity?id=${ch}`, { transports: [t] });
    await count(`gone-${t}`, 1);
    await awaitSubscribers(ch, 1);
    const status = (await fetch(`${base}/publish?id=${ch}`, { method: 'DELETE' })).status;
    await page.waitForFunction((n) => window.subs[n].seen.gone, `gone-${t}`, { timeout: STEP });
    result.gone[t] = Object.assign({ deleteStatus: status }, await seen(`gone-${t}`));
  }
  step('gone');

  // 7. A server restart (the state file keeps the messages): every transport reconnects from
  //    its cursor and gets what was published before and after, once.
  for (const t of ['websocket', 'eventsource', 'long-poll']) {
    await follow(`restart-${t}`, '/activity?id=restart', { transports: [t] });
  }
  await awaitSubscribers('restart', 3);
  await publish('restart', 'r1');
  for (const t of ['websocket', 'eventsource', 'long-poll']) await count(`restart-${t}`, 1);
  // PushRelayJsIT stops the server (its state file keeps the messages), publishes nothing, starts
  // it again on the same port and then creates this file
  console.log('RESTART');
  // PushRelayJsIT bounds the stop (30 s) and the start (120 s) itself
  await until('the server restarted', () => existsSync(`${resultFile}.restarted`), 180_000);
  step('restarted');
  await publish('restart', 'r2');
  await awaitSubscribers('restart', 3);
  await publish('restart', 'r3');
  result.restart = {};
  for (const t of ['websocket', 'eventsource', 'long-poll']) {
    await count(`restart-${t}`, 3);
    result.restart[t] = await stop(`restart-${t}`);
  }
  step('restart');
} finally {
  writeFileSync(resultFile, JSON.stringify(result, null, 1));
  await browser.close();
}

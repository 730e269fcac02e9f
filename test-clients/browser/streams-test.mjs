// Drives Debian's Chromium through a browser's own EventSource and WebSocket against a running
// pushrelay (conf/demo.conf, protocol.md §14): what each saw is written as JSON for
// BrowserStreamsIT, which asserts on it; exits non-zero if a step times out.
//
//   node streams-test.mjs BASEURL RESULT.json
import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';

const [base, resultFile] = process.argv.slice(2);
if (!resultFile) {
  console.error('usage: node streams-test.mjs BASEURL RESULT.json');
  process.exit(2);
}
const STEP = 20_000;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', // BrowserStreamsIT passes the one it found
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60_000,
});
const publish = (text, headers = {}) => fetch(`${base}/publish?id=streams`, {
  method: 'POST', headers: { 'Content-Type': 'text/plain', ...headers }, body: text,
}).then((r) => r.status);
const subscribers = async () => {
  const r = await fetch(`${base}/publish?id=streams`, { headers: { Accept: 'text/json' } });
  return r.status === 200 ? JSON.parse(await r.text()).subscribers : 0;
};
const awaitSubscribers = async (n) => {
  const deadline = Date.now() + STEP;
  while (await subscribers() < n) {
    if (Date.now() > deadline) throw new Error(`never ${n} subscribers`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

try {
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  // One EventSource and one WebSocket in the page, each recording what it got.
  await page.evaluate(() => {
    window.seen = { es: [], ws: [], open: false };
    const es = new EventSource('/activity?id=streams');
    window.es = es;
    es.onopen = () => { window.seen.open = true; };
    es.onmessage = (e) => window.seen.es.push({ type: e.type, data: e.data, id: e.lastEventId });
    es.addEventListener('greeting', (e) => window.seen.es.push({ type: e.type, data: e.data, id: e.lastEventId }));
    const ws = new WebSocket(`ws://${location.host}/activity?id=streams`);
    ws.onmessage = (e) => window.seen.ws.push(e.data);
  });
  await awaitSubscribers(2);
  await publish('one');
  await publish('two\nlines');
  await publish('hello', { 'X-EventSource-Event': 'greeting' });
  await page.waitForFunction(() => window.seen.es.length >= 3 && window.seen.ws.length >= 3, null, { timeout: STEP });
  const first = await page.evaluate(() => { window.es.close(); return window.seen; });
  // Resume from the second message's id with the argument, after two more were published.
  await publish('four');
  await publish('five');
  const resumed = await page.evaluate(async (lastId) => new Promise((resolve, reject) => {
    const got = [];
    const es = new EventSource(`/activity?id=streams&last_event_id=${encodeURIComponent(lastId)}`);
    const timer = setTimeout(() => reject(new Error('resume timed out')), 20000);
    const take = (e) => {
      got.push(e.data);
      if (got.length === 3) { clearTimeout(timer); es.close(); resolve(got); }
    };
    es.onmessage = take;
    es.addEventListener('greeting', take);
  }), first.es[1].id);
  writeFileSync(resultFile, JSON.stringify({ first, resumed }, null, 1));
} finally {
  await browser.close();
}

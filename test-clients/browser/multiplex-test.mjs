// Drives Debian's Chromium's own EventSource on a location that follows two channels
// (nchan_channel_id a b, protocol.md §14.8) against a running pushrelay: the browser keeps the
// compound id and, when the stream ends (one channel deleted), reconnects by itself with it as
// Last-Event-ID. What it saw is written as JSON for BrowserStreamsIT, which asserts on it.
//
//   node multiplex-test.mjs BASEURL RESULT.json
import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';

const [base, resultFile] = process.argv.slice(2);
if (!resultFile) {
  console.error('usage: node multiplex-test.mjs BASEURL RESULT.json');
  process.exit(2);
}
const STEP = 20_000;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60_000,
});
const channel = (id, method = 'GET', body) => fetch(`${base}/pub?id=${id}`, {
  method, headers: { 'Content-Type': 'text/plain', Accept: 'text/json' }, body,
});
const awaitSubscriber = async (id) => {
  const deadline = Date.now() + STEP;
  for (;;) {
    const r = await channel(id);
    if (r.status === 200 && JSON.parse(await r.text()).subscribers >= 1) return;
    if (Date.now() > deadline) throw new Error(`nobody waits on ${id}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

try {
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  await page.evaluate(() => {
    window.seen = { events: [], opens: 0, closes: [] };
    const es = new EventSource('/mux');
    es.onopen = () => { window.seen.opens += 1; };
    es.onmessage = (e) => window.seen.events.push({ data: e.data, id: e.lastEventId });
    es.addEventListener('pushrelay-close', (e) => window.seen.closes.push(e.data));
    window.es = es;
  });
  await awaitSubscriber('a');
  await awaitSubscriber('b');
  await channel('a', 'POST', 'a1');
  await channel('b', 'POST', 'b1');
  await page.waitForFunction(() => window.seen.events.length >= 2, null, { timeout: STEP });
  await channel('b', 'DELETE'); // ends the stream; the browser reconnects with Last-Event-ID
  await channel('a', 'POST', 'a2');
  await page.waitForFunction(() => window.seen.events.length >= 3 && window.seen.opens >= 2, null, { timeout: STEP });
  const seen = await page.evaluate(() => { window.es.close(); return window.seen; });
  writeFileSync(resultFile, JSON.stringify(seen, null, 1));
} finally {
  await browser.close();
}

// permessage-deflate (protocol.md §14.10) with real clients against a running pushrelay
// (conf/demo.conf): Chromium's own WebSocket and the npm `ws` client subscribe, `ws` also
// publishes compressed messages (with and without its context takeover). Every connection goes
// through a byte-counting TCP relay here that also reads each frame's header, so what was
// compressed on the wire (RSV1) and how many bytes it took is seen, not assumed. What each saw is
// written as JSON for DeflateClientsIT, which asserts on it; exits non-zero if a step times out.
//
//   node deflate-test.mjs BASEURL RESULT.json
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import net from 'node:net';
import { writeFileSync } from 'node:fs';

const [base, resultFile] = process.argv.slice(2);
if (!resultFile) {
  console.error('usage: node deflate-test.mjs BASEURL RESULT.json');
  process.exit(2);
}
const STEP = 20_000;
const target = new URL(base);
const COUNT = 10;
const bodies = Array.from({ length: COUNT }, (_, i) =>
  `message ${i}: ` + 'the quick brown fox jumps over the lazy dog, again and again. '.repeat(25));

// Frame headers of one direction of a WebSocket connection, after the HTTP head.
function frameTap() {
  const t = { bytes: 0, frames: [], buf: Buffer.alloc(0), head: true };
  t.feed = (chunk) => {
    t.buf = Buffer.concat([t.buf, chunk]);
    if (t.head) {
      const end = t.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      t.buf = t.buf.subarray(end + 4);
      t.head = false;
    }
    t.bytes += chunk.length;
    for (;;) {
      if (t.buf.length < 2) return;
      const b0 = t.buf[0]; const b1 = t.buf[1];
      let len = b1 & 0x7f; let at = 2;
      if (len === 126) { if (t.buf.length < 4) return; len = t.buf.readUInt16BE(2); at = 4; }
      if (len === 127) { if (t.buf.length < 10) return; len = Number(t.buf.readBigUInt64BE(2)); at = 10; }
      if (b1 & 0x80) at += 4;
      if (t.buf.length < at + len) return;
      t.frames.push({ fin: !!(b0 & 0x80), rsv1: !!(b0 & 0x40), opcode: b0 & 0x0f, length: len });
      t.buf = t.buf.subarray(at + len);
    }
  };
  return t;
}

// One tap per connection, in order: [{ toClient, toServer }].
const taps = [];
const relay = net.createServer((client) => {
  const tap = { toClient: frameTap(), toServer: frameTap() };
  taps.push(tap);
  const server = net.connect(Number(target.port), target.hostname);
  client.on('data', (d) => { tap.toServer.feed(d); server.write(d); });
  server.on('data', (d) => { tap.toClient.feed(d); client.write(d); });
  client.on('close', () => server.destroy());
  server.on('close', () => client.destroy());
  client.on('error', () => server.destroy());
  server.on('error', () => client.destroy());
});
await new Promise((resolve) => relay.listen(0, '127.0.0.1', resolve));
const via = `127.0.0.1:${relay.address().port}`;

const publish = (id, text) => fetch(`${base}/publish?id=${id}`, {
  method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: text,
}).then((r) => r.status);
const subscribers = async (id) => {
  const r = await fetch(`${base}/publish?id=${id}`, { headers: { Accept: 'text/json' } });
  return r.status === 200 ? JSON.parse(await r.text()).subscribers : 0;
};
const awaitSubscribers = async (id, n) => {
  const deadline = Date.now() + STEP;
  while (await subscribers(id) < n) {
    if (Date.now() > deadline) throw new Error(`never ${n} subscribers on ${id}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
const within = (p, what) => Promise.race([p, new Promise((_, reject) =>
  setTimeout(() => reject(new Error(`${what} timed out`)), STEP))]);

// A `ws` subscriber (it offers permessage-deflate by default) collecting n messages.
function wsSubscriber(id, n) {
  const ws = new WebSocket(`ws://${via}/activity?id=${id}`);
  const tap = () => taps[taps.length - 1];
  const got = [];
  const opened = new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  const done = new Promise((resolve) => ws.on('message', (data) => {
    got.push(data.toString());
    if (got.length === n) resolve();
  }));
  return { ws, got, opened, done, tap: opened.then(tap) };
}

const result = { bodies };
// What each step saw so far, printed when one times out: whether the frames reached the relay.
const seen = {};
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', // DeflateClientsIT passes the one it found
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60_000,
});
try {
  // 1. Chromium and `ws` subscribe to one channel; every message is compressed once for both.
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  await page.evaluate((url) => {
    window.seen = [];
    const ws = new WebSocket(url);
    window.ws = ws;
    ws.onopen = () => { window.extensions = ws.extensions; };
    ws.onmessage = (e) => window.seen.push(e.data);
  }, `ws://${via}/activity?id=deflate`);
  await awaitSubscribers('deflate', 1);
  const chromeTap = taps[taps.length - 1];
  const node = wsSubscriber('deflate', COUNT);
  await within(node.opened, 'ws open');
  const nodeTap = await node.tap;
  seen.chromium = async () => ({ frames: chromeTap.toClient.frames, bytes: chromeTap.toClient.bytes,
    messages: await page.evaluate(() => window.seen.length) });
  seen.node = async () => ({ frames: nodeTap.toClient.frames, bytes: nodeTap.toClient.bytes,
    buffered: nodeTap.toClient.buf.length, messages: node.got.map((m) => m.slice(0, 10)), extensions: node.ws.extensions });
  await awaitSubscribers('deflate', 2);
  for (const b of bodies) await publish('deflate', b);
  await page.waitForFunction((n) => window.seen.length >= n, COUNT, { timeout: STEP });
  await within(node.done, 'ws messages');
  const chrome = await page.evaluate(() => ({ extensions: window.extensions, messages: window.seen }));
  result.chromium = { ...chrome, frames: chromeTap.toClient.frames, bytes: chromeTap.toClient.bytes };
  result.node = {
    extensions: node.ws.extensions,
    messages: node.got, frames: nodeTap.toClient.frames, bytes: nodeTap.toClient.bytes,
  };
  node.ws.close();

  // 2. `ws` publishes compressed messages, with and without its context takeover; a `ws`
  //    subscriber gets them back, each once, in order (§14.9, §14.10).
  result.publishers = [];
  for (const noContext of [false, true]) {
    const id = `published-${noContext}`;
    const sub = wsSubscriber(id, COUNT);
    await within(sub.opened, 'subscriber open');
    await awaitSubscribers(id, 1);
    const pub = new WebSocket(`ws://${via}/publish?id=${id}`, {
      perMessageDeflate: { threshold: 0, clientNoContextTakeover: noContext },
    });
    await within(new Promise((resolve, reject) => { pub.on('open', resolve); pub.on('error', reject); }), 'publisher open');
    const pubTap = taps[taps.length - 1];
    let answers = 0;
    const answered = new Promise((resolve) => pub.on('message', () => { if (++answers === COUNT) resolve(); }));
    for (const b of bodies) pub.send(b);
    await within(answered, 'publish answers');
    await within(sub.done, 'published messages');
    result.publishers.push({
      clientNoContextTakeover: noContext,
      extensions: pub.extensions,
      sent: pubTap.toServer.frames, sentBytes: pubTap.toServer.bytes, received: sub.got,
    });
    pub.close();
    sub.ws.close();
  }
  writeFileSync(resultFile, JSON.stringify(result, null, 1));
} catch (e) {
  console.error(e);
  for (const [who, f] of Object.entries(seen)) {
    try { console.error(who, JSON.stringify(await f())); } catch (x) { console.error(who, x); }
  }
  process.exitCode = 1;
} finally {
  await browser.close();
  relay.close();
  process.exit(); // the relayed connections still open would keep Node running
}

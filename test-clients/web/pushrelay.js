/*
 * pushrelay.js: a small, dependency-free browser client for pushrelay (and the Nginx HTTP
 * Push Module it replaces). Plain ES2017, no build step; load it with
 * <script src="/pushrelay.js"></script> and use window.PushRelay.
 *
 *   const sub = PushRelay.subscribe('/activity?id=lobby', {
 *     onMessage(text, meta) { ... },      // every message once, in order
 *   });
 *   await PushRelay.publish('/publish?id=lobby', 'hello', 'text/plain');
 *   sub.stop();
 *
 * Transports (protocol.md §14), tried in the order of `transports` (default websocket,
 * eventsource, long-poll): the first that opens carries the subscription. A transport that
 * fails before it opens (a location that refuses it: 403 to an upgrade, a poll answer to an
 * EventSource request, or no answer within `openTimeout`) makes way for the next; once a
 * later one has opened, the refused ones are skipped for the rest of the subscription.
 *
 * The cursor (protocol.md §14.1): the id of the last message delivered, one token
 * `<seconds>:<tag>`. It is carried across transports and reconnects: `?cursor=` on a
 * WebSocket (with nchan's `ws+meta.nchan` subprotocol, so each frame names its id),
 * `?last_event_id=` on a new EventSource, and `If-Modified-Since` + `If-None-Match` on a
 * long-poll (the module's own protocol, §4.2). So every message arrives once, in order,
 * whatever drops in between. Requests use fetch with cache: 'no-store' so that the browser's
 * HTTP cache neither answers them nor adds conditional headers of its own. Serve the page from
 * the same origin as the push locations (pushrelay serves static files too).
 *
 * What ends or pauses a subscription, on every transport:
 *   channel deleted (410, WebSocket close 4410, EventSource `pushrelay-close`): onGone, stops
 *   conflict (409, close 4409, `pushrelay-close` conflict): onConflict({status: 409}), stops
 *     (retrying would just take turns with the other subscriber)
 *   403, 5xx, close 4403/1011, network errors, every transport failing: onError(error, delayMs),
 *     retried after an exponential backoff (minBackoff doubling up to maxBackoff, reset when a
 *     transport opens); 403 is retried because its causes pass (a channel not created yet, a
 *     full subscriber limit)
 *   other 4xx on a poll (404, 405, ...): onError(error, -1), stops: it is misconfigured
 *   a stream that ends after it opened (server restart, close 1001/1008, a dropped
 *     connection): reconnects at once from the cursor, then backs off if that fails
 * Messages that were trimmed before this client got them (§14.5) are reported with
 * onGap(token) (the newest missed id) before the next message.
 * When the page comes back online (the window's `online` event), the subscription reconnects
 * at once with the same cursor: nothing is lost or repeated.
 *
 * Cross-tab sharing (`share: true`, off by default): the tabs of one browser that follow the
 * same URL hold one connection between them. The tab that holds a Web Lock named after the URL
 * (navigator.locks) is the leader: it runs the transports above and relays every message, gap
 * and end over a BroadcastChannel of the same name; the others follow. Each tab keeps its own
 * cursor, and every relayed message names the cursor before it (`prev`), so a tab applies only
 * the message that continues its own sequence. When the leader's tab closes, the browser hands
 * the lock to a waiting tab, which connects from its own cursor: a message the old leader never
 * relayed is fetched again, one it did relay is not (§14.1). A tab that joins late, or misses a
 * relay, asks the leader to replay from its cursor out of the leader's recent history
 * (`shareHistory` messages). Without Web Locks or BroadcastChannel, each tab connects itself.
 */
(function (global) {
  'use strict';

  const META = 'ws+meta.nchan';   // nchan's subprotocol: each frame starts with its id (§14.6)
  const DEFAULTS = {
    transports: ['websocket', 'eventsource', 'long-poll'], // 'interval-poll' too
    mode: null,             // legacy: 'long-poll' or 'interval-poll' alone, as transports
    interval: 1000,         // ms between interval-polls that found nothing
    openTimeout: 5000,      // ms a WebSocket or EventSource may take to open before the next
    minBackoff: 1000,       // ms before the first retry after an error
    maxBackoff: 30000,      // ms, the cap of the doubling
    cursor: null,           // a token to start after; without one the oldest stored message
    since: null,            // or the legacy pair: Last-Modified of the last message seen
    etag: null,             // and its Etag
    eventNames: [],         // EventSource event names (X-EventSource-Event) to deliver too
    onMessage: function () {},
    onError: function () {},
    onConflict: function () {},
    onGone: function () {},
    onGap: function () {},
    onTransport: function () {}, // (name): a transport opened and now carries the subscription
    share: false,           // true (or a name): one connection for the tabs following this URL
    shareHistory: 1000,     // messages a leader keeps to replay to tabs that join or fall behind
    onRole: function () {}, // (role): with share, 'leader' (holds the connection) or 'follower'
  };

  class HttpError extends Error {
    constructor(status, statusText) {
      super('HTTP ' + status + (statusText ? ' ' + statusText : ''));
      this.name = 'HttpError';
      this.status = status;
    }
  }

  /** A token `<seconds>:<tag>` from a long-poll answer's Last-Modified and Etag. */
  function tokenOf(lastModified, etag) {
    const ms = Date.parse(lastModified);
    if (isNaN(ms) || !/^\d+$/.test(etag || '')) return null;
    return Math.floor(ms / 1000) + ':' + etag;
  }

  /** `url` with one query argument set, resolved against the page. */
  function withArg(url, name, value) {
    const u = new URL(url, global.location.href);
    if (value != null) u.searchParams.set(name, value);
    return u;
  }

  /** The head lines of a ws+meta.nchan frame ("name: value\n" ... "\n") and the body after it. */
  function splitMeta(data) {
    let head;
    let body;
    if (typeof data === 'string') {
      const end = data.indexOf('\n\n');
      head = end < 0 ? data : data.slice(0, end);
      body = end < 0 ? '' : data.slice(end + 2);
    } else {
      const bytes = new Uint8Array(data);
      let end = -1;
      for (let i = 0; i + 1 < bytes.length; i++) {
        if (bytes[i] === 10 && bytes[i + 1] === 10) { end = i; break; }
      }
      head = new TextDecoder('utf-8').decode(end < 0 ? bytes : bytes.subarray(0, end));
      body = end < 0 ? '' : new TextDecoder('utf-8').decode(bytes.subarray(end + 2));
    }
    const fields = {};
    head.split('\n').forEach((line) => {
      const colon = line.indexOf(':');
      if (colon > 0) fields[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    });
    return { fields: fields, body: body };
  }

  class Subscription {
    constructor(url, options) {
      this.url = url;
      this.options = Object.assign({}, DEFAULTS);
      Object.keys(options || {}).forEach((k) => {
        if (options[k] !== undefined) this.options[k] = options[k]; // undefined keeps the default
      });
      const mode = this.options.mode;
      this.order = mode ? [mode] : this.options.transports.slice();
      this.token = this.options.cursor
        || (this.options.since ? tokenOf(this.options.since, this.options.etag) : null);
      this.since = this.options.since;   // the long-poll headers, verbatim when a poll gave them
      this.etag = this.options.etag;
      this.refused = new Set();
      this.transport = null;      // the transport that carries the subscription now
      this.trying = null;         // the transport being opened or used now
      this.backoff = 0;
      this.running = false;
      this.current = null;        // the connection in flight: {close()}
      this.wake = null;           // ends a pause early
      this.onOnline = () => this.retryNow();
      this.role = null;           // with share: 'leader' or 'follower'
      this.share = null;
    }

    start() {
      if (this.running) return this;
      this.running = true;
      const share = this.options.share;
      const nav = global.navigator;
      if (share && nav && nav.locks && typeof global.BroadcastChannel === 'function') {
        const key = share === true ? new URL(this.url, global.location.href).href : String(share);
        this.share = new Share(this, 'pushrelay.js:' + key);
      } else {
        this.lead();
      }
      return this;
    }

    /** Runs the connection itself (not shared, or the leader): resolves when it ends. */
    lead() {
      if (global.addEventListener) global.addEventListener('online', this.onOnline);
      return this.loop();
    }

    stop() {
      this.running = false;
      if (global.removeEventListener) global.removeEventListener('online', this.onOnline);
      if (this.share) this.share.close();
      if (this.current) this.current.close();
      if (this.wake) this.wake();
    }

    /** A leader tells the following tabs why the subscription ended, before it stops. */
    ended(kind, error) {
      if (this.share && this.role === 'leader') {
        this.share.post({ type: 'end', kind: kind, message: error ? String(error.message) : null });
      }
    }

    /** The id of the last message delivered: a token (§14.1), with the legacy pair. */
    get cursor() {
      return { token: this.token, since: this.since, etag: this.etag };
    }

    /** Ends a backoff pause, or the connection in flight, and reconnects from the cursor. */
    retryNow() {
      if (!this.running) return;
      this.backoff = 0;
      if (this.wake) this.wake();
      else if (this.current) this.current.close();
    }

    async loop() {
      while (this.running) {
        const tried = [];
        let outcome = null;
        for (const name of this.order.filter((t) => !this.refused.has(t))) {
          this.trying = name;
          outcome = await this.connect(name);
          if (!this.running || outcome.opened || outcome.kind !== 'error') break;
          tried.push(name);
        }
        if (!this.running) break;
        if (!outcome) outcome = { kind: 'error', error: new Error('no transport left') };
        // a later transport opened, so the server was there: the earlier ones were refused
        if (outcome.opened) tried.forEach((t) => this.refused.add(t));
        let delay = 0;
        if (outcome.kind === 'gone') {
          this.ended('gone');
          this.stop();
          this.options.onGone();
        } else if (outcome.kind === 'conflict') {
          this.ended('conflict');
          this.stop();
          this.options.onConflict(outcome.response || { status: 409 });
        } else if (outcome.kind === 'fatal') {
          this.ended('fatal', outcome.error);
          this.stop();
          this.options.onError(outcome.error, -1);
        } else if (outcome.kind === 'error' || outcome.quick) {
          // failed, or a stream that opened and ended at once: back off, doubling
          this.backoff = this.backoff
            ? Math.min(this.backoff * 2, this.options.maxBackoff)
            : this.options.minBackoff;
          delay = this.backoff;
          this.options.onError(outcome.error || new Error(outcome.transport + ' closed'), delay);
        }
        if (delay > 0 && this.running) await this.pause(delay);
      }
    }

    /** One transport until it ends: resolves to {opened, kind, error, quick}. */
    connect(name) {
      switch (name) {
        case 'websocket': return this.webSocket();
        case 'eventsource': return this.eventSource();
        case 'long-poll': return this.poll(0);
        case 'interval-poll': return this.poll(this.options.interval);
        default: return Promise.resolve({ kind: 'fatal', error: new Error('unknown transport ' + name) });
      }
    }

    /** A transport opened: it carries the subscription, the backoff starts again. */
    opened(name) {
      this.backoff = 0;
      if (this.share && this.role === 'leader') this.share.post({ type: 'transport', transport: name });
      if (this.transport !== name) {
        this.transport = name;
        this.options.onTransport(name);
      }
    }

    deliver(token, text, meta) {
      const prev = this.token;
      this.token = token;
      this.since = meta.lastModified;
      this.etag = meta.etag;
      if (this.share && this.role === 'leader') {
        this.share.record({ kind: 'message', prev: prev, token: token, text: text, meta: meta });
      }
      this.options.onMessage(text, meta);
    }

    /** Messages up to `token` were dropped before this client got them (§14.5). */
    gap(token) {
      if (this.share && this.role === 'leader') this.share.record({ kind: 'gap', prev: this.token, token: token });
      this.options.onGap(token);
    }

    /** The meta of a stream message: the legacy pair derived from its token. */
    streamMeta(token, transport, contentType, event) {
      const m = /^(\d+):(\d+)$/.exec(token || '');
      return {
        id: token, transport: transport, contentType: contentType, event: event || null,
        lastModified: m ? new Date(Number(m[1]) * 1000).toUTCString() : null,
        etag: m ? m[2] : null,
      };
    }

    /**
     * Runs a stream transport: `open(settle)` starts it and returns its close function;
     * `settle(outcome)` ends it once. An opened stream that ends within `minBackoff` without a
     * message is `quick` (backed off, not reconnected in a tight loop).
     */
    stream(name, open) {
      return new Promise((resolve) => {
        let done = false;
        let openedAt = 0;
        let delivered = false;
        let shut = null;
        const timer = setTimeout(() => settle({ kind: 'error', error: new Error(name + ' did not open') }),
          this.options.openTimeout);
        const settle = (outcome) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          if (this.current === handle) this.current = null;
          if (shut) shut();
          outcome.opened = openedAt > 0;
          outcome.transport = name;
          // a stream that ends after it opened is reconnected, unless the server said why
          if (outcome.opened && outcome.kind === 'error' && !(outcome.error instanceof HttpError)) {
            outcome.kind = 'again';
          }
          if (outcome.kind === 'again' && outcome.opened && !outcome.retry) {
            outcome.quick = !delivered && Date.now() - openedAt < this.options.minBackoff;
          }
          resolve(outcome);
        };
        const handle = {
          close: () => settle({ kind: 'again', retry: true }),
          live: () => !done,
          open: () => {
            clearTimeout(timer);
            openedAt = Date.now();
            this.opened(name);
          },
          delivered: () => { delivered = true; },
        };
        this.current = handle;
        try {
          const close = open(handle, settle);
          if (done) close(); else shut = close;
        } catch (e) {
          settle({ kind: 'error', error: e }); // e.g. no WebSocket in this browser
        }
      });
    }

    webSocket() {
      return this.stream('websocket', (handle, settle) => {
        const u = withArg(this.url, 'cursor', this.token);
        u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
        const ws = new WebSocket(u.href, META);
        ws.binaryType = 'arraybuffer';
        ws.onopen = () => {
          // without the subprotocol frames carry no id: the cursor could not follow them
          if (ws.protocol !== META) settle({ kind: 'error', error: new Error('websocket without ' + META) });
          else handle.open();
        };
        ws.onmessage = (e) => {
          if (!handle.live()) return;
          const frame = splitMeta(e.data);
          if (frame.fields.event === 'pushrelay-gap') {
            this.gap(frame.fields.id);
            return;
          }
          handle.delivered();
          this.deliver(frame.fields.id, frame.body,
            this.streamMeta(frame.fields.id, 'websocket', frame.fields['content-type']));
        };
        ws.onclose = (e) => {
          if (e.code === 4410) settle({ kind: 'gone' });
          else if (e.code === 4409) settle({ kind: 'conflict' });
          else if (e.code === 4403 || e.code === 1011) {
            settle({ kind: 'error', error: new HttpError(e.code === 4403 ? 403 : 500, e.reason) });
          } else {
            // 1006 before opening: refused or unreachable; after: the connection ended
            settle({ kind: 'error', error: new Error('websocket closed (' + e.code + ')') });
          }
        };
        return () => {
          ws.onopen = ws.onmessage = ws.onclose = null;
          if (ws.readyState <= 1) ws.close();
        };
      });
    }

    eventSource() {
      return this.stream('eventsource', (handle, settle) => {
        const es = new EventSource(withArg(this.url, 'last_event_id', this.token).href);
        const take = (e) => {
          if (!handle.live()) return;
          handle.delivered();
          const id = e.lastEventId || null;
          this.deliver(id, e.data, this.streamMeta(id, 'eventsource', null, e.type === 'message' ? null : e.type));
        };
        es.onopen = () => handle.open();
        es.onmessage = take;
        this.options.eventNames.forEach((n) => es.addEventListener(n, take));
        es.addEventListener('pushrelay-gap', (e) => { if (handle.live()) this.gap(e.data); });
        es.addEventListener('pushrelay-close', (e) => {
          if (e.data === 'channel deleted') settle({ kind: 'gone' });
          else if (e.data === 'conflict') settle({ kind: 'conflict' });
          else settle({ kind: 'again' });
        });
        // The browser would reconnect by itself; this client reconnects instead, so that the
        // cursor, the backoff and the fallback stay in one place.
        es.onerror = () => settle({ kind: 'error', error: new Error('eventsource failed') });
        return () => es.close();
      });
    }

    /** Long-poll (interval 0) or interval-poll, until an answer other than 200/304. */
    async poll(interval) {
      const name = interval ? 'interval-poll' : 'long-poll';
      let opened = false;
      while (this.running) {
        let response;
        let text;
        const controller = new AbortController();
        const handle = { close: () => controller.abort() };
        this.current = handle;
        try {
          response = await fetch(this.pollUrl(), {
            cache: 'no-store', headers: this.pollHeaders(), signal: controller.signal,
          });
          if (response.status === 200) text = await response.text();
        } catch (e) {
          if (e.name === 'AbortError') return { opened: opened, kind: 'again', transport: name };
          return { opened: opened, kind: 'error', error: e, transport: name };
        } finally {
          if (this.current === handle) this.current = null;
        }
        const status = response.status;
        if (status === 200 || status === 304) {
          if (!opened) this.opened(name);
          opened = true;
        }
        const gap = response.headers.get('X-Pushrelay-Gap');
        if (gap) this.gap(gap);
        if (status === 200) {
          const lastModified = response.headers.get('Last-Modified');
          const etag = response.headers.get('Etag');
          const token = tokenOf(lastModified, etag);
          this.deliver(token, text, {
            id: token, transport: name, event: null, lastModified: lastModified, etag: etag,
            contentType: response.headers.get('Content-Type'),
          });
          continue;
        }
        if (status === 304) {
          if (interval) await this.pause(interval);
          continue;
        }
        const error = new HttpError(status, response.statusText);
        if (status === 410) return { opened: true, kind: 'gone', transport: name };
        if (status === 409) return { opened: true, kind: 'conflict', response: response, transport: name };
        return { opened: opened, kind: retriable(status) ? 'error' : 'fatal', error: error, transport: name };
      }
      return { opened: opened, kind: 'again', transport: name };
    }

    /** The module's cursor headers (§4.2): the verbatim pair, else the pair of the token. */
    pollHeaders() {
      const headers = {};
      const m = /^(\d+):(\d+)$/.exec(this.token || '');
      const since = this.since || (m ? new Date(Number(m[1]) * 1000).toUTCString() : null);
      const etag = this.etag || (m ? m[2] : null);
      if (since) headers['If-Modified-Since'] = since;
      if (etag) headers['If-None-Match'] = etag;
      return headers;
    }

    /** A token that is not the legacy pair (§14.1) goes as ?cursor=. */
    pollUrl() {
      const simple = !this.token || /^\d+:\d+$/.test(this.token);
      return simple ? this.url : withArg(this.url, 'cursor', this.token).href;
    }

    pause(ms) {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        };
        const timer = setTimeout(done, ms);
        this.wake = done;
      });
    }
  }

  /**
   * One subscription's part in cross-tab sharing: waits for the lock (following the leader's
   * relays meanwhile), then leads until the subscription stops or the tab closes. Messages on
   * the BroadcastChannel: hello {from, cursor} (a follower asks for what follows its cursor),
   * replay {to, covered, from, entries}, entry {entry}, leader, transport, end {kind, message}.
   */
  class Share {
    constructor(sub, name) {
      this.sub = sub;
      this.id = Math.random().toString(36).slice(2) + Date.now().toString(36);
      this.channel = new global.BroadcastChannel(name);
      this.channel.onmessage = (e) => this.receive(e.data);
      this.history = [];          // leader: the entries it relayed, oldest first
      this.from = null;           // leader: its cursor when it took the lead
      this.truncated = false;     // leader: history lost its oldest entries
      this.recent = [];           // follower: the last tokens delivered, to skip a relay twice
      this.lastGap = null;
      this.awaiting = false;      // follower: a hello not answered yet
      this.abort = new AbortController();
      this.hello();
      global.navigator.locks.request(name, { signal: this.abort.signal }, () => this.lead())
        .catch(() => {}); // aborted: stopped while following
    }

    async lead() {
      const sub = this.sub;
      if (!sub.running) return;
      sub.role = 'leader';
      this.history = [];
      this.from = sub.token;
      this.truncated = false;
      this.post({ type: 'leader', transport: sub.transport });
      sub.options.onRole('leader');
      await sub.lead();
    }

    close() {
      this.abort.abort();
      this.channel.close();
    }

    post(message) {
      try {
        this.channel.postMessage(message);
      } catch (e) {
        // closed: this tab stopped
      }
    }

    /** Leader: keeps an entry for replays and relays it. */
    record(entry) {
      this.history.push(entry);
      if (this.history.length > Math.max(0, this.sub.options.shareHistory)) {
        this.history.shift();
        this.truncated = true;
      }
      this.post({ type: 'entry', entry: entry });
    }

    /** Leader: what follows `cursor` in the history; `covered` false if the history starts later. */
    replay(cursor) {
      const h = this.history;
      for (let i = h.length - 1; i >= 0; i--) {
        if (h[i].kind === 'message' && h[i].token === cursor) return { covered: true, entries: h.slice(i + 1) };
      }
      if (cursor === this.from && !this.truncated) return { covered: true, entries: h };
      return { covered: false, from: h.length ? h[0].prev : this.sub.token, entries: h };
    }

    hello() {
      this.awaiting = true;
      this.post({ type: 'hello', from: this.id, cursor: this.sub.token });
    }

    receive(m) {
      const sub = this.sub;
      if (!sub.running || !m) return;
      if (sub.role === 'leader') {
        if (m.type === 'hello') {
          this.post(Object.assign({ type: 'replay', to: m.from, transport: sub.transport }, this.replay(m.cursor)));
        }
        return;
      }
      switch (m.type) {
        case 'leader':
          this.following(m.transport);
          if (this.awaiting) this.hello(); // asked the tab that left
          break;
        case 'transport':
          this.following(m.transport);
          break;
        case 'replay':
          if (m.to !== this.id) break;
          this.following(m.transport);
          this.awaiting = false;
          if (!m.covered && m.from !== sub.token) {
            // the leader no longer has what follows this tab's cursor
            sub.token = m.from;
            sub.since = sub.etag = null;
            sub.options.onGap(m.from);
          }
          m.entries.forEach((e) => this.follow(e));
          break;
        case 'entry':
          this.following(null);
          this.follow(m.entry);
          break;
        case 'end':
          this.following(null);
          sub.stop();
          if (m.kind === 'gone') sub.options.onGone();
          else if (m.kind === 'conflict') sub.options.onConflict({ status: 409 });
          else sub.options.onError(new Error(m.message || 'stopped'), -1);
          break;
        default:
          break;
      }
    }

    following(transport) {
      const sub = this.sub;
      if (sub.role !== 'follower') {
        sub.role = 'follower';
        sub.options.onRole('follower');
      }
      if (transport && sub.transport !== transport) {
        sub.transport = transport;
        sub.options.onTransport(transport);
      }
    }

    /** Follower: applies a relayed entry if it continues this tab's sequence, else asks for a replay. */
    follow(e) {
      const sub = this.sub;
      if (e.prev !== sub.token) {
        if (e.kind === 'message' && this.recent.indexOf(e.token) < 0 && !this.awaiting) this.hello();
        return;
      }
      if (e.kind === 'gap') {
        const at = sub.token + '>' + e.token;
        if (this.lastGap !== at) sub.options.onGap(e.token);
        this.lastGap = at;
        return;
      }
      this.recent.push(e.token);
      if (this.recent.length > 64) this.recent.shift();
      sub.token = e.token;
      sub.since = e.meta.lastModified;
      sub.etag = e.meta.etag;
      sub.options.onMessage(e.text, Object.assign({}, e.meta, { relayed: true }));
    }
  }

  function retriable(status) {
    return status === 403 || status >= 500;
  }

  /**
   * Follows the channel at `url` (a subscriber location, e.g. '/activity?id=lobby').
   * Returns the running Subscription: stop() ends it, cursor tells where it is, transport
   * which transport carries it.
   */
  function subscribe(url, options) {
    return new Subscription(url, options).start();
  }

  /**
   * Publishes `body` to the publisher location `url` (e.g. '/publish?id=lobby'). Resolves to
   * the Response (201: delivered to waiting subscribers, 202: stored); rejects on a network
   * error or any other status, with error.status set.
   */
  async function publish(url, body, contentType) {
    const response = await fetch(url, {
      method: 'POST', cache: 'no-store', body: body,
      headers: { 'Content-Type': contentType || 'text/plain' },
    });
    if (response.status !== 201 && response.status !== 202) {
      throw new HttpError(response.status, response.statusText);
    }
    return response;
  }

  global.PushRelay = { subscribe: subscribe, publish: publish, Subscription: Subscription, HttpError: HttpError };
})(typeof window !== 'undefined' ? window : globalThis);

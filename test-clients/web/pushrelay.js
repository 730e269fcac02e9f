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
 * The cursor (protocol.md §4.2): each message's Last-Modified and Etag go back as
 * If-Modified-Since and If-None-Match on the next request, so every message arrives exactly
 * once, several per second included. Requests use fetch with cache: 'no-store' so that the
 * browser's HTTP cache neither answers them nor adds conditional headers of its own. The
 * response headers are readable same-origin; serve the page from the same origin as the push
 * locations (pushrelay serves static files too).
 *
 * Statuses (protocol.md §4.6):
 *   200  a message: onMessage, then ask for the next one at once
 *   304  long-poll: the subscriber timeout passed, ask again at once; interval-poll: nothing
 *        new, ask again after `interval` ms
 *   410  the channel was deleted: onGone, the subscription stops
 *   409  another subscriber holds the channel (push_subscriber_concurrency first/last):
 *        onConflict, the subscription stops (retrying would just take turns with the other)
 *   403, 5xx, network errors: onError(error, delayMs), retried after an exponential backoff
 *        (minBackoff doubling up to maxBackoff, reset by the next success); 403 is retried
 *        because its causes pass (a channel not created yet, a full subscriber limit)
 *   other 4xx (404, 405, ...): onError(error, -1), the subscription stops: it is misconfigured
 * When the page comes back online (the window's `online` event), a subscription waiting out a
 * backoff, or holding a request that may have died with the old connection, asks again at
 * once with the same cursor: nothing is lost or repeated.
 */
(function (global) {
  'use strict';

  const DEFAULTS = {
    mode: 'long-poll',      // or 'interval-poll'
    interval: 1000,         // ms between interval-polls that found nothing
    minBackoff: 1000,       // ms before the first retry after an error
    maxBackoff: 30000,      // ms, the cap of the doubling
    since: null,            // a cursor to start from: Last-Modified of the last message seen
    etag: null,             // and its Etag; without them the oldest stored message comes first
    onMessage: function () {},
    onError: function () {},
    onConflict: function () {},
    onGone: function () {},
  };

  class HttpError extends Error {
    constructor(status, statusText) {
      super('HTTP ' + status + (statusText ? ' ' + statusText : ''));
      this.name = 'HttpError';
      this.status = status;
    }
  }

  class Subscription {
    constructor(url, options) {
      this.url = url;
      this.options = Object.assign({}, DEFAULTS, options);
      this.since = this.options.since;
      this.etag = this.options.etag;
      this.backoff = 0;
      this.running = false;
      this.controller = null;   // aborts the request in flight
      this.wake = null;         // ends a pause early
      this.onOnline = () => this.retryNow();
    }

    start() {
      if (this.running) return this;
      this.running = true;
      if (global.addEventListener) global.addEventListener('online', this.onOnline);
      this.loop();
      return this;
    }

    stop() {
      this.running = false;
      if (global.removeEventListener) global.removeEventListener('online', this.onOnline);
      if (this.controller) this.controller.abort();
      if (this.wake) this.wake();
    }

    /** The cursor of the last message received: {since, etag}. */
    get cursor() {
      return { since: this.since, etag: this.etag };
    }

    /** Ends a backoff pause, or the request in flight, and asks again with the same cursor. */
    retryNow() {
      if (!this.running) return;
      this.backoff = 0;
      if (this.wake) this.wake();
      else if (this.controller) this.controller.abort();
    }

    async loop() {
      while (this.running) {
        let delay = 0;
        try {
          delay = await this.poll();
        } catch (e) {
          if (!this.running) break;
          if (e.name === 'AbortError') continue; // retryNow(): ask again at once
          if (e instanceof HttpError && !retriable(e.status)) {
            this.stop();
            this.options.onError(e, -1);
            break;
          }
          this.backoff = this.backoff
            ? Math.min(this.backoff * 2, this.options.maxBackoff)
            : this.options.minBackoff;
          delay = this.backoff;
          this.options.onError(e, delay);
        }
        if (delay > 0 && this.running) await this.pause(delay);
      }
    }

    /** One request; returns how long to wait before the next. */
    async poll() {
      const headers = {};
      if (this.since) headers['If-Modified-Since'] = this.since;
      if (this.etag) headers['If-None-Match'] = this.etag;
      this.controller = new AbortController();
      let response;
      try {
        response = await fetch(this.url, {
          cache: 'no-store', headers: headers, signal: this.controller.signal,
        });
        if (response.status === 200) {
          const text = await response.text();
          this.since = response.headers.get('Last-Modified');
          this.etag = response.headers.get('Etag');
          this.backoff = 0;
          this.options.onMessage(text, {
            lastModified: this.since, etag: this.etag,
            contentType: response.headers.get('Content-Type'),
          });
          return 0;
        }
      } finally {
        this.controller = null;
      }
      switch (response.status) {
        case 304:
          this.backoff = 0;
          return this.options.mode === 'interval-poll' ? this.options.interval : 0;
        case 410:
          this.stop();
          this.options.onGone();
          return 0;
        case 409:
          this.stop();
          this.options.onConflict(response);
          return 0;
        default:
          throw new HttpError(response.status, response.statusText);
      }
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

  function retriable(status) {
    return status === 403 || status >= 500;
  }

  /**
   * Follows the channel at `url` (a subscriber location, e.g. '/activity?id=lobby').
   * Returns the running Subscription: stop() ends it, cursor tells where it is.
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

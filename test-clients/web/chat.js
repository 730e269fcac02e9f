// The chat room of seed article 003 on pushrelay.js: each line is one message on the room's
// channel, published as JSON {"from", "text"}; every tab follows the channel (WebSocket, else
// EventSource, else long-poll; ?transports=a,b forces an order) and shows each line once, in
// the channel's order (newcomers first see the lines still stored). The header shows the
// transport in use; with ?share=1 the tabs of a browser share one connection (pushrelay.js
// `share`), and the header says whether this tab holds it or follows the one that does.
(function () {
  'use strict';
  const params = new URLSearchParams(location.search);
  const room = params.get('room') || 'lobby';
  const channel = encodeURIComponent(room);
  const log = document.getElementById('log');
  const status = document.getElementById('status');
  const form = document.getElementById('say');
  const name = document.getElementById('name');
  const text = document.getElementById('text');
  const transport = document.getElementById('transport');
  const transports = params.get('transports');
  const share = params.get('share') === '1';
  let role = '';

  document.getElementById('room').textContent = room;
  name.value = params.get('name') || 'guest-' + Math.floor(Math.random() * 9000 + 1000);

  function setStatus(state, detail) {
    status.className = 'status ' + state;
    status.textContent = detail ? state + ': ' + detail : state;
  }

  function show(body, meta) {
    let line;
    try {
      line = JSON.parse(body);
    } catch (e) {
      line = { from: '', text: body }; // published by something else (curl, a script)
    }
    const row = document.createElement('div');
    row.className = 'line' + (line.from === name.value ? ' mine' : '');
    row.dataset.etag = meta.etag;
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = line.from;
    const what = document.createElement('span');
    what.className = 'text';
    what.textContent = line.text;
    row.append(who, what);
    log.append(row);
    log.scrollTop = log.scrollHeight;
  }

  const subscription = PushRelay.subscribe('/activity?id=' + channel, {
    transports: transports ? transports.split(',') : undefined,
    share: share,
    onRole: (r) => {
      role = r === 'leader' ? ' (this tab connects)' : ' (shared by another tab)';
      transport.textContent = (subscription.transport || 'connecting') + role;
    },
    onTransport: (name) => {
      transport.textContent = name + role;
      setStatus('live');
    },
    onGap: () => setStatus('live', 'older lines were dropped from the room'),
    onMessage: (body, meta) => {
      setStatus('live');
      show(body, meta);
    },
    onError: (error, delay) => setStatus(delay < 0 ? 'stopped' : 'reconnecting',
      delay < 0 ? error.message : error.message + ', retry in ' + Math.round(delay / 1000) + ' s'),
    onGone: () => setStatus('closed', 'the room was deleted'),
    onConflict: () => setStatus('stopped', 'another subscriber holds the room'),
  });
  setStatus('live');
  window.addEventListener('offline', () => setStatus('offline'));

  // One publish at a time, so that a tab's lines reach the channel in the order typed.
  let sending = Promise.resolve();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = JSON.stringify({ from: name.value, text: text.value });
    text.value = '';
    sending = sending
      .then(() => PushRelay.publish('/publish?id=' + channel, body, 'application/json'))
      .catch((error) => setStatus('error', 'send failed: ' + error.message));
  });

  window.chat = { subscription: subscription, sent: () => sending };
})();

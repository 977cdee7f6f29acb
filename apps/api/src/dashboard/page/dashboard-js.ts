import { DASHBOARD_RECOVER_JS } from './dashboard-recover-js';

/**
 * GET /dashboard/dashboard.js: the page's script, plain ES2020 for current browsers, no build step. It connects to
 * the feed with the token as a `bearer.<JWT>` sub-protocol (never in a URL), keeps the token in sessionStorage,
 * renders with textContent only, and reconnects with capped, jittered backoff. (No backticks or dollar-brace
 * sequences below but the one that includes the recovery part: this is a template string.)
 */
export const DASHBOARD_JS = `'use strict';
(function () {
  var TOKEN_KEY = 'signalgate.dashboard.token';
  var SEVERITY_ORDER = { critical: 0, high: 1, warning: 2, info: 3 };
  var state = { alerts: new Map(), webhooks: new Map(), queue: null, readiness: null, deliveries: [] };
  var ws = null, attempt = 0, openedOnce = false, reconnectTimer = null;
  var $ = function (id) { return document.getElementById(id); };

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  // A token handed over in the URL fragment (never sent to the server) is taken once and removed from the address bar.
  if (location.hash.indexOf('#token=') === 0) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(location.hash.slice(7)));
    history.replaceState(null, '', location.pathname);
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function ago(iso) {
    if (!iso) return '–';
    var s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
    return duration(s * 1000) + ' ago';
  }
  function duration(ms) {
    var s = Math.round(ms / 1000);
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm';
    if (s < 86400) return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm';
    return Math.floor(s / 86400) + 'd';
  }

  function showLogin(message) {
    $('login').hidden = false; $('board').hidden = true; $('forget').hidden = true;
    $('login-error').textContent = message || '';
  }
  function showBoard() { $('login').hidden = true; $('board').hidden = false; $('forget').hidden = false; }
  function setConn(on, text) { var c = $('conn'); c.textContent = text; c.className = 'conn ' + (on ? 'conn-on' : 'conn-off'); }

  function connect() {
    clearTimeout(reconnectTimer);
    if (!token()) { showLogin(''); return; }
    showBoard();
    setConn(false, attempt ? 'reconnecting…' : 'connecting…');
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/v1/ws/dashboard';
    var socket;
    try { socket = new WebSocket(url, ['signalgate.dashboard.v1', 'bearer.' + token()]); } catch (e) { scheduleReconnect(); return; }
    ws = socket;
    var opened = false;
    socket.onopen = function () { opened = true; openedOnce = true; attempt = 0; setConn(true, 'live'); };
    socket.onmessage = function (m) { try { handle(JSON.parse(m.data)); } catch (e) { /* ignore a malformed message */ } };
    socket.onclose = function (ev) {
      if (ws !== socket) return;
      ws = null;
      setConn(false, 'offline');
      // A refused handshake looks like 1006 before open: after a few, the token is the likely cause.
      if (ev.code >= 4400 && ev.code < 4500 || (!opened && !openedOnce && attempt >= 2)) {
        sessionStorage.removeItem(TOKEN_KEY);
        showLogin('The feed refused the connection: check that the token is valid, unexpired and has alerts:read.');
        return;
      }
      scheduleReconnect();
    };
  }
  function scheduleReconnect() {
    attempt += 1;
    var delay = Math.min(30000, 500 * Math.pow(2, Math.min(attempt, 6))) * (0.5 + Math.random() / 2);
    setConn(false, 'offline, retrying in ' + Math.ceil(delay / 1000) + 's');
    reconnectTimer = setTimeout(connect, delay);
  }

  function handle(msg) {
    switch (msg.type) {
      case 'snapshot':
        state.alerts = new Map();
        if (msg.alerts) msg.alerts.items.forEach(function (a) { state.alerts.set(a.id, a); });
        state.webhooks = new Map();
        if (msg.webhooks) msg.webhooks.forEach(function (w) { state.webhooks.set(w.webhook_id, w); });
        state.queue = msg.queue; state.queueAt = Date.now(); state.readiness = msg.readiness;
        var errs = Object.keys(msg.errors || {});
        $('errors').textContent = errs.length ? 'Unavailable: ' + errs.join(', ') : '';
        break;
      case 'alert.created': case 'alert.deduplicated': case 'alert.acknowledged':
        if (msg.alert.status === 'firing') { msg.alert.fresh = msg.type === 'alert.created'; state.alerts.set(msg.alert.id, msg.alert); }
        break;
      case 'alert.resolved': state.alerts.delete(msg.alert.id); break;
      case 'delivery.succeeded': case 'delivery.failed':
        state.deliveries.push({ at: Date.now(), ok: msg.type === 'delivery.succeeded', count: msg.count });
        break;
      case 'webhook.health':
        msg.webhooks.forEach(function (w) { state.webhooks.set(w.webhook_id, w); });
        (msg.removed || []).forEach(function (id) { state.webhooks.delete(id); });
        break;
      case 'queue': state.queue = msg.queue; state.queueAt = Date.now(); break;
      case 'readiness': state.readiness = msg.readiness; break;
      default: return;
    }
    render();
  }

  function act(id, verb, button) {
    button.disabled = true;
    $('action-error').textContent = '';
    fetch('/api/v1/alerts/' + encodeURIComponent(id) + '/' + verb, {
      method: 'POST',
      headers: { 'Authorization': 'Bearer ' + token(), 'Content-Type': 'application/json' },
      body: '{}',
    }).then(function (r) {
      if (!r.ok) return r.json().catch(function () { return {}; }).then(function (b) {
        throw new Error((b && b.message) || ('HTTP ' + r.status));
      });
      return r.json().then(function (a) {
        if (verb === 'resolve') state.alerts.delete(id); else if (state.alerts.has(id)) state.alerts.set(id, Object.assign(state.alerts.get(id), { acknowledged: a.acknowledged, acknowledged_by: a.acknowledged_by, acknowledged_at: a.acknowledged_at }));
        render();
      });
    }).catch(function (e) {
      button.disabled = false;
      $('action-error').textContent = verb + ' failed: ' + e.message;
    });
  }

${DASHBOARD_RECOVER_JS}
  function render() {
    var alerts = Array.from(state.alerts.values()).sort(function (a, b) {
      return (SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]) || (a.created_at < b.created_at ? 1 : -1);
    });
    $('firing-count').textContent = String(alerts.length);
    var tbody = $('alerts').tBodies[0];
    tbody.replaceChildren();
    alerts.forEach(function (a) {
      var tr = el('tr', null, a.acknowledged ? 'acked' : (a.fresh ? 'fresh' : ''));
      tr.dataset.alertId = a.id;
      a.fresh = false;
      var sev = el('td'); sev.appendChild(el('span', a.severity, 'sev sev-' + a.severity)); tr.appendChild(sev);
      var title = el('td', a.title, 'title'); title.title = a.title; tr.appendChild(title);
      tr.appendChild(el('td', a.source || '–'));
      tr.appendChild(el('td', a.occurrences));
      var started = el('td', ago(a.starts_at || a.created_at)); started.dataset.time = a.starts_at || a.created_at; tr.appendChild(started);
      tr.appendChild(el('td', a.acknowledged ? 'acked by ' + (a.acknowledged_by || '?') : 'open', 'ack-state'));
      var actions = el('td');
      if (!a.acknowledged) {
        var ack = el('button', 'Acknowledge', 'ack'); ack.type = 'button';
        ack.onclick = function () { act(a.id, 'acknowledge', ack); };
        actions.appendChild(ack); actions.appendChild(document.createTextNode(' '));
      }
      var res = el('button', 'Resolve', 'resolve'); res.type = 'button';
      res.onclick = function () { act(a.id, 'resolve', res); };
      actions.appendChild(res);
      tr.appendChild(actions);
      tbody.appendChild(tr);
    });
    $('alerts-empty').hidden = alerts.length > 0;
    $('alerts').hidden = alerts.length === 0;

    var wbody = $('webhooks').tBodies[0];
    wbody.replaceChildren();
    var hooks = Array.from(state.webhooks.values()).sort(function (a, b) { return a.name < b.name ? -1 : 1; });
    hooks.forEach(function (w) {
      var tr = el('tr');
      tr.dataset.webhookId = w.webhook_id;
      tr.appendChild(el('td', w.name));
      tr.appendChild(el('td', w.state + (w.disabled_reason ? ' (' + w.disabled_reason + ')' : ''), 'state-' + w.state));
      tr.appendChild(el('td', w.success_rate === null ? '–' : (w.success_rate * 100).toFixed(1) + '%'));
      tr.appendChild(el('td', w.p95_latency_ms === null ? '–' : w.p95_latency_ms + ' ms'));
      tr.appendChild(el('td', w.consecutive_failures, w.consecutive_failures > 0 ? 'state-degraded' : ''));
      var last = el('td', ago(w.last_attempt_at)); last.dataset.time = w.last_attempt_at || ''; tr.appendChild(last);
      var actions = el('td');
      if (w.state !== 'disabled') {
        var rb = el('button', 'Recover 24h', 'recover'); rb.type = 'button';
        rb.title = 'Send the deliveries that failed in the last 24 hours again, once';
        rb.onclick = function () { recover(w, rb); };
        actions.appendChild(rb);
      }
      tr.appendChild(actions);
      wbody.appendChild(tr);
    });
    $('webhooks-empty').hidden = hooks.length > 0;
    $('webhooks').hidden = hooks.length === 0;

    var q = state.queue;
    $('queue-depth').textContent = q ? String(q.depth) : '–';
    $('queue-due').textContent = q ? String(q.due) : '–';
    $('queue-paused').textContent = q ? String(q.paused) : '–';
    var age = $('queue-age');
    age.textContent = q ? (q.oldest_due_age_ms === null ? 'none' : duration(q.oldest_due_age_ms)) : '–';
    age.className = 'value' + (q && q.oldest_due_age_ms > 60000 ? ' warn' : '');

    var cutoff = Date.now() - 60000;
    state.deliveries = state.deliveries.filter(function (d) { return d.at >= cutoff; });
    var ok = 0, failed = 0;
    state.deliveries.forEach(function (d) { if (d.ok) ok += d.count; else failed += d.count; });
    $('delivery-rate').textContent = ok + ' ok / ' + failed + ' failed';

    var chips = $('readiness');
    chips.replaceChildren();
    var r = state.readiness;
    if (r) {
      Object.keys(r.checks).forEach(function (name) {
        var c = r.checks[name];
        var chip = el('span', name + ': ' + c.detail, 'chip ' + (c.ok ? 'ok' : 'bad'));
        if (c.error) chip.title = c.error;
        chips.appendChild(chip);
      });
      if (r.draining) chips.appendChild(el('span', 'draining', 'chip bad'));
    }
  }

  // Relative times stay true without a message.
  setInterval(function () {
    document.querySelectorAll('[data-time]').forEach(function (td) { if (td.dataset.time) td.textContent = ago(td.dataset.time); });
  }, 5000);

  document.addEventListener('DOMContentLoaded', function () {
    $('login').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var t = $('token').value.trim();
      if (!t) return;
      sessionStorage.setItem(TOKEN_KEY, t);
      $('token').value = '';
      attempt = 0; openedOnce = false;
      connect();
    });
    $('forget').addEventListener('click', function () {
      sessionStorage.removeItem(TOKEN_KEY);
      if (ws) { var s = ws; ws = null; s.close(1000); }
      showLogin('');
    });
    connect();
  });
})();
`;

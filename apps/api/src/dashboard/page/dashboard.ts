import { startSeries, stopSeries } from './chart';
import { $, TOKEN_KEY, ago, duration, el, token } from './dom';
import { recover } from './recover';
import type { Alert, FeedMessage, Queue, Readiness, WebhookHealth } from './types';

/**
 * GET /dashboard/dashboard.<hash>.js: the page's script, bundled for the browser by the build (rspack.config.js). It
 * connects to the feed with the token as a `bearer.<JWT>` sub-protocol (never in a URL), keeps the token in
 * sessionStorage, renders with textContent only, and reconnects with capped, jittered backoff.
 */
const SEVERITY_ORDER: Record<string, number> = { critical: 0, high: 1, warning: 2, info: 3 };
const state = {
  alerts: new Map<string, Alert>(),
  webhooks: new Map<string, WebhookHealth>(),
  queue: null as Queue | null,
  readiness: null as Readiness | null,
  deliveries: [] as Array<{ at: number; ok: boolean; count: number }>,
};
let ws: WebSocket | null = null;
let attempt = 0;
let openedOnce = false;
let reconnectTimer: ReturnType<typeof setTimeout> | undefined;

// A token handed over in the URL fragment (never sent to the server) is taken once and removed from the address bar.
if (location.hash.indexOf('#token=') === 0) {
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(location.hash.slice(7)));
  history.replaceState(null, '', location.pathname);
}

function showLogin(message: string): void {
  stopSeries();
  $('login').hidden = false;
  $('board').hidden = true;
  $('forget').hidden = true;
  $('login-error').textContent = message;
}
function showBoard(): void {
  $('login').hidden = true;
  $('board').hidden = false;
  $('forget').hidden = false;
}
function setConn(on: boolean, text: string): void {
  const c = $('conn');
  c.textContent = text;
  c.className = `conn ${on ? 'conn-on' : 'conn-off'}`;
}

function connect(): void {
  clearTimeout(reconnectTimer);
  const bearer = token();
  if (!bearer) return showLogin('');
  showBoard();
  setConn(false, attempt ? 'reconnecting…' : 'connecting…');
  const url = `${location.protocol === 'https:' ? 'wss://' : 'ws://'}${location.host}/api/v1/ws/dashboard`;
  let socket: WebSocket;
  try {
    socket = new WebSocket(url, ['signalgate.dashboard.v1', `bearer.${bearer}`]);
  } catch {
    return scheduleReconnect();
  }
  ws = socket;
  let opened = false;
  socket.onopen = () => {
    opened = true;
    openedOnce = true;
    attempt = 0;
    setConn(true, 'live');
    startSeries();
  };
  socket.onmessage = (m: MessageEvent<string>) => {
    let msg: FeedMessage;
    try {
      msg = JSON.parse(m.data) as FeedMessage;
    } catch {
      return; // a malformed message is ignored
    }
    handle(msg);
  };
  socket.onclose = (ev) => {
    if (ws !== socket) return;
    ws = null;
    setConn(false, 'offline');
    // A refused handshake looks like 1006 before open: after a few, the token is the likely cause.
    if ((ev.code >= 4400 && ev.code < 4500) || (!opened && !openedOnce && attempt >= 2)) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin('The feed refused the connection: check that the token is valid, unexpired and has alerts:read.');
      return;
    }
    scheduleReconnect();
  };
}

function scheduleReconnect(): void {
  attempt += 1;
  const delay = Math.min(30000, 500 * Math.pow(2, Math.min(attempt, 6))) * (0.5 + Math.random() / 2);
  setConn(false, `offline, retrying in ${Math.ceil(delay / 1000)}s`);
  reconnectTimer = setTimeout(connect, delay);
}

function handle(msg: FeedMessage): void {
  switch (msg.type) {
    case 'snapshot': {
      state.alerts = new Map((msg.alerts?.items ?? []).map((a) => [a.id, a]));
      state.webhooks = new Map((msg.webhooks ?? []).map((w) => [w.webhook_id, w]));
      state.queue = msg.queue;
      state.readiness = msg.readiness;
      const errs = Object.keys(msg.errors ?? {});
      $('errors').textContent = errs.length ? `Unavailable: ${errs.join(', ')}` : '';
      break;
    }
    case 'alert.created':
    case 'alert.deduplicated':
    case 'alert.acknowledged':
      if (msg.alert.status === 'firing') state.alerts.set(msg.alert.id, { ...msg.alert, fresh: msg.type === 'alert.created' });
      break;
    case 'alert.resolved':
      state.alerts.delete(msg.alert.id);
      break;
    case 'delivery.succeeded':
    case 'delivery.failed':
      state.deliveries.push({ at: Date.now(), ok: msg.type === 'delivery.succeeded', count: msg.count });
      break;
    case 'webhook.health':
      msg.webhooks.forEach((w) => state.webhooks.set(w.webhook_id, w));
      (msg.removed ?? []).forEach((id) => state.webhooks.delete(id));
      break;
    case 'queue':
      state.queue = msg.queue;
      break;
    case 'readiness':
      state.readiness = msg.readiness;
      break;
    default:
      return;
  }
  render();
}

function act(id: string, verb: 'acknowledge' | 'resolve', button: HTMLButtonElement): void {
  button.disabled = true;
  $('action-error').textContent = '';
  fetch(`/api/v1/alerts/${encodeURIComponent(id)}/${verb}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token() ?? ''}`, 'Content-Type': 'application/json' },
    body: '{}',
  })
    .then(async (r) => {
      const body = (await r.json().catch(() => ({}))) as Partial<Alert> & { message?: string };
      if (!r.ok) throw new Error(body?.message || `HTTP ${r.status}`);
      const known = state.alerts.get(id);
      if (verb === 'resolve') state.alerts.delete(id);
      else if (known)
        state.alerts.set(id, { ...known, acknowledged: body.acknowledged, acknowledged_by: body.acknowledged_by, acknowledged_at: body.acknowledged_at });
      render();
    })
    .catch((e: Error) => {
      button.disabled = false;
      $('action-error').textContent = `${verb} failed: ${e.message}`;
    });
}

function button(text: string, cls: string, onClick: (b: HTMLButtonElement) => void): HTMLButtonElement {
  const b = el('button', text, cls);
  b.type = 'button';
  b.onclick = () => onClick(b);
  return b;
}

function renderAlerts(): void {
  const alerts = Array.from(state.alerts.values()).sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.created_at < b.created_at ? 1 : -1),
  );
  $('firing-count').textContent = String(alerts.length);
  const tbody = $<HTMLTableElement>('alerts').tBodies[0];
  tbody.replaceChildren();
  for (const a of alerts) {
    const tr = el('tr', null, a.acknowledged ? 'acked' : a.fresh ? 'fresh' : '');
    tr.dataset.alertId = a.id;
    a.fresh = false;
    const sev = el('td');
    sev.appendChild(el('span', a.severity, `sev sev-${a.severity}`));
    tr.appendChild(sev);
    const title = el('td', a.title, 'title');
    title.title = a.title;
    tr.appendChild(title);
    tr.appendChild(el('td', a.source || '–'));
    tr.appendChild(el('td', a.occurrences));
    const started = el('td', ago(a.starts_at || a.created_at));
    started.dataset.time = a.starts_at || a.created_at;
    tr.appendChild(started);
    tr.appendChild(el('td', a.acknowledged ? `acked by ${a.acknowledged_by || '?'}` : 'open', 'ack-state'));
    const actions = el('td');
    if (!a.acknowledged)
      actions.append(
        button('Acknowledge', 'ack', (b) => act(a.id, 'acknowledge', b)),
        ' ',
      );
    actions.appendChild(button('Resolve', 'resolve', (b) => act(a.id, 'resolve', b)));
    tr.appendChild(actions);
    tbody.appendChild(tr);
  }
  $('alerts-empty').hidden = alerts.length > 0;
  $('alerts').hidden = alerts.length === 0;
}

function renderWebhooks(): void {
  const wbody = $<HTMLTableElement>('webhooks').tBodies[0];
  wbody.replaceChildren();
  const hooks = Array.from(state.webhooks.values()).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const w of hooks) {
    const tr = el('tr');
    tr.dataset.webhookId = w.webhook_id;
    tr.appendChild(el('td', w.name));
    tr.appendChild(el('td', w.state + (w.disabled_reason ? ` (${w.disabled_reason})` : ''), `state-${w.state}`));
    tr.appendChild(el('td', w.success_rate === null ? '–' : `${(w.success_rate * 100).toFixed(1)}%`));
    tr.appendChild(el('td', w.p95_latency_ms === null ? '–' : `${w.p95_latency_ms} ms`));
    tr.appendChild(el('td', w.consecutive_failures, w.consecutive_failures > 0 ? 'state-degraded' : ''));
    const last = el('td', ago(w.last_attempt_at));
    last.dataset.time = w.last_attempt_at || '';
    tr.appendChild(last);
    const actions = el('td');
    if (w.state !== 'disabled') {
      const rb = button('Recover 24h', 'recover', (b) => recover(w, b));
      rb.title = 'Send the deliveries that failed in the last 24 hours again, once';
      actions.appendChild(rb);
    }
    tr.appendChild(actions);
    wbody.appendChild(tr);
  }
  $('webhooks-empty').hidden = hooks.length > 0;
  $('webhooks').hidden = hooks.length === 0;
}

function renderFigures(): void {
  const q = state.queue;
  $('queue-depth').textContent = q ? String(q.depth) : '–';
  $('queue-due').textContent = q ? String(q.due) : '–';
  $('queue-paused').textContent = q ? String(q.paused) : '–';
  const age = $('queue-age');
  age.textContent = q ? (q.oldest_due_age_ms === null ? 'none' : duration(q.oldest_due_age_ms)) : '–';
  age.className = `value${q && q.oldest_due_age_ms !== null && q.oldest_due_age_ms > 60000 ? ' warn' : ''}`;

  const cutoff = Date.now() - 60000;
  state.deliveries = state.deliveries.filter((d) => d.at >= cutoff);
  let ok = 0;
  let failed = 0;
  for (const d of state.deliveries) {
    if (d.ok) ok += d.count;
    else failed += d.count;
  }
  $('delivery-rate').textContent = `${ok} ok / ${failed} failed`;

  const chips = $('readiness');
  chips.replaceChildren();
  const r = state.readiness;
  if (!r) return;
  for (const [name, c] of Object.entries(r.checks)) {
    const chip = el('span', `${name}: ${c.detail}`, `chip ${c.ok ? 'ok' : 'bad'}`);
    if (c.error) chip.title = c.error;
    chips.appendChild(chip);
  }
  if (r.draining) chips.appendChild(el('span', 'draining', 'chip bad'));
}

function render(): void {
  renderAlerts();
  renderWebhooks();
  renderFigures();
}

// Relative times stay true without a message.
setInterval(() => {
  document.querySelectorAll<HTMLElement>('[data-time]').forEach((td) => {
    if (td.dataset.time) td.textContent = ago(td.dataset.time);
  });
}, 5000);

document.addEventListener('DOMContentLoaded', () => {
  $('login').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = $<HTMLInputElement>('token');
    const t = input.value.trim();
    if (!t) return;
    sessionStorage.setItem(TOKEN_KEY, t);
    input.value = '';
    attempt = 0;
    openedOnce = false;
    connect();
  });
  $('forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    if (ws) {
      const s = ws;
      ws = null;
      s.close(1000);
    }
    showLogin('');
  });
  connect();
});

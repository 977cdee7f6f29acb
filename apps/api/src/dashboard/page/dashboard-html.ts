/** GET /dashboard: the page's markup. Styles and script are separate files (a strict CSP allows 'self' only). */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Signalgate · live</title>
<link rel="stylesheet" href="/dashboard/dashboard.css">
<script src="/dashboard/dashboard.js" defer></script>
</head>
<body>
<header>
  <h1>Signalgate <span class="muted">live</span></h1>
  <div id="readiness" class="chips" aria-label="dependency readiness"></div>
  <div class="spacer"></div>
  <span id="conn" class="conn conn-off" role="status">offline</span>
  <button id="forget" type="button" class="link" hidden>change token</button>
</header>
<main>
  <form id="login" hidden autocomplete="off">
    <h2>Connect</h2>
    <p>Paste an API token with the <code>alerts:read</code> scope (<code>alerts:write</code> to acknowledge and resolve,
       <code>webhooks:write</code> to recover a webhook's failed deliveries).
       It is kept in this tab's session storage only.</p>
    <input id="token" type="password" autocomplete="off" placeholder="JWT" spellcheck="false" required>
    <button type="submit">Connect</button>
    <p id="login-error" class="error" role="alert"></p>
  </form>
  <div id="board" hidden>
    <section class="stats">
      <div class="stat"><div class="label">Firing</div><div id="firing-count" class="value">–</div></div>
      <div class="stat"><div class="label">Queue depth</div><div id="queue-depth" class="value">–</div></div>
      <div class="stat"><div class="label">Due now</div><div id="queue-due" class="value">–</div></div>
      <div class="stat"><div class="label">Oldest due</div><div id="queue-age" class="value">–</div></div>
      <div class="stat" title="Queued for paused webhooks: sent on re-activation, or failed once paused longer than DELIVERY_PAUSED_EXPIRE_HOURS"><div class="label">Paused</div><div id="queue-paused" class="value">–</div></div>
      <div class="stat"><div class="label">Deliveries (1 min)</div><div id="delivery-rate" class="value">–</div></div>
    </section>
    <section>
      <h2>Firing alerts</h2>
      <p id="action-error" class="error" role="alert"></p>
      <table id="alerts"><thead><tr><th>Severity</th><th>Alert</th><th>Source</th><th>Count</th><th>Started</th><th>State</th><th></th></tr></thead><tbody></tbody></table>
      <p id="alerts-empty" class="muted">No firing alerts.</p>
    </section>
    <section>
      <h2>Webhooks</h2>
      <p id="recover-error" class="error" role="alert"></p>
      <p id="recover-status" class="muted" role="status"></p>
      <table id="webhooks"><thead><tr><th>Webhook</th><th>State</th><th>Success</th><th>p95</th><th>Failure streak</th><th>Last attempt</th><th></th></tr></thead><tbody></tbody></table>
      <p id="webhooks-empty" class="muted">No webhooks.</p>
    </section>
    <p id="errors" class="error"></p>
  </div>
</main>
</body>
</html>
`;

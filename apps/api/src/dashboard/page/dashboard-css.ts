/** GET /dashboard/dashboard.css */
export const DASHBOARD_CSS = `
:root { --bg:#0f1419; --panel:#182029; --line:#2a3642; --text:#e6edf3; --muted:#8b98a5;
  --critical:#ff4d4f; --high:#fa8c16; --warning:#fadb14; --info:#40a9ff; --ok:#52c41a; --bad:#ff4d4f; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--text); }
header { display:flex; align-items:center; gap:16px; padding:10px 20px; background:var(--panel); border-bottom:1px solid var(--line); position:sticky; top:0; }
h1 { font-size:18px; margin:0; } h2 { font-size:15px; margin:18px 0 8px; }
.spacer { flex:1; } .muted { color:var(--muted); font-weight:normal; }
main { padding:0 20px 30px; max-width:1400px; margin:0 auto; }
.chips { display:flex; gap:6px; } .chip { padding:2px 8px; border-radius:10px; font-size:12px; border:1px solid var(--line); }
.chip.ok { color:var(--ok); border-color:var(--ok); } .chip.bad { color:#fff; background:var(--bad); border-color:var(--bad); }
.conn { font-size:12px; padding:2px 8px; border-radius:10px; } .conn-on { background:#1f3d1f; color:var(--ok); } .conn-off { background:#4a1f1f; color:#ffa39e; }
.stats { display:grid; grid-template-columns:repeat(6, minmax(110px, 1fr)); gap:12px; margin-top:16px; }
.stat { background:var(--panel); border:1px solid var(--line); border-radius:6px; padding:10px 14px; }
.stat .label { color:var(--muted); font-size:12px; } .stat .value { font-size:24px; font-weight:600; }
.stat .value.warn { color:var(--high); }
table { width:100%; border-collapse:collapse; background:var(--panel); border:1px solid var(--line); border-radius:6px; }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); vertical-align:middle; }
th { color:var(--muted); font-weight:500; font-size:12px; }
td.title { max-width:520px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
.sev { display:inline-block; min-width:64px; text-align:center; padding:1px 8px; border-radius:4px; font-size:12px; font-weight:600; color:#000; }
.sev-critical { background:var(--critical); color:#fff; } .sev-high { background:var(--high); } .sev-warning { background:var(--warning); } .sev-info { background:var(--info); }
tr.acked td { opacity:.6; } tr.fresh { animation: flash 1.5s ease-out; }
@keyframes flash { from { background:#2d3f52; } to { background:transparent; } }
.state-healthy { color:var(--ok); } .state-degraded { color:var(--high); font-weight:600; } .state-disabled { color:var(--bad); font-weight:600; }
button { background:#2b5278; color:#fff; border:0; border-radius:4px; padding:4px 10px; cursor:pointer; font-size:13px; }
button:hover { background:#366a9c; } button[disabled] { opacity:.5; cursor:default; }
button.link { background:none; color:var(--muted); text-decoration:underline; padding:0; }
button.resolve { background:#3a4a3a; }
form { max-width:520px; margin:40px auto; background:var(--panel); border:1px solid var(--line); border-radius:6px; padding:20px; }
input { width:100%; padding:8px; margin:8px 0; background:var(--bg); color:var(--text); border:1px solid var(--line); border-radius:4px; }
.error { color:#ffa39e; } .error:empty { display:none; }
`;

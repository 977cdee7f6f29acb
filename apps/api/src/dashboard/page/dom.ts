/** The page's small DOM helpers and its token store (sessionStorage of this tab only). Text goes in as textContent, never HTML. */
export const TOKEN_KEY = 'signalgate.dashboard.token';

export function $<T extends Element = HTMLElement>(id: string): T {
  const found: Element | null = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found as T;
}

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string | number | null, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

/** A JSON call to the API with the tab's token; rejects with the API's message on a non-2xx answer. */
export async function apiCall<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(path, {
    method,
    headers: { Authorization: `Bearer ${token() ?? ''}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = (await r.json().catch(() => ({}))) as { message?: string };
  if (!r.ok) throw new Error(parsed?.message || `HTTP ${r.status}`);
  return parsed as T;
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d`;
}

export function ago(iso: string | null | undefined): string {
  if (!iso) return '–';
  return `${duration(Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000)) * 1000)} ago`;
}

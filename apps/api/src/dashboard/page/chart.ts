import { $, apiCall } from './dom';

/** The last hour, per minute (GET /api/v1/dashboard/series), drawn as three small inline SVG charts. */
export interface SeriesPoint {
  at: string;
  alerts: number;
  deliveries_ok: number;
  deliveries_failed: number;
  p95_ms: number | null;
}
export interface Series {
  bucket_ms: number;
  points: SeriesPoint[];
  truncated: boolean;
}

/** Refreshed every 30 s while the page is open (the figures are per minute). */
export const SERIES_REFRESH_MS = 30_000;
const SVG = 'http://www.w3.org/2000/svg';
const W = 300;
const H = 90;
const TOP = 12;
const BOTTOM = H - 2;

function svgEl(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function frame(svg: SVGSVGElement, max: number, unit: string, total: number): void {
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.dataset.total = String(total);
  svg.dataset.max = String(max);
  svg.appendChild(svgEl('line', { class: 'axis', x1: 0, y1: BOTTOM, x2: W, y2: BOTTOM }));
  svg.appendChild(svgEl('text', { class: 'tick', x: 2, y: 10 }, `max ${max}${unit}`));
}

const yOf = (value: number, max: number): number => BOTTOM - (max > 0 ? (value / max) * (BOTTOM - TOP) : 0);

/** Stacked bars, one per minute: each layer a [class, value] pair, bottom first. */
function bars(svg: SVGSVGElement, points: SeriesPoint[], layers: Array<[string, (p: SeriesPoint) => number]>): void {
  const sums = points.map((p) => layers.reduce((s, [, f]) => s + f(p), 0));
  const max = Math.max(0, ...sums);
  frame(
    svg,
    max,
    '',
    sums.reduce((a, b) => a + b, 0),
  );
  const step = W / Math.max(1, points.length);
  points.forEach((p, i) => {
    let base = 0;
    for (const [cls, f] of layers) {
      const v = f(p);
      if (v <= 0) continue;
      const y0 = yOf(base, max);
      const y1 = yOf(base + v, max);
      const rect = svgEl('rect', {
        class: cls,
        x: (i * step + 0.5).toFixed(1),
        y: y1.toFixed(1),
        width: Math.max(1, step - 1).toFixed(1),
        height: (y0 - y1).toFixed(1),
      });
      rect.appendChild(svgEl('title', {}, `${new Date(p.at).toLocaleTimeString()}: ${v}`));
      svg.appendChild(rect);
      base += v;
    }
  });
}

function line(svg: SVGSVGElement, points: SeriesPoint[]): void {
  const values = points.map((p) => p.p95_ms);
  const known = values.filter((v): v is number => v !== null);
  const max = Math.max(0, ...known);
  frame(svg, max, ' ms', known.length);
  const step = W / Math.max(1, points.length);
  // A minute without attempts breaks the line instead of drawing it through zero.
  let run: string[] = [];
  const flush = (): void => {
    if (run.length > 1) svg.appendChild(svgEl('polyline', { class: 'line', points: run.join(' ') }));
    else if (run.length === 1) {
      const [x, y] = run[0].split(',');
      svg.appendChild(svgEl('circle', { class: 'line', cx: x, cy: y, r: 1.5 }));
    }
    run = [];
  };
  values.forEach((v, i) => {
    if (v === null) return flush();
    run.push(`${(i * step + step / 2).toFixed(1)},${yOf(v, max).toFixed(1)}`);
  });
  flush();
}

export function drawSeries(series: Series): void {
  bars($<SVGSVGElement>('chart-alerts'), series.points, [['bar-alerts', (p) => p.alerts]]);
  bars($<SVGSVGElement>('chart-deliveries'), series.points, [
    ['ok', (p) => p.deliveries_ok],
    ['failed', (p) => p.deliveries_failed],
  ]);
  line($<SVGSVGElement>('chart-latency'), series.points);
  $('series-status').textContent = series.truncated ? '(busiest minutes count the latest attempts only)' : '';
}

let timer: ReturnType<typeof setInterval> | undefined;

async function refresh(): Promise<void> {
  try {
    drawSeries(await apiCall<Series>('GET', '/api/v1/dashboard/series'));
  } catch (e) {
    $('series-status').textContent = `unavailable: ${(e as Error).message}`;
  }
}

/** Fetches the series now and every SERIES_REFRESH_MS until stopSeries(). */
export function startSeries(): void {
  stopSeries();
  void refresh();
  timer = setInterval(() => void refresh(), SERIES_REFRESH_MS);
}

export function stopSeries(): void {
  clearInterval(timer);
  timer = undefined;
}

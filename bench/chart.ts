// The report's chart, as hand-written SVG: throughput and p99 latency against concurrency, one line per scenario
// (Sésame solid, bare oidc-provider dashed), both on logarithmic axes since scenarios differ by orders of magnitude.
import type { LoadResult } from './load.js';

export interface Series {
  label: string;
  color: string;
  dashed: boolean;
  rows: LoadResult[];
}

const W = 420;
const H = 300;
const M = { left: 60, right: 15, top: 30, bottom: 45 };

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function panel(x0: number, title: string, series: Series[], value: (r: LoadResult) => number, concurrencies: number[]): string {
  const values = series.flatMap((s) => s.rows.map(value)).filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.floor(Math.log10(Math.min(...values, 1)));
  const hi = Math.ceil(Math.log10(Math.max(...values, 10)));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const xAt = (c: number) => x0 + M.left + (concurrencies.length === 1 ? plotW / 2 : (concurrencies.indexOf(c) / (concurrencies.length - 1)) * plotW);
  const yAt = (v: number) => M.top + plotH - ((Math.log10(v) - lo) / (hi - lo || 1)) * plotH;
  const parts: string[] = [`<text x="${x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">${escapeXml(title)}</text>`];
  for (let e = lo; e <= hi; e += 1) {
    const y = yAt(10 ** e);
    parts.push(`<line x1="${x0 + M.left}" y1="${y}" x2="${x0 + W - M.right}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${x0 + M.left - 6}" y="${y + 4}" text-anchor="end">${(10 ** e).toLocaleString('en-US')}</text>`);
  }
  for (const c of concurrencies) {
    parts.push(`<text x="${xAt(c)}" y="${H - M.bottom + 18}" text-anchor="middle">${c}</text>`);
  }
  parts.push(`<text x="${x0 + M.left + plotW / 2}" y="${H - 8}" text-anchor="middle">concurrency</text>`);
  parts.push(`<rect x="${x0 + M.left}" y="${M.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  for (const s of series) {
    const points = s.rows.filter((r) => Number.isFinite(value(r)) && value(r) > 0).map((r) => `${xAt(r.concurrency).toFixed(1)},${yAt(value(r)).toFixed(1)}`);
    if (!points.length) continue;
    parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`);
    for (const p of points) parts.push(`<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3" fill="${s.color}"/>`);
  }
  return parts.join('\n');
}

/** The whole SVG document. */
export function renderChart(title: string, series: Series[], concurrencies: number[]): string {
  const legendRows = Math.ceil(series.length / 3);
  const height = H + 20 + legendRows * 18;
  const legend = series.map((s, i) => {
    const x = 20 + (i % 3) * 280;
    const y = H + 20 + Math.floor(i / 3) * 18;
    return `<line x1="${x}" y1="${y - 4}" x2="${x + 24}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/><text x="${x + 30}" y="${y}">${escapeXml(s.label)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${height}" viewBox="0 0 ${2 * W} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    panel(0, 'Throughput (operations/s)', series, (r) => r.opsPerSecond, concurrencies),
    panel(W, 'p99 latency (ms)', series, (r) => r.latency.p99, concurrencies),
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}

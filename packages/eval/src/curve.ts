// Training curves as standalone SVG: linear x (steps), y scaled to the data, one line per series.
// Used by the experiment reports in docs/ (loss, held-out accuracy, reward vs step).

export interface CurveSeries {
  name: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
}

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c'];
const f = (x: number): string => (Math.round(x * 10) / 10).toString();
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function curveSvg(
  title: string,
  xLabel: string,
  yLabel: string,
  series: readonly CurveSeries[],
  yRange?: [number, number],
): string {
  const W = 640;
  const H = 320;
  const M = { left: 56, right: 16, top: 32, bottom: 44 };
  const pts = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y));
  const x0 = Math.min(...pts.map((p) => p.x));
  const x1 = Math.max(...pts.map((p) => p.x));
  let [y0, y1] = yRange ?? [Math.min(...pts.map((p) => p.y)), Math.max(...pts.map((p) => p.y))];
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const px = (x: number): number => M.left + ((x - x0) / Math.max(x1 - x0, 1e-9)) * (W - M.left - M.right);
  const py = (y: number): number => M.top + (1 - (y - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${esc(title)}</text>`,
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#333"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#333"/>`,
    `<text x="${W / 2}" y="${H - 8}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text x="14" y="${H / 2}" text-anchor="middle" transform="rotate(-90 14 ${H / 2})">${esc(yLabel)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    const x = x0 + ((x1 - x0) * i) / 4;
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${f(py(y))}" y2="${f(py(y))}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${f(py(y) + 4)}" text-anchor="end">${Number(y.toPrecision(3))}</text>`);
    out.push(`<text x="${f(px(x))}" y="${H - M.bottom + 16}" text-anchor="middle">${Math.round(x)}</text>`);
  }
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const p = s.points.filter((q) => Number.isFinite(q.y));
    if (!p.length) return;
    out.push(
      `<polyline fill="none" stroke="${c}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="5 4"' : ''} points="${p.map((q) => `${f(px(q.x))},${f(py(q.y))}`).join(' ')}"/>`,
    );
    if (p.length <= 30)
      for (const q of p) out.push(`<circle cx="${f(px(q.x))}" cy="${f(py(q.y))}" r="2.5" fill="${c}"/>`);
    out.push(
      `<rect x="${M.left + 10}" y="${M.top + 6 + i * 16}" width="12" height="3" fill="${c}"/><text x="${M.left + 27}" y="${M.top + 10 + i * 16}">${esc(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// Minimal static SVG charts (a line chart and a grouped bar chart) written by hand: two fixed
// chart shapes do not justify a charting library, and the output stays deterministic and tiny.

export interface LineSeries {
  name: string;
  points: { x: number; y: number }[];
}

export interface BarSeries {
  name: string;
  values: (number | null)[];
}

const W = 520;
const H = 320;
const M = { left: 56, right: 16, top: 36, bottom: 64 };
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const f = (x: number): string => (Math.round(x * 10) / 10).toString();

function frame(title: string, yLabel: string, body: string[]): string {
  const plotH = H - M.top - M.bottom;
  const grid: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const y = M.top + plotH * (1 - i / 4);
    grid.push(`<line x1="${M.left}" y1="${f(y)}" x2="${W - M.right}" y2="${f(y)}" stroke="#ddd"/>`);
    grid.push(`<text x="${M.left - 6}" y="${f(y + 4)}" text-anchor="end">${i * 25}</text>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
    `<text transform="translate(14 ${f(M.top + plotH / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
    ...grid,
    `<line x1="${M.left}" y1="${M.top + plotH}" x2="${W - M.right}" y2="${M.top + plotH}" stroke="#333"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function legend(names: readonly string[]): string[] {
  if (names.length < 2) return [];
  return names.map((n, i) => {
    const x = M.left + i * 110;
    const y = H - 12;
    return `<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/><text x="${x + 14}" y="${y}">${escapeXml(n)}</text>`;
  });
}

/** y in [0, 1] shown as percent; x on a log2 axis (k = 1, 2, 4, …). */
export function lineChartSvg(title: string, xLabel: string, yLabel: string, series: readonly LineSeries[]): string {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const lx = xs.map((x) => Math.log2(x));
  const lo = lx.length ? lx[0] : 0;
  const span = lx.length > 1 ? lx[lx.length - 1] - lo : 1;
  const pad = 12; // keep end points off the axes
  const px = (x: number): number =>
    M.left + pad + (lx.length > 1 ? ((Math.log2(x) - lo) / span) * (plotW - 2 * pad) : plotW / 2 - pad);
  const py = (y: number): number => M.top + plotH * (1 - y);
  const body: string[] = xs.map(
    (x) => `<text x="${f(px(x))}" y="${M.top + plotH + 16}" text-anchor="middle">${x}</text>`,
  );
  body.push(
    `<text x="${M.left + plotW / 2}" y="${M.top + plotH + 34}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const pts = s.points.map((p) => `${f(px(p.x))},${f(py(p.y))}`).join(' ');
    body.push(`<polyline points="${pts}" fill="none" stroke="${c}" stroke-width="2"/>`);
    for (const p of s.points) body.push(`<circle cx="${f(px(p.x))}" cy="${f(py(p.y))}" r="3" fill="${c}"/>`);
  });
  body.push(...legend(series.map((s) => s.name)));
  return frame(title, yLabel, body);
}

/** Grouped bars, values in [0, 1] shown as percent; null draws no bar (an empty bucket). */
export function barChartSvg(
  title: string,
  yLabel: string,
  categories: readonly string[],
  series: readonly BarSeries[],
): string {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const groupW = plotW / Math.max(1, categories.length);
  const barW = (groupW * 0.8) / Math.max(1, series.length);
  const body: string[] = [];
  categories.forEach((cat, ci) => {
    const gx = M.left + ci * groupW;
    body.push(
      `<text x="${f(gx + groupW / 2)}" y="${M.top + plotH + 16}" text-anchor="middle">${escapeXml(cat)}</text>`,
    );
    series.forEach((s, si) => {
      const v = s.values[ci];
      if (v === null || v === undefined || Number.isNaN(v)) return;
      const h = plotH * Math.min(1, Math.max(0, v));
      const x = gx + groupW * 0.1 + si * barW;
      body.push(
        `<rect x="${f(x)}" y="${f(M.top + plotH - h)}" width="${f(barW)}" height="${f(h)}" fill="${COLORS[si % COLORS.length]}"/>`,
      );
    });
  });
  body.push(...legend(series.map((s) => s.name)));
  return frame(title, yLabel, body);
}

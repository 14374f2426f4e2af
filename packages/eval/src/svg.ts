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

function legend(names: readonly string[], markers = false): string[] {
  if (names.length < 2) return [];
  return names.map((n, i) => {
    const x = M.left + i * 110;
    const y = H - 12;
    const c = COLORS[i % COLORS.length];
    const key = markers
      ? marker(i, x + 5, y - 4, c)
      : `<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${c}"/>`;
    return `${key}<text x="${x + 14}" y="${y}">${escapeXml(n)}</text>`;
  });
}

/** A distinct marker shape per series (circle, square, triangle, diamond), so series that lie on
 *  top of each other stay tellable apart without colour. */
function marker(i: number, x: number, y: number, c: string): string {
  const r = 3.5;
  switch (i % 4) {
    case 0:
      return `<circle cx="${f(x)}" cy="${f(y)}" r="${r}" fill="${c}"/>`;
    case 1:
      return `<rect x="${f(x - r)}" y="${f(y - r)}" width="${2 * r}" height="${2 * r}" fill="${c}"/>`;
    case 2:
      return `<polygon points="${f(x)},${f(y - r - 1)} ${f(x - r - 1)},${f(y + r)} ${f(x + r + 1)},${f(y + r)}" fill="${c}"/>`;
    default:
      return `<polygon points="${f(x)},${f(y - r - 1)} ${f(x + r + 1)},${f(y)} ${f(x)},${f(y + r + 1)} ${f(x - r - 1)},${f(y)}" fill="${c}"/>`;
  }
}

const DASHES = ['', '6 3', '2 3', '8 3 2 3'];

/** Centred "no data" in an empty plot area, instead of a blank chart. */
function noData(): string {
  return `<text x="${W / 2}" y="${M.top + (H - M.top - M.bottom) / 2}" text-anchor="middle" font-size="14" fill="#888">no data</text>`;
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
  // Series with equal values would hide each other: shift each a few pixels sideways and give it its
  // own marker and dash pattern.
  const n = series.length;
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const dx = n > 1 ? (i - (n - 1) / 2) * 3 : 0;
    const pts = s.points.map((p) => `${f(px(p.x) + dx)},${f(py(p.y))}`).join(' ');
    const dash = DASHES[i % DASHES.length] ? ` stroke-dasharray="${DASHES[i % DASHES.length]}"` : '';
    body.push(`<polyline points="${pts}" fill="none" stroke="${c}" stroke-width="2"${dash}/>`);
    for (const p of s.points) body.push(marker(i, px(p.x) + dx, py(p.y), c));
  });
  if (!series.some((s) => s.points.length)) body.push(noData());
  body.push(
    ...legend(
      series.map((s) => s.name),
      true,
    ),
  );
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
      // a zero still gets a sliver and its value, so "0%" is not mistaken for a missing bar
      const h = Math.max(1.5, plotH * Math.min(1, Math.max(0, v)));
      const x = gx + groupW * 0.1 + si * barW;
      body.push(
        `<rect x="${f(x)}" y="${f(M.top + plotH - h)}" width="${f(barW)}" height="${f(h)}" fill="${COLORS[si % COLORS.length]}"/>`,
        `<text x="${f(x + barW / 2)}" y="${f(M.top + plotH - h - 3)}" text-anchor="middle" font-size="9">${Math.round(100 * v)}</text>`,
      );
    });
  });
  const empty = !series.some((s) => s.values.some((v) => v !== null && v !== undefined && !Number.isNaN(v)));
  if (empty) body.push(noData());
  body.push(...legend(series.map((s) => s.name)));
  return frame(title, yLabel, body);
}

// Rendering: report.md, the SVG charts, report.json round trip, and the comparison table.
import { describe, expect, it } from 'vitest';
import {
  MemoryEvalStorage,
  buildReport,
  compareMarkdown,
  lineChartSvg,
  barChartSvg,
  parseReport,
  reportMarkdown,
  writeReportFiles,
  type CompletionRecord,
  type EvalReport,
} from '../src/index.ts';

function report(model: string, solved: number[], ref?: string): EvalReport {
  const n = 4;
  const recs: CompletionRecord[] = solved.flatMap((c, q) =>
    Array.from({ length: n }, (_, j) => ({
      id: `q${q}`,
      sample: j,
      completion: '',
      reward: 0,
      correct: j < c,
      format_ok: true,
      tokens: 10,
      truncated: false,
    })),
  );
  const ids = solved.map((_, q) => `q${q}`);
  const reference = ref ? { name: ref, rates: new Map(ids.map((id) => [id, 0.5])) } : undefined;
  return buildReport({
    task: 'math',
    model,
    samples: n,
    questionIds: ids,
    records: recs,
    reference,
    settings: { temperature: 0.7 },
  });
}

describe('report outputs', () => {
  it('report.md shows the headline numbers in percent', () => {
    const md = reportMarkdown(report('base', [4, 0]));
    expect(md).toContain('| pass@1 (mean ± std over samples) | 50.0 ± 0.0 |');
    expect(md).toContain('| pass@4 | 50.0 |');
    expect(md).toContain('temperature=0.7');
    expect(md).toMatch(/\| unsolved \| 0 \| 1 \| 0\.0 \| 0\.0 \| 0\.0 \|/);
  });

  it('writes all four files, and report.json parses back to the same report', async () => {
    const s = new MemoryEvalStorage();
    const r = report('base', [1, 2, 3]);
    await writeReportFiles(s, r);
    expect([...s.files.keys()].sort()).toEqual(['buckets.svg', 'passk.svg', 'report.json', 'report.md']);
    expect(parseReport(s.files.get('report.json')!, 'report.json')).toEqual(r);
    const svg = s.files.get('passk.svg')!;
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<circle /g)).toHaveLength(3); // k = 1, 2, 4
    // buckets chart: pass@1 and pass@4 bars for the non-empty buckets (hard, medium, easy)
    expect(s.files.get('buckets.svg')!.match(/<rect x="[^"]*" y=/g)).toHaveLength(6);
  });

  it('says "no data" instead of drawing a blank chart', () => {
    expect(lineChartSvg('t', 'x', 'y', [{ name: 's', points: [] }])).toContain('>no data</text>');
    expect(barChartSvg('t', 'y', ['a', 'b'], [{ name: 's', values: [null, null] }])).toContain('>no data</text>');
    expect(barChartSvg('t', 'y', ['a'], [{ name: 's', values: [0] }])).not.toContain('no data');
  });

  it('keeps overlapping series apart: shifted points, one marker shape each', () => {
    const same = [
      { x: 1, y: 0 },
      { x: 4, y: 0 },
    ];
    const svg = lineChartSvg('t', 'x', 'y', [
      { name: 'a', points: same },
      { name: 'b', points: same },
    ]);
    const lines = [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).not.toBe(lines[1]);
    expect(svg).toMatch(/<circle /);
    expect(svg).toMatch(/<rect x="[^"]*" y="[^"]*" width="7"/); // b's square markers
  });

  it('escapes labels in SVG', () => {
    const svg = lineChartSvg('a<b & "c"', 'x', 'y', [{ name: 's', points: [{ x: 1, y: 0.5 }] }]);
    expect(svg).toContain('a&lt;b &amp; &quot;c&quot;');
    expect(svg).not.toContain('a<b');
  });

  it('parseReport names the bad field', () => {
    const bad = JSON.stringify({ ...report('m', [1]), pass1: { mean: 'x', std: 0, per_sample: [] } });
    expect(() => parseReport(bad, 'runs/a/report.json')).toThrow(
      /runs\/a\/report.json: not an eval report: pass1.mean/,
    );
    expect(() => parseReport('{', 'r.json')).toThrow(/r.json: malformed JSON/);
  });
});

describe('compareMarkdown', () => {
  it('puts runs side by side with one row per metric and bucket', () => {
    const md = compareMarkdown([
      { label: 'base', report: report('base', [0, 1, 2, 4], 'base') },
      { label: 'warmup', report: report('warmup', [2, 3, 4, 4], 'base') },
    ]);
    const lines = md.split('\n');
    expect(lines[0]).toBe('| metric, unit | base | warmup |');
    // per-sample accuracy 3/4, 2/4, 1/4, 1/4 (base) and 1, 1, 3/4, 2/4 (warmup): both have std 0.2073
    expect(md).toContain('| pass@1, % (mean ± std over questions) | 43.8 ± 20.7 | 81.3 ± 20.7 |');
    expect(md).toContain('| pass@4, % | 75.0 | 100.0 |');
    // all questions are in the medium bucket of the (shared) reference
    expect(md).toContain('| medium (0.25, 0.75]: questions (count) | 4 | 4 |');
    expect(md).toContain('| medium: pass@4, % | 75.0 | 100.0 |');
    expect(md).not.toContain('Note:');
    // buckets empty in every run are left out
    expect(md).not.toContain('easy');
  });

  it('warns when the buckets come from different references', () => {
    const md = compareMarkdown([
      { label: 'a', report: report('a', [1], 'base') },
      { label: 'b', report: report('b', [1]) },
    ]);
    expect(md).toMatch(/Note: buckets come from different reference runs/);
  });
});

// The live training chart: loss per step for SFT, reward and correct_frac (own 0..1 axis)
// for GRPO. uPlot draws on a canvas with real axes, a cursor read-out and cheap redraws on every
// step, which a hand-drawn SVG polyline would not give without re-implementing them.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TrainMetrics } from './worker-api.ts';

export type ChartKind = 'sft' | 'grpo';

export interface TrainChart {
  /** Empty chart for a new run of this kind. */
  reset(kind: ChartKind): void;
  push(m: TrainMetrics): void;
}

interface Line {
  key: string;
  label: string;
  color: string;
  scale: string;
}

const LINES: Record<ChartKind, Line[]> = {
  sft: [{ key: 'loss', label: 'loss', color: '#3b5bdb', scale: 'y' }],
  grpo: [
    { key: 'reward', label: 'reward (mean)', color: '#3b5bdb', scale: 'y' },
    { key: 'correct_frac', label: 'correct', color: '#2b8a3e', scale: 'frac' },
  ],
};

const HEIGHT = 220;

function options(kind: ChartKind, width: number): uPlot.Options {
  const lines = LINES[kind];
  const axes: uPlot.Axis[] = [
    // Steps are whole numbers: no 1.5 ticks on short runs.
    { label: 'step', size: 36, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] },
    { label: kind === 'sft' ? 'loss (completion tokens)' : 'reward', scale: 'y', size: 56 },
  ];
  const scales: uPlot.Scales = { x: { time: false } };
  if (kind === 'grpo') {
    // The paper's K&K reward spans -2 (no valid format) to 2 (format and answer right): a fixed
    // axis shows progress against that range rather than zooming into noise.
    scales.y = { range: [-2, 2] };
    scales.frac = { range: [0, 1] };
    axes.push({ label: 'correct fraction', scale: 'frac', side: 1, grid: { show: false }, size: 50 });
  }
  return {
    width,
    height: HEIGHT,
    scales,
    axes,
    legend: { live: true },
    series: [
      { label: 'step' },
      ...lines.map((l) => ({
        label: l.label,
        stroke: l.color,
        width: 2,
        scale: l.scale,
        points: { show: true, size: 4 },
      })),
    ],
  };
}

export function createTrainChart(el: HTMLElement): TrainChart {
  let plot: uPlot | undefined;
  let kind: ChartKind = 'sft';
  let data: (number | null)[][] = [];
  const width = (): number => Math.max(300, el.clientWidth);

  const build = (): void => {
    plot?.destroy();
    data = [[], ...LINES[kind].map(() => [])];
    plot = new uPlot(options(kind, width()), data as uPlot.AlignedData, el);
  };
  new ResizeObserver(() => {
    if (plot && Math.abs(plot.width - width()) > 2) plot.setSize({ width: width(), height: HEIGHT });
  }).observe(el);
  build();

  return {
    reset(k) {
      kind = k;
      build();
    },
    push(m) {
      data[0].push(m.step);
      LINES[kind].forEach((l, i) => data[i + 1].push(Number.isFinite(m[l.key]) ? m[l.key] : null));
      plot?.setData(data as uPlot.AlignedData);
      // The legend shows the newest step until the cursor picks another.
      plot?.setLegend({ idx: data[0].length - 1 });
    },
  };
}

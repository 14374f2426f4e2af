// The live training charts: loss per step and held-out accuracy (own 0..1 axis, only on
// evaluation steps) for SFT, reward and correct_frac (own 0..1 axis) for GRPO. uPlot draws on a canvas with real axes, a cursor read-out and cheap redraws on every
// step, which a hand-drawn SVG polyline would not give without re-implementing them.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TrainMetrics } from './worker-api.ts';

export type ChartKind = 'sft' | 'grpo';

export interface TrainChart {
  /** Empty chart for a new run. */
  reset(): void;
  push(m: TrainMetrics): void;
}

interface Line {
  key: string;
  label: string;
  color: string;
  scale: string;
  /** Sparse series (evaluations every n steps): join the points across the steps without one. */
  sparse?: boolean;
  dash?: number[];
}

const LINES: Record<ChartKind, Line[]> = {
  sft: [
    { key: 'loss', label: 'loss', color: '#3b5bdb', scale: 'y' },
    { key: 'eval_accuracy', label: 'held-out accuracy', color: '#2b8a3e', scale: 'frac', sparse: true },
    // What guessing scores on the same puzzles: accuracy near it is format and names, not reasoning.
    { key: 'eval_chance', label: 'chance', color: '#868e96', scale: 'frac', sparse: true, dash: [5, 5] },
  ],
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
  // Accuracy and correct fraction on a fixed 0..1 axis: progress against the whole range.
  const scales: uPlot.Scales = { x: { time: false }, frac: { range: [0, 1] } };
  if (kind === 'grpo') {
    // The paper's rewards span -2 (no valid format) to 2 (format and answer right): a fixed
    // axis shows progress against that range rather than zooming into noise.
    scales.y = { range: [-2, 2] };
  }
  const fracLabel = kind === 'sft' ? 'held-out accuracy' : 'correct fraction';
  axes.push({ label: fracLabel, scale: 'frac', side: 1, grid: { show: false }, size: 50 });
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
        spanGaps: l.sparse === true,
        dash: l.dash,
        points: { show: !l.dash, size: l.sparse ? 7 : 4 },
      })),
    ],
  };
}

/** A chart of one kind of run in `el`. It keeps its data until reset, so the SFT chart stays on
 *  screen while GRPO runs. `el` carries the number of points drawn per line (data-points-<key>)
 *  and data-points (steps), which say "no data" before the first point and the tests read. */
export function createTrainChart(el: HTMLElement, kind: ChartKind): TrainChart {
  let plot: uPlot | undefined;
  let data: (number | null)[][] = [];
  const count = (): void => {
    el.dataset.points = String(data[0].length);
    LINES[kind].forEach((l, i) => {
      el.dataset[`points${l.key.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase())}`] = String(
        data[i + 1].filter((v) => v !== null).length,
      );
    });
  };
  const width = (): number => Math.max(300, el.clientWidth);

  const build = (): void => {
    plot?.destroy();
    data = [[], ...LINES[kind].map(() => [])];
    plot = new uPlot(options(kind, width()), data as uPlot.AlignedData, el);
    count();
  };
  new ResizeObserver(() => {
    if (plot && Math.abs(plot.width - width()) > 2) plot.setSize({ width: width(), height: HEIGHT });
  }).observe(el);
  build();

  return {
    reset() {
      build();
    },
    push(m) {
      data[0].push(m.step);
      LINES[kind].forEach((l, i) => data[i + 1].push(Number.isFinite(m[l.key]) ? m[l.key] : null));
      plot?.setData(data as uPlot.AlignedData);
      count();
      // The legend shows the newest step until the cursor picks another.
      plot?.setLegend({ idx: data[0].length - 1 });
    },
  };
}

// The Train panel: SFT warmup on teacher traces or GRPO on K&K or target data, run in the worker on
// the loaded model; a live chart and per-step figures, Stop (mid-rollout for GRPO), and the
// trained model as a download (it also stays loaded for the K&K panel's "Ask model").
import { proxy } from 'comlink';
import {
  isTaskName,
  KK_MAX_PEOPLE,
  KK_MIN_PEOPLE,
  KK_TEACHER_STYLES,
  TASK_NAMES,
  type KkTeacherStyle,
} from '@warmup/tasks';
import type { AppContext } from './context.ts';
import { byId, numberInput } from './dom.ts';
import { folderName, saveAs, zipFolder } from './download.ts';
import { createTrainChart, type ChartKind } from './train-chart.ts';
import { pyodideURL } from './verify-panel.ts';
import type { TargetData, TrainMetrics, TrainReply, TrainRequest } from './worker-api.ts';

export interface TrainPanel {
  /** Metrics of the current (or last) run, one entry per step, as they arrived. */
  history(): TrainMetrics[];
  lastReply(): TrainReply | undefined;
}

// Tiny from-scratch models want a large SFT rate; GRPO moves an already warmed-up policy gently.
const DEFAULTS: Record<ChartKind, { lr: string; steps: string }> = {
  sft: { lr: '3e-3', steps: '40' },
  grpo: { lr: '1e-4', steps: '10' },
};

function fmt(x: number | undefined, digits = 3): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  return Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(digits);
}

function statLine(kind: ChartKind, m: TrainMetrics, total: number): string {
  const head = `step ${m.step}/${total}`;
  const perf = `${fmt(m.tokens_per_s)} tok/s · ${fmt(m.step_s)} s/step`;
  if (kind === 'sft')
    return `${head} · loss ${fmt(m.loss, 4)} · lr ${fmt(m.lr, 2)} · grad norm ${fmt(m.grad_norm)} · ${perf}`;
  return `${head} · reward ${fmt(m.reward)} (± ${fmt(m.reward_std)}) · correct ${fmt(m.correct_frac)} · length ${fmt(m['completions/mean_length'])} · generation ${fmt(m.gen_s)} s · ${perf}`;
}

export function mountTrainPanel(ctx: AppContext): TrainPanel {
  let kind: ChartKind = 'sft';
  let history: TrainMetrics[] = [];
  let reply: TrainReply | undefined;
  const stats = byId('train-stats');
  const progress = byId<HTMLProgressElement>('train-progress');
  const stop = byId<HTMLButtonElement>('train-stop');
  const chart = createTrainChart(byId('train-slot'));

  for (const id of ['train-people-min', 'train-people-max']) {
    const sel = byId<HTMLSelectElement>(id);
    for (let n = KK_MIN_PEOPLE; n <= KK_MAX_PEOPLE; n++) sel.append(new Option(String(n), String(n), n === 2, n === 2));
  }

  const target = byId<HTMLSelectElement>('train-target');
  const targetTask = byId<HTMLSelectElement>('train-target-task');
  for (const t of TASK_NAMES) targetTask.append(new Option(t, t, t === 'math', t === 'math'));
  const showTarget = (): void => {
    for (const el of document.querySelectorAll<HTMLElement>('#train-panel [data-target-file]'))
      el.hidden = target.value !== 'file';
  };
  target.addEventListener('change', showTarget);

  /** The chosen data file, read here and handed to the worker (which parses and validates it). */
  const targetData = async (): Promise<TargetData | undefined> => {
    if (target.value !== 'file') return undefined;
    const file = byId<HTMLInputElement>('train-target-file').files?.[0];
    if (!file) throw new Error('train: choose a target data file (or K&K prompts)');
    const task = targetTask.value;
    if (!isTaskName(task)) throw new Error(`train: unknown task ${task}`);
    return {
      task,
      fileName: file.name,
      bytes: new Uint8Array(await file.arrayBuffer()),
      limit: numberInput('train-target-limit'),
      pyodideURL: pyodideURL(),
      codeTimeoutMs: 10_000,
    };
  };

  const showKind = (k: ChartKind): void => {
    const prev = kind;
    kind = k;
    for (const t of document.querySelectorAll<HTMLElement>('#train-panel [data-train-kind]'))
      t.classList.toggle('active', t.dataset.trainKind === k);
    for (const b of document.querySelectorAll<HTMLElement>('#train-panel [data-train-body]'))
      b.hidden = b.dataset.trainBody !== k;
    // Swap in this stage's defaults unless the user changed them.
    for (const [field, id] of [
      ['lr', 'train-lr'],
      ['steps', 'train-steps'],
    ] as const) {
      const input = byId<HTMLInputElement>(id);
      if (input.value === DEFAULTS[prev][field]) input.value = DEFAULTS[k][field];
    }
  };
  for (const t of document.querySelectorAll<HTMLElement>('#train-panel [data-train-kind]')) {
    t.addEventListener('click', () => showKind(t.dataset.trainKind === 'grpo' ? 'grpo' : 'sft'));
  }

  const request = async (): Promise<TrainRequest> => {
    const common = {
      data: {
        peopleMin: Number(byId<HTMLSelectElement>('train-people-min').value),
        peopleMax: Number(byId<HTMLSelectElement>('train-people-max').value),
        count: numberInput('train-count'),
        seed: numberInput('train-seed'),
        promptStyle:
          byId<HTMLSelectElement>('train-prompt-style').value === 'chat' ? ('chat' as const) : ('r1' as const),
      },
      steps: numberInput('train-steps'),
      lr: numberInput('train-lr'),
      batchSize: numberInput('train-batch'),
    };
    if (kind === 'sft')
      return { ...common, kind, traceStyle: traceStyle(byId<HTMLSelectElement>('train-trace').value) };
    return {
      ...common,
      kind,
      numGenerations: numberInput('train-g'),
      promptsPerStep: numberInput('train-pps'),
      maxCompletionLength: numberInput('train-max-completion'),
      temperature: numberInput('train-temp'),
      target: await targetData(),
    };
  };

  stop.addEventListener('click', () => {
    stop.disabled = true;
    ctx.log('info', 'train: stopping after the current step…');
    void ctx.api.stopTraining();
  });

  byId('train-start').addEventListener('click', () => {
    void ctx.run('train', async () => {
      if (!ctx.model) throw new Error('no model: create one from a preset or load one first');
      const req = await request();
      history = [];
      reply = undefined;
      chart.reset(req.kind);
      progress.max = req.steps;
      progress.value = 0;
      stats.textContent =
        req.kind === 'sft'
          ? 'generating teacher traces…'
          : req.target
            ? `reading ${req.target.fileName}…`
            : 'generating K&K prompts…';
      stop.disabled = false;
      try {
        reply = await ctx.api.train(
          req,
          proxy((m: TrainMetrics) => {
            history.push(m);
            chart.push(m);
            progress.value = m.step;
            stats.textContent = statLine(req.kind, m, req.steps);
          }),
        );
        ctx.setModel(reply.model);
        const last = history[history.length - 1];
        stats.textContent = `${last ? `${statLine(req.kind, last, req.steps)} · ` : ''}${reply.stopped ? 'stopped' : 'done'}: ${reply.steps} steps in ${(reply.ms / 1000).toFixed(1)} s on ${reply.examples} ${req.kind === 'sft' ? 'traces' : 'prompts'}`;
      } finally {
        stop.disabled = true;
      }
    });
  });

  byId('train-download').addEventListener('click', () => {
    void ctx.run('download', async () => {
      if (!ctx.model) throw new Error('no model to download: create, load or train one first');
      const files = await ctx.api.exportModel();
      const folder = folderName(ctx.model.source);
      const zip = zipFolder(folder, files);
      saveAs(`${folder}.zip`, zip, 'application/zip');
      ctx.log(
        'info',
        `download: ${folder}.zip (${files.map((f) => f.name).join(', ')}; ${(zip.length / 2 ** 20).toFixed(2)} MiB)`,
      );
    });
  });

  return { history: () => history, lastReply: () => reply };
}

function traceStyle(v: string): KkTeacherStyle {
  return KK_TEACHER_STYLES.find((s) => s === v) ?? 'short';
}

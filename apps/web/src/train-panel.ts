// The Train panel: SFT warmup on teacher traces or GRPO on K&K, a generated toy domain or target
// data, run in the worker on the loaded model; one live chart per stage (the SFT chart stays while
// GRPO runs), held-out K&K accuracy during SFT, per-step figures, Stop (mid-rollout for GRPO), and
// the trained model as a download (it also stays loaded for the K&K panel's "Ask model"). The two
// demo buttons fill the form with the default toy experiment's settings (@warmup/train/toy-experiment,
// the ones `warmup pipeline` runs) and start it.
import { proxy } from 'comlink';
import {
  generateToy,
  isTaskName,
  KK_MAX_PEOPLE,
  KK_MIN_PEOPLE,
  KK_TEACHER_STYLES,
  TASK_NAMES,
  TOY_DOMAINS,
  type KkTeacherStyle,
  type ToyDomain,
} from '@warmup/tasks';
import { TOY_EXPERIMENT_SETTINGS as X, toyRlvrRecipe, toyWarmupRecipe } from '@warmup/train/toy-experiment';
import type { AppContext } from './context.ts';
import { byId, numberInput } from './dom.ts';
import { folderName, saveAs, zipFolder } from './download.ts';
import { createTrainChart, type ChartKind, type TrainChart } from './train-chart.ts';
import { pyodideURL } from './verify-panel.ts';
import type { ModelInfo, TargetData, TrainMetrics, TrainReply, TrainRequest } from './worker-api.ts';

export interface TrainPanel {
  /** Metrics of the current (or last) run, one entry per step, as they arrived. */
  history(): TrainMetrics[];
  /** Metrics of the last run of each kind (what each chart shows). */
  histories(): Record<ChartKind, TrainMetrics[]>;
  lastReply(): TrainReply | undefined;
}

/** How the panel gets a model when a demo button is pressed with none loaded (inside the job). */
export interface TrainPanelDeps {
  loadDefaultModel(): Promise<ModelInfo>;
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

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** "held-out accuracy 5.0% (1/20) at step 0 → 30.0% (6/20) at step 45" */
function accuracyText(evals: TrainMetrics[]): string {
  const one = (m: TrainMetrics): string =>
    `${pct(m.eval_accuracy)} (${Math.round(m.eval_accuracy * m.eval_count)}/${m.eval_count}) at step ${m.step}`;
  if (!evals.length) return '';
  const last = evals[evals.length - 1];
  return `held-out accuracy ${evals.length > 1 ? `${one(evals[0])} → ` : ''}${one(last)} · format ${pct(last.eval_format_ok)} · chance ${pct(last.eval_chance)}`;
}

function statLine(kind: ChartKind, m: TrainMetrics, total: number): string {
  const head = `step ${m.step}/${total}`;
  if (m.loss === undefined && m.eval_accuracy !== undefined) return `${head} · evaluated before training`;
  const perf = `${fmt(m.tokens_per_s)} tok/s · ${fmt(m.step_s)} s/step`;
  if (kind === 'sft')
    return `${head} · loss ${fmt(m.loss, 4)} · lr ${fmt(m.lr, 2)} · grad norm ${fmt(m.grad_norm)} · ${perf}`;
  return `${head} · reward ${fmt(m.reward)} (± ${fmt(m.reward_std)}) · correct ${fmt(m.correct_frac)} · length ${fmt(m['completions/mean_length'])} · generation ${fmt(m.gen_s)} s · ${perf}`;
}

export function mountTrainPanel(ctx: AppContext, deps: TrainPanelDeps): TrainPanel {
  let kind: ChartKind = 'sft';
  let history: TrainMetrics[] = [];
  const histories: Record<ChartKind, TrainMetrics[]> = { sft: [], grpo: [] };
  let reply: TrainReply | undefined;
  const stats = byId('train-stats');
  const progress = byId<HTMLProgressElement>('train-progress');
  const stop = byId<HTMLButtonElement>('train-stop');
  const accuracy = byId('train-sft-accuracy');
  const charts: Record<ChartKind, TrainChart> = {
    sft: createTrainChart(byId('train-slot'), 'sft'),
    grpo: createTrainChart(byId('train-slot-grpo'), 'grpo'),
  };

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
    for (const el of document.querySelectorAll<HTMLElement>('#train-panel [data-target-limit]'))
      el.hidden = target.value === 'kk';
  };
  target.addEventListener('change', showTarget);

  /** The chosen data file, read here and handed to the worker (which parses and validates it);
   *  a toy domain's train split is generated here as the same JSONL `warmup toy generate` writes. */
  const targetData = async (): Promise<TargetData | undefined> => {
    const toy = TOY_DOMAINS.find((d) => target.value === `toy-${d}`);
    if (toy) return toyTargetData(toy, numberInput('train-target-limit'), numberInput('train-seed'));
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

  const request = async (recipe: TrainRequest['recipe']): Promise<TrainRequest> => {
    const common = {
      data: {
        peopleMin: Number(byId<HTMLSelectElement>('train-people-min').value),
        peopleMax: Number(byId<HTMLSelectElement>('train-people-max').value),
        count: numberInput('train-count'),
        seed: numberInput('train-seed'),
        promptStyle:
          byId<HTMLSelectElement>('train-prompt-style').value === 'chat' ? ('chat' as const) : ('r1' as const),
        names: byId<HTMLInputElement>('train-names')
          .value.split(',')
          .map((n) => n.trim())
          .filter(Boolean),
      },
      steps: numberInput('train-steps'),
      lr: numberInput('train-lr'),
      batchSize: numberInput('train-batch'),
      recipe,
    };
    if (kind === 'sft') {
      const every = numberInput('train-eval-every');
      const heldOut =
        every > 0
          ? {
              count: numberInput('train-eval-count'),
              every,
              maxNewTokens: X.warmupEval.maxNewTokens,
              seed: X.warmupEval.seed,
            }
          : undefined;
      return { ...common, kind, traceStyle: traceStyle(byId<HTMLSelectElement>('train-trace').value), heldOut };
    }
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

  /** One training run from the form, inside a ctx.run job. */
  const train = async (recipe: TrainRequest['recipe']): Promise<void> => {
    if (!ctx.model) throw new Error('no model: create one from a preset or load one first');
    const req = await request(recipe);
    history = [];
    histories[req.kind] = history;
    reply = undefined;
    const chart = charts[req.kind];
    chart.reset();
    if (req.kind === 'sft') accuracy.replaceChildren();
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
          if (m.eval_accuracy !== undefined) showAccuracy(history.filter((h) => h.eval_accuracy !== undefined));
        }),
      );
      ctx.setModel(reply.model);
      const last = history[history.length - 1];
      stats.textContent = `${last ? `${statLine(req.kind, last, req.steps)} · ` : ''}${reply.stopped ? 'stopped' : 'done'}: ${reply.steps} steps in ${(reply.ms / 1000).toFixed(1)} s on ${reply.examples} ${req.kind === 'sft' ? 'traces' : 'prompts'}`;
    } finally {
      stop.disabled = true;
    }
  };
  byId('train-start').addEventListener('click', () => void ctx.run('train', () => train(undefined)));

  const showAccuracy = (evals: TrainMetrics[]): void => {
    const b = document.createElement('span');
    b.className = 'badge';
    b.id = 'train-sft-accuracy-value';
    b.dataset.value = String(evals[evals.length - 1].eval_accuracy);
    b.textContent = accuracyText(evals);
    accuracy.replaceChildren(b);
  };

  // The default experiment: the form shows the settings it runs with, from the shared layer.
  const demoTarget = byId<HTMLSelectElement>('demo-target');
  for (const d of TOY_DOMAINS) demoTarget.append(new Option(`toy-${d}`, d, d === X.target.task, d === X.target.task));
  const warm = toyWarmupRecipe();
  const rl = toyRlvrRecipe();
  const [lo, hi] = peopleRange(X.warmup.people);
  byId('demo-info').textContent =
    `1: ${X.warmup.steps} SFT steps (lr ${warm.lr}, ${warm.schedule}, batch ${warm.batchSize}) on ${X.warmup.traceStyle} teacher traces of ${X.warmup.count} ${lo === hi ? lo : `${lo}–${hi}`}-person puzzles (names ${X.warmupNames.slice(0, hi).join(', ')}); greedy accuracy on ${X.warmupEval.count} held-out puzzles every ${X.warmupEval.every} steps. ` +
    `2: ${X.grpo.steps} GRPO steps (lr ${rl.lr}, ${X.grpo.promptsPerStep} prompts × G=${rl.numGenerations}, ${rl.maxCompletionLength} new tokens at T=${rl.temperature}) on ${X.target.limit} generated items of the toy domain.`;
  const fill = (fields: Record<string, string | number>): void => {
    for (const [id, v] of Object.entries(fields)) byId<HTMLInputElement | HTMLSelectElement>(id).value = String(v);
  };
  const demo = (k: ChartKind): void => {
    void ctx.run(k === 'sft' ? 'warmup' : 'RLVR', async () => {
      if (!ctx.model) await deps.loadDefaultModel();
      showKind(k);
      const common = {
        'train-seed': X.seed,
        'train-prompt-style': X.promptStyle,
        'train-names': X.warmupNames.join(','),
      };
      if (k === 'sft') {
        fill({
          ...common,
          'train-people-min': lo,
          'train-people-max': hi,
          'train-count': X.warmup.count,
          'train-trace': X.warmup.traceStyle,
          'train-steps': X.warmup.steps,
          'train-lr': warm.lr,
          'train-batch': warm.batchSize,
          'train-eval-every': X.warmupEval.every,
          'train-eval-count': X.warmupEval.count,
        });
      } else {
        fill({
          ...common,
          'train-target': `toy-${demoTarget.value}`,
          'train-target-limit': X.target.limit,
          'train-g': rl.numGenerations,
          'train-pps': rl.promptsPerStep,
          'train-max-completion': rl.maxCompletionLength,
          'train-temp': rl.temperature,
          'train-steps': X.grpo.steps,
          'train-lr': rl.lr,
          'train-batch': rl.microBatch,
        });
        showTarget();
      }
      await train('toy');
    });
  };
  byId('demo-warmup').addEventListener('click', () => demo('sft'));
  byId('demo-rlvr').addEventListener('click', () => demo('grpo'));

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

  return { history: () => history, histories: () => histories, lastReply: () => reply };
}

/** '2' or '2..3' (the pipeline's --warmup-people for one range) as [min, max]. */
function peopleRange(spec: string): [number, number] {
  const [a, b] = spec.split('..').map(Number);
  if (!Number.isInteger(a) || (b !== undefined && !Number.isInteger(b)))
    throw new Error(`toy experiment: warmup people "${spec}" is not N or A..B`);
  return [a, b ?? a];
}

/** A toy domain's train split as a JSONL target file (the records `warmup toy generate` writes). */
function toyTargetData(domain: ToyDomain, limit: number, seed: number): TargetData {
  const records = generateToy(domain, { split: 'train', count: limit, seed }).map((i) => i.record);
  const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  return {
    task: domain,
    fileName: `toy-${domain}-train.jsonl`,
    bytes: new TextEncoder().encode(text),
    limit,
    pyodideURL: pyodideURL(),
    codeTimeoutMs: 10_000,
  };
}

function traceStyle(v: string): KkTeacherStyle {
  return KK_TEACHER_STYLES.find((s) => s === v) ?? 'short';
}

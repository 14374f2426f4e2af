// The model worker: every TF.js call of the web app runs here (backend set-up, loading, creating,
// generating, training, parity checks), so the page never blocks. Exposed to the page with comlink.
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  checkFit,
  countParameters,
  fileListSource,
  formatBytes,
  loadConfig,
  planMemory,
  WASM_HEAP_CAP,
  withLoadProgress,
  type PlanBackend,
  generate,
  initModel,
  loadModel,
  loadTokenizer,
  memorySink,
  memorySource,
  parseConfig,
  saveModel,
  truncateAtStop,
  urlSource,
  useBackend,
  wasmThreadsInUse,
  type ModelSource,
  type Qwen2Model,
} from '@warmup/core';
import { macrotask } from './macrotask.ts';
import { gradeOne } from './worker-grade.ts';
import { byteTokenizer, hfTokenizer, hfTokenizerFromFiles, type ModelTokenizer } from './model-tokenizer.ts';
import { wasmPaths } from './wasm-paths.ts';
import { runTraining } from './worker-train.ts';
import type {
  BackendChoice,
  BackendInfo,
  GenerateReply,
  GenerateRequest,
  LoadProgressFn,
  LogFn,
  ModelFile,
  ModelInfo,
  ParityReport,
  ProgressFn,
  TokenizerKind,
  TrainReply,
  WorkerApi,
} from './worker-api.ts';

/** Generation yields to the event loop every this many tokens so cancel() can arrive. */
const YIELD_EVERY = 4;

interface Loaded {
  model: Qwen2Model;
  tokenizer?: ModelTokenizer;
  info: ModelInfo;
  /** Builds the same model again (after a backend switch the old tensors live on the old backend). */
  reload: () => Promise<Loaded>;
}

let log: LogFn = () => {};
let current: Loaded | undefined;
let cancelRequested = false;
let stopTrainingRequested = false;
let training = false;
let wasmPathsSet = false;
let activeBackend: string | undefined;

function absolute(url: string): string {
  return new URL(url, self.location.href).href;
}

async function adapterInfo(): Promise<{ adapter?: string; software?: boolean }> {
  const gpu = (self.navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return {};
  try {
    const a = await gpu.requestAdapter();
    if (!a) return { adapter: 'none (navigator.gpu present, no adapter)' };
    const i = a.info;
    const adapter = [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unknown adapter';
    const software =
      /swiftshader|llvmpipe|lavapipe|software/i.test(adapter) ||
      (a as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
    return { adapter, software };
  } catch (e) {
    return { adapter: `error: ${(e as Error).message}` };
  }
}

function describe(model: Qwen2Model, source: string, tokenizer: TokenizerKind, loadMs: number): ModelInfo {
  const c = model.config;
  return {
    source,
    parameters: countParameters(c),
    vocabSize: c.vocabSize,
    hiddenSize: c.hiddenSize,
    numLayers: c.numLayers,
    numHeads: c.numHeads,
    numKvHeads: c.numKvHeads,
    intermediateSize: c.intermediateSize,
    eosTokenIds: c.eosTokenIds,
    tokenizer,
    loadMs: Math.round(loadMs),
  };
}

/** The model's own tokenizer.json, else bytes for byte-sized vocabularies, else none. */
async function pickTokenizer(
  src: ModelSource | undefined,
  model: Qwen2Model,
): Promise<{ tokenizer?: ModelTokenizer; kind: TokenizerKind }> {
  const hf = src ? await loadTokenizer(src) : undefined;
  if (hf) return { tokenizer: hfTokenizer(hf), kind: 'hf' };
  return bytesOrNone(model);
}

function bytesOrNone(model: Qwen2Model): { tokenizer?: ModelTokenizer; kind: TokenizerKind } {
  if (model.config.vocabSize >= 256) return { tokenizer: byteTokenizer(model.config.eosTokenIds), kind: 'bytes' };
  return { kind: 'none' };
}

async function loadFrom(src: ModelSource, label: string, onProgress?: LoadProgressFn): Promise<Loaded> {
  const t0 = performance.now();
  // The memory plan from config.json alone, before any weight is read: say what the model will
  // take, and refuse what cannot fit the wasm heap instead of crashing half-way.
  const config = await loadConfig(src);
  const backend = tf.getBackend() as PlanBackend;
  const plan = planMemory({ config, backend, command: 'generate', genRows: 1, promptLen: 64, newTokens: 256 });
  log('info', `memory plan: ${formatBytes(plan.total)} to generate with this model on ${backend}`);
  onProgress?.({ doneBytes: 0, totalBytes: 0, plannedBytes: plan.total, backend });
  if (backend === 'wasm') {
    const fit = checkFit(plan, { backend, bytes: WASM_HEAP_CAP, source: 'wasm heap cap, 4 GiB' });
    if (!fit.fits) throw new Error(fit.message);
  }
  let shown = -1;
  const tracked = withLoadProgress(src, (done, total) => {
    // One message per percent: comlink posts each call to the page.
    const pct = Math.floor((100 * done) / Math.max(total, 1));
    if (pct === shown) return;
    shown = pct;
    onProgress?.({ doneBytes: done, totalBytes: total, plannedBytes: plan.total, backend });
  });
  const model = await loadModel(tracked, { config });
  const { tokenizer, kind } = await pickTokenizer(src, model);
  const info = { ...describe(model, label, kind, performance.now() - t0), plannedBytes: plan.total };
  return { model, tokenizer, info, reload: () => loadFrom(src, label) };
}

function create(
  json: Record<string, unknown>,
  seed: number,
  label: string,
  tokenizerFiles?: Record<string, string>,
): Loaded {
  const t0 = performance.now();
  const config = parseConfig(json, label);
  const hf = tokenizerFiles ? hfTokenizerFromFiles(tokenizerFiles, label) : undefined;
  if (hf && hf.vocabSize > config.vocabSize)
    throw new Error(`${label}: the tokenizer has ${hf.vocabSize} tokens but vocab_size is ${config.vocabSize}`);
  const model = initModel(config, seed);
  const { tokenizer, kind } = hf ? { tokenizer: hf, kind: 'hf' as const } : bytesOrNone(model);
  const info = describe(model, label, kind, performance.now() - t0);
  return { model, tokenizer, info, reload: async () => create(json, seed, label, tokenizerFiles) };
}

/** After training, a backend switch must rebuild the trained weights, not the starting point:
 *  snapshot them (through the checkpoint writer) only when a reload is actually asked for. */
function reloadFromWeights(l: Loaded): () => Promise<Loaded> {
  return async () => {
    const sink = memorySink();
    await saveModel(l.model, sink, l.tokenizer?.files() ?? {});
    const next = await loadFrom(memorySource(sink.files, l.info.source), l.info.source);
    if (l.tokenizer && !next.tokenizer) next.tokenizer = l.tokenizer;
    next.info = { ...next.info, tokenizer: l.info.tokenizer };
    next.reload = reloadFromWeights(next);
    return next;
  };
}

function replaceModel(next: Loaded): ModelInfo {
  current?.model.dispose();
  current = next;
  const i = next.info;
  log(
    'info',
    `model ready: ${i.source}: ${(i.parameters / 1e6).toFixed(2)} M parameters, ${i.numLayers} layers, hidden ${i.hiddenSize}, vocab ${i.vocabSize}, tokenizer ${i.tokenizer} (${i.loadMs} ms)`,
  );
  return i;
}

function requireModel(): Loaded {
  if (!current) throw new Error('no model loaded: load one from a URL or folder, or create one from a preset');
  return current;
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`parity: length ${a.length} vs expected ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

interface ForwardCase {
  input_ids: number[][];
  attention_mask: number[][];
  position_ids: number[][];
  real_positions: number[][];
  logits: number[][][];
}

interface ExpectedJson {
  forward: { right_padded: ForwardCase; left_padded: ForwardCase };
  greedy: { prompt_ids: number[]; num_new_tokens: number; generated_ids: number[]; chosen_logprobs: number[] };
}

/** Max abs logit error of one forward case, over every real position and the full vocabulary. */
async function forwardError(model: Qwen2Model, c: ForwardCase): Promise<number> {
  const logits = tf.tidy(() => {
    const { hidden } = model.forward({
      inputIds: c.input_ids,
      attentionMask: c.attention_mask,
      positionIds: c.position_ids,
    });
    return model.logits(hidden);
  });
  const data = (await logits.data()) as Float32Array;
  logits.dispose();
  const [, T, V] = [c.input_ids.length, c.input_ids[0].length, model.config.vocabSize];
  let err = 0;
  c.real_positions.forEach((cols, b) => {
    cols.forEach((t, k) => {
      err = Math.max(err, maxAbs(data.subarray((b * T + t) * V, (b * T + t + 1) * V), c.logits[b][k]));
    });
  });
  return err;
}

const api: WorkerApi = {
  setLogger(fn) {
    log = fn;
  },

  async init(requested: BackendChoice): Promise<BackendInfo> {
    if (!wasmPathsSet) {
      setWasmPaths(wasmPaths(self.location.href));
      wasmPathsSet = true;
    }
    const { adapter, software } = await adapterInfo();
    // Not tf.getBackend(): before the first setBackend it would initialise a default backend.
    const previous = activeBackend;
    const backend = await useBackend(requested);
    activeBackend = backend;
    const info: BackendInfo = { requested, backend, adapter, softwareAdapter: software };
    if (backend === 'wasm') {
      info.wasm = {
        simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean,
        threads: (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) as boolean,
        threadsCount: wasmThreadsInUse() ?? 1,
        crossOriginIsolated: self.crossOriginIsolated,
      };
    }
    log(
      'info',
      `backend ${backend}${requested === 'auto' ? ' (auto)' : ''}${adapter ? `; WebGPU adapter: ${adapter}${software ? ' (software)' : ''}` : '; no WebGPU'}${info.wasm ? `; wasm simd=${info.wasm.simd} threads=${info.wasm.threadsCount}` : ''}`,
    );
    if (current && previous && previous !== backend) {
      // Tensors stay on the backend that made them; rebuild the model on the new one.
      log('info', `reloading ${current.info.source} on ${backend}`);
      const old = current;
      const next = await old.reload();
      old.model.dispose();
      current = undefined;
      info.reloadedModel = replaceModel(next);
    }
    return info;
  },

  async loadModelFromUrl(url, onProgress) {
    const abs = absolute(url);
    log('info', `loading model from ${abs}`);
    return replaceModel(await loadFrom(urlSource(abs), abs, onProgress));
  },

  async loadModelFromFiles(files, onProgress) {
    log('info', `loading model from ${files.length} selected files`);
    const folder = files[0]?.webkitRelativePath?.split('/')[0] || 'selected files';
    return replaceModel(await loadFrom(fileListSource(files, folder), folder, onProgress));
  },

  async createModel(presetConfigJson, seed, name = 'preset', tokenizerFiles) {
    return replaceModel(create(presetConfigJson, seed, `${name} (seed ${seed})`, tokenizerFiles));
  },

  async generate(req: GenerateRequest, onProgress?: ProgressFn): Promise<GenerateReply> {
    const { model, tokenizer } = requireModel();
    let promptIds: number[];
    if (req.ids?.length) promptIds = req.ids;
    else {
      if (!tokenizer) throw new Error('this model has no tokenizer: give token ids instead of text');
      promptIds = tokenizer.encode(req.prompt ?? '');
    }
    if (!promptIds.length) throw new Error('the prompt is empty');
    const bad = promptIds.find((i) => !Number.isInteger(i) || i < 0 || i >= model.config.vocabSize);
    if (bad !== undefined)
      throw new Error(`prompt token id ${bad} is outside the vocabulary (0..${model.config.vocabSize - 1})`);
    cancelRequested = false;
    const t0 = performance.now();
    const decode = tokenizer ? (ids: number[]) => tokenizer.decode(ids) : undefined;
    const out = await generate(model, [promptIds], {
      maxNewTokens: req.maxNewTokens,
      temperature: req.temperature,
      topK: req.topK,
      topP: req.topP,
      greedy: req.greedy,
      seed: req.seed,
      eosTokenIds: req.stopAtEos === false ? [] : undefined,
      stopStrings: decode ? req.stopStrings : undefined,
      decode,
      onStep: async (step) => {
        onProgress?.(step, req.maxNewTokens);
        if (step % YIELD_EVERY === 0) await macrotask();
        return !cancelRequested;
      },
    });
    const ids = out.tokens[0];
    const text = decode ? truncateAtStop(decode(ids), req.stopStrings) : undefined;
    const finishReason = cancelRequested && out.finishReasons[0] === 'length' ? 'cancelled' : out.finishReasons[0];
    const ms = performance.now() - t0;
    log(
      'info',
      `generated ${ids.length} tokens in ${Math.round(ms)} ms (${((ids.length * 1000) / ms).toFixed(1)} tok/s, ${finishReason})`,
    );
    return { promptIds, ids, text, logprobs: out.logprobs[0], finishReason, ms: Math.round(ms) };
  },

  cancel() {
    cancelRequested = true;
  },

  async train(req, onMetrics): Promise<TrainReply> {
    const cur = requireModel();
    if (!cur.tokenizer)
      throw new Error(
        'this model has no tokenizer: training on K&K text needs tokenizer.json or a byte vocabulary (≥ 256)',
      );
    if (training) throw new Error('already training');
    training = true;
    stopTrainingRequested = false;
    const t0 = performance.now();
    try {
      const r = await runTraining(cur.model, cur.tokenizer, req, {
        onMetrics: (m) => onMetrics?.(m),
        shouldStop: () => stopTrainingRequested,
        log,
      });
      const ms = Math.round(performance.now() - t0);
      if (r.steps > 0) {
        cur.info = { ...cur.info, source: `${cur.info.source} + ${req.kind} ${r.steps}` };
        cur.reload = reloadFromWeights(cur);
      }
      log(
        'info',
        `train: ${req.kind} ${r.stopped ? 'stopped' : 'done'} after ${r.steps} steps in ${(ms / 1000).toFixed(1)} s; the trained model stays loaded`,
      );
      return { kind: req.kind, ...r, ms, model: cur.info };
    } finally {
      training = false;
    }
  },

  stopTraining() {
    stopTrainingRequested = true;
  },

  grade(req) {
    return gradeOne(req);
  },

  async exportModel(): Promise<ModelFile[]> {
    const { model, tokenizer } = requireModel();
    const sink = memorySink();
    await saveModel(model, sink, tokenizer?.files() ?? {});
    const files = [...sink.files].map(([name, f]) => ({
      name,
      data: typeof f === 'string' ? new TextEncoder().encode(f) : f,
    }));
    return Comlink.transfer(
      files,
      files.map((f) => f.data.buffer as ArrayBuffer),
    );
  },

  async parity(modelUrl, expectedJsonUrl) {
    const t0 = performance.now();
    const r = await fetch(absolute(expectedJsonUrl));
    if (!r.ok) throw new Error(`${expectedJsonUrl}: HTTP ${r.status}`);
    const exp = (await r.json()) as ExpectedJson;
    const src = urlSource(absolute(modelUrl));
    const model = await loadModel(src);
    try {
      const rightPadded = await forwardError(model, exp.forward.right_padded);
      const leftPadded = await forwardError(model, exp.forward.left_padded);
      const g = await generate(model, [exp.greedy.prompt_ids], {
        maxNewTokens: exp.greedy.num_new_tokens,
        greedy: true,
        eosTokenIds: [],
      });
      const greedyIds = g.tokens[0];
      const report: ParityReport = {
        backend: tf.getBackend(),
        rightPadded,
        leftPadded,
        greedyIds,
        expectedGreedyIds: exp.greedy.generated_ids,
        greedyMatch: greedyIds.join(',') === exp.greedy.generated_ids.join(','),
        greedyLogprobErr: maxAbs(g.logprobs[0], exp.greedy.chosen_logprobs),
        greedyLogprobs: Array.from(g.logprobs[0]),
        ms: Math.round(performance.now() - t0),
      };
      log(
        'info',
        `parity on ${report.backend}: right ${report.rightPadded.toExponential(2)}, left ${report.leftPadded.toExponential(2)}, greedy ${report.greedyMatch ? 'matches' : 'DIFFERS'}`,
      );
      return report;
    } finally {
      model.dispose();
    }
  },

  async memory() {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  },
};

Comlink.expose(api);

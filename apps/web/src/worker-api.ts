// The contract between the page and the model worker (exposed with comlink). Types only: the main
// thread imports this file but never TF.js, which lives entirely in worker.ts.
import type { Grade, KkTeacherStyle, TaskName } from '@warmup/tasks';

export type BackendChoice = 'auto' | 'webgpu' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'webgpu', 'wasm', 'cpu'];

export interface BackendInfo {
  requested: BackendChoice;
  /** The TF.js backend actually in use ('webgpu', 'wasm' or 'cpu'). */
  backend: string;
  /** The WebGPU adapter ("google swiftshader", "nvidia …"), when WebGPU is available at all. */
  adapter?: string;
  /** True when the adapter is a software rasteriser (SwiftShader, llvmpipe): correct but slow. */
  softwareAdapter?: boolean;
  /** wasm build features detected by TF.js (the .wasm file chosen depends on them), the threads its
   *  pool computes with, and whether the page is cross-origin isolated (threads need it). */
  wasm?: { simd: boolean; threads: boolean; threadsCount: number; crossOriginIsolated: boolean };
  /** Set when a model was loaded before the switch and has been reloaded on the new backend. */
  reloadedModel?: ModelInfo;
}

export type TokenizerKind = 'hf' | 'bytes' | 'none';

export interface ModelInfo {
  /** Where it came from: a URL, "N selected files" or "preset <name> (seed s)". */
  source: string;
  parameters: number;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  intermediateSize: number;
  eosTokenIds: number[];
  /** 'hf': tokenizer.json from the model; 'bytes': one token per UTF-8 byte (tiny test models);
   *  'none': token ids only. */
  tokenizer: TokenizerKind;
  loadMs: number;
  /** The memory plan's estimate for generating on the active backend (bytes). */
  plannedBytes?: number;
}

/** Loading progress: the plan's estimate first (before any weight is read), then bytes read of
 *  the weight files. */
export interface LoadProgress {
  doneBytes: number;
  totalBytes: number;
  plannedBytes?: number;
  backend?: string;
}
export type LoadProgressFn = (p: LoadProgress) => void;

export interface GenerateRequest {
  /** Text prompt (tokenized in the worker); ignored when `ids` is given. */
  prompt?: string;
  ids?: number[];
  maxNewTokens: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  greedy?: boolean;
  seed?: number;
  /** Stop at EOS (default true); parity checks turn it off to compare a fixed number of tokens. */
  stopAtEos?: boolean;
  stopStrings?: string[];
}

export interface GenerateReply {
  promptIds: number[];
  ids: number[];
  /** Decoded completion (absent when the model has no usable tokenizer). */
  text?: string;
  logprobs: number[];
  finishReason: 'eos' | 'stop' | 'length' | 'cancelled';
  ms: number;
}

/** Logits of the fixture versus its float64 reference, computed through the browser code path. */
export interface ParityReport {
  backend: string;
  /** Max |logit - expected| over every real position and the whole vocabulary. */
  rightPadded: number;
  leftPadded: number;
  greedyIds: number[];
  expectedGreedyIds: number[];
  greedyMatch: boolean;
  /** Max |logprob - expected| of the greedy tokens. */
  greedyLogprobErr: number;
  /** The greedy tokens' log-probabilities, so a test can compare them itself. */
  greedyLogprobs: number[];
  ms: number;
}

/** K&K puzzles generated in the worker for training (the same generator as the K&K panel). */
export interface KkDataSpec {
  peopleMin: number;
  peopleMax: number;
  count: number;
  seed: number;
  promptStyle: 'r1' | 'chat';
  /** Fixed names in this order (the generator's `names`); absent: drawn from its name list. */
  names?: string[];
}

interface TrainCommon {
  data: KkDataSpec;
  steps: number;
  lr: number;
  /** SFT: sequences per step. GRPO: sequences per forward/backward pass (gradients accumulate). */
  batchSize: number;
  /** 'toy': the optimiser, schedule and clipping of the default toy experiment's stage
   *  (@warmup/train/toy-experiment, as `warmup pipeline`); absent: the browser's own loop settings. */
  recipe?: 'toy';
}

/** Greedy held-out K&K accuracy during SFT, on puzzles whose statements are not in the training data. */
export interface KkHeldOutSpec {
  count: number;
  /** Evaluate before the first step, every this many steps and after the last. */
  every: number;
  maxNewTokens: number;
  seed: number;
}

/** Warmup: completion-only SFT on the programmatic teacher's traces. */
export interface SftTrainRequest extends TrainCommon {
  kind: 'sft';
  traceStyle: KkTeacherStyle;
  heldOut?: KkHeldOutSpec;
}

/** Target-domain data for GRPO: a file in a task's public format, as for `warmup grpo --data`. */
export interface TargetData {
  task: TaskName;
  /** The file's name (its extension picks JSONL / JSON / CSV / Parquet) and contents. */
  fileName: string;
  bytes: Uint8Array;
  /** The first N records (the paper trains on ≤ 100). */
  limit: number;
  /** The page's Pyodide folder (…/pyodide/), for the code task's sandbox. */
  pyodideURL: string;
  /** Wall-clock limit per code run (ms). */
  codeTimeoutMs: number;
}

/** GRPO with a verifiable reward: on generated K&K puzzles (paper scheme), or on target data. */
export interface GrpoTrainRequest extends TrainCommon {
  kind: 'grpo';
  target?: TargetData;
  numGenerations: number;
  promptsPerStep: number;
  maxCompletionLength: number;
  temperature: number;
}

export type TrainRequest = SftTrainRequest | GrpoTrainRequest;

/** One optimizer step's metrics as the shared loop reports them (step, loss, lr, grad_norm,
 *  tokens_per_s, step_s, …; GRPO adds TRL's reward, reward_std, frac_reward_zero_std, completions/mean_length, entropy, … and correct_frac).
 *  SFT with `heldOut` adds eval_accuracy, eval_format_ok, eval_reward, eval_count and eval_chance (what guessing scores) on evaluation
 *  steps, and a step-0 entry with only those before training. */
export type TrainMetrics = Record<string, number>;
export type TrainMetricsFn = (m: TrainMetrics) => void;

export interface TrainReply {
  kind: TrainRequest['kind'];
  /** Optimizer steps taken. */
  steps: number;
  /** True when Stop ended the run before `steps`. */
  stopped: boolean;
  /** Training examples (SFT records or GRPO prompts) and SFT records dropped as too long. */
  examples: number;
  dropped: number;
  ms: number;
  /** The trained model, which stays loaded (its source now names the training). */
  model: ModelInfo;
}

/** A file of the current model as saved by saveModel (config.json, model.safetensors, tokenizer). */
export interface ModelFile {
  name: string;
  data: Uint8Array;
}

export type LogLevel = 'info' | 'warn' | 'error';
export type LogFn = (level: LogLevel, message: string) => void;
export type ProgressFn = (step: number, total: number) => void;

/** Grade one completion against one question record (a line of the task's JSONL). */
export interface GradeRequest {
  task: TaskName;
  record: string;
  completion: string;
  /** Wall-clock limit for code (ms). */
  timeoutMs: number;
  /** The page's Pyodide folder (…/pyodide/). */
  pyodideURL: string;
}

export interface WorkerApi {
  /** Receive the worker's log lines (pass a comlink proxy). */
  setLogger(log: LogFn): void;
  init(backend: BackendChoice): Promise<BackendInfo>;
  /** Load a Hugging Face folder; refuses before loading when the memory plan exceeds the wasm
   *  heap. `onProgress` (a comlink proxy) gets the plan, then bytes read. */
  loadModelFromUrl(url: string, onProgress?: LoadProgressFn): Promise<ModelInfo>;
  loadModelFromFiles(files: File[], onProgress?: LoadProgressFn): Promise<ModelInfo>;
  /** A freshly initialised model from a config.json object (seeded, identical on every backend);
   *  `tokenizerFiles` (tokenizer.json, tokenizer_config.json) give it a text tokenizer. */
  createModel(
    presetConfigJson: Record<string, unknown>,
    seed: number,
    name?: string,
    tokenizerFiles?: Record<string, string>,
  ): Promise<ModelInfo>;
  generate(req: GenerateRequest, onProgress?: ProgressFn): Promise<GenerateReply>;
  /** Stop a running generate() after its current step. */
  cancel(): void;
  /** Train the loaded model in place (K&K or target data); `onMetrics` gets every step (a comlink proxy). */
  train(req: TrainRequest, onMetrics?: TrainMetricsFn): Promise<TrainReply>;
  /** Stop a running train() after its current step. */
  stopTraining(): void;
  /** Grade with the same verifiers (and code sandbox) that GRPO's rewards use. */
  grade(req: GradeRequest): Promise<Grade>;
  /** The loaded model's files (weights as float32 safetensors, plus its tokenizer files). */
  exportModel(): Promise<ModelFile[]>;
  parity(modelUrl: string, expectedJsonUrl: string): Promise<ParityReport>;
  /** numTensors / numBytes of the TF.js engine (leak checks). */
  memory(): Promise<{ numTensors: number; numBytes: number }>;
}

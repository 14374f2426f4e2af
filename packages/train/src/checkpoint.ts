// Training state that a checkpoint carries besides the weights, and the store interface the
// trainers save through (Node: a folder swapped in atomically; browser: memory or OPFS).
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import {
  ADAPTER_CONFIG_FILE,
  CheckpointError,
  loadLora,
  memorySink,
  memorySource,
  readTensors,
  saveLora,
  saveModel,
  writeTensors,
  loadModel,
  joinParamPieces,
  splitParamPieces,
  type HostTensor,
  type ModelSink,
  type ModelSource,
  type Qwen2Model,
} from '@warmup/core';
import type { AdamW } from './optimizer.ts';

export interface TrainerState {
  version: 1;
  kind: 'sft' | 'grpo';
  /** Optimizer steps taken (including skipped ones). */
  step: number;
  /** Examples consumed so far across epochs (the data-order cursor). */
  cursor: number;
  seed: number;
  /** AdamW's update count (bias correction). */
  adamT: number;
  /** Any trainer-specific counters worth restoring. */
  extra: Record<string, number>;
}

export interface Checkpoint {
  model: Qwen2Model;
  optimizer: AdamW;
  state: TrainerState;
}

/** Where checkpoints go. `save` must be atomic: a crash mid-save leaves the previous one intact. */
export interface CheckpointStore {
  save(c: Checkpoint, extraFiles?: Record<string, string>): Promise<void>;
  /** The last saved checkpoint's parts, or undefined when none. */
  open(): Promise<ModelSource | undefined>;
}

/** Key in `TrainerState.extra` holding the LoRA dropout generator's state. */
const LORA_RNG = 'lora_dropout_rng';

/** Write a checkpoint's files into a sink: HF-format weights plus optimizer moments and state;
 *  with LoRA, the (frozen) base weights plus the adapters as a PEFT adapter. */
export async function writeCheckpoint(
  sink: ModelSink,
  c: Checkpoint,
  extraFiles: Record<string, string> = {},
): Promise<void> {
  await saveModel(c.model, sink, extraFiles);
  if (c.model.lora) await saveLora(c.model, sink);
  // Moments of split parameters are stored joined, under the parameter's name.
  const moments = new Map<string, tf.Tensor | HostTensor>();
  for (const [k, v] of await joinParamPieces(c.model, c.optimizer.m)) moments.set(`m.${k}`, v);
  for (const [k, v] of await joinParamPieces(c.model, c.optimizer.v)) moments.set(`v.${k}`, v);
  await writeTensors(sink, 'optimizer.safetensors', moments);
  const extra = c.model.lora ? { ...c.state.extra, [LORA_RNG]: c.model.lora.rng.state } : c.state.extra;
  await sink.writeText('trainer_state.json', JSON.stringify({ ...c.state, adamT: c.optimizer.t, extra }, null, 2));
}

const TrainerStateSchema = z.object({
  version: z.literal(1),
  kind: z.enum(['sft', 'grpo']),
  step: z.number().int().nonnegative(),
  cursor: z.number().int().nonnegative(),
  seed: z.number().int(),
  adamT: z.number().int().nonnegative(),
  extra: z.record(z.string(), z.number()),
});

/** A trainer_state.json, checked like config.json: a truncated or hand-edited file (`"step": "x"`,
 *  `-7`) is refused with the key it got wrong, before anything is loaded or overwritten. */
export function parseTrainerState(text: string, where: string): TrainerState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`${where}: not valid JSON (${(e as Error).message})`);
  }
  const r = TrainerStateSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new CheckpointError(`${where}: key "${issue.path.join('.')}": ${issue.message}`);
  }
  return r.data;
}

/** Restore weights, optimizer moments and state from a checkpoint source. */
export async function readCheckpoint(
  src: ModelSource,
  optimizer: AdamW,
): Promise<{ model: Qwen2Model; state: TrainerState }> {
  const state = parseTrainerState(await src.readText('trainer_state.json'), `${src.location}/trainer_state.json`);
  const model = await loadModel(src);
  if (await src.has(ADAPTER_CONFIG_FILE)) {
    try {
      const lora = await loadLora(src, model, state.seed);
      if (state.extra[LORA_RNG] !== undefined) lora.rng.state = state.extra[LORA_RNG];
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  optimizer.dispose();
  for (const [name, t] of await readTensors(src, 'optimizer.safetensors')) {
    const [kind, ...rest] = name.split('.');
    // Cut like this model's pieces: the binding limit may differ from the run that saved them.
    for (const [key, piece] of splitParamPieces(model, rest.join('.'), t)) {
      const v = tf.tidy(() => tf.variable(tf.tensor(piece.data, piece.shape, 'float32'), false));
      (kind === 'm' ? optimizer.m : optimizer.v).set(key, v);
    }
  }
  optimizer.t = state.adamT;
  return { model, state };
}

/** In-memory store (browser tabs, tests). */
export function memoryStore(): CheckpointStore {
  let files: Map<string, Uint8Array | string> | undefined;
  return {
    async save(c, extra) {
      const sink = memorySink();
      await writeCheckpoint(sink, c, extra);
      files = sink.files; // swapped in only once complete
    },
    async open() {
      return files ? memorySource(files, 'memory checkpoint') : undefined;
    },
  };
}

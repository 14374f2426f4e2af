// Where the benchmark scripts look up a model shape: a shipped preset (models/), else a bench-only
// shape (scripts/bench-presets/, e.g. peer-1.8m, the JS peer's 4 x 192).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listPresets, PRESETS_DIR, type Preset, readPreset } from '../apps/cli/src/model-spec.ts';

export const BENCH_PRESETS = fileURLToPath(new URL('bench-presets/', import.meta.url));

/** The preset named `name` with its file, or undefined. */
export function findPreset(name: string): { preset: Preset; file: string } | undefined {
  for (const dir of [PRESETS_DIR, BENCH_PRESETS]) {
    const preset = readPreset(name, dir);
    if (preset) return { preset, file: path.join(dir, `${name}.json`) };
  }
  return undefined;
}

/** Every name findPreset knows, for error messages. */
export function allPresetNames(): string[] {
  return [...listPresets(), ...listPresets(BENCH_PRESETS)];
}

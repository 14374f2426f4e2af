// trainer_state.json is checked with a schema, like config.json: a truncated or hand-edited file
// fails with a CheckpointError naming the key, never resumes "at step x" or from step -7.
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '@warmup/core';
import { newTrainerState, parseTrainerState } from '@warmup/train';

const good = JSON.stringify({ ...newTrainerState('sft', 3), step: 10, cursor: 40, adamT: 10 });
const edit = (over: Record<string, unknown>): string => JSON.stringify({ ...JSON.parse(good), ...over });

describe('parseTrainerState', () => {
  it('accepts a saved state', () => {
    expect(parseTrainerState(good, 'ck/trainer_state.json')).toMatchObject({ kind: 'sft', step: 10, cursor: 40 });
  });

  it.each([
    ['a truncated file', good.slice(0, 30), /ck\/trainer_state\.json: not valid JSON/],
    ['"step": "x"', edit({ step: 'x' }), /key "step"/],
    ['"step": -7', edit({ step: -7 }), /key "step"/],
    ['"step": 1.5', edit({ step: 1.5 }), /key "step"/],
    ['"cursor": null', edit({ cursor: null }), /key "cursor"/],
    ['an unknown kind', edit({ kind: 'rl' }), /key "kind"/],
    ['a non-numeric extra', edit({ extra: { rng: 'x' } }), /key "extra\.rng"/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseTrainerState(text, 'ck/trainer_state.json')).toThrow(CheckpointError);
    expect(() => parseTrainerState(text, 'ck/trainer_state.json')).toThrow(message);
  });
});

// Which model the page opens with: the shipped base by default, another folder or none by `?model=`.
import { describe, expect, it } from 'vitest';
import { SHIPPED_BASE_URL, startupModelUrl } from '../src/shipped-base.ts';

describe('startupModelUrl', () => {
  it('opens on the shipped base, the folder the toy experiment names', () => {
    expect(SHIPPED_BASE_URL).toBe('models/warmup-base/');
    expect(startupModelUrl('')).toBe(SHIPPED_BASE_URL);
    expect(startupModelUrl('?model=')).toBe(SHIPPED_BASE_URL);
    expect(startupModelUrl('?backend=wasm')).toBe(SHIPPED_BASE_URL);
  });

  it('?model=none opens without a model; ?model=<url> loads that folder', () => {
    expect(startupModelUrl('?model=none')).toBeUndefined();
    expect(startupModelUrl('?model=%2Ffixtures%2Fqwen2-tiny%2F')).toBe('/fixtures/qwen2-tiny/');
  });
});

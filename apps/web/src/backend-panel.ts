// Backend picker: auto / webgpu / wasm / cpu. Switching reloads the current model in the worker.
import type { AppContext } from './context.ts';
import { byId } from './dom.ts';
import { BACKEND_CHOICES, type BackendChoice, type BackendInfo } from './worker-api.ts';

export function selectedBackend(): BackendChoice {
  const v = byId<HTMLSelectElement>('backend-select').value;
  return (BACKEND_CHOICES as readonly string[]).includes(v) ? (v as BackendChoice) : 'auto';
}

export function describeBackend(b: BackendInfo): string {
  const parts = [`Using ${b.backend}.`];
  if (b.adapter) parts.push(`WebGPU adapter: ${b.adapter}${b.softwareAdapter ? ' (software: correct but slow)' : ''}.`);
  else parts.push('No WebGPU in this browser.');
  if (b.wasm) {
    const n = b.wasm.threadsCount;
    const why =
      n > 1 || b.wasm.crossOriginIsolated ? '' : ' (threads need a cross-origin isolated page: COOP/COEP headers)';
    parts.push(`wasm SIMD ${b.wasm.simd ? 'on' : 'off'}, ${n} thread${n === 1 ? '' : 's'}${why}.`);
  }
  return parts.join(' ');
}

export function mountBackendPanel(ctx: AppContext): void {
  const info = byId('backend-info');
  const apply = async (): Promise<void> => {
    await ctx.run('backend', async () => {
      info.textContent = 'Starting…';
      const b = await ctx.api.init(selectedBackend());
      ctx.setBackend(b);
      info.textContent = describeBackend(b);
    });
  };
  byId('backend-apply').addEventListener('click', () => void apply());
  byId('backend-select').addEventListener('change', () => void apply());
}

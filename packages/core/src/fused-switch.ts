// One switch for the faster formulations of hot ops (fused attention, shared Identity/Cast buffers,
// RoPE with its own gradient): off gives the plain TF.js ops, for before/after measurements and tests.
let enabled = true;

/** Turn the fused ops off (or back on) for the operations that follow. */
export function setFusedOps(on: boolean): void {
  enabled = on;
}

export function fusedOpsEnabled(): boolean {
  return enabled;
}

/** Whether the fused ops run on `backend`: only where tensors read back synchronously (wasm, cpu). */
export function fusedOpsOn(backend: string): boolean {
  return enabled && (backend === 'wasm' || backend === 'cpu');
}

// TF.js's cpu backend prints a multi-line "install our node backend" banner on its first tensor
// in Node. Backends here are chosen deliberately (`--backend`, `warmup doctor`), so the banner
// is noise that looks like a failure: importing @warmup/node silences it once for the process.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

/** Marks the cpu backend as already used, the only thing its banner checks (besides IS_NODE);
 *  tf.enableProdMode() would also silence TF.js warnings that matter. Safe to call again. */
export function silenceTfjsNodeBanner(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

silenceTfjsNodeBanner();

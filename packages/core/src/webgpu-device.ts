// The WebGPU device under TF.js, owned here rather than by tfjs-backend-webgpu: requested with the
// adapter's limits, watched for validation errors, out-of-memory and loss, which WebGPU only reports
// through callbacks (Dawn prints them to stdout), and turned into a thrown WebgpuError at data reads.
import * as tf from '@tensorflow/tfjs-core';

export class WebgpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebgpuError';
  }
}

export interface WebgpuLimits {
  /** Largest storage buffer one shader may bind, in bytes. */
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

export interface WebgpuAdapterInfo {
  description: string;
  /** llvmpipe, lavapipe, SwiftShader or a fallback adapter. */
  software: boolean;
  limits: WebgpuLimits;
}

/** The spec's default for maxStorageBufferBindingSize: a device cannot be given less. */
const DEFAULT_BINDING = 134_217_728;

/** Limits requested from the adapter (the ones tfjs-backend-webgpu requests, plus buffers per stage). */
const LIMIT_NAMES = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
  'maxStorageBuffersPerShaderStage',
] as const;

/** Downloaded tensors at least this large are not cached on the host by the backend. */
const HOST_CACHE_BYTES = 1 << 20;

interface DeviceState {
  device: GPUDevice;
  limits: WebgpuLimits;
  /** The first error since the last check, and how many came after it. */
  error?: string;
  more: number;
  /** An error was thrown already: its knock-on errors are not news. */
  reported?: boolean;
  lost?: string;
}

let state: DeviceState | undefined;

function gpu(): GPU | undefined {
  return (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
}

function describe(adapter: GPUAdapter): { description: string; software: boolean } {
  const info = adapter.info as GPUAdapterInfo | undefined;
  const description = [info?.vendor, info?.architecture, info?.device, info?.description].filter((s) => s).join(' ');
  const software =
    /llvmpipe|swiftshader|software|lavapipe/i.test(description) ||
    (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return { description, software };
}

/** The adapter's name and limits without creating a device; undefined when there is no WebGPU. */
export async function adapterInfo(): Promise<WebgpuAdapterInfo | undefined> {
  const adapter = await gpu()?.requestAdapter();
  if (!adapter) return undefined;
  const { maxStorageBufferBindingSize, maxBufferSize } = adapter.limits;
  return { ...describe(adapter), limits: { maxStorageBufferBindingSize, maxBufferSize } };
}

/** Limits of the device TF.js runs on (after the webgpu backend started), else undefined. */
export function webgpuLimits(): WebgpuLimits | undefined {
  return state ? { ...state.limits } : undefined;
}

/** The device itself, for tests that provoke failures (e.g. destroy it). */
export function webgpuDevice(): GPUDevice | undefined {
  return state?.device;
}

/** Throw the pending WebGPU failure, if any (clearing it, unless the device is lost for good). */
export function throwIfWebgpuFailed(): void {
  if (!state) return;
  if (state.lost) throw new WebgpuError(state.lost);
  if (state.error === undefined) return;
  const more = state.more ? ` (and ${state.more} more error${state.more > 1 ? 's' : ''})` : '';
  const msg = `WebGPU failed: ${state.error}${more}; results computed since are invalid`;
  state.error = undefined;
  state.more = 0;
  state.reported = true;
  throw new WebgpuError(msg);
}

/** Dawn delivers error callbacks from its event loop: let the submitted work finish and the
 *  callbacks run before checking. */
async function settle(): Promise<void> {
  await state?.device.queue.onSubmittedWorkDone().catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 0));
}

async function createDevice(maxBinding: number | undefined): Promise<{ device: GPUDevice; info: GPUAdapterInfo }> {
  const adapter = await gpu()?.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new WebgpuError('WebGPU: no adapter (navigator.gpu.requestAdapter() returned null)');
  const requiredLimits: Record<string, number> = {};
  const have = adapter.limits as unknown as Record<string, number | undefined>;
  for (const name of LIMIT_NAMES) {
    const v = have[name];
    if (typeof v === 'number') requiredLimits[name] = v;
  }
  // A lower binding limit is for tests and small-GPU emulation; below the spec default the device
  // keeps the default, and the lower figure only drives how tensors are split (binding.ts).
  if (maxBinding !== undefined)
    requiredLimits.maxStorageBufferBindingSize = Math.max(
      DEFAULT_BINDING,
      Math.min(maxBinding, requiredLimits.maxStorageBufferBindingSize ?? DEFAULT_BINDING),
    );
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  return { device, info: adapter.info };
}

function watch(device: GPUDevice, maxBinding: number | undefined): DeviceState {
  const s: DeviceState = {
    device,
    limits: {
      maxStorageBufferBindingSize: Math.min(device.limits.maxStorageBufferBindingSize, maxBinding ?? Infinity),
      maxBufferSize: device.limits.maxBufferSize,
    },
    more: 0,
  };
  // The attribute (not addEventListener) is what stops Dawn printing the error to stdout.
  device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
    ev.preventDefault?.();
    const kind =
      ev.error instanceof GPUOutOfMemoryError
        ? 'out of memory'
        : ev.error instanceof GPUValidationError
          ? 'validation error'
          : 'internal error';
    const first = ev.error.message.split('\n')[0];
    const text = `${kind}: ${first}`;
    if (s.error === undefined) s.error = text;
    else s.more++;
  };
  device.lost.then((info) => {
    s.lost = `WebGPU device lost (${info.reason}): ${info.message || 'no message'}`;
  });
  return s;
}

/** Register TF.js's `webgpu` backend on a device made here. `maxBindingBytes` lowers the binding
 *  limit the model splits tensors for (tests, small-GPU emulation). Takes effect at the next
 *  tf.setBackend('webgpu'); a running webgpu backend is replaced. */
export async function registerWebgpuBackend(opts: { maxBindingBytes?: number } = {}): Promise<void> {
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  // Reads are where results reach JavaScript: check for failures around each one.
  class CheckedWebGPUBackend extends WebGPUBackend {
    override async read(dataId: object): Promise<tf.backend_util.BackendValues> {
      throwIfWebgpuFailed();
      let values: tf.backend_util.BackendValues;
      try {
        values = await super.read(dataId);
      } catch (e) {
        await settle();
        throwIfWebgpuFailed();
        throw e;
      }
      await settle();
      throwIfWebgpuFailed();
      // TF.js keeps every downloaded tensor's values on the host as well: after a checkpoint
      // save that is a second copy of all weights (2 GB at 0.5B). The caller has its own
      // reference; drop the backend's for large tensors that still live on the GPU.
      const entry = this.tensorMap.get(dataId);
      if (entry?.resource && values.length * 4 >= HOST_CACHE_BYTES)
        entry.values = null as unknown as typeof entry.values;
      return values;
    }
    override readSync(dataId: object): tf.backend_util.BackendValues {
      throwIfWebgpuFailed();
      const values = super.readSync(dataId);
      throwIfWebgpuFailed();
      return values;
    }
  }
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () => {
      const { device, info } = await createDevice(opts.maxBindingBytes);
      state = watch(device, opts.maxBindingBytes);
      return new CheckedWebGPUBackend(device, info as ConstructorParameters<typeof WebGPUBackend>[1]);
    },
    3,
  );
}

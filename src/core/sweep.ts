// Sweeps: the cartesian product of a few flag ranges (and GPUs), each configuration planned by
// planDeployment with { fixes: false }. Pure: GPU profiles and the model come in resolved.
import { InternalError } from "./errors.js";
import type { DiagnosticCode, EngineFlags, GpuProfile, KvCacheDtype, ModelArch, Plan } from "./types.js";
import { planDeployment } from "./plan.js";

export type SweepKey = "gpu" | "max-model-len" | "gpu-memory-utilization" | "tensor-parallel-size" | "max-num-seqs" | "kv-cache-dtype";

export type SweepAxis =
  | { key: "gpu"; values: GpuProfile[] }
  | { key: "max-model-len" | "gpu-memory-utilization" | "tensor-parallel-size" | "max-num-seqs"; values: number[] }
  | { key: "kv-cache-dtype"; values: KvCacheDtype[] };

export interface SweepRequest {
  model: ModelArch;
  /** The GPU when no axis sweeps GPUs. */
  gpu: GpuProfile | null;
  base: EngineFlags;
  axes: SweepAxis[];
  /**
   * Tensor-parallel sizes to try, smallest first, for each configuration (the row reports the
   * smallest that starts): "which GPUs can serve it, with how many". Empty: base flags' size only.
   */
  searchTensorParallel?: number[];
}

export interface SweepRow {
  gpu: string;
  /** GPUs used (tp × pp × dp) by the configuration reported. */
  gpus: number;
  tensorParallelSize: number;
  maxModelLen: number;
  gpuMemoryUtilization: number;
  maxNumSeqs: number;
  kvCacheDtype: KvCacheDtype;
  fits: boolean;
  /** The first error diagnostic (why it would not start), or null. */
  error: DiagnosticCode | null;
  /** KV cache memory of the tightest GPU (bytes; negative: over budget). */
  kvCacheBytes: number;
  kvTokens: number;
  /** Requests of max-model-len tokens at once (vLLM's "Maximum concurrency"). */
  maxConcurrency: number;
  weightsBytes: number;
  /** Longest max-model-len the KV cache would hold (vLLM's estimate), when it does not start for that reason. */
  estimatedMaxModelLen: number;
}

export interface SweepResult {
  axes: SweepKey[];
  rows: SweepRow[];
  configurations: number;
  /** planDeployment calls (more than configurations when tensor-parallel sizes are searched). */
  plans: number;
}

/** Number of configurations a sweep expands to. */
export function sweepSize(axes: readonly SweepAxis[]): number {
  let total = 1;
  for (const a of axes) total *= a.values.length;
  return total;
}

function rowOf(plan: Plan, gpuId: string, flags: EngineFlags): SweepRow {
  let kvBytes = Number.POSITIVE_INFINITY;
  let weights = 0;
  for (const gpu of plan.perGpu) {
    if (gpu.kvCacheBytes < kvBytes) kvBytes = gpu.kvCacheBytes;
    if (gpu.weightsBytes > weights) weights = gpu.weightsBytes;
  }
  let error: DiagnosticCode | null = null;
  for (const diagnostic of plan.diagnostics) {
    if (diagnostic.severity === "error") {
      error = diagnostic.code;
      break;
    }
  }
  return {
    gpu: gpuId,
    gpus: flags.tensorParallelSize * flags.pipelineParallelSize * Math.max(1, flags.dataParallelSize),
    tensorParallelSize: flags.tensorParallelSize,
    maxModelLen: plan.engine.maxModelLen,
    gpuMemoryUtilization: plan.engine.gpuMemoryUtilization,
    maxNumSeqs: plan.engine.maxNumSeqs,
    kvCacheDtype: flags.kvCacheDtype,
    fits: plan.fits,
    error,
    kvCacheBytes: Number.isFinite(kvBytes) ? kvBytes : 0,
    kvTokens: plan.kvCache.tokens,
    maxConcurrency: plan.kvCache.maxConcurrency,
    weightsBytes: weights,
    estimatedMaxModelLen: plan.kvCache.estimatedMaxModelLen,
  };
}

/** Plans every configuration of the sweep, in axis order (the last axis varies fastest). */
export function runSweep(req: SweepRequest): SweepResult {
  const axes = req.axes;
  const total = sweepSize(axes);
  const rows: SweepRow[] = new Array<SweepRow>(total);
  const idx = new Array<number>(axes.length).fill(0);
  const search = req.searchTensorParallel ?? [];
  let plans = 0;
  const { model } = req;
  for (let row = 0; row < total; row++) {
    let gpu = req.gpu;
    const flags: EngineFlags = { ...req.base };
    for (let axisIndex = 0; axisIndex < axes.length; axisIndex++) {
      const axis = axes[axisIndex] as SweepAxis;
      const valueIndex = idx[axisIndex] as number;
      switch (axis.key) {
        case "gpu":
          gpu = axis.values[valueIndex] as GpuProfile;
          break;
        case "max-model-len":
          flags.maxModelLen = axis.values[valueIndex] as number;
          break;
        case "gpu-memory-utilization":
          flags.gpuMemoryUtilization = axis.values[valueIndex] as number;
          break;
        case "tensor-parallel-size":
          flags.tensorParallelSize = axis.values[valueIndex] as number;
          break;
        case "max-num-seqs":
          flags.maxNumSeqs = axis.values[valueIndex] as number;
          break;
        case "kv-cache-dtype":
          flags.kvCacheDtype = axis.values[valueIndex] as KvCacheDtype;
          break;
      }
    }
    // Unreachable from input: commands/sweep.ts passes req.gpu (gpuFrom) unless a gpu axis names the GPUs,
    // and an axis has at least one value (commands/sweep.ts parseSweeps), so every row has a GPU.
    if (!gpu) throw new InternalError("runSweep: no GPU (give req.gpu or a gpu axis)");
    let plan: Plan | null = null;
    if (search.length > 0) {
      // Smallest tensor-parallel size that starts; the largest tried when none does.
      for (const tp of search) {
        flags.tensorParallelSize = tp;
        plan = planDeployment({ model, gpu, flags });
        plans++;
        if (plan.fits) break;
      }
    }
    if (!plan) {
      plan = planDeployment({ model, gpu, flags });
      plans++;
    }
    rows[row] = rowOf(plan, gpu.id, flags);
    // Odometer: the last axis fastest.
    for (let axisIndex = axes.length - 1; axisIndex >= 0; axisIndex--) {
      const next = (idx[axisIndex] as number) + 1;
      if (next < (axes[axisIndex] as SweepAxis).values.length) {
        idx[axisIndex] = next;
        break;
      }
      idx[axisIndex] = 0;
    }
  }
  return { axes: axes.map((a) => a.key), rows, configurations: total, plans };
}

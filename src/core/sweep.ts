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
  let n = 1;
  for (const a of axes) n *= a.values.length;
  return n;
}

function rowOf(plan: Plan, gpuId: string, flags: EngineFlags): SweepRow {
  let kvBytes = Number.POSITIVE_INFINITY;
  let weights = 0;
  for (const g of plan.perGpu) {
    if (g.kvCacheBytes < kvBytes) kvBytes = g.kvCacheBytes;
    if (g.weightsBytes > weights) weights = g.weightsBytes;
  }
  let error: DiagnosticCode | null = null;
  for (const d of plan.diagnostics) {
    if (d.severity === "error") {
      error = d.code;
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
  for (let r = 0; r < total; r++) {
    let gpu = req.gpu;
    const flags: EngineFlags = { ...req.base };
    for (let a = 0; a < axes.length; a++) {
      const axis = axes[a] as SweepAxis;
      const i = idx[a] as number;
      switch (axis.key) {
        case "gpu":
          gpu = axis.values[i] as GpuProfile;
          break;
        case "max-model-len":
          flags.maxModelLen = axis.values[i] as number;
          break;
        case "gpu-memory-utilization":
          flags.gpuMemoryUtilization = axis.values[i] as number;
          break;
        case "tensor-parallel-size":
          flags.tensorParallelSize = axis.values[i] as number;
          break;
        case "max-num-seqs":
          flags.maxNumSeqs = axis.values[i] as number;
          break;
        case "kv-cache-dtype":
          flags.kvCacheDtype = axis.values[i] as KvCacheDtype;
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
    rows[r] = rowOf(plan, gpu.id, flags);
    // Odometer: the last axis fastest.
    for (let a = axes.length - 1; a >= 0; a--) {
      const next = (idx[a] as number) + 1;
      if (next < (axes[a] as SweepAxis).values.length) {
        idx[a] = next;
        break;
      }
      idx[a] = 0;
    }
  }
  return { axes: axes.map((a) => a.key), rows, configurations: total, plans };
}

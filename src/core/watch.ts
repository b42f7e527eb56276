// `vram-plan watch` (issue #15.6): one nvidia-smi sample of the GPUs a deployment uses beside what its
// plan expects nvidia-smi to show, and the drift between them. Pure: the command samples and prints.
import type { Plan } from "./types.js";

/** One GPU as sampled (nvidia-smi --query-gpu / --query-compute-apps), in CUDA's visible order. */
export interface WatchGpu {
  index: number;
  name: string;
  /** memory.total − memory.reserved: what CUDA sees (nvidia-smi's free is this − used). */
  cudaTotalBytes: number;
  /** memory.used (every process on the GPU). */
  usedBytes: number;
  apps: ReadonlyArray<{ pid: number; name: string; usedBytes: number }>;
}

export interface WatchRow {
  index: number;
  /** vLLM's rank on this GPU (rank r on the r-th visible GPU), its pipeline stage. */
  rank: number;
  stage: number;
  usedBytes: number;
  /** The plan's "nvidia-smi will show" figure for the rank (expectedUsedBytes + other processes planned). */
  expectedBytes: number;
  /** used − expected. */
  driftBytes: number;
  freeBytes: number;
}

export type Drift =
  | { code: "ABOVE_PLAN" | "BELOW_PLAN"; index: number; driftBytes: number; failing: boolean }
  | { code: "PROCESS_APPEARED"; index: number; pid: number; name: string; usedBytes: number; failing: boolean }
  | { code: "GPU_NEAR_FULL"; index: number; freeBytes: number; failing: boolean };

export interface WatchOptions {
  /** |used − expected| above this is a failing drift. */
  toleranceBytes: number;
  /** Less free than this on a GPU is a failing drift. */
  nearFullBytes: number;
}

export interface WatchSample {
  rows: WatchRow[];
  drifts: Drift[];
  failing: boolean;
}

/** What the plan expects nvidia-smi to show on the GPU of each rank (TP ranks of a stage are equal; DP replicas repeat). */
export function expectedPerRank(plan: Plan): number[] {
  const tp = plan.gpu.tensorParallelSize;
  const out: number[] = [];
  for (let rank = 0; rank < plan.gpu.count; rank++) {
    const stage = Math.floor((rank % (tp * plan.gpu.pipelineParallelSize)) / tp);
    const stagePlan = plan.perGpu[stage] ?? plan.perGpu[0];
    out.push(stagePlan ? stagePlan.expectedUsedBytes + stagePlan.otherProcessBytes : 0);
  }
  return out;
}

/**
 * One sample against the plan: a row per GPU vLLM uses, and the drifts — memory above or below the plan
 * by more than the tolerance, a compute process that was not there in the first sample (`seenPids`;
 * null on the first sample), a GPU with less free than `nearFullBytes`.
 */
export function compareSample(plan: Plan, gpus: readonly WatchGpu[], seenPids: ReadonlySet<number> | null, opts: WatchOptions): WatchSample {
  const expected = expectedPerRank(plan);
  const tp = plan.gpu.tensorParallelSize;
  const rows: WatchRow[] = [];
  const drifts: Drift[] = [];
  expected.forEach((exp, rank) => {
    const gpu = gpus[rank];
    if (!gpu) return;
    const free = gpu.cudaTotalBytes - gpu.usedBytes;
    const row: WatchRow = { index: gpu.index, rank, stage: Math.floor((rank % (tp * plan.gpu.pipelineParallelSize)) / tp), usedBytes: gpu.usedBytes, expectedBytes: exp, driftBytes: gpu.usedBytes - exp, freeBytes: free };
    rows.push(row);
    if (Math.abs(row.driftBytes) > opts.toleranceBytes) drifts.push({ code: row.driftBytes > 0 ? "ABOVE_PLAN" : "BELOW_PLAN", index: gpu.index, driftBytes: row.driftBytes, failing: true });
    if (seenPids !== null) {
      for (const app of gpu.apps) {
        if (!seenPids.has(app.pid)) drifts.push({ code: "PROCESS_APPEARED", index: gpu.index, pid: app.pid, name: app.name, usedBytes: app.usedBytes, failing: app.usedBytes > opts.toleranceBytes });
      }
    }
    if (free < opts.nearFullBytes) drifts.push({ code: "GPU_NEAR_FULL", index: gpu.index, freeBytes: free, failing: true });
  });
  return { rows, drifts, failing: drifts.some((d) => d.failing) };
}

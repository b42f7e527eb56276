// The offline (transformers generate) footprint beside vLLM's plan for the same workload, why they
// differ, and the vLLM levers that bring it closest to the offline footprint (issue #6). Pure: every
// lever's number comes from re-running planDeployment with that flag, never from inverting formulas.
import type { EngineFlags, Plan, PlanInput } from "./types.js";
import type { OfflineFootprint } from "./offline.js";
import { planDeployment } from "./plan.js";
import { planWithLevers } from "./levers.js";
import { roundUp } from "./math-utils.js";

export interface Workload {
  /** Text tokens of one prompt. */
  promptTokens: number;
  imageTokens: number;
  images: { width: number; height: number }[];
  newTokens: number;
  batch: number;
}

export type WhyCode =
  | "UP_FRONT_BUDGET" // vLLM takes gpu_memory_utilization × total at start-up; generate() grows on demand
  | "KV_FOR_CONCURRENCY" // vLLM fills the rest with KV blocks for many sequences of max_model_len
  | "WORST_CASE_PROFILE" // the profile run's activation peak: max_num_batched_tokens, largest images
  | "CUDA_GRAPHS" // captured graphs' memory
  | "ALLOCATOR_RESERVE"; // offline: PyTorch caches freed blocks, so the process shows more than its peak

export interface WhyItem {
  code: WhyCode;
  vllmBytes: number;
  offlineBytes: number;
  /** Numbers the message formats (tokens, counts, fractions). */
  args: Record<string, number | string>;
}

export type LeverCode = "MAX_MODEL_LEN" | "MAX_NUM_SEQS" | "LIMIT_MM_PER_PROMPT" | "MAX_PIXELS" | "GPU_MEMORY_UTILIZATION";

export interface Lever {
  code: LeverCode;
  flag: string;
  value: string;
  /** vLLM's expected device memory with this lever and the ones listed before it. */
  vllmUsedBytes: number;
  /** Whether vLLM still starts and holds the workload's KV (batch × (prompt + images + new tokens)). */
  serves: boolean;
  /** The smallest --gpu-memory-utilization (two decimals) that serves the workload with the levers so far; null: none ≤ 0.99. */
  minUtilization: number | null;
  /** vLLM's expected device memory at that utilization. */
  usedAtMinUtilizationBytes: number | null;
}

export interface Comparison {
  workload: Workload & { sequenceTokens: number; totalTokens: number };
  offline: OfflineFootprint;
  /** Whether the offline footprint fits the GPU's CUDA-visible memory. */
  offlineFits: boolean;
  vllm: Plan;
  /** vLLM's expected device memory on GPU 0 (requested budget + what it holds outside it). */
  vllmUsedBytes: number;
  differenceBytes: number;
  why: WhyItem[];
  /** Cumulative levers, in order; the last one is the closest vLLM gets to the offline footprint. */
  levers: Lever[];
  /** The flags of all levers together, and vLLM's memory with them. */
  closest: { flags: { flag: string; value: string }[]; vllmUsedBytes: number; serves: boolean };
}

/** Whether a plan starts and its KV cache holds `batch` sequences of `tokens` tokens. */
export function servesWorkload(plan: Plan, tokens: number, batch: number): boolean {
  if (!plan.fits) return false;
  if (plan.engine.maxModelLen < tokens) return false;
  const bs = plan.kvCache.blockSize || 16;
  const need = batch * roundUp(tokens, bs);
  return plan.kvCache.tokens >= need && plan.engine.maxNumSeqs >= 1;
}

function used(plan: Plan): number {
  return plan.perGpu[0]?.expectedUsedBytes ?? 0;
}

export function compareWorkload(input: PlanInput, offline: OfflineFootprint, workload: Workload, opts: { explain?: boolean } = {}): Comparison {
  const plan = planWithLevers(input, opts.explain ? { explain: true } : {});
  const seq = workload.promptTokens + workload.imageTokens;
  const total = seq + workload.newTokens;
  const budget = plan.perGpu[0];
  const vllmUsed = used(plan);
  const gpuTotal = input.gpu.cudaTotalBytes;

  // --- why they differ
  const why: WhyItem[] = [];
  if (budget) {
    why.push({ code: "UP_FRONT_BUDGET", vllmBytes: budget.requestedBytes, offlineBytes: offline.deviceBytes, args: { utilization: plan.engine.gpuMemoryUtilization, totalBytes: budget.totalBytes } });
    why.push({
      code: "KV_FOR_CONCURRENCY",
      vllmBytes: Math.max(0, budget.kvCacheBytes),
      offlineBytes: offline.kvCacheBytes,
      args: { kvTokens: plan.kvCache.tokens, maxModelLen: plan.engine.maxModelLen, maxConcurrency: Number(plan.kvCache.maxConcurrency.toFixed(2)), maxNumSeqs: plan.engine.maxNumSeqs, offlineTokens: workload.batch * total, batch: workload.batch },
    });
    const enc = plan.encoder;
    why.push({
      code: "WORST_CASE_PROFILE",
      vllmBytes: budget.activationPeakBytes,
      offlineBytes: offline.activationPeakBytes,
      args: { maxNumBatchedTokens: plan.engine.maxNumBatchedTokens, phase: budget.activationPhase, encoderItems: enc?.items ?? 0, encoderModality: enc?.modality ?? "image", encoderTokensPerItem: enc?.tokensPerItem ?? 0, offlineTokens: workload.batch * seq, offlineImageTokens: workload.imageTokens },
    });
    if (budget.cudaGraphBytes > 0) why.push({ code: "CUDA_GRAPHS", vllmBytes: budget.cudaGraphBytes, offlineBytes: 0, args: { captureSizes: plan.engine.cudaGraphCaptureSizes } });
  }
  why.push({ code: "ALLOCATOR_RESERVE", vllmBytes: 0, offlineBytes: offline.allocatorReserveBytes, args: { peakAllocatedBytes: offline.peakAllocatedBytes } });

  // --- levers, cumulative, each checked by re-planning
  const levers: Lever[] = [];
  let flags: EngineFlags = { ...input.flags };
  const replan = (changed: EngineFlags): Plan => planDeployment({ ...input, flags: changed });
  const minUtil = (changed: EngineFlags): { u: number; bytes: number } | null => {
    if (changed.kvCacheMemoryBytes !== undefined) return null;
    for (let utilization = 0.01; utilization <= 0.99 + 1e-9; utilization = Math.round((utilization + 0.01) * 100) / 100) {
      const replanned = replan({ ...changed, gpuMemoryUtilization: utilization });
      if (servesWorkload(replanned, total, workload.batch)) return { u: utilization, bytes: used(replanned) };
    }
    return null;
  };
  // A lever that changes nothing on top of the ones before it (neither the memory at the current
  // utilization nor at the smallest that serves) is not listed: "each on top of the ones above".
  let before: { used: number; min: number | null } | null = null;
  const push = (code: LeverCode, flag: string, value: string, changed: EngineFlags): void => {
    const plan = replan(changed);
    const minimum = minUtil(changed);
    before ??= { used: used(replan(flags)), min: minUtil(flags)?.bytes ?? null };
    const now = { used: used(plan), min: minimum?.bytes ?? null };
    if (code !== "GPU_MEMORY_UTILIZATION" && now.used === before.used && now.min === before.min) return;
    before = now;
    levers.push({ code, flag, value, vllmUsedBytes: used(plan), serves: servesWorkload(plan, total, workload.batch), minUtilization: minimum?.u ?? null, usedAtMinUtilizationBytes: minimum?.bytes ?? null });
    flags = changed;
  };
  if (plan.engine.maxModelLen > total) push("MAX_MODEL_LEN", "--max-model-len", String(total), { ...flags, maxModelLen: total });
  if (plan.engine.maxNumSeqs > workload.batch) push("MAX_NUM_SEQS", "--max-num-seqs", String(workload.batch), { ...flags, maxNumSeqs: workload.batch });
  const vision = input.model.vision;
  if (vision && vision.family !== "other") {
    const limits = { image: workload.images.length, video: 0 };
    const cur = input.flags.limitMmPerPrompt;
    if (!cur || cur["image"] !== limits.image || cur["video"] !== 0) push("LIMIT_MM_PER_PROMPT", "--limit-mm-per-prompt", JSON.stringify(limits), { ...flags, limitMmPerPrompt: limits });
    // The profile assumes the largest image max_pixels allows; cap it at the workload's largest image.
    if (workload.images.length > 0) {
      const largest = Math.max(...workload.images.map((i) => i.width * i.height));
      const curMax = input.flags.mmProcessorKwargs?.max_pixels ?? vision.maxPixels;
      if (largest < curMax) push("MAX_PIXELS", "--mm-processor-kwargs", JSON.stringify({ ...(input.flags.mmProcessorKwargs ?? {}), max_pixels: largest }), { ...flags, mmProcessorKwargs: { ...(input.flags.mmProcessorKwargs ?? {}), max_pixels: largest } });
    }
  }
  // The smallest utilization (two decimals) that still serves the workload with the levers above.
  const smallest = minUtil(flags);
  if (smallest && smallest.u < plan.engine.gpuMemoryUtilization) push("GPU_MEMORY_UTILIZATION", "--gpu-memory-utilization", smallest.u.toFixed(2), { ...flags, gpuMemoryUtilization: smallest.u });
  const closestPlan = replan(flags);
  return {
    workload: { ...workload, sequenceTokens: seq, totalTokens: total },
    offline,
    offlineFits: offline.deviceBytes <= gpuTotal,
    vllm: plan,
    vllmUsedBytes: vllmUsed,
    differenceBytes: vllmUsed - offline.deviceBytes,
    why,
    levers,
    closest: { flags: levers.map((l) => ({ flag: l.flag, value: l.value })), vllmUsedBytes: used(closestPlan), serves: servesWorkload(closestPlan, total, workload.batch) },
  };
}

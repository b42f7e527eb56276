// CUDA-graph memory, in one place: which graphs vLLM captures, what its estimate charges, whether that
// estimate comes out of the KV budget, and the equivalent settings vLLM prints beside it.
//
// vLLM captures graphs after the KV cache is allocated (Worker.compile_or_warm_up_model → capture_model).
// From v0.21 (PR #30515, on by default with PR #38284) Worker.determine_available_memory first runs
// GPUModelRunner.profile_cudagraph_memory and subtracts its estimate from the KV budget. The per-release
// switches live in vllm-versions.ts (cudaGraphEstimate, mrv2ZeroEstimateForDense, captureListStyle,
// fullDecodeGraphs); the capture lists in vllm-versions.ts captureSizeList / capturesByMode.
import type { ExplainLine } from "./types.js";
import { captureSizeList, captureSizes, capturesByMode, type CaptureOptions, type VllmRules } from "./vllm-versions.js";

/**
 * Device memory per captured graph per decoder layer on the rank (kernel nodes of the graph exec and
 * their parameters). Two independent logs agree: Qwen3-8B (36 layers, 51 PIECEWISE + 35 FULL graphs)
 * "Estimated CUDA graph memory: 0.52 GiB" → 176 KiB; Qwen2.5-1.5B on a T4, V0 (28 layers, 35 graphs)
 * "Graph capturing finished ..., took 0.17 GiB" → 182 KiB (fixtures/vllm-logs). MoE layers launch more
 * kernels and are under-estimated by this term (Qwen3-235B TP8: ≈575 KiB per layer-graph).
 */
export const GRAPH_BYTES_PER_LAYER = 180 * 1024;

/** profile_cudagraph_memory: per_graph = max(second sample's drop, 1 MiB) (GMR @000fc94b754f). */
export const MIN_PER_GRAPH_BYTES = 1 << 20;

/** Why the graph memory is, or is not, taken out of the KV budget. */
export type CudaGraphBudget =
  | "eager" // --enforce-eager, cudagraph_mode NONE: nothing captured
  | "estimated" // v0.21+: profile_cudagraph_memory's estimate subtracted before KV sizing
  | "before-estimate" // < v0.21 (or V0): captured after KV sizing, out of the 1 − utilization slack
  | "mrv2-zero" // Model Runner V2 on dense models, 0.25.x: the estimate was a stub returning 0
  | "kv-cache-memory"; // --kv-cache-memory: determine_available_memory returns before any estimate

export interface CudaGraphPlanInput {
  rules: VllmRules;
  enforceEager: boolean;
  /** cudagraph_mode NONE from --compilation-config (memory-features.ts). */
  graphsOff: boolean;
  /** Explicit capture sizes / max size / mode / speculative query length (EngineFlags.compilation, speculative). */
  capture?: CaptureOptions | undefined;
  /** LoRA: every size captured twice (vllm-versions.ts FeatureRules.loraGraphsTwice). */
  graphMultiplier: number;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  /** No MoE and no Mamba/linear layers: Model Runner V2's dense path (0.25.x). */
  dense: boolean;
  kvCacheMemoryFixed: boolean;
}

export interface CudaGraphPlan {
  captured: boolean;
  /** PIECEWISE / FULL graphs as "Profiling CUDA graph memory: PIECEWISE=n (largest=x), FULL=m (largest=y)" logs them. */
  piecewise: number;
  full: number;
  largest: number;
  largestFull: number;
  /** The capture list, ascending (empty when nothing is captured). */
  sizes: number[];
  budget: CudaGraphBudget;
  /** Whether the estimate is subtracted from the KV budget. */
  inBudget: boolean;
  /** Which sizes get FULL graphs ("decode": q ≤ size ≤ max_num_seqs · q), for recounting a capped list. */
  fullSizes: "none" | "decode" | "all";
  decodeQueryLen: number;
  maxNumSeqs: number;
  graphMultiplier: number;
  /** Set when vLLM capped the capture sizes after KV sizing (Mamba cache blocks, v0.17–v0.18). */
  cappedFrom?: number;
}

/** Which graphs vLLM captures and whether their estimate is charged to the KV budget, for one release. */
export function cudaGraphPlan(x: CudaGraphPlanInput): CudaGraphPlan {
  const r = x.rules;
  if (x.enforceEager || x.graphsOff) return { captured: false, piecewise: 0, full: 0, largest: 0, largestFull: 0, sizes: [], budget: "eager", inBudget: false, fullSizes: "none", decodeQueryLen: 1, maxNumSeqs: x.maxNumSeqs, graphMultiplier: x.graphMultiplier };
  let sizes: number[];
  let caps: { piecewise: number; full: number; largest: number };
  if (r.engine === "v0") {
    // V0 captured full-model graphs for batch sizes [1, 2, 4] + 8·i up to min(max_num_seqs, 256)
    // (vllm/worker/model_runner.py _BATCH_SIZES_TO_CAPTURE).
    const top = Math.min(x.maxNumSeqs, 256);
    sizes = [1, 2, 4].filter((s) => s <= top);
    for (let s = 8; s <= top; s += 8) sizes.push(s);
    caps = { piecewise: 0, full: 3 + Math.floor(top / 8), largest: top };
  } else if (x.capture) {
    sizes = captureSizeList(r, x.maxNumSeqs, x.maxNumBatchedTokens, x.capture);
    caps = capturesByMode(r, sizes, x.maxNumSeqs, x.capture);
  } else {
    sizes = captureSizeList(r, x.maxNumSeqs, x.maxNumBatchedTokens);
    caps = captureSizes(r, x.maxNumSeqs, x.maxNumBatchedTokens);
  }
  const q = 1 + (x.capture?.numSpeculativeTokens ?? 0);
  const decodeSizes = sizes.filter((s) => s >= q && s <= x.maxNumSeqs * q);
  const largestFull = caps.full > 0 ? (r.engine === "v0" ? caps.largest : (decodeSizes[decodeSizes.length - 1] ?? caps.largest)) : 0;
  const budget: CudaGraphBudget = x.kvCacheMemoryFixed
    ? "kv-cache-memory"
    : !r.cudaGraphEstimate || r.engine === "v0"
      ? "before-estimate"
      : r.mrv2ZeroEstimateForDense && x.dense
        ? "mrv2-zero"
        : "estimated";
  const fullSizes: CudaGraphPlan["fullSizes"] = caps.full === 0 ? "none" : r.engine === "v0" || (caps.piecewise === 0 && caps.full === sizes.length && decodeSizes.length !== sizes.length) ? "all" : "decode";
  return {
    captured: caps.piecewise + caps.full > 0,
    piecewise: caps.piecewise * x.graphMultiplier,
    full: caps.full * x.graphMultiplier,
    largest: caps.largest,
    largestFull,
    sizes,
    budget,
    inBudget: budget === "estimated",
    fullSizes,
    decodeQueryLen: q,
    maxNumSeqs: x.maxNumSeqs,
    graphMultiplier: x.graphMultiplier,
  };
}

/**
 * The plan after vLLM drops the capture sizes above `maxSize` (CompilationConfig.adjust_cudagraph_sizes_for_mamba_cache,
 * PR #34571, v0.17–v0.18: "Capping cudagraph capture sizes from max A to B to fit Mamba cache blocks"). It runs
 * after KV sizing, so it changes what capture takes, not the KV budget.
 */
export function capCudaGraphPlan(plan: CudaGraphPlan, maxSize: number): CudaGraphPlan {
  if (!plan.captured || maxSize >= plan.largest) return plan;
  const sizes = plan.sizes.filter((s) => s <= maxSize);
  const decode = sizes.filter((s) => s >= plan.decodeQueryLen && s <= plan.maxNumSeqs * plan.decodeQueryLen);
  const full = plan.fullSizes === "all" ? sizes.length : plan.fullSizes === "decode" ? decode.length : 0;
  const piecewise = plan.piecewise > 0 ? sizes.length : 0;
  return {
    ...plan,
    sizes,
    piecewise: piecewise * plan.graphMultiplier,
    full: full * plan.graphMultiplier,
    largest: sizes[sizes.length - 1] ?? 0,
    largestFull: full > 0 ? ((plan.fullSizes === "all" ? sizes : decode)[full - 1] ?? 0) : 0,
    captured: piecewise + full > 0,
    cappedFrom: plan.largest,
  };
}

export interface CudaGraphBytes {
  /** What profile_cudagraph_memory returns (and, v0.21+, the KV budget loses). */
  estimateBytes: number;
  /** The first capture of the mode with the largest one: its transient pool plus its own graph. */
  firstCaptureBytes: number;
  /** Each further graph, as extrapolated from the second sample. */
  perGraphBytes: number;
}

/**
 * GPUModelRunner.profile_cudagraph_memory (GMR @000fc94b754f): per mode it captures the two largest
 * descriptors; first_capture = the first drop in free memory (the largest capture's transient pool, here
 * largest tokens × the text pass's bytes per token, plus its graph), per_graph = max(second drop, 1 MiB);
 * total = max over modes of first_capture + Σ over modes per_graph × (n_mode − 1). The linear
 * extrapolation is what vllm issue #45178 reports as an overestimate when many sizes share one pool
 * (PR #51590 proposes measuring every graph instead); vram-plan charges what vLLM charges.
 */
export function cudaGraphStageBytes(plan: CudaGraphPlan, layersOnRank: number, textBytesPerToken: number): CudaGraphBytes {
  if (!plan.captured) return { estimateBytes: 0, firstCaptureBytes: 0, perGraphBytes: 0 };
  const perGraph = Math.max(layersOnRank * GRAPH_BYTES_PER_LAYER, MIN_PER_GRAPH_BYTES);
  const firstPiecewise = plan.piecewise > 0 ? plan.largest * textBytesPerToken + perGraph : 0;
  const firstFull = plan.full > 0 ? plan.largestFull * textBytesPerToken + perGraph : 0;
  const first = Math.max(firstPiecewise, firstFull);
  const extrapolated = perGraph * (Math.max(0, plan.piecewise - 1) + Math.max(0, plan.full - 1));
  return { estimateBytes: Math.round(first + extrapolated), firstCaptureBytes: Math.round(first), perGraphBytes: perGraph };
}

export interface CudaGraphEquivalents {
  /** --gpu-memory-utilization giving this KV cache with the estimate off: round(U − est/total, 4). */
  utilizationWithoutEstimate: number;
  /** --gpu-memory-utilization giving the pre-v0.21 KV cache with the estimate on: min(round(U + est/total, 4), 1). */
  utilizationForSameKv: number;
  /** --kv-cache-memory giving the pre-v0.21 KV cache: this KV cache plus the estimate. */
  kvCacheMemoryForSameKv: number;
}

/**
 * The settings vLLM's own start-up line names (Worker.determine_available_memory, v0.21+: "The current
 * --gpu-memory-utilization=U is equivalent to --gpu-memory-utilization=U′ without CUDA graph memory
 * profiling ... increase --gpu-memory-utilization to U″"), and the --kv-cache-memory with the same effect.
 */
export function cudaGraphEquivalents(utilization: number, totalBytes: number, estimateBytes: number, kvCacheBytes: number): CudaGraphEquivalents {
  const round4 = (v: number): number => Math.round(v * 10_000) / 10_000;
  return {
    utilizationWithoutEstimate: round4(utilization - estimateBytes / totalBytes),
    utilizationForSameKv: Math.min(round4(utilization + estimateBytes / totalBytes), 1),
    kvCacheMemoryForSameKv: Math.max(0, kvCacheBytes) + estimateBytes,
  };
}

const BUDGET_WORDS: Record<CudaGraphBudget, string> = {
  eager: "none captured (--enforce-eager or cudagraph_mode NONE)",
  estimated: "estimate subtracted from the KV budget (v0.21+)",
  "before-estimate": "captured after KV sizing, out of the slack outside the budget (before v0.21)",
  "mrv2-zero": "Model Runner V2 estimated 0 (dense models, 0.25.x): captured out of the slack",
  "kv-cache-memory": "not estimated with --kv-cache-memory: captured out of what is left on the GPU",
};

/** The explain line of one stage's CUDA graphs (rendered by render/, words here are data). */
export function cudaGraphExplain(plan: CudaGraphPlan, bytes: CudaGraphBytes, layersOnRank: number, stageSuffix: string): ExplainLine {
  const modes = `PIECEWISE=${plan.piecewise} (largest=${plan.largest})${plan.full > 0 ? `, FULL=${plan.full} (largest=${plan.largestFull})` : ""}${plan.cappedFrom !== undefined ? ` (capped from max ${plan.cappedFrom} to fit Mamba cache blocks)` : ""}`;
  return {
    what: `CUDA graphs${stageSuffix}`,
    formula: plan.captured
      ? `${modes}: first capture ${bytes.firstCaptureBytes} + ${bytes.perGraphBytes} per graph (max(${layersOnRank} layers × ${GRAPH_BYTES_PER_LAYER}, 1 MiB)) × (n − 1) per mode; ${BUDGET_WORDS[plan.budget]}`
      : BUDGET_WORDS[plan.budget],
    bytes: bytes.estimateBytes,
    source: "vllm/v1/worker/gpu_model_runner.py profile_cudagraph_memory (linear extrapolation, vllm issue #45178) / capture_model; vllm/v1/worker/gpu_worker.py determine_available_memory; src/core/cuda-graphs.ts",
  };
}

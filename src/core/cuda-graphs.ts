// CUDA-graph memory, in one place: which graphs vLLM captures, what its estimate charges, whether that
// estimate comes out of the KV budget, and the equivalent settings vLLM prints beside it.
//
// vLLM captures graphs after the KV cache is allocated (Worker.compile_or_warm_up_model → capture_model).
// From v0.21 (PR #30515, on by default with PR #38284) Worker.determine_available_memory first runs
// GPUModelRunner.profile_cudagraph_memory and subtracts its estimate from the KV budget. The per-release
// switches live in vllm-versions.ts (cudaGraphEstimate, mrv2ZeroEstimateForDense, captureListStyle,
// fullDecodeGraphs); the capture lists in vllm-versions.ts captureSizeList / capturesByMode.
import type { ExplainLine, ModelArch } from "./types.js";
import { captureSizeList, capturesByMode, type CaptureOptions, type VllmRules } from "./vllm-versions.js";
import { mibText as mib } from "./text.js";
import { roundUp } from "./math-utils.js";
import { kvHeadsOnRank } from "./kv-dtypes.js";

const MiB = 1 << 20;

/**
 * PyTorch's CUDA caching allocator (c10/cuda/CUDACachingAllocator.cpp): blocks of at least kMinLargeAlloc
 * (10 MiB) get a segment of their own rounded up to kRoundLarge (2 MiB); every request is rounded up to
 * kMinBlockSize (512 B), the smallest remainder a small block is split into; blocks between kSmallSize (1 MiB)
 * and 10 MiB are cut from kLargeBuffer (20 MiB) segments; smaller ones from kSmallBuffer (2 MiB) segments. A CUDA-graph
 * pool is such a private pool, and cudaMemGetInfo (what vLLM samples) sees whole segments.
 */
export const ALLOCATOR = { minBlockSize: 512, largeBuffer: 20 * MiB, minLargeAlloc: 10 * MiB, roundLarge: 2 * MiB, smallSize: MiB, smallBuffer: 2 * MiB } as const;

/**
 * What the first capture holds besides its activations' segments, measured by replaying vLLM's sampling
 * with PyTorch's graph pool (fixtures/cuda-graphs/measure.py, h200.jsonl; torch 2.11, CUDA 13): two 2 MiB
 * small-block segments plus the graph's own pages (4 MiB in all eight runs), and the cuBLAS workspace
 * PyTorch allocates inside each capture (CUDAGraph::capture_begin clears the cached workspaces): 32 MiB, a
 * segment of its own, on sm90+; 8 MiB (CUBLAS_WORKSPACE_CONFIG :4096:2:16:8) below, which took one more
 * 20 MiB segment in every run (h200-ws8.jsonl).
 */
export const FIRST_CAPTURE_SMALL_BYTES = 4 * MiB;
export const CUBLAS_WORKSPACE_SEGMENT_SM90 = 32 * MiB;

/** profile_cudagraph_memory: per_graph = max(second sample's drop, 1 MiB) (GMR @000fc94b754f). */
export const MIN_PER_GRAPH_BYTES = MiB;

/**
 * The second capture's drop in free memory: what profile_cudagraph_memory multiplies by (n − 1). The replay
 * (fixtures/cuda-graphs) shows PyTorch's pool reusing the first capture's blocks (0-4 MiB for 28-36 layers), so
 * this is the graphs' own device memory and vLLM's per-size state, taken from vLLM's logs:
 * - dense layers: 165 KiB per decoder layer on the rank and graph — Qwen3-8B, 36 layers, RTX A5000, 0.21.0:
 *   0.52 GiB (fixtures/vllm-logs/raw/lmcache-3430-qwen3-8b-a5000-v0.21.md) → (532 − 100 MiB first) / 84 graphs
 *   = 146 KiB per layer; Qwen2.5-VL-7B, 28 layers, A100, 0.23.0: 0.53 GiB
 *   (fixtures/vllm-logs/qwen2.5-vl-7b-a100-v0.23.0.log) → 183 KiB; 165 KiB is their mean. The drop is a whole
 *   number of 2 MiB pages (4 or 6 MiB at 28-36 layers), so a logged estimate can sit ±84 MiB from this at 86
 *   graphs (Model Runner V2 on 0.26-0.28 loses a whole segment instead: secondCaptureBytes);
 * - Mamba / Gated DeltaNet layers: one new kLargeBuffer segment (20 MiB) — Qwen3.6-27B logs: 0.13 GiB for
 *   PIECEWISE=5 at TP2 (club-3090 issue #104) and 0.17 GiB for PIECEWISE=7 at TP4 (club-3090 PR #44) leave
 *   the same ≈54 MiB first capture once 20 MiB per further graph is taken off; a 0.18 Qwen3.5 GGUF start-up
 *   logs 1.62 GiB for 86 graphs (fixtures/vllm-logs/raw/vllm-pr39559-qwen3.5-gguf-blocks-override.md);
 *   vllm issue #50780 (0.26, GDN: "the real FULL graphs cost ~24 MiB each").
 * Dense models also show both ends (a v0.21 Windows log: 0.14 GiB for 30 graphs ≈ the 1 MiB floor; 27.5 MiB on
 * one A100-40GB host; OBSERVED_MAX_PER_GRAPH_BYTES), which is why CudaGraphBytes also carries the range.
 */
export const SECOND_CAPTURE_DENSE_BYTES_PER_LAYER = 165 * 1024;
export const SECOND_CAPTURE_HYBRID_BYTES = ALLOCATOR.largeBuffer;

/**
 * The largest second-capture cost among the logged estimates, the top of the range CudaGraphBytes carries:
 * Qwen2.5-72B at TP4 on L40S, v0.19.0, 86 graphs: "Estimated CUDA graph memory: 2.73 GiB" (captured: 2.62 GiB;
 * fixtures/vllm-logs/raw/code-qwen2.5-72b-l40s-tp4-eks-v0.19.md) → (2,796 − 92 MiB first capture) / 84 = 32.2 MiB
 * per graph, 33 MiB taken so the range covers it.
 * Dense TP1 hosts differ as much: Qwen3-8B estimates 5.8 MiB per graph on an RTX A5000 (0.52 GiB) and 27.5 MiB
 * on an A100-40GB host (fixtures/vllm-logs/cases.json, v0.19.1: 2.35 GiB estimated, 2.44 GiB captured). vllm
 * issue #5517 traces such differences to the CUDA driver (graph memory on A10G/L4 3.8 GiB with 12.2-12.3
 * drivers, 1.1 GiB with 12.4+) and, at TP > 1, NCCL's memory in captured collectives (vllm PR #5091,
 * NCCL_CUMEM_ENABLE): what the host runs, which a plan cannot see. Above it: ≈9.5 GiB reserved for
 * Llama-3.1-70B FP8 at TP8 on L40S (vllm issue #49224).
 */
export const OBSERVED_MAX_PER_GRAPH_BYTES = 33 * MiB;

/**
 * The second capture's drop for one shape: a new segment per size for Mamba/GDN layers (20 MiB) and on Model
 * Runner V2 0.26-0.28 (the hidden states' class at the largest size: 20 MiB from 1 MiB up, else a 2 MiB small
 * segment), else 165 KiB per dense layer.
 */
export function secondCaptureBytes(shape: GraphActivationShape, largest: number): number {
  if (shape.hybrid) return SECOND_CAPTURE_HYBRID_BYTES;
  if (shape.segmentPerGraph) return largest * shape.hidden * shape.bytes >= ALLOCATOR.smallSize ? ALLOCATOR.largeBuffer : ALLOCATOR.smallBuffer;
  return shape.layers * SECOND_CAPTURE_DENSE_BYTES_PER_LAYER;
}

/** The tensors of one decoder layer that a capture of N tokens holds at its peak, as widths per token. */
export interface GraphActivationShape {
  /** hidden_size: residual, hidden states, normed input, o_proj / down outputs — five [N, H] tensors. */
  hidden: number;
  /** Attention output width on this rank (heads / tp × head_dim). */
  attentionOut: number;
  /** q + k + v projection width on this rank. */
  qkv: number;
  /**
   * The FFN's large temporaries, widths per token: gate_up [2I/tp] and silu_and_mul's output [I/tp] for a
   * gated MLP; fused_moe's intermediate caches [topk·max(2I, H)], [topk·I] for an MoE layer.
   */
  ffn: number[];
  /** Model dtype bytes. */
  bytes: number;
  /** Compute capability ≥ 9.0 (the cuBLAS workspace above). */
  sm90: boolean;
  /** Mamba / Gated DeltaNet layers (their second captures take a new 20 MiB segment). */
  hybrid: boolean;
  /** Decoder layers on this rank's pipeline stage. */
  layers: number;
  /**
   * Model Runner V2 runs it and the release loses a segment per captured size (vllm-versions.ts
   * mrv2SegmentPerGraph): Model Runner V2 on a dense model, 0.26-0.28.
   */
  segmentPerGraph: boolean;
}

/**
 * The shape of one decoder layer on a rank, as the capture holds it: hidden states unsharded, attention and
 * FFN widths per rank (ColumnParallelLinear outputs). MoE layers: fused_experts_impl's cache13 [M·topk,
 * max(2I, H)] and cache2 [M·topk, I] (profile-run.ts textElementsPerToken uses the same tensors).
 */
export function graphActivationShape(model: ModelArch, tp: number, ep: number, dtypeBytes: number, computeCapability: number, moeOnStage: boolean, layersOnStage: number, segmentPerGraph = false): GraphActivationShape {
  const heads = model.numHeads / tp;
  const kvHeads = kvHeadsOnRank(model.numKvHeads, tp);
  let ffn: number[];
  if (moeOnStage && model.moe) {
    const moe = model.moe;
    const intermediate = ep > 1 ? moe.moeIntermediateSize : moe.moeIntermediateSize / tp;
    ffn = [moe.topK * Math.max(2 * intermediate, model.hiddenSize), moe.topK * intermediate];
  } else {
    const intermediate = model.intermediateSize / tp;
    ffn = model.mlpGated ? [2 * intermediate, intermediate] : [intermediate, intermediate];
  }
  return { hidden: model.hiddenSize, attentionOut: heads * model.headDim, qkv: (heads + 2 * kvHeads) * model.headDim, ffn, bytes: dtypeBytes, sm90: computeCapability >= 9, hybrid: model.hybrid !== null || model.mamba !== null, layers: layersOnStage, segmentPerGraph };
}

/**
 * Device memory the first capture of N tokens takes (profile_cudagraph_memory's first sample): the warm-up's
 * segments in the default pool are returned by the empty_cache torch.cuda.graph() runs at the first
 * piece's capture, so what stays is the graph pool's segments for the live set at the peak, its small
 * segments and the cuBLAS workspace. Large blocks (≥ 10 MiB) each take their size rounded to 2 MiB; mid-size
 * blocks (1–10 MiB) take ⌈their sum / 20 MiB⌉ kLargeBuffer segments. Checked against the replay
 * (h200.jsonl, with the replay's in-place SiLU: no separate silu_and_mul output): Qwen2.5-7B 114, Qwen3-8B
 * 100, Llama-3.1-8B 104, Qwen2.5-1.5B 74 MiB measured and computed (8 MiB workspace: 102, 88, 92, 62).
 */
export function firstCaptureBytes(shape: GraphActivationShape, tokens: number): number {
  const perToken = [...shape.ffn, shape.qkv, shape.attentionOut, shape.hidden, shape.hidden, shape.hidden, shape.hidden, shape.hidden];
  let large = 0;
  let mid = 0;
  for (const width of perToken) {
    const size = tokens * width * shape.bytes;
    if (size >= ALLOCATOR.minLargeAlloc) large += roundUp(size, ALLOCATOR.roundLarge);
    else if (size >= ALLOCATOR.smallSize) mid += size;
  }
  const midSegments = roundUp(mid, ALLOCATOR.largeBuffer);
  const workspace = shape.sm90 ? CUBLAS_WORKSPACE_SEGMENT_SM90 : ALLOCATOR.largeBuffer;
  return large + midSegments + workspace + FIRST_CAPTURE_SMALL_BYTES;
}

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
  /**
   * Whether the release's default cudagraph_mode has FULL graphs (FULL_AND_PIECEWISE from ≈v0.11) and graphs
   * are captured: what hybrid-kv.ts's Mamba-slot check (max_num_seqs against Mamba cache blocks) is given.
   * An explicit --compilation-config cudagraph_mode is not consulted here; whether vLLM's check follows it
   * was not verified in its source.
   */
  fullModeForMambaCheck: boolean;
}

/** Which graphs vLLM captures and whether their estimate is charged to the KV budget, for one release. */
export function cudaGraphPlan(input: CudaGraphPlanInput): CudaGraphPlan {
  const rules = input.rules;
  if (input.enforceEager || input.graphsOff) return { captured: false, piecewise: 0, full: 0, largest: 0, largestFull: 0, sizes: [], budget: "eager", inBudget: false, fullSizes: "none", decodeQueryLen: 1, maxNumSeqs: input.maxNumSeqs, graphMultiplier: input.graphMultiplier, fullModeForMambaCheck: false };
  let sizes: number[];
  let caps: { piecewise: number; full: number; largest: number };
  if (rules.engine === "v0") {
    // V0 captured full-model graphs for batch sizes [1, 2, 4] + 8·i up to min(max_num_seqs, 256)
    // (vllm/worker/model_runner.py _BATCH_SIZES_TO_CAPTURE).
    const top = Math.min(input.maxNumSeqs, 256);
    sizes = [1, 2, 4].filter((s) => s <= top);
    for (let s = 8; s <= top; s += 8) sizes.push(s);
    caps = { piecewise: 0, full: 3 + Math.floor(top / 8), largest: top };
  } else {
    sizes = captureSizeList(rules, input.maxNumSeqs, input.maxNumBatchedTokens, input.capture);
    caps = capturesByMode(rules, sizes, input.maxNumSeqs, input.capture);
  }
  const queryLen = 1 + (input.capture?.numSpeculativeTokens ?? 0);
  const decodeSizes = sizes.filter((s) => s >= queryLen && s <= input.maxNumSeqs * queryLen);
  const largestFull = caps.full > 0 ? (rules.engine === "v0" ? caps.largest : (decodeSizes[decodeSizes.length - 1] ?? caps.largest)) : 0;
  const budget: CudaGraphBudget = input.kvCacheMemoryFixed
    ? "kv-cache-memory"
    : !rules.cudaGraphEstimate || rules.engine === "v0"
      ? "before-estimate"
      : rules.mrv2ZeroEstimateForDense && input.dense
        ? "mrv2-zero"
        : "estimated";
  const fullSizes: CudaGraphPlan["fullSizes"] = caps.full === 0 ? "none" : rules.engine === "v0" || (caps.piecewise === 0 && caps.full === sizes.length && decodeSizes.length !== sizes.length) ? "all" : "decode";
  const captured = caps.piecewise + caps.full > 0;
  return {
    captured,
    piecewise: caps.piecewise * input.graphMultiplier,
    full: caps.full * input.graphMultiplier,
    largest: caps.largest,
    largestFull,
    sizes,
    budget,
    inBudget: budget === "estimated",
    fullSizes,
    decodeQueryLen: queryLen,
    maxNumSeqs: input.maxNumSeqs,
    graphMultiplier: input.graphMultiplier,
    fullModeForMambaCheck: captured && rules.fullDecodeGraphs,
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
  /** The first capture of the mode with the largest one (firstCaptureBytes). */
  firstCaptureBytes: number;
  /** Each further graph, as extrapolated from the second sample. */
  perGraphBytes: number;
  /**
   * The same estimate with the second sample at its two observed extremes: vLLM's 1 MiB floor (the pool
   * reuses everything, as in the replay and a v0.21 Windows log: 0.14 GiB for 30 graphs) and 33 MiB per graph
   * (OBSERVED_MAX_PER_GRAPH_BYTES). The linear extrapolation makes this spread vLLM's own (vllm issue #45178).
   */
  lowBytes: number;
  highBytes: number;
}

/**
 * GPUModelRunner.profile_cudagraph_memory (GMR @000fc94b754f): per mode (PIECEWISE first, then FULL;
 * cudagraph_dispatcher.get_capture_descs) it captures the two largest sizes after one warm-up each
 * (VllmConfig sets cudagraph_num_of_warmups = 1), all into one temporary pool; first_capture = the first
 * drop in free memory, per_graph = max(second drop, 1 MiB); total = max over modes of first_capture + Σ
 * over modes per_graph × (n_mode − 1). The FULL mode, captured after PIECEWISE into the same pool, reuses
 * its blocks, so its first sample is a second-sample cost; alone (FULL_DECODE_ONLY) it is the first.
 */
export function cudaGraphStageBytes(plan: CudaGraphPlan, shape: GraphActivationShape): CudaGraphBytes {
  if (!plan.captured) return { estimateBytes: 0, firstCaptureBytes: 0, perGraphBytes: 0, lowBytes: 0, highBytes: 0 };
  const perGraph = Math.max(secondCaptureBytes(shape, plan.largest), MIN_PER_GRAPH_BYTES);
  const first = plan.piecewise > 0 ? firstCaptureBytes(shape, plan.largest) : firstCaptureBytes(shape, plan.largestFull);
  const firstFull = plan.full > 0 ? (plan.piecewise > 0 ? perGraph : first) : 0;
  const firstOf = Math.max(plan.piecewise > 0 ? first : 0, firstFull);
  const extra = Math.max(0, plan.piecewise - 1) + Math.max(0, plan.full - 1);
  return {
    estimateBytes: firstOf + perGraph * extra,
    firstCaptureBytes: firstOf,
    perGraphBytes: perGraph,
    lowBytes: firstOf + MIN_PER_GRAPH_BYTES * extra,
    highBytes: firstOf + Math.max(perGraph, OBSERVED_MAX_PER_GRAPH_BYTES) * extra,
  };
}

export interface CudaGraphEquivalents {
  /** --gpu-memory-utilization giving this KV cache with the estimate off: round(U − est/total, 4). */
  utilizationWithoutEstimate: number;
  /** --gpu-memory-utilization giving the pre-v0.21 KV cache with the estimate on: min(utilizationNeededForSameKv, 1). */
  utilizationForSameKv: number;
  /** The same unclamped, round(U + est/total, 4): above 1 (which vLLM refuses) only --kv-cache-memory restores it. */
  utilizationNeededForSameKv: number;
  /**
   * --kv-cache-memory giving the pre-v0.21 KV cache: what is left for the KV cache (negative when the
   * budget is already short) plus the estimate; null when even that is no KV cache (the plan would not
   * start in a release before the estimate either).
   */
  kvCacheMemoryForSameKv: number | null;
}

/**
 * The settings vLLM's own start-up line names (Worker.determine_available_memory, v0.21+: "The current
 * --gpu-memory-utilization=U is equivalent to --gpu-memory-utilization=U′ without CUDA graph memory
 * profiling ... increase --gpu-memory-utilization to U″"), and the --kv-cache-memory with the same effect.
 */
export function cudaGraphEquivalents(utilization: number, totalBytes: number, estimateBytes: number, kvLeftBytes: number): CudaGraphEquivalents {
  const round4 = (v: number): number => Math.round(v * 10_000) / 10_000;
  const needed = round4(utilization + estimateBytes / totalBytes);
  return {
    utilizationWithoutEstimate: round4(utilization - estimateBytes / totalBytes),
    utilizationForSameKv: Math.min(needed, 1),
    utilizationNeededForSameKv: needed,
    kvCacheMemoryForSameKv: kvLeftBytes + estimateBytes > 0 ? kvLeftBytes + estimateBytes : null,
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
export function cudaGraphExplain(plan: CudaGraphPlan, bytes: CudaGraphBytes, shape: GraphActivationShape, stageSuffix: string): ExplainLine {
  const modes = `PIECEWISE=${plan.piecewise} (largest=${plan.largest})${plan.full > 0 ? `, FULL=${plan.full} (largest=${plan.largestFull})` : ""}${plan.cappedFrom !== undefined ? ` (capped from max ${plan.cappedFrom} to fit Mamba cache blocks)` : ""}`;
  return {
    what: `CUDA graphs${stageSuffix}`,
    formula: plan.captured
      ? `${modes}: first capture ${mib(bytes.firstCaptureBytes)} (graph-pool segments of the largest size) + ${mib(bytes.perGraphBytes)} per graph × (n − 1) per mode (second capture: ${shape.hybrid ? `a new ${mib(SECOND_CAPTURE_HYBRID_BYTES)} segment, Mamba/GDN layers` : shape.segmentPerGraph ? "a new allocator segment per size, Model Runner V2 0.26-0.28" : `${shape.layers} layers × ${SECOND_CAPTURE_DENSE_BYTES_PER_LAYER / 1024} KiB`}); as logged on other hosts (second capture from vLLM's 1 MiB floor to ${mib(OBSERVED_MAX_PER_GRAPH_BYTES)}): ${mib(bytes.lowBytes)} to ${mib(bytes.highBytes)}; ${BUDGET_WORDS[plan.budget]}`
      : BUDGET_WORDS[plan.budget],
    bytes: bytes.estimateBytes,
    source: "vllm/v1/worker/gpu_model_runner.py profile_cudagraph_memory (linear extrapolation, vllm issue #45178) / capture_model; vllm/v1/worker/gpu_worker.py determine_available_memory; PyTorch CUDACachingAllocator segments; fixtures/cuda-graphs; src/core/cuda-graphs.ts",
  };
}

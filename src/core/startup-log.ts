// What a vLLM start-up log states (read by src/sources/vllm-log.ts), as plain data: every size an
// integer number of bytes converted from the GiB vLLM printed (vLLM's GiB_bytes = 2^30, also behind
// V0's "Loading model weights took X GB": vllm/worker/model_runner.py divides by float(2**30)).
import type { DiagnosticCode, Plan } from "./types.js";

/** One rank's (one worker process's) profiling figures; null = the log does not show it. */
export interface LoggedRank {
  /** "main" (no worker prefix), "TP1" (Worker_TP1), "rank 2" (VllmWorker rank=2), "pid 507" (VllmWorkerProcess / Ray). */
  rank: string;
  /** "Loading model weights took" / "Model loading took" / "model weights take" / "weights memory". */
  weightsBytes: number | null;
  /** Torch peak increase of the profile run (activation peak); V0 0.6.4's peak_torch_memory minus the weights. */
  torchPeakBytes: number | null;
  /** Non-torch memory (V0 non_torch_memory, V1 "non-torch forward increase memory"). */
  nonTorchBytes: number | null;
  /** "Estimated CUDA graph memory: X GiB total" (v0.17+). */
  cudaGraphEstimateBytes: number | null;
  /** "Graph capturing finished in N secs, took X GiB" / "CUDA graph pool memory: X GiB (actual)". */
  cudaGraphActualBytes: number | null;
  /** "Available KV cache memory" / kv_cache_size / available_kv_cache_memory / "reserved for KV Cache is". Negative when vLLM printed a negative value. */
  availableKvBytes: number | null;
  /** total × gpu_memory_utilization as printed ("the current vLLM instance can use", "requested GPU memory"). */
  requestedBytes: number | null;
}

/** The failure a log shows, mapped to the plan's diagnostic codes. */
export interface LoggedError {
  /** null when the log shows a failure whose message was cut off or has no code. */
  code: DiagnosticCode | null;
  /** The log line that carries it (prefixes removed). */
  line: string;
  /** Numbers the message states (bytes as integers). */
  args: Record<string, number | string>;
}

/** The log as a whole; its figures (LoggedRank's, without `rank`) are the head rank's: the first rank that printed each. */
export interface LoggedStartup extends Omit<LoggedRank, "rank"> {
  vllmVersion: string | null;
  /** Where the version comes from: "banner" (vLLM printed it), "text" (the paste names it), "inferred" (from the log's formats). */
  versionSource: "banner" | "text" | "inferred" | null;
  /** The banner line, the sentence, or the inference rule, in words. */
  versionEvidence: string | null;
  engine: "v0" | "v1" | null;
  model: string | null;
  /** vLLM flags the log states, kebab-case (the non-default args / Namespace / engine config / command line). */
  args: Record<string, string | true>;
  /** Where args comes from, e.g. "non-default args", "args: Namespace(...)", "engine config", "command line". */
  argsSource: string[];
  gpuName: string | null;
  /** CUDA-visible total as printed (total_gpu_memory, "Free memory on device (x/TOTAL GiB)", "total capacity of"). */
  gpuTotalBytes: number | null;
  gpuMemoryUtilization: number | null;
  /** max-model-len the log states (engine config max_seq_len, concurrency line, error messages). */
  maxModelLen: number | null;
  /** Per rank, in the order first seen. */
  ranks: LoggedRank[];
  /**
   * torchPeakBytes is the start-up summary's "X GiB for peak activation" (vllm/v1/worker/gpu_worker.py): the
   * worker's peak_activation_memory = the profile run's torch peak + the CUDA-graph estimate it applied to the
   * budget (determine_available_memory), so from v0.21 it holds the estimate as well.
   */
  torchPeakFromSummary: boolean;
  numGpuBlocks: number | null;
  kvTokens: number | null;
  maxConcurrency: number | null;
  /** The N of "Maximum concurrency for N tokens per request". */
  concurrencyTokens: number | null;
  error: LoggedError | null;
  /** started: KV cache sized (or the server came up) without an error; failed: an error; incomplete: neither shown. */
  outcome: "started" | "failed" | "incomplete";
  /** Lines recognized as vLLM's. */
  vllmLines: number;
}

// ---------------------------------------------------------------------------------------------
// Logged against planned: one line per figure the log states, each difference with its likely cause
// ---------------------------------------------------------------------------------------------

/** Why a planned figure differs from the logged one (words: src/render/messages.ts LOG_CAUSES). */
export type DifferenceCause =
  /** The weights differ: a checkpoint layout or quantized format the plan does not reproduce, or a flag (--quantization, --dtype) the log did not show. */
  | "WEIGHTS_LAYOUT"
  /** The profile run's torch peak differs: batched tokens, the encoder's dummy items, or an unmodeled feature. */
  | "ACTIVATION_PROFILE"
  /** The summary's peak activation (torch peak + applied CUDA-graph estimate) differs from the planned sum. */
  | "SUMMARY_PEAK"
  /** Non-torch memory (NCCL, custom all-reduce, cuBLAS workspaces) differs from the modeled increase. */
  | "NON_TORCH"
  /** The CUDA-graph estimate differs (capture sizes, per-graph cost). */
  | "CUDA_GRAPH_ESTIMATE"
  /** A difference that follows from another line (args.from names it). */
  | "FOLLOWS"
  /** The planned GPU total is a profile's, not the log's. */
  | "GPU_TOTAL"
  /** Same KV memory, different blocks/tokens: bytes per token (KV dtype, sliding window, hybrid groups) differ. */
  | "KV_LAYOUT"
  /** The log shows no flags, so the plan used vLLM's defaults. */
  | "FLAGS_NOT_SHOWN"
  /** Flags the log shows that vram-plan does not model. */
  | "UNMODELED_FEATURE"
  /** The version was inferred from the log's formats: a rule that changed between releases may apply. */
  | "VERSION_INFERRED"
  /** Less memory was free than the GPU holds: another process was on the GPU. */
  | "OTHER_PROCESS"
  /** An allocation outside vLLM's profile ran out of memory (a feature the profile run does not cover, fragmentation, another process). */
  | "OUT_OF_PROFILE_ALLOCATION"
  /** The log does not show the parts of the budget, so the difference cannot be attributed. */
  | "PARTS_NOT_LOGGED";

export interface LogDifference {
  /** Stable id of the line: gpuTotal, requested, weights, torchPeak, nonTorch, cudaGraphEstimate, availableKv, numGpuBlocks, kvTokens, maxConcurrency, estimatedMaxModelLen, outcome. */
  what: string;
  unit: "bytes" | "blocks" | "tokens" | "x" | "outcome";
  logged: number | string | null;
  planned: number | string | null;
  /** planned − logged (numbers), null for the outcome line. */
  difference: number | null;
  /**
   * Within tolerance: GPU total, requested and weights max(0.01 GiB, 1 %); KV memory max(0.5 GiB, 3 %) (the
   * accuracy targets); peak activation and CUDA-graph estimate max(0.05 GiB, 10 %), non-torch max(0.1 GiB, 10 %)
   * (looser: no accuracy target covers them); blocks/tokens: one block.
   */
  agrees: boolean;
  cause: { code: DifferenceCause; args: Record<string, number | string> } | null;
}

export interface CompareContext {
  /** The log showed the flags (non-default args, Namespace, config dump or command line). */
  flagsShown: boolean;
  /** The GPU total the plan used came from the log. */
  gpuTotalFromLog: boolean;
  /** Flags the log shows that vram-plan does not model. */
  notModeled: string[];
}

const GIB = 2 ** 30;

/** Every figure the log states beside the plan's, with the likely cause of each difference. */
export function compareLogToPlan(logged: LoggedStartup, plan: Plan, ctx: CompareContext): LogDifference[] {
  const budget = plan.perGpu[0];
  const out: LogDifference[] = [];
  if (!budget) return out;
  const fallback = (): LogDifference["cause"] => {
    if (ctx.notModeled.length) return { code: "UNMODELED_FEATURE", args: { flags: ctx.notModeled.join(" ") } };
    if (!ctx.flagsShown) return { code: "FLAGS_NOT_SHOWN", args: {} };
    if (logged.versionSource === "inferred") return { code: "VERSION_INFERRED", args: { version: logged.vllmVersion ?? "" } };
    if (!ctx.gpuTotalFromLog) return { code: "GPU_TOTAL", args: { planned: budget.totalBytes } };
    return null;
  };
  const bytesLine = (what: string, fromLog: number | null, fromPlan: number, target: (l: number) => number, cause: () => LogDifference["cause"]): void => {
    if (fromLog === null) return;
    const delta = fromPlan - fromLog;
    const agrees = Math.abs(delta) <= target(fromLog);
    out.push({ what, unit: "bytes", logged: fromLog, planned: fromPlan, difference: delta, agrees, cause: agrees ? null : cause() });
  };
  const small = (l: number): number => Math.max(0.01 * GIB, 0.01 * Math.abs(l));
  // The summary's peak activation carries the CUDA-graph estimate applied to the budget: without the
  // estimate's own line, set it against the planned activation peak plus the planned estimate; with it,
  // take the logged estimate out of the logged peak.
  const summaryWithEstimate = logged.torchPeakFromSummary && budget.cudaGraphInBudget;
  const loggedPeak = logged.torchPeakBytes === null ? null : summaryWithEstimate && logged.cudaGraphEstimateBytes !== null ? logged.torchPeakBytes - logged.cudaGraphEstimateBytes : logged.torchPeakBytes;
  const plannedPeak = budget.activationPeakBytes + (summaryWithEstimate && logged.cudaGraphEstimateBytes === null ? budget.cudaGraphBytes : 0);
  const kvTarget = (l: number): number => Math.max(0.5 * GIB, 0.03 * Math.abs(l));

  bytesLine("gpuTotal", logged.gpuTotalBytes, budget.totalBytes, small, () => ({ code: "GPU_TOTAL", args: { planned: budget.totalBytes } }));
  bytesLine("requested", logged.requestedBytes, budget.requestedBytes, small, () =>
    logged.gpuTotalBytes !== null && Math.abs(logged.gpuTotalBytes - budget.totalBytes) > small(logged.gpuTotalBytes) ? { code: "FOLLOWS", args: { from: "gpuTotal" } } : fallback(),
  );
  bytesLine("weights", logged.weightsBytes, budget.weightsBytes, small, () => (ctx.notModeled.length ? fallback() : { code: "WEIGHTS_LAYOUT", args: { quantization: plan.model.quantization, dtype: plan.model.dtype } }));
  const withEstimate = summaryWithEstimate && logged.cudaGraphEstimateBytes === null;
  bytesLine(withEstimate ? "summaryPeak" : "torchPeak", loggedPeak, plannedPeak, (l) => Math.max(0.05 * GIB, 0.1 * Math.abs(l)), (): LogDifference["cause"] =>
    withEstimate
      ? { code: "SUMMARY_PEAK", args: { activation: budget.activationPeakBytes, estimate: budget.cudaGraphBytes } }
      : { code: "ACTIVATION_PROFILE", args: { phase: budget.activationPhase, maxNumBatchedTokens: plan.engine.maxNumBatchedTokens } },
  );
  bytesLine("nonTorch", logged.nonTorchBytes, budget.nonTorchBytes, (l) => Math.max(0.1 * GIB, 0.1 * Math.abs(l)), () => ({ code: "NON_TORCH", args: { tp: plan.gpu.count } }));
  bytesLine("cudaGraphEstimate", logged.cudaGraphEstimateBytes, budget.cudaGraphBytes, (l) => Math.max(0.05 * GIB, 0.1 * Math.abs(l)), () => ({ code: "CUDA_GRAPH_ESTIMATE", args: { captureSizes: plan.engine.cudaGraphCaptureSizes } }));

  // Available KV memory = budget − weights − peak − non-torch (− graph estimate from v0.21): attribute
  // a KV difference to the largest difference among the parts the log shows.
  if (logged.availableKvBytes !== null) {
    const parts: [string, number][] = [];
    const part = (what: string, fromLog: number | null, fromPlan: number, sign: number): void => {
      if (fromLog !== null) parts.push([what, sign * (fromPlan - fromLog)]);
    };
    part("requested", logged.requestedBytes ?? (logged.gpuTotalBytes !== null && logged.gpuMemoryUtilization !== null ? Math.round(logged.gpuTotalBytes * logged.gpuMemoryUtilization) : null), budget.requestedBytes, 1);
    part("weights", logged.weightsBytes, budget.weightsBytes, -1);
    part(withEstimate ? "summaryPeak" : "torchPeak", loggedPeak, plannedPeak, -1);
    part("nonTorch", logged.nonTorchBytes, budget.nonTorchBytes, -1);
    if (budget.cudaGraphInBudget) part("cudaGraphEstimate", logged.cudaGraphEstimateBytes, budget.cudaGraphBytes, -1);
    // vLLM prints a negative available memory when the budget is overspent; the plan clamps its KV at 0 and keeps the shortfall.
    const planned = budget.kvCacheBytes > 0 ? budget.kvCacheBytes : -budget.kvShortfallBytes;
    const diff = planned - logged.availableKvBytes;
    const biggest = parts.filter(([, v]) => Math.sign(v) === Math.sign(diff)).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))[0];
    const agrees = Math.abs(diff) <= kvTarget(logged.availableKvBytes);
    out.push({
      what: "availableKv",
      unit: "bytes",
      logged: logged.availableKvBytes,
      planned,
      difference: diff,
      agrees,
      cause: agrees
        ? null
        : biggest && Math.abs(biggest[1]) >= 0.25 * Math.abs(diff)
          ? { code: "FOLLOWS", args: { from: biggest[0], bytes: biggest[1] } }
          : parts.length === 0 && ctx.notModeled.length === 0 && ctx.flagsShown
            ? { code: "PARTS_NOT_LOGGED", args: ctx.gpuTotalFromLog ? {} : { gpuTotal: budget.totalBytes } }
            : (fallback() ?? { code: "PARTS_NOT_LOGGED", args: {} }),
    });
  }

  // KV arithmetic: blocks, tokens, concurrency.
  const kvLine = out.find((x) => x.what === "availableKv");
  // A count that moves with the KV memory (planned/logged ratio within 2 % of the memory's ratio) follows it;
  // one that does not means a different number of bytes per token.
  const kvRatio = kvLine && typeof kvLine.logged === "number" && kvLine.logged > 0 ? Number(kvLine.planned) / kvLine.logged : null;
  const kvCause = (fromLog: number, fromPlan: number): LogDifference["cause"] => {
    if (kvRatio !== null && fromLog > 0 && Math.abs(fromPlan / fromLog / kvRatio - 1) <= 0.02) return { code: "FOLLOWS", args: { from: "availableKv" } };
    if (kvLine) return { code: "KV_LAYOUT", args: { bytesPerToken: plan.kvCache.bytesPerToken, blockSize: plan.kvCache.blockSize } };
    return fallback() ?? { code: "PARTS_NOT_LOGGED", args: {} };
  };
  const tokensPerBlock = plan.kvCache.numGpuBlocks > 0 ? plan.kvCache.tokens / plan.kvCache.numGpuBlocks : plan.kvCache.blockSize;
  const countLine = (what: string, unit: LogDifference["unit"], fromLog: number | null, fromPlan: number, tol: number): void => {
    if (fromLog === null) return;
    const delta = fromPlan - fromLog;
    const agrees = Math.abs(delta) <= tol;
    out.push({ what, unit, logged: fromLog, planned: fromPlan, difference: delta, agrees, cause: agrees ? null : kvCause(fromLog, fromPlan) });
  };
  countLine("numGpuBlocks", "blocks", logged.numGpuBlocks, plan.kvCache.numGpuBlocks, 1);
  countLine("kvTokens", "tokens", logged.kvTokens, plan.kvCache.tokens, Math.max(1, tokensPerBlock));
  if (logged.maxConcurrency !== null && (logged.concurrencyTokens === null || logged.concurrencyTokens === plan.engine.maxModelLen)) {
    countLine("maxConcurrency", "x", logged.maxConcurrency, Math.round(plan.kvCache.maxConcurrency * 100) / 100, Math.max(0.01, tokensPerBlock / Math.max(1, plan.engine.maxModelLen)));
  }
  const est = logged.error?.args["estimatedMaxModelLen"];
  if (est !== undefined) countLine("estimatedMaxModelLen", "tokens", Number(est), plan.kvCache.estimatedMaxModelLen, Math.max(1, 0.02 * Number(est)));

  // The outcome.
  const plannedError = plan.diagnostics.find((d) => d.severity === "error")?.code ?? null;
  const loggedOutcome = logged.outcome === "failed" ? (logged.error?.code ?? "failed") : logged.outcome === "started" ? "starts" : null;
  if (loggedOutcome !== null) {
    const plannedOutcome = plannedError ?? "starts";
    const agrees = plannedOutcome === loggedOutcome || (loggedOutcome === "failed" && plannedError !== null);
    let cause: LogDifference["cause"] = null;
    if (!agrees) {
      if (loggedOutcome === "FREE_MEMORY_BELOW_BUDGET") cause = { code: "OTHER_PROCESS", args: {} };
      else if (loggedOutcome === "CUDA_OUT_OF_MEMORY") cause = { code: "OUT_OF_PROFILE_ALLOCATION", args: {} };
      else cause = kvLine && !kvLine.agrees ? { code: "FOLLOWS", args: { from: "availableKv" } } : (fallback() ?? { code: "PARTS_NOT_LOGGED", args: {} });
    }
    out.push({ what: "outcome", unit: "outcome", logged: loggedOutcome, planned: plannedOutcome, difference: null, agrees, cause });
  }
  return out;
}

/** What `vram-plan log` produced: the log's figures, the re-plan (when model, GPU and flags are known) and the comparison. */
export interface LogReport {
  file: string;
  logged: LoggedStartup;
  /** The same configuration planned with the log's release rules; null when an input is missing. */
  plan: Plan | null;
  differences: LogDifference[];
  /** For a failed start-up: the cheapest fix the planner's lever search found for the planned failure. */
  fix: { code: DiagnosticCode; fix: { flag: string; value: string; note?: string }[] } | null;
  /** Inputs the log does not determine, and how to give them. */
  missing: { input: "model" | "gpu"; how: string }[];
  /** What was planned and where each input came from. */
  inputs: {
    model: { value: string; from: string } | null;
    gpu: { value: string; from: string } | null;
    version: { value: string; from: string } | null;
    flags: { value: string; from: string } | null;
  };
  notes: string[];
}

/**
 * The fix a failed log's own message gives, for when the start-up cannot be re-planned (or the plan
 * does not reproduce the failure): vLLM's suggested values, or the nearest value its check accepts.
 */
export function fixFromLog(logged: LoggedStartup): { flag: string; value: string; note: string }[] {
  const loggedError = logged.error;
  if (!loggedError || logged.outcome !== "failed") return [];
  const args = loggedError.args;
  const num = (k: string): number | null => (typeof args[k] === "number" ? (args[k] as number) : typeof args[k] === "string" && args[k] !== "" && Number.isFinite(Number(args[k])) ? Number(args[k]) : null);
  switch (loggedError.code) {
    case "KV_CACHE_BELOW_MAX_MODEL_LEN": {
      // V1 prints the estimated maximum model length; V0 the tokens the KV cache holds.
      const len = num("estimatedMaxModelLen") ?? num("kvTokens");
      return len !== null && len > 0 ? [{ flag: "--max-model-len", value: String(len), note: "the longest context the logged KV cache holds" }] : [];
    }
    case "MAMBA_SLOTS_BELOW_MAX_NUM_SEQS": {
      const blocks = num("mambaBlocks");
      return blocks !== null && blocks > 0 ? [{ flag: "--max-num-seqs", value: String(blocks), note: "one Mamba cache block per sequence (vLLM's own bound)" }] : [];
    }
    case "FREE_MEMORY_BELOW_BUDGET": {
      const free = num("free");
      const total = num("total");
      return free !== null && total !== null && free > 0 && total > 0
        ? [{ flag: "--gpu-memory-utilization", value: (Math.floor((free / total) * 100) / 100).toFixed(2), note: "what was free at start-up; or free the GPU" }]
        : [];
    }
    case "HEADS_NOT_DIVISIBLE_BY_TP": {
      const heads = num("heads");
      const tp = num("tp");
      if (heads === null || tp === null || heads <= 0) return [];
      let best = 1;
      for (let d = 1; d <= Math.min(tp, heads); d++) if (heads % d === 0) best = d;
      return [{ flag: "--tensor-parallel-size", value: String(best), note: `the largest divisor of ${heads} attention heads below ${tp}` }];
    }
    case "MAX_MODEL_LEN_ABOVE_DERIVED": {
      const derived = num("derived");
      return derived !== null ? [{ flag: "--max-model-len", value: String(derived), note: "the model's own maximum" }] : [];
    }
    case "MAX_NUM_SEQS_ABOVE_BATCHED_TOKENS": {
      const maxNumSeqs = num("maxNumSeqs");
      return maxNumSeqs !== null ? [{ flag: "--max-num-batched-tokens", value: String(maxNumSeqs), note: "at least max_num_seqs" }] : [];
    }
    case "BF16_UNSUPPORTED":
      return [{ flag: "--dtype", value: "float16", note: "bfloat16 needs compute capability 8.0" }];
    default:
      return [];
  }
}

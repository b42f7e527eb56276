// What a vLLM start-up log states (read by src/sources/vllm-log.ts), as plain data: every size an
// integer number of bytes converted from the GiB vLLM printed (vLLM's GiB_bytes = 2^30, also behind
// V0's "Loading model weights took X GB": vllm/worker/model_runner.py divides by float(2**30)).
import type { DiagnosticCode } from "./types.js";

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

export interface LoggedStartup {
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
  /** The head rank's figures (the first rank that printed each). */
  weightsBytes: number | null;
  torchPeakBytes: number | null;
  nonTorchBytes: number | null;
  cudaGraphEstimateBytes: number | null;
  cudaGraphActualBytes: number | null;
  availableKvBytes: number | null;
  requestedBytes: number | null;
  numGpuBlocks: number | null;
  kvTokens: number | null;
  maxConcurrency: number | null;
  /** The N of "Maximum concurrency for N tokens per request". */
  concurrencyTokens: number | null;
  error: LoggedError | null;
  /** started: KV cache sized (or the server came up) without an error; failed: an error; incomplete: neither shown. */
  outcome: "started" | "failed" | "incomplete";
  /** Lines recognised as vLLM's. */
  vllmLines: number;
}

// One table of sentences keyed by diagnostic code, so every renderer says the same thing.
// Where vLLM raises the error itself, the sentence is vLLM's own wording (source named per entry).
import type { Diagnostic, Plan } from "../core/types.js";
import type { DifferenceCause } from "../core/startup-log.js";
import type { HostFinding } from "../core/host-limits.js";
import { gib, thousands, gibText, signed } from "./format.js";

type Args = Diagnostic["args"];
const numArg = (a: Args, k: string): number => Number(a[k] ?? 0);

const MESSAGES: Record<Diagnostic["code"], (a: Args, plan: Plan) => string> = {
  // vllm/v1/worker/utils.py request_memory (Worker.init_device)
  FREE_MEMORY_BELOW_BUDGET: (a) =>
    `Free memory on device (${gib(numArg(a, "free"))}/${gibText(numArg(a, "total"))}) on startup is less than desired GPU memory utilization (${a["util"]}, ${gibText(numArg(a, "requested"))}). Decrease GPU memory utilization or reduce GPU memory used by other processes.`,
  // vllm/v1/core/kv_cache_utils.py _check_enough_kv_cache_memory
  NO_KV_CACHE_MEMORY: () =>
    "No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine.",
  KV_CACHE_BELOW_MAX_MODEL_LEN: (a, plan) =>
    plan.engine.engine === "v0"
      ? `The model's max seq len (${a["maxModelLen"]}) is larger than the maximum number of tokens that can be stored in KV cache (${plan.kvCache.tokens}). Try increasing \`gpu_memory_utilization\` or decreasing \`max_model_len\` when initializing the engine.`
      : `To serve at least one request with the models's max seq len (${a["maxModelLen"]}), (${gibText(numArg(a, "needed"))} KV cache is needed, which is larger than the available KV cache memory (${gibText(numArg(a, "available"))}). Based on the available memory, the estimated maximum model length is ${a["estimatedMaxModelLen"]}. Try increasing \`gpu_memory_utilization\` or decreasing \`max_model_len\` when initializing the engine.`,
  // vllm/config/model.py ModelConfig.verify_with_parallel_config
  MAMBA_DIM_NOT_DIVISIBLE_BY_TP: (a) => `${a["what"]} (${a["n"]}) is not divisible by tensor parallel size (${a["tp"]}) (vllm.distributed.divide, Mamba state shapes): vLLM fails at start-up.`,
  HEADS_NOT_DIVISIBLE_BY_TP: (a) => `Total number of attention heads (${a["heads"]}) must be divisible by tensor parallel size (${a["tp"]}).`,
  // vllm/model_executor/layers/linear.py QKVParallelLinear (divide asserts exact division)
  KV_HEADS_NOT_DIVISIBLE: (a) => `${a["kvHeads"]} key/value heads cannot be split over tensor parallel size ${a["tp"]}: one must divide the other (QKVParallelLinear).`,
  // vllm/config/model.py _get_and_verify_max_len
  MAX_MODEL_LEN_ABOVE_DERIVED: (a) =>
    `User-specified max_model_len (${a["maxModelLen"]}) is greater than the derived max_model_len (max_position_embeddings=${a["derived"]} or model_max_length=None in model's config.json). To allow overriding this maximum, set the env var VLLM_ALLOW_LONG_MAX_MODEL_LEN=1.`,
  LAYERS_FEWER_THAN_PP: (a) => `The model has ${a["layers"]} layers, fewer than the pipeline parallel size (${a["pp"]}).`,
  // vllm/config/scheduler.py SchedulerConfig.verify_max_model_len
  MAX_NUM_SEQS_ABOVE_BATCHED_TOKENS: (a) => `max_num_batched_tokens (${a["maxNumBatchedTokens"]}) must be greater than or equal to max_num_seqs (${a["maxNumSeqs"]}).`,
  CUDA_GRAPHS_EXCEED_HEADROOM: (a) =>
    `CUDA graphs need about ${gibText(numArg(a, "graphs"))} but only ${gibText(numArg(a, "slack"))} is left outside the budget after the CUDA context: graph capture may run out of memory after the KV cache is allocated.`,
  // vllm/platforms/cuda.py check_if_supports_dtype
  BF16_UNSUPPORTED: (a) => `Bfloat16 is only supported on GPUs with compute capability of at least 8.0. Your GPU has compute capability ${a["cc"]}.`,
  KV_CACHE_DTYPE_UNSUPPORTED: (a) =>
    a["reason"] === "needs-blackwell"
      ? `--kv-cache-dtype ${a["dtype"]} needs a Blackwell GPU (compute capability 10.x or 12.x): vLLM builds its NVFP4 KV cache kernels only for SM100/SM120, and this GPU ${a["rocmArch"] ? `is an AMD ${String(a["rocmArch"])} (ROCm)` : `has compute capability ${a["cc"]}`}.`
      : a["reason"] === "head-size-16"
        ? `--kv-cache-dtype ${a["dtype"]}: NVFP4 KV cache requires head_size to be a multiple of 16 (this model's is ${a["headDim"]}).`
        : `--kv-cache-dtype ${a["dtype"]} is the DeepSeek sparse-MLA cache layout (FlashMLA sparse); this model has no MLA attention.`,
  // vllm/v1/worker/gpu_model_runner.py (PR #38270, v0.19+): FULL CUDA graphs need one Mamba block per sequence.
  MAMBA_SLOTS_BELOW_MAX_NUM_SEQS: (a) => String(a["message"]),
  CHECKPOINT_SIZE_MISMATCH: (a) =>
    `The checkpoint holds ${gibText(numArg(a, "checkpoint"))} of tensors but the architecture accounts for ${gibText(numArg(a, "architecture"))}: weights are sized from the architecture, so treat them as estimates.`,
  // vllm/model_executor/model_loader/weight_utils.py get_quant_config: only fp8 and bitsandbytes quantize at load.
  // vllm/config/vllm.py VllmConfig._get_quantization_config
  QUANTIZATION_UNSUPPORTED_GPU: (a) => `The quantization method ${a["method"]} is not supported for the current GPU. Minimum capability: ${a["min"]}. Current capability: ${a["cc"]}.`,
  QUANTIZATION_NEEDS_CHECKPOINT: (a) => `--quantization ${a["method"]} needs a checkpoint quantized with ${a["method"]}; vLLM quantizes a 16-bit checkpoint at load time only with fp8 or bitsandbytes.`,
  // torch.OutOfMemoryError as PyTorch words it (c10/cuda/CUDACachingAllocator.cpp), read from a log.
  CUDA_OUT_OF_MEMORY: (a) =>
    a["tried"] !== undefined
      ? `CUDA out of memory. Tried to allocate ${gibText(numArg(a, "tried"))}${a["total"] !== undefined ? ` on a GPU with ${gibText(numArg(a, "total"))}` : ""}${a["free"] !== undefined ? `, ${gibText(numArg(a, "free"))} free` : ""}.`
      : "CUDA out of memory.",
  // vllm/config/lora.py LoRAConfig.__post_init__
  MAX_CPU_LORAS_BELOW_MAX_LORAS: (a) => `max_cpu_loras (${a["maxCpuLoras"]}) must be >= max_loras (${a["maxLoras"]})`,
  NOT_EXACT: (a) => `vram-plan cannot size the ${a["what"]} exactly; numbers that depend on it are estimates.`,
  // vllm/v1/worker/gpu_worker.py determine_available_memory returns --kv-cache-memory unchecked; the
  // allocation (initialize_from_config) or the warm-up after it (compile_or_warm_up_model) runs out.
  KV_CACHE_MEMORY_ABOVE_FREE: (a) =>
    // Weights larger than the free memory: loading fails before any KV cache (never "-53.08 GiB is free").
    numArg(a, "free") < 0
      ? `CUDA out of memory loading the model: its weights need ${gibText(-numArg(a, "free"))} more than the GPU has free, before the ${gibText(numArg(a, "kv"))} --kv-cache-memory asks for.`
      : a["phase"] === "allocation"
      ? `CUDA out of memory allocating the KV cache: --kv-cache-memory asks for ${gibText(numArg(a, "kv"))} but only ${gibText(numArg(a, "free"))} is free after the weights (vLLM allocates --kv-cache-memory as asked, outside the --gpu-memory-utilization budget, without checking it against the free memory).`
      : `CUDA out of memory after the KV cache is allocated: ${gibText(numArg(a, "kv"))} of KV cache leaves no room for CUDA-graph capture (${gibText(numArg(a, "graphs"))}) and the sampler warm-up (${gibText(numArg(a, "sampler"))}) in the ${gibText(numArg(a, "free"))} free after the weights.`,
  // vllm/v1/worker/gpu_worker.py determine_available_memory (v0.21+), the line after "Available KV cache memory".
  CUDA_GRAPH_ESTIMATE_IN_BUDGET: (a) =>
    `CUDA graph memory profiling is enabled (default since v0.21.0): ${gibText(numArg(a, "estimate"))} estimated for CUDA graphs comes out of the KV cache${a["estimateHigh"] !== undefined ? ` (vLLM's own figure for these graphs varies by host: ${gib(numArg(a, "estimateLow"))} to ${gibText(numArg(a, "estimateHigh"))} in the logs seen)` : ""}. The current --gpu-memory-utilization=${numArg(a, "util").toFixed(4)} is equivalent to --gpu-memory-utilization=${numArg(a, "without").toFixed(4)} without CUDA graph memory profiling. ${a["sameKvBytes"] === undefined ? "Releases before it would have no KV cache here either (the budget is short by more than the estimate)" : `For the KV cache of releases before it, ${a["sameKvUtilNeeded"] !== undefined && numArg(a, "sameKvUtilNeeded") > numArg(a, "maxStartUtil") ? `--gpu-memory-utilization alone cannot restore it (it would need ${numArg(a, "sameKvUtilNeeded").toFixed(4)}; vLLM refuses more than 1.0, and this GPU has ${numArg(a, "maxStartUtil").toFixed(2)} of its memory free at start-up); use --kv-cache-memory ${a["sameKvBytes"]}` : `use --gpu-memory-utilization ${numArg(a, "sameKvUtil").toFixed(4)} or --kv-cache-memory ${a["sameKvBytes"]}`}`}; to disable, set VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS=0.`,
  VLLM_VERSION_NOT_MODELED: (a) =>
    String(a["asked"]).toLowerCase() === "latest"
      ? `--vllm-version latest is planned as ${a["modeled"]}, the newest release vram-plan models; changes made after it are not reflected.`
      : `vLLM ${a["asked"]} is newer than the newest release vram-plan models (${a["modeled"]}): planned with ${a["modeled"]}'s rules; changes made after it are not reflected.`,
};

export function messageFor(diagnostic: Diagnostic, plan: Plan): string {
  return MESSAGES[diagnostic.code](diagnostic.args, plan);
}

export function fixText(diagnostic: Diagnostic): string {
  if (!diagnostic.fix || diagnostic.fix.length === 0) return "";
  return fixEntries(diagnostic).join("  or  ");
}

/**
 * A word as typed in a POSIX shell, render/'s one quoting rule (fixes, what-ifs, the vllm serve and
 * vram-plan solve commands): bare when it holds only characters no shell treats specially (names,
 * numbers, paths, key=value), else single-quoted, a ' inside written '\''.
 */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Flags as typed: `--kv-cache-dtype fp8 --limit-mm-per-prompt '{"image":1}'`, a switch (value "") alone. */
export function flagsText(flags: readonly { flag: string; value: string }[]): string {
  return flags.map((f) => (f.value === "" ? f.flag : `${f.flag} ${shellWord(f.value)}`)).join(" ");
}

/** Each fix entry as the flags to type (values quoted for a POSIX shell where they need it). */
export function fixEntries(diagnostic: Diagnostic): string[] {
  return (diagnostic.fix ?? []).map((f) => flagsText([f, ...(f.with ?? [])]) + (f.note ? ` (${f.note})` : ""));
}

export { thousands };

// ---------------------------------------------------------------------------------------------
// vram-plan log: why a planned figure differs from the logged one (src/core/startup-log.ts)
// ---------------------------------------------------------------------------------------------

const LOG_LINE_NAMES: Record<string, string> = {
  gpuTotal: "GPU memory (CUDA total)",
  requested: "vLLM budget (total × utilization)",
  weights: "weights",
  torchPeak: "activation peak (torch peak increase)",
  summaryPeak: "peak activation (summary)",
  nonTorch: "non-torch memory",
  cudaGraphEstimate: "CUDA graphs (estimate)",
  availableKv: "available KV cache memory",
  numGpuBlocks: "GPU blocks",
  kvTokens: "KV cache tokens",
  maxConcurrency: "maximum concurrency",
  estimatedMaxModelLen: "estimated maximum model length",
  outcome: "start-up",
};

/** The words for one line of the log comparison. */
export function logLineName(what: string): string {
  return LOG_LINE_NAMES[what] ?? what;
}

const LOG_CAUSES: Record<DifferenceCause, (a: Record<string, number | string>) => string> = {
  WEIGHTS_LAYOUT: (a) =>
    `the checkpoint's layout differs from the plan's (${a["quantization"] === "none" ? `${a["dtype"]} weights` : `${a["quantization"]} weights`}): a quantized format or kernel repacking not modeled, another checkpoint revision, or --quantization/--dtype not shown in the log`,
  SUMMARY_PEAK: (a) => `the summary's peak activation is the profile run's torch peak plus the CUDA-graph estimate vLLM took out of the budget (planned: activation ${gib(Number(a["activation"]))} + estimate ${gibText(Number(a["estimate"]))}): the estimate or the activation peak differs`,
  ACTIVATION_PROFILE: (a) => `the profile run's peak differs (planned ${a["phase"]} phase over ${a["maxNumBatchedTokens"]} batched tokens): --max-num-batched-tokens, multimodal limits or a feature the log did not show`,
  NON_TORCH: () => "non-torch memory (NCCL, custom all-reduce, cuBLAS workspaces) differs from the modeled increase",
  CUDA_GRAPH_ESTIMATE: (a) => `the CUDA-graph estimate differs (${a["captureSizes"]} capture sizes planned): capture sizes or per-graph cost`,
  FOLLOWS: (a) => `follows from the ${logLineName(String(a["from"]))} line${a["bytes"] !== undefined ? ` (${signed(Number(a["bytes"]), gibText(Math.abs(Number(a["bytes"]))))} of it)` : ""}`,
  GPU_TOTAL: (a) => `the plan used the GPU profile's total (${gibText(Number(a["planned"]))}); the log's GPU reports another (driver, MIG, ECC)`,
  KV_LAYOUT: (a) => `same KV memory, different token count: bytes per token differ (planned ${a["bytesPerToken"]} B/token, block ${a["blockSize"]}) — --kv-cache-dtype, sliding-window or hybrid layers`,
  FLAGS_NOT_SHOWN: () => "the log shows no flags, so vLLM's defaults were planned: give the flags after --",
  UNMODELED_FEATURE: (a) => `flags vram-plan does not model: ${a["flags"]}`,
  VERSION_INFERRED: (a) => `the release (${a["version"]}) was inferred from the log's formats: a rule that changed between releases may apply (give --vllm-version)`,
  OTHER_PROCESS: () => "less memory was free than the GPU holds: another process was on the GPU at start-up",
  OUT_OF_PROFILE_ALLOCATION: () => "an allocation outside vLLM's profile ran out of memory (another process, fragmentation, or a feature the profile run does not cover)",
  PARTS_NOT_LOGGED: (a) =>
    `the log does not print the parts of the budget (weights, activation peak, non-torch), so the difference cannot be attributed${a["gpuTotal"] !== undefined ? `; the GPU total planned is the profile's (${gibText(Number(a["gpuTotal"]))})` : ""}`,
};

export function logCauseText(cause: { code: DifferenceCause; args: Record<string, number | string> }): string {
  return LOG_CAUSES[cause.code](cause.args);
}

// ---------------------------------------------------------------------------------------------
// check: host limits against vLLM's host memory (src/core/host-limits.ts)
// ---------------------------------------------------------------------------------------------

const mib = (b: number): string => (b < 2 ** 30 ? `${(b / 2 ** 20).toFixed(0)} MiB` : `${gibText(b)}`);

/** One host finding in a few words: the limit as written, what vLLM needs, what happens. */
export function hostFindingText(finding: HostFinding): string {
  if (finding.code === "HOST_MEMORY_BELOW_NEED") {
    return `HOST_MEMORY_BELOW_NEED: ${finding.where} ${finding.text ?? ""} (${mib(finding.have)}) < ${mib(finding.need)} of host memory vLLM's processes and buffers need: the container is OOM-killed`;
  }
  const have = finding.text !== null ? `${finding.where} ${finding.text} (${mib(finding.have)})` : `/dev/shm not set (the container runtime's ${mib(finding.have)})`;
  return `SHM_BELOW_NEED: ${have} < ${mib(finding.need)} of /dev/shm vLLM maps: it dies with "Bus error" (SIGBUS)`;
}

/** The setting that fits, in the file's own syntax. */
export function hostFixText(finding: HostFinding): string {
  const gibCount = Math.round(finding.fitBytes / 2 ** 30);
  if (finding.code === "HOST_MEMORY_BELOW_NEED") {
    if (finding.runtime === "kubernetes") return `resources.limits.memory: ${gibCount}Gi`;
    if (finding.runtime === "compose") return `${finding.where === "mem_limit" ? "mem_limit" : "deploy.resources.limits.memory"}: ${gibCount}g`;
    return `--memory ${gibCount}g`;
  }
  if (finding.runtime === "kubernetes") return `an emptyDir {medium: Memory, sizeLimit: ${gibCount}Gi} mounted at /dev/shm`;
  if (finding.runtime === "compose") return `shm_size: ${gibCount}gb (or ipc: host)`;
  return `--shm-size ${gibCount}g (or --ipc=host)`;
}

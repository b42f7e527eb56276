// The one table of `vllm serve`'s arguments: every flag of the newest modeled release, plus the
// renamed/removed flags of older releases, each with its spellings, value kind, choices, memory
// effect and the vLLM source it comes from. It drives commander's help for plan/solve/compare, the
// pasted-command reader and every deployment reader of `check` (sources/vllm-flags.ts parses with
// it); nothing else in vram-plan lists vLLM flags. Pure data: no I/O.
//
// Sources (vllm-project/vllm):
//   ENGINE   vllm/engine/arg_utils.py EngineArgs.add_cli_args (the engine flags, grouped by config)
//   CACHE    vllm/config/cache.py CacheConfig (kv_cache_dtype choices, kv_offloading_size in GiB)
//   FRONTEND vllm/entrypoints/openai/cli_args.py FrontendArgs / BaseFrontendArgs (server flags)
//   SERVE    vllm/entrypoints/openai/cli_args.py make_arg_parser (model_tag, --headless, --config, ...)
//   QUANT    vllm/model_executor/layers/quantization/__init__.py QuantizationMethods
//   PARSER   vllm/utils/argparse_utils.py FlexibleArgumentParser (snake_case, dotted keys, -O)
// Read from vLLM's main branch as stored late 2026 (arg_utils.py with MambaConfig, OffloadConfig,
// KernelConfig groups and no --swap-space), its v0.11 arg_utils.py, and the v0.6-v0.8 ones for the
// older flags; flags gone from main carry removedIn (a release vLLM's own deprecation text names) or legacy.
// Memory effect: "modeled" names the EngineFlags field the core models; "not-modeled" flags are
// accepted and the plan carries a NOT_EXACT warning naming them (EngineFlags.notModeledFlags);
// "neutral" flags change nothing vLLM allocates at start-up, on the GPU or the host (ports, parsers,
// logging); flags that only size host memory (core/host-memory.ts) are "modeled" too.

/** How argparse reads the value (arg_utils.py _compute_kwargs: the type hint decides). */
export type ArgKind =
  | "bool" // store_true, or BooleanOptionalAction when `negatable` (--no-<flag>)
  | "int"
  | "hrint" // human_readable_int: 32k = 32000, 32K = 32768 (argparse_utils.py)
  | "hrint-auto" // human_readable_int_or_auto: also -1 / auto (max_model_len)
  | "float"
  | "str"
  | "json" // a dict (json.loads / a config dataclass); dotted sub-keys allowed
  | "list" // nargs="+" (or append): the following words until the next flag
  | "optional"; // nargs="?": a value when one follows (--hf-token)

export type MemoryEffect = "modeled" | "neutral" | "not-modeled";

export interface VllmArg {
  /** Long name without dashes, kebab-case, as vLLM registers it. */
  name: string;
  /** Single-dash aliases without the dash (tp for -tp). */
  short?: readonly string[];
  kind: ArgKind;
  /** BooleanOptionalAction: --no-<name> is accepted too. */
  negatable?: boolean;
  /** Accepted values (argparse choices); absent = any value of the kind. */
  choices?: readonly string[];
  /** The values releases before `until` accepted, where they were fewer. */
  olderChoices?: { until: string; choices: readonly string[] };
  effect: MemoryEffect;
  /** For modeled (and memory-feature) flags: the EngineFlags field it sets. */
  field?: string;
  /** The first release that may have the flag: older ones reject it (argparse: unrecognized). */
  since?: string;
  /** The first release without the flag (argparse then rejects it), where vLLM's source names it. */
  removedIn?: string;
  /** Gone from the newest release, the release of removal not verified: accepted in every release. */
  legacy?: boolean;
  /** The flag to use instead, when vLLM names one. */
  replacedBy?: string;
  /** vram-plan's own flag (not vLLM's): accepted only on vram-plan's command line and its files. */
  vramPlan?: boolean;
  /** One line for --help (the flags shown there: those the plan models). */
  help?: string;
  /** Where vLLM defines it (one of the source keys above, with the config class). */
  source: string;
}

const ENGINE = "vllm/engine/arg_utils.py EngineArgs.add_cli_args";
const CACHE = "vllm/config/cache.py CacheConfig";
const FRONTEND = "vllm/entrypoints/openai/cli_args.py FrontendArgs";
const SERVE = "vllm/entrypoints/openai/cli_args.py make_arg_parser";

/** CacheDType (vllm/config/cache.py): every value the newest release accepts — kept with its sizing in kv-dtypes.ts. */
import { KV_CACHE_DTYPES, KV_CACHE_DTYPES_BEFORE_0_8 } from "./kv-dtypes.js";
import { UTILIZATION_DEFAULT } from "./vllm-versions.js";
export { KV_CACHE_DTYPES };

/**
 * QuantizationMethods over the modeled releases: the newest list (quantization/__init__.py, registry
 * era) plus the methods older releases accepted (v0.8-v0.11 lists: aqlm, deepspeedfp, tpu_int8,
 * ptpc_fp8, marlin, bitblas, gptq_marlin_24, gptq_bitblas, qqq, hqq, neuron_quant, ipex, auto-round,
 * petit_nvfp4, rtn, deepgemm_fp8). "nvfp4" is not a vLLM method (the ModelOpt NVFP4 one is modelopt_fp4).
 */
export const QUANTIZATION_METHODS = [
  "awq", "auto_awq", "awq_marlin", "cpu_awq", "gptq", "auto_gptq", "gptq_marlin", "gptq_marlin_24", "gptq_bitblas",
  "marlin", "bitblas", "fp8", "fbgemm_fp8", "ptpc_fp8", "deepgemm_fp8", "fp_quant", "modelopt", "modelopt_fp4",
  "modelopt_mxfp8", "modelopt_mixed", "petit_nvfp4", "gguf", "humming", "compressed-tensors", "bitsandbytes",
  "experts_int8", "quark", "moe_wna16", "torchao", "inc", "auto-round", "mxfp4", "gpt_oss_mxfp4", "deepseek_v4_fp8",
  "online", "fp8_per_tensor", "fp8_per_block", "fp8_per_channel", "int8_per_channel_weight_only", "nvfp4_per_token",
  "mxfp8", "aqlm", "deepspeedfp", "tpu_int8", "qqq", "hqq", "neuron_quant", "ipex", "rtn",
] as const;

/** ModelDType (vllm/config/model.py). */
export const MODEL_DTYPES = ["auto", "half", "float16", "bfloat16", "float", "float32"] as const;
/** MambaDType (vllm/config/cache.py). */
export const MAMBA_DTYPES = ["auto", "float32", "float16", "bfloat16"] as const;

/**
 * Flags absent from the v0.11-era arg_utils.py read (a fork of v0.11 main with
 * --max-cudagraph-capture-size and the v0.12/v0.13 deprecation notices): not in vLLM 0.11.0 or earlier.
 */
export const FIRST_AFTER_V11_0 = "0.11.1";
const V11_1 = FIRST_AFTER_V11_0;

const modeled = (name: string, kind: ArgKind, field: string, extra: Partial<VllmArg> = {}): VllmArg => ({ name, kind, effect: "modeled", field, source: ENGINE, ...extra });
const notModeled = (name: string, kind: ArgKind, extra: Partial<VllmArg> = {}): VllmArg => ({ name, kind, effect: "not-modeled", source: ENGINE, ...extra });
const neutral = (name: string, kind: ArgKind, extra: Partial<VllmArg> = {}): VllmArg => ({ name, kind, effect: "neutral", source: ENGINE, ...extra });
const frontend = (name: string, kind: ArgKind, extra: Partial<VllmArg> = {}): VllmArg => ({ name, kind, effect: "neutral", source: FRONTEND, ...extra });

export const VLLM_ARGS: readonly VllmArg[] = [
  // --- make_arg_parser (serve) ------------------------------------------------------------------
  neutral("model", "str", { source: "vllm/engine/arg_utils.py ModelConfig.model (vllm serve takes it positionally)" }),
  neutral("config", "str", { source: SERVE }),
  neutral("headless", "bool", { source: SERVE }),
  // Each API server process is resident host memory and holds a mirror of the multimodal processor cache (core/host-memory.ts).
  modeled("api-server-count", "int", "apiServerCount", { short: ["asc"], source: SERVE }),
  neutral("grpc", "bool", { source: SERVE }),

  // --- ModelConfig -----------------------------------------------------------------------------
  neutral("runner", "str", { choices: ["auto", "generate", "pooling", "draft"] }),
  neutral("convert", "str", { choices: ["auto", "none", "embed", "classify", "reward", "mm_encoder_only"] }),
  neutral("task", "str", { legacy: true }), // deprecated in v0.11; newer FlexibleArgumentParser: "--task is not a vllm serve option"
  neutral("tokenizer", "str"),
  neutral("tokenizer-mode", "str"),
  neutral("trust-remote-code", "bool", { negatable: true }),
  modeled("dtype", "str", "dtype", { help: "model dtype (auto, bfloat16, float16/half, float32/float)", choices: MODEL_DTYPES }),
  neutral("seed", "int"),
  neutral("hf-config-path", "str"),
  neutral("allowed-local-media-path", "str"),
  neutral("allowed-media-domains", "list"),
  neutral("revision", "str"),
  neutral("code-revision", "str"),
  neutral("tokenizer-revision", "str"),
  modeled("max-model-len", "hrint-auto", "maxModelLen", { help: "context length (32k = 32000, 32K = 32768, as vLLM reads it; auto or -1: the largest that fits)" }),
  modeled("quantization", "str", "quantization", { help: "quantization method (fp8 quantizes a 16-bit checkpoint online)", short: ["q"], choices: QUANTIZATION_METHODS }),
  neutral("allow-deprecated-quantization", "bool", { since: V11_1, negatable: true }),
  modeled("enforce-eager", "bool", "enforceEager", { help: "no CUDA graphs, no torch.compile", negatable: true }),
  neutral("enable-return-routed-experts", "bool", { since: V11_1, negatable: true }),
  neutral("max-logprobs", "int"),
  neutral("logprobs-mode", "str"),
  // A sliding-window model with it caches every token in every layer: not modeled yet.
  notModeled("disable-sliding-window", "bool", { negatable: true }),
  neutral("disable-cascade-attn", "bool", { negatable: true }),
  neutral("skip-tokenizer-init", "bool", { negatable: true }),
  neutral("enable-prompt-embeds", "bool", { negatable: true }),
  neutral("served-model-name", "list"),
  neutral("config-format", "str"),
  neutral("hf-token", "optional"),
  // hf_overrides can change the architecture (num_hidden_layers, rope_scaling, ...): not modeled.
  notModeled("hf-overrides", "json"),
  neutral("pooler-config", "json"),
  neutral("override-pooler-config", "json", { legacy: true }),
  neutral("logits-processor-pattern", "str", { legacy: true }),
  neutral("generation-config", "str"),
  neutral("override-generation-config", "json"),
  modeled("enable-sleep-mode", "bool", "enableSleepMode", { help: "sleep mode (CuMemAllocator pools)", negatable: true }),
  notModeled("model-impl", "str"),
  notModeled("override-attention-dtype", "str"),
  neutral("logits-processors", "list"),
  neutral("io-processor-plugin", "str"),
  // --language-model-only: the multimodal encoder is neither loaded nor profiled (MultiModalConfig).
  modeled("language-model-only", "bool", "languageModelOnly", { since: V11_1, help: "serve the language model only: no multimodal encoder", negatable: true }),
  neutral("renderer-num-workers", "int", { since: V11_1 }),

  // --- LoadConfig ------------------------------------------------------------------------------
  neutral("load-format", "str"),
  neutral("download-dir", "str"),
  neutral("safetensors-load-strategy", "str"),
  neutral("model-loader-extra-config", "json"),
  neutral("ignore-patterns", "list"),
  neutral("use-tqdm-on-load", "bool", { negatable: true }),
  neutral("pt-load-map-location", "str"),

  // --- AttentionConfig / kernels -----------------------------------------------------------------
  notModeled("attention-backend", "str", { since: V11_1 }),
  notModeled("attention-config", "json", { since: V11_1, short: ["ac"] }),
  notModeled("kernel-config", "json", { since: V11_1 }),
  neutral("enable-flashinfer-autotune", "bool", { since: V11_1, negatable: true }),
  neutral("ir-op-priority", "json", { since: V11_1 }),
  // MambaConfig (kernel choices; the state's size is set by the cache dtypes above).
  neutral("mamba-backend", "str", { since: V11_1 }),
  neutral("enable-mamba-cache-stochastic-rounding", "bool", { since: V11_1, negatable: true }),
  neutral("mamba-cache-philox-rounds", "int", { since: V11_1 }),
  neutral("gdn-prefill-backend", "str", { since: V11_1, choices: ["flashinfer", "triton"] }),
  notModeled("moe-backend", "str", { since: V11_1 }),

  // --- StructuredOutputsConfig ---------------------------------------------------------------------
  neutral("reasoning-parser", "str"),
  neutral("reasoning-parser-plugin", "str", { since: V11_1 }),
  neutral("structured-outputs-config", "json"),
  neutral("guided-decoding-backend", "str", { removedIn: "0.12.0" }), // "[DEPRECATED] ... will be removed in v0.12.0"
  neutral("guided-decoding-disable-fallback", "bool", { removedIn: "0.12.0" }),
  neutral("guided-decoding-disable-any-whitespace", "bool", { removedIn: "0.12.0" }),
  neutral("guided-decoding-disable-additional-properties", "bool", { removedIn: "0.12.0" }),

  // --- ParallelConfig ------------------------------------------------------------------------------
  neutral("distributed-executor-backend", "str"),
  modeled("pipeline-parallel-size", "int", "pipelineParallelSize", { help: "pipeline stages (also -pp)", short: ["pp"] }),
  modeled("tensor-parallel-size", "int", "tensorParallelSize", { help: "tensor-parallel GPUs (also -tp)", short: ["tp"] }),
  neutral("master-addr", "str", { since: V11_1 }),
  neutral("master-port", "int", { since: V11_1 }),
  neutral("distributed-timeout-seconds", "int", { since: V11_1 }),
  neutral("numa-bind", "bool", { since: V11_1, negatable: true }),
  neutral("numa-bind-nodes", "list", { since: V11_1 }),
  neutral("numa-bind-cpus", "list", { since: V11_1 }),
  neutral("dcp-comm-backend", "str", { since: V11_1 }),
  neutral("nnodes", "int", { since: V11_1, short: ["n"] }),
  neutral("node-rank", "int", { since: V11_1, short: ["r"] }),
  notModeled("decode-context-parallel-size", "int", { short: ["dcp"] }),
  notModeled("prefill-context-parallel-size", "int", { since: V11_1, short: ["pcp"] }),
  neutral("dcp-kv-cache-interleave-size", "int", { since: V11_1 }),
  neutral("cp-kv-cache-interleave-size", "int", { since: V11_1 }),
  modeled("data-parallel-size", "int", "dataParallelSize", { help: "data-parallel replicas, each with TP × PP GPUs (also -dp)", short: ["dp"] }),
  neutral("data-parallel-rank", "int", { short: ["dpn"] }),
  neutral("data-parallel-start-rank", "int", { short: ["dpr"] }),
  neutral("data-parallel-size-local", "int", { short: ["dpl"] }),
  neutral("data-parallel-address", "str", { short: ["dpa"] }),
  neutral("data-parallel-rpc-port", "int", { short: ["dpp"] }),
  neutral("data-parallel-backend", "str", { short: ["dpb"] }),
  neutral("data-parallel-hybrid-lb", "bool", { short: ["dph"], negatable: true }),
  neutral("data-parallel-external-lb", "bool", { since: V11_1, short: ["dpe"], negatable: true }),
  neutral("data-parallel-multi-port-external-lb", "bool", { negatable: true, source: FRONTEND }),
  modeled("enable-expert-parallel", "bool", "enableExpertParallel", { help: "place whole experts on ranks (also -ep)", short: ["ep"], negatable: true }),
  neutral("all2all-backend", "str"),
  // Loads only this rank's experts' weights (EP): the weights per rank are what the plan already counts.
  neutral("enable-ep-weight-filter", "bool", { since: V11_1, negatable: true }),
  notModeled("enable-dbo", "bool", { negatable: true }),
  neutral("ubatch-size", "int", { since: V11_1 }),
  neutral("dbo-decode-token-threshold", "int"),
  neutral("dbo-prefill-token-threshold", "int"),
  neutral("disable-nccl-for-dp-synchronization", "bool", { negatable: true }),
  notModeled("enable-eplb", "bool", { negatable: true }),
  notModeled("eplb-config", "json"),
  neutral("expert-placement-strategy", "str"),
  notModeled("enable-elastic-ep", "bool", { since: V11_1, negatable: true }),
  notModeled("num-redundant-experts", "int", { removedIn: "0.12.0", replacedBy: "--eplb-config.num_redundant_experts" }),
  neutral("eplb-window-size", "int", { removedIn: "0.12.0", replacedBy: "--eplb-config.window_size" }),
  neutral("eplb-step-interval", "int", { removedIn: "0.12.0", replacedBy: "--eplb-config.step_interval" }),
  neutral("eplb-log-balancedness", "bool", { negatable: true, removedIn: "0.12.0", replacedBy: "--eplb-config.log_balancedness" }),
  neutral("max-parallel-loading-workers", "int"),
  neutral("ray-workers-use-nsight", "bool", { negatable: true }),
  // Custom all-reduce's IPC buffers are part of the NCCL/communication figure: not modeled apart.
  notModeled("disable-custom-all-reduce", "bool", { negatable: true }),
  neutral("worker-cls", "str"),
  neutral("worker-extension-cls", "str"),
  modeled("enable-multimodal-encoder-data-parallel", "bool", "mmEncoderTpMode", { removedIn: "0.13.0", replacedBy: "--mm-encoder-tp-mode data" }),

  // --- CacheConfig ---------------------------------------------------------------------------------
  modeled("block-size", "int", "blockSize", { help: "KV cache block size in tokens", source: CACHE }),
  modeled("gpu-memory-utilization", "float", "gpuMemoryUtilization", { help: `share of each GPU's memory vLLM may use (default ${UTILIZATION_DEFAULT.before}; ${UTILIZATION_DEFAULT.from} from v0.${UTILIZATION_DEFAULT.sinceMinor})`, source: CACHE }),
  // CacheConfig.kv_cache_memory_bytes arrived with vllm PR #21489 (merged 2025-07, first in v0.10.1).
  modeled("kv-cache-memory-bytes", "hrint", "kvCacheMemoryBytes", { since: "0.10.1", help: "KV cache bytes per GPU, bypassing --gpu-memory-utilization (20G = 20 GiB, 20g = 20 GB)", source: CACHE }),
  // vLLM's CPU swap space (GiB of host memory); absent from CacheConfig after v0.18 (issue #11).
  neutral("swap-space", "float", { source: CACHE, removedIn: "0.19.0" }),
  // v0.7's arg_utils.py: choices=['auto', 'fp8', 'fp8_e5m2', 'fp8_e4m3']; later releases take the CacheDType
  // Literal of vllm/config/cache.py. The release in between that widened it is not verified: 0.8.0 is
  // assumed (the lenient side: a value is refused only where v0.7's list is known to apply).
  modeled("kv-cache-dtype", "str", "kvCacheDtype", { olderChoices: { until: "0.8.0", choices: KV_CACHE_DTYPES_BEFORE_0_8 }, help: "KV cache dtype (auto, fp8, fp8_e4m3, fp8_e5m2, bfloat16, ...)", choices: KV_CACHE_DTYPES, source: CACHE }),
  notModeled("num-gpu-blocks-override", "int", { source: CACHE }),
  neutral("enable-prefix-caching", "bool", { negatable: true, source: CACHE }),
  neutral("prefix-caching-hash-algo", "str", { source: CACHE }),
  // --cpu-offload-gb is GiB per GPU of weights kept in host memory (CacheConfig / OffloadConfig).
  modeled("cpu-offload-gb", "float", "cpuOffloadBytes", { help: "GiB of weights per GPU kept in CPU memory", source: CACHE }),
  neutral("cpu-offload-params", "list", { since: V11_1, source: "vllm/config/offload.py OffloadConfig" }),
  notModeled("offload-backend", "str", { since: V11_1, source: "vllm/config/offload.py OffloadConfig" }),
  notModeled("offload-group-size", "int", { since: V11_1, source: "vllm/config/offload.py OffloadConfig" }),
  notModeled("offload-num-in-group", "int", { since: V11_1, source: "vllm/config/offload.py OffloadConfig" }),
  neutral("offload-params", "list", { since: V11_1, source: "vllm/config/offload.py OffloadConfig" }),
  neutral("offload-prefetch-step", "int", { since: V11_1, source: "vllm/config/offload.py OffloadConfig" }),
  neutral("calculate-kv-scales", "bool", { negatable: true, source: CACHE }),
  neutral("kv-sharing-fast-prefill", "bool", { negatable: true, source: CACHE }),
  notModeled("mamba-cache-dtype", "str", { choices: MAMBA_DTYPES, source: CACHE }),
  modeled("mamba-ssm-cache-dtype", "str", "mambaSsmCacheDtype", { help: "Mamba SSM state dtype", choices: MAMBA_DTYPES, source: CACHE }),
  notModeled("mamba-block-size", "int", { source: CACHE }),
  notModeled("mamba-cache-mode", "str", { since: V11_1, choices: ["all", "align", "none"], source: CACHE }),
  // kv_offloading_size: "Size of the KV cache offloading buffer in GiB ... total ... across all TP ranks".
  modeled("kv-offloading-size", "float", "kvOffloadingBytes", { since: V11_1, help: "GiB of CPU memory for offloaded KV blocks (all TP ranks together)", source: CACHE }),
  modeled("kv-offloading-backend", "str", "kvOffloadingBackend", { since: V11_1, help: "native or lmcache", choices: ["native", "lmcache"], source: CACHE }),
  notModeled("kv-cache-dtype-skip-layers", "list", { since: V11_1, source: CACHE }),

  // --- MultiModalConfig ----------------------------------------------------------------------------
  modeled("limit-mm-per-prompt", "json", "limitMmPerPrompt", { help: "multimodal items per prompt, e.g. '{\"image\":1,\"video\":0}' or --limit-mm-per-prompt.image 1" }),
  neutral("enable-mm-embeds", "bool", { negatable: true }),
  neutral("media-io-kwargs", "json"),
  modeled("mm-processor-kwargs", "json", "mmProcessorKwargs", { help: "processor overrides, e.g. '{\"max_pixels\":1003520}' or --mm-processor-kwargs.max_pixels 1003520" }),
  // The processor cache is host memory (a mirrored LRU per API server and engine core, or shared memory),
  // not GPU memory: counted in the plan's host memory (core/host-memory.ts), so not memory-neutral.
  modeled("mm-processor-cache-gb", "float", "mmProcessorCacheBytes"),
  modeled("disable-mm-preprocessor-cache", "bool", "mmProcessorCacheBytes", { removedIn: "0.13.0", replacedBy: "--mm-processor-cache-gb 0" }),
  modeled("mm-processor-cache-type", "str", "mmProcessorCacheType"),
  neutral("mm-shm-cache-max-object-size-mb", "int"),
  notModeled("mm-encoder-only", "bool", { since: V11_1, negatable: true }),
  modeled("mm-encoder-tp-mode", "str", "mmEncoderTpMode", { help: "weights (shard the vision tower) or data (replicate it)", choices: ["weights", "data"] }),
  notModeled("mm-encoder-attn-backend", "str"),
  notModeled("mm-encoder-attn-dtype", "str", { since: V11_1 }),
  neutral("mm-encoder-fp8-scale-path", "str", { since: V11_1 }),
  neutral("mm-encoder-fp8-scale-save-path", "str", { since: V11_1 }),
  neutral("mm-encoder-fp8-scale-save-margin", "float", { since: V11_1 }),
  neutral("mm-tensor-ipc", "str", { since: V11_1 }),
  neutral("interleave-mm-strings", "bool", { negatable: true }),
  modeled("skip-mm-profiling", "bool", "skipMmProfiling", { help: "skip the multimodal encoder in the profile run", negatable: true }),
  neutral("video-pruning-rate", "float"),

  // --- LoRAConfig ----------------------------------------------------------------------------------
  modeled("enable-lora", "bool", "lora", { help: "LoRA adapters (with --max-loras, --max-lora-rank, --max-cpu-loras, --fully-sharded-loras, --lora-dtype)", negatable: true }),
  modeled("max-loras", "int", "lora"),
  modeled("max-lora-rank", "int", "lora"),
  modeled("lora-dtype", "str", "lora"),
  notModeled("enable-tower-connector-lora", "bool", { since: V11_1, negatable: true }),
  notModeled("lora-target-modules", "list", { since: V11_1 }),
  modeled("max-cpu-loras", "int", "lora"),
  modeled("fully-sharded-loras", "bool", "lora", { negatable: true }),
  neutral("default-mm-loras", "json"),
  neutral("specialize-active-lora", "bool", { since: V11_1, negatable: true }),
  notModeled("lora-extra-vocab-size", "int", { legacy: true }),
  notModeled("enable-lora-bias", "bool", { legacy: true }),

  // --- ObservabilityConfig -------------------------------------------------------------------------
  neutral("show-hidden-metrics-for-version", "str"),
  neutral("otlp-traces-endpoint", "str"),
  neutral("collect-detailed-traces", "list"),
  neutral("kv-cache-metrics", "bool", { since: V11_1, negatable: true }),
  neutral("kv-cache-metrics-sample", "float", { since: V11_1 }),
  neutral("cudagraph-metrics", "bool", { since: V11_1, negatable: true }),
  neutral("enable-layerwise-nvtx-tracing", "bool", { since: V11_1, negatable: true }),
  neutral("enable-mfu-metrics", "bool", { since: V11_1, negatable: true }),
  neutral("enable-logging-iteration-details", "bool", { since: V11_1, negatable: true }),
  neutral("enable-mm-processor-stats", "bool", { negatable: true, legacy: true }),
  neutral("disable-log-stats", "bool"),
  neutral("aggregate-engine-logging", "bool"),
  neutral("fail-on-environ-validation", "bool", { since: V11_1, negatable: true }),

  // --- SchedulerConfig -----------------------------------------------------------------------------
  modeled("max-num-batched-tokens", "hrint", "maxNumBatchedTokens", { help: "tokens per iteration (sizes the profile run)" }),
  modeled("max-num-seqs", "int", "maxNumSeqs", { help: "sequences per iteration" }),
  neutral("max-num-partial-prefills", "int"),
  neutral("max-long-partial-prefills", "int"),
  neutral("long-prefill-token-threshold", "int"),
  neutral("num-lookahead-slots", "int", { legacy: true }),
  neutral("scheduling-policy", "str", { choices: ["fcfs", "priority"] }),
  neutral("enable-chunked-prefill", "bool", { negatable: true }),
  neutral("disable-chunked-mm-input", "bool", { negatable: true }),
  neutral("scheduler-cls", "str"),
  modeled("disable-hybrid-kv-cache-manager", "bool", "disableHybridKvCacheManager", { help: "store every token in every layer (sliding-window models)", negatable: true }),
  neutral("async-scheduling", "bool", { negatable: true }),
  neutral("stream-interval", "int", { since: V11_1 }),
  neutral("scheduler-reserve-full-isl", "bool", { since: V11_1, negatable: true }),

  // --- CompilationConfig / VllmConfig ---------------------------------------------------------------
  modeled("cudagraph-capture-sizes", "list", "compilation", { help: "batch sizes captured as CUDA graphs" }),
  modeled("cuda-graph-sizes", "list", "compilation", { removedIn: "0.13.0", replacedBy: "--cudagraph-capture-sizes" }),
  modeled("max-cudagraph-capture-size", "int", "compilation", { help: "largest batch size captured as a CUDA graph" }),
  notModeled("max-seq-len-to-capture", "int", { removedIn: "0.11.0", replacedBy: "--max-cudagraph-capture-size" }),
  modeled("speculative-config", "json", "speculative", { short: ["sc"], help: "speculative decoding, JSON or dotted (--speculative-config.method mtp)" }),
  notModeled("kv-transfer-config", "json"),
  neutral("kv-events-config", "json"),
  notModeled("ec-transfer-config", "json", { since: V11_1 }),
  modeled("compilation-config", "json", "compilation", { help: "torch.compile / CUDA-graph settings, JSON or dotted (also -cc; -O<n> sets the level)", short: ["cc"] }),
  // -O<n> / -O <n> (argparse_utils.py: "--optimization-level"); older releases read -O3 as compilation level 3.
  modeled("optimization-level", "str", "compilation", { since: V11_1 }),
  neutral("performance-mode", "str", { since: V11_1 }),
  neutral("reasoning-config", "json", { since: V11_1 }),
  neutral("shutdown-timeout", "int", { since: V11_1 }),
  notModeled("additional-config", "json"),
  neutral("profiler-config", "json", { since: V11_1 }),
  neutral("weight-transfer-config", "json", { since: V11_1 }),
  neutral("tokens-only", "bool", { negatable: true, source: FRONTEND }),

  // --- Older releases' engine flags (gone from the newest arg_utils.py) -------------------------------
  // --device cpu is not a GPU deployment; other values are accepted and planned as CUDA.
  modeled("device", "str", "device", { source: "vllm/engine/arg_utils.py DEVICE_OPTIONS (v0.6-v0.10)", legacy: true }),
  neutral("use-v2-block-manager", "bool", { legacy: true }),
  neutral("num-scheduler-steps", "int", { legacy: true }),
  neutral("multi-step-stream-outputs", "bool", { negatable: true, legacy: true }),
  neutral("scheduler-delay-factor", "float", { legacy: true }),
  neutral("preemption-mode", "str", { legacy: true }),
  neutral("disable-async-output-proc", "bool", { legacy: true }),
  neutral("tokenizer-pool-size", "int", { legacy: true }),
  neutral("tokenizer-pool-type", "str", { legacy: true }),
  neutral("tokenizer-pool-extra-config", "json", { legacy: true }),
  notModeled("rope-scaling", "json", { legacy: true }),
  notModeled("rope-theta", "float", { legacy: true }),
  notModeled("speculative-model", "str", { legacy: true }),
  notModeled("num-speculative-tokens", "int", { legacy: true }),
  neutral("ngram-prompt-lookup-max", "int", { legacy: true }),
  neutral("ngram-prompt-lookup-min", "int", { legacy: true }),
  neutral("enable-prompt-adapter", "bool", { legacy: true }),
  neutral("max-prompt-adapters", "int", { legacy: true }),
  neutral("max-prompt-adapter-token", "int", { legacy: true }),
  neutral("long-lora-scaling-factors", "list", { legacy: true }),
  neutral("qlora-adapter-name-or-path", "str", { legacy: true }),
  neutral("override-neuron-config", "json", { legacy: true }),

  // --- FrontendArgs --------------------------------------------------------------------------------
  frontend("host", "str"),
  frontend("port", "int"),
  frontend("uds", "str"),
  frontend("uvicorn-log-level", "str", { choices: ["critical", "error", "warning", "info", "debug", "trace"] }),
  frontend("disable-uvicorn-access-log", "bool", { negatable: true }),
  frontend("disable-access-log-for-endpoints", "str"),
  frontend("allow-credentials", "bool", { negatable: true }),
  frontend("allowed-origins", "json"),
  frontend("allowed-methods", "json"),
  frontend("allowed-headers", "json"),
  frontend("api-key", "list"),
  frontend("lora-modules", "list"),
  frontend("prompt-adapters", "list", { legacy: true }),
  frontend("chat-template", "str"),
  frontend("chat-template-content-format", "str"),
  frontend("trust-request-chat-template", "bool", { negatable: true }),
  frontend("default-chat-template-kwargs", "json"),
  frontend("response-role", "str"),
  frontend("ssl-keyfile", "str"),
  frontend("ssl-certfile", "str"),
  frontend("ssl-ca-certs", "str"),
  frontend("enable-ssl-refresh", "bool", { negatable: true }),
  frontend("ssl-cert-reqs", "int"),
  frontend("ssl-ciphers", "str"),
  frontend("root-path", "str"),
  frontend("middleware", "list"),
  frontend("return-tokens-as-token-ids", "bool", { negatable: true }),
  frontend("disable-frontend-multiprocessing", "bool", { negatable: true }),
  frontend("enable-request-id-headers", "bool", { negatable: true }),
  frontend("enable-auto-tool-choice", "bool", { negatable: true }),
  frontend("exclude-tools-when-tool-choice-none", "bool", { negatable: true }),
  frontend("tool-call-parser", "str"),
  frontend("tool-parser-plugin", "str"),
  frontend("tool-server", "str"),
  frontend("log-config-file", "str"),
  frontend("max-log-len", "int"),
  frontend("disable-fastapi-docs", "bool", { negatable: true }),
  frontend("enable-offline-docs", "bool", { negatable: true }),
  frontend("enable-prompt-tokens-details", "bool", { negatable: true }),
  frontend("enable-per-request-metrics", "bool", { negatable: true }),
  frontend("enable-server-load-tracking", "bool", { negatable: true }),
  frontend("enable-force-include-usage", "bool", { negatable: true }),
  frontend("enable-tokenizer-info-endpoint", "bool", { negatable: true }),
  frontend("enable-log-outputs", "bool", { negatable: true }),
  frontend("enable-log-deltas", "bool", { negatable: true }),
  frontend("enable-log-requests", "bool", { negatable: true }),
  frontend("disable-log-requests", "bool", { negatable: true, legacy: true }),
  frontend("log-error-stack", "bool", { negatable: true }),
  frontend("h11-max-incomplete-event-size", "int"),
  frontend("h11-max-header-count", "int"),
  frontend("enable-flash-late-interaction", "bool", { negatable: true }),
  frontend("cohere-is-reasoning-model", "bool", { negatable: true }),
  frontend("cohere-format", "str"),
  frontend("fingerprint-mode", "str", { choices: ["full", "hash", "custom", "none"] }),
  frontend("fingerprint-value", "str"),
  frontend("data-parallel-supervisor-port", "int"),
  frontend("dp-supervisor-probe-interval-s", "float"),
  frontend("dp-supervisor-probe-timeout-s", "float"),
  frontend("dp-supervisor-probe-failure-threshold", "int"),
  frontend("enable-reasoning", "bool", { legacy: true }),

  // --- vram-plan's own flags that sit beside vLLM's (not vLLM arguments) ---------------------------
  modeled("vllm-version", "str", "vllmVersion", { help: "vLLM release whose accounting to model (default: newest modeled)", vramPlan: true, source: "vram-plan: the vLLM release to model" }),
  modeled("usage-context", "str", "usageContext", { help: "server (vllm serve) or offline (the LLM class): they have different defaults", vramPlan: true, choices: ["server", "offline"], source: "vram-plan: vllm serve (server) or the LLM class (offline)" }),
  modeled("other-process-memory", "str", "otherProcessBytes", { help: "memory other processes already hold on each GPU at start-up", vramPlan: true, source: "vram-plan: memory other processes hold on each GPU" }),
  // vram-plan's own size spelling: also a what-if at any release (the bench replays older logs' KV memory with
  // it), so only vLLM's real flag above carries the v0.10.1 boundary.
  modeled("kv-cache-memory", "str", "kvCacheMemoryBytes", { help: "KV cache size per GPU as a size (20GiB), like --kv-cache-memory-bytes", vramPlan: true, source: "vram-plan: --kv-cache-memory-bytes with sizes such as 20GiB" }),
];

const BY_NAME = new Map<string, VllmArg>();
const BY_SHORT = new Map<string, VllmArg>();
for (const arg of VLLM_ARGS) {
  BY_NAME.set(arg.name, arg);
  for (const s of arg.short ?? []) BY_SHORT.set(s, arg);
}

/** The table entry of a long name (kebab-case, no dashes), or undefined. */
export function vllmArg(name: string): VllmArg | undefined {
  return BY_NAME.get(name);
}

/** The table entry of a single-dash alias (tp), or undefined. */
export function vllmShortArg(alias: string): VllmArg | undefined {
  return BY_SHORT.get(alias);
}

/** Coverage counts of the newest release's vLLM arguments (vram-plan's own flags and removed ones excluded). */
export function argCoverage(): Record<MemoryEffect, number> & { total: number } {
  const out = { modeled: 0, neutral: 0, "not-modeled": 0, total: 0 };
  for (const arg of VLLM_ARGS) {
    if (arg.vramPlan || arg.legacy || arg.removedIn !== undefined) continue;
    out[arg.effect]++;
    out.total++;
  }
  return out;
}

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

const m = (name: string, kind: ArgKind, field: string, extra: Partial<VllmArg> = {}): VllmArg => ({ name, kind, effect: "modeled", field, source: ENGINE, ...extra });
const nm = (name: string, kind: ArgKind, extra: Partial<VllmArg> = {}): VllmArg => ({ name, kind, effect: "not-modeled", source: ENGINE, ...extra });
const n = (name: string, kind: ArgKind, extra: Partial<VllmArg> = {}): VllmArg => ({ name, kind, effect: "neutral", source: ENGINE, ...extra });
const fe = (name: string, kind: ArgKind, extra: Partial<VllmArg> = {}): VllmArg => ({ name, kind, effect: "neutral", source: FRONTEND, ...extra });

export const VLLM_ARGS: readonly VllmArg[] = [
  // --- make_arg_parser (serve) ------------------------------------------------------------------
  n("model", "str", { source: "vllm/engine/arg_utils.py ModelConfig.model (vllm serve takes it positionally)" }),
  n("config", "str", { source: SERVE }),
  n("headless", "bool", { source: SERVE }),
  // Each API server process is resident host memory and holds a mirror of the multimodal processor cache (core/host-memory.ts).
  m("api-server-count", "int", "apiServerCount", { short: ["asc"], source: SERVE }),
  n("grpc", "bool", { source: SERVE }),

  // --- ModelConfig -----------------------------------------------------------------------------
  n("runner", "str", { choices: ["auto", "generate", "pooling", "draft"] }),
  n("convert", "str", { choices: ["auto", "none", "embed", "classify", "reward", "mm_encoder_only"] }),
  n("task", "str", { legacy: true }), // deprecated in v0.11; newer FlexibleArgumentParser: "--task is not a vllm serve option"
  n("tokenizer", "str"),
  n("tokenizer-mode", "str"),
  n("trust-remote-code", "bool", { negatable: true }),
  m("dtype", "str", "dtype", { help: "model dtype (auto, bfloat16, float16/half, float32/float)", choices: MODEL_DTYPES }),
  n("seed", "int"),
  n("hf-config-path", "str"),
  n("allowed-local-media-path", "str"),
  n("allowed-media-domains", "list"),
  n("revision", "str"),
  n("code-revision", "str"),
  n("tokenizer-revision", "str"),
  m("max-model-len", "hrint-auto", "maxModelLen", { help: "context length (32k = 32000, 32K = 32768, as vLLM reads it; auto or -1: the largest that fits)" }),
  m("quantization", "str", "quantization", { help: "quantization method (fp8 quantizes a 16-bit checkpoint online)", short: ["q"], choices: QUANTIZATION_METHODS }),
  n("allow-deprecated-quantization", "bool", { since: V11_1, negatable: true }),
  m("enforce-eager", "bool", "enforceEager", { help: "no CUDA graphs, no torch.compile", negatable: true }),
  n("enable-return-routed-experts", "bool", { since: V11_1, negatable: true }),
  n("max-logprobs", "int"),
  n("logprobs-mode", "str"),
  // A sliding-window model with it caches every token in every layer: not modeled yet.
  nm("disable-sliding-window", "bool", { negatable: true }),
  n("disable-cascade-attn", "bool", { negatable: true }),
  n("skip-tokenizer-init", "bool", { negatable: true }),
  n("enable-prompt-embeds", "bool", { negatable: true }),
  n("served-model-name", "list"),
  n("config-format", "str"),
  n("hf-token", "optional"),
  // hf_overrides can change the architecture (num_hidden_layers, rope_scaling, ...): not modeled.
  nm("hf-overrides", "json"),
  n("pooler-config", "json"),
  n("override-pooler-config", "json", { legacy: true }),
  n("logits-processor-pattern", "str", { legacy: true }),
  n("generation-config", "str"),
  n("override-generation-config", "json"),
  m("enable-sleep-mode", "bool", "enableSleepMode", { help: "sleep mode (CuMemAllocator pools)", negatable: true }),
  nm("model-impl", "str"),
  nm("override-attention-dtype", "str"),
  n("logits-processors", "list"),
  n("io-processor-plugin", "str"),
  // --language-model-only: the multimodal encoder is neither loaded nor profiled (MultiModalConfig).
  m("language-model-only", "bool", "languageModelOnly", { since: V11_1, help: "serve the language model only: no multimodal encoder", negatable: true }),
  n("renderer-num-workers", "int", { since: V11_1 }),

  // --- LoadConfig ------------------------------------------------------------------------------
  n("load-format", "str"),
  n("download-dir", "str"),
  n("safetensors-load-strategy", "str"),
  n("model-loader-extra-config", "json"),
  n("ignore-patterns", "list"),
  n("use-tqdm-on-load", "bool", { negatable: true }),
  n("pt-load-map-location", "str"),

  // --- AttentionConfig / kernels -----------------------------------------------------------------
  nm("attention-backend", "str", { since: V11_1 }),
  nm("attention-config", "json", { since: V11_1, short: ["ac"] }),
  nm("kernel-config", "json", { since: V11_1 }),
  n("enable-flashinfer-autotune", "bool", { since: V11_1, negatable: true }),
  n("ir-op-priority", "json", { since: V11_1 }),
  // MambaConfig (kernel choices; the state's size is set by the cache dtypes above).
  n("mamba-backend", "str", { since: V11_1 }),
  n("enable-mamba-cache-stochastic-rounding", "bool", { since: V11_1, negatable: true }),
  n("mamba-cache-philox-rounds", "int", { since: V11_1 }),
  n("gdn-prefill-backend", "str", { since: V11_1, choices: ["flashinfer", "triton"] }),
  nm("moe-backend", "str", { since: V11_1 }),

  // --- StructuredOutputsConfig ---------------------------------------------------------------------
  n("reasoning-parser", "str"),
  n("reasoning-parser-plugin", "str", { since: V11_1 }),
  n("structured-outputs-config", "json"),
  n("guided-decoding-backend", "str", { removedIn: "0.12.0" }), // "[DEPRECATED] ... will be removed in v0.12.0"
  n("guided-decoding-disable-fallback", "bool", { removedIn: "0.12.0" }),
  n("guided-decoding-disable-any-whitespace", "bool", { removedIn: "0.12.0" }),
  n("guided-decoding-disable-additional-properties", "bool", { removedIn: "0.12.0" }),

  // --- ParallelConfig ------------------------------------------------------------------------------
  n("distributed-executor-backend", "str"),
  m("pipeline-parallel-size", "int", "pipelineParallelSize", { help: "pipeline stages (also -pp)", short: ["pp"] }),
  m("tensor-parallel-size", "int", "tensorParallelSize", { help: "tensor-parallel GPUs (also -tp)", short: ["tp"] }),
  n("master-addr", "str", { since: V11_1 }),
  n("master-port", "int", { since: V11_1 }),
  n("distributed-timeout-seconds", "int", { since: V11_1 }),
  n("numa-bind", "bool", { since: V11_1, negatable: true }),
  n("numa-bind-nodes", "list", { since: V11_1 }),
  n("numa-bind-cpus", "list", { since: V11_1 }),
  n("dcp-comm-backend", "str", { since: V11_1 }),
  n("nnodes", "int", { since: V11_1, short: ["n"] }),
  n("node-rank", "int", { since: V11_1, short: ["r"] }),
  nm("decode-context-parallel-size", "int", { short: ["dcp"] }),
  nm("prefill-context-parallel-size", "int", { since: V11_1, short: ["pcp"] }),
  n("dcp-kv-cache-interleave-size", "int", { since: V11_1 }),
  n("cp-kv-cache-interleave-size", "int", { since: V11_1 }),
  m("data-parallel-size", "int", "dataParallelSize", { help: "data-parallel replicas, each with TP × PP GPUs (also -dp)", short: ["dp"] }),
  n("data-parallel-rank", "int", { short: ["dpn"] }),
  n("data-parallel-start-rank", "int", { short: ["dpr"] }),
  n("data-parallel-size-local", "int", { short: ["dpl"] }),
  n("data-parallel-address", "str", { short: ["dpa"] }),
  n("data-parallel-rpc-port", "int", { short: ["dpp"] }),
  n("data-parallel-backend", "str", { short: ["dpb"] }),
  n("data-parallel-hybrid-lb", "bool", { short: ["dph"], negatable: true }),
  n("data-parallel-external-lb", "bool", { since: V11_1, short: ["dpe"], negatable: true }),
  n("data-parallel-multi-port-external-lb", "bool", { negatable: true, source: FRONTEND }),
  m("enable-expert-parallel", "bool", "enableExpertParallel", { help: "place whole experts on ranks (also -ep)", short: ["ep"], negatable: true }),
  n("all2all-backend", "str"),
  // Loads only this rank's experts' weights (EP): the weights per rank are what the plan already counts.
  n("enable-ep-weight-filter", "bool", { since: V11_1, negatable: true }),
  nm("enable-dbo", "bool", { negatable: true }),
  n("ubatch-size", "int", { since: V11_1 }),
  n("dbo-decode-token-threshold", "int"),
  n("dbo-prefill-token-threshold", "int"),
  n("disable-nccl-for-dp-synchronization", "bool", { negatable: true }),
  nm("enable-eplb", "bool", { negatable: true }),
  nm("eplb-config", "json"),
  n("expert-placement-strategy", "str"),
  nm("enable-elastic-ep", "bool", { since: V11_1, negatable: true }),
  nm("num-redundant-experts", "int", { removedIn: "0.12.0", replacedBy: "--eplb-config.num_redundant_experts" }),
  n("eplb-window-size", "int", { removedIn: "0.12.0", replacedBy: "--eplb-config.window_size" }),
  n("eplb-step-interval", "int", { removedIn: "0.12.0", replacedBy: "--eplb-config.step_interval" }),
  n("eplb-log-balancedness", "bool", { negatable: true, removedIn: "0.12.0", replacedBy: "--eplb-config.log_balancedness" }),
  n("max-parallel-loading-workers", "int"),
  n("ray-workers-use-nsight", "bool", { negatable: true }),
  // Custom all-reduce's IPC buffers are part of the NCCL/communication figure: not modeled apart.
  nm("disable-custom-all-reduce", "bool", { negatable: true }),
  n("worker-cls", "str"),
  n("worker-extension-cls", "str"),
  m("enable-multimodal-encoder-data-parallel", "bool", "mmEncoderTpMode", { removedIn: "0.13.0", replacedBy: "--mm-encoder-tp-mode data" }),

  // --- CacheConfig ---------------------------------------------------------------------------------
  m("block-size", "int", "blockSize", { help: "KV cache block size in tokens", source: CACHE }),
  m("gpu-memory-utilization", "float", "gpuMemoryUtilization", { help: `share of each GPU's memory vLLM may use (default ${UTILIZATION_DEFAULT.before}; ${UTILIZATION_DEFAULT.from} from v0.${UTILIZATION_DEFAULT.sinceMinor})`, source: CACHE }),
  // CacheConfig.kv_cache_memory_bytes arrived with vllm PR #21489 (merged 2025-07, first in v0.10.1).
  m("kv-cache-memory-bytes", "hrint", "kvCacheMemoryBytes", { since: "0.10.1", help: "KV cache bytes per GPU, bypassing --gpu-memory-utilization (20G = 20 GiB, 20g = 20 GB)", source: CACHE }),
  // vLLM's CPU swap space (GiB of host memory); absent from CacheConfig after v0.18 (issue #11).
  n("swap-space", "float", { source: CACHE, removedIn: "0.19.0" }),
  // v0.7's arg_utils.py: choices=['auto', 'fp8', 'fp8_e5m2', 'fp8_e4m3']; later releases take the CacheDType
  // Literal of vllm/config/cache.py. The release in between that widened it is not verified: 0.8.0 is
  // assumed (the lenient side: a value is refused only where v0.7's list is known to apply).
  m("kv-cache-dtype", "str", "kvCacheDtype", { olderChoices: { until: "0.8.0", choices: KV_CACHE_DTYPES_BEFORE_0_8 }, help: "KV cache dtype (auto, fp8, fp8_e4m3, fp8_e5m2, bfloat16, ...)", choices: KV_CACHE_DTYPES, source: CACHE }),
  nm("num-gpu-blocks-override", "int", { source: CACHE }),
  n("enable-prefix-caching", "bool", { negatable: true, source: CACHE }),
  n("prefix-caching-hash-algo", "str", { source: CACHE }),
  // --cpu-offload-gb is GiB per GPU of weights kept in host memory (CacheConfig / OffloadConfig).
  m("cpu-offload-gb", "float", "cpuOffloadBytes", { help: "GiB of weights per GPU kept in CPU memory", source: CACHE }),
  n("cpu-offload-params", "list", { since: V11_1, source: "vllm/config/offload.py OffloadConfig" }),
  nm("offload-backend", "str", { since: V11_1, source: "vllm/config/offload.py OffloadConfig" }),
  nm("offload-group-size", "int", { since: V11_1, source: "vllm/config/offload.py OffloadConfig" }),
  nm("offload-num-in-group", "int", { since: V11_1, source: "vllm/config/offload.py OffloadConfig" }),
  n("offload-params", "list", { since: V11_1, source: "vllm/config/offload.py OffloadConfig" }),
  n("offload-prefetch-step", "int", { since: V11_1, source: "vllm/config/offload.py OffloadConfig" }),
  n("calculate-kv-scales", "bool", { negatable: true, source: CACHE }),
  n("kv-sharing-fast-prefill", "bool", { negatable: true, source: CACHE }),
  nm("mamba-cache-dtype", "str", { choices: MAMBA_DTYPES, source: CACHE }),
  m("mamba-ssm-cache-dtype", "str", "mambaSsmCacheDtype", { help: "Mamba SSM state dtype", choices: MAMBA_DTYPES, source: CACHE }),
  nm("mamba-block-size", "int", { source: CACHE }),
  nm("mamba-cache-mode", "str", { since: V11_1, choices: ["all", "align", "none"], source: CACHE }),
  // kv_offloading_size: "Size of the KV cache offloading buffer in GiB ... total ... across all TP ranks".
  m("kv-offloading-size", "float", "kvOffloadingBytes", { since: V11_1, help: "GiB of CPU memory for offloaded KV blocks (all TP ranks together)", source: CACHE }),
  m("kv-offloading-backend", "str", "kvOffloadingBackend", { since: V11_1, help: "native or lmcache", choices: ["native", "lmcache"], source: CACHE }),
  nm("kv-cache-dtype-skip-layers", "list", { since: V11_1, source: CACHE }),

  // --- MultiModalConfig ----------------------------------------------------------------------------
  m("limit-mm-per-prompt", "json", "limitMmPerPrompt", { help: "multimodal items per prompt, e.g. '{\"image\":1,\"video\":0}' or --limit-mm-per-prompt.image 1" }),
  n("enable-mm-embeds", "bool", { negatable: true }),
  n("media-io-kwargs", "json"),
  m("mm-processor-kwargs", "json", "mmProcessorKwargs", { help: "processor overrides, e.g. '{\"max_pixels\":1003520}' or --mm-processor-kwargs.max_pixels 1003520" }),
  // The processor cache is host memory (a mirrored LRU per API server and engine core, or shared memory),
  // not GPU memory: counted in the plan's host memory (core/host-memory.ts), so not memory-neutral.
  m("mm-processor-cache-gb", "float", "mmProcessorCacheBytes"),
  m("disable-mm-preprocessor-cache", "bool", "mmProcessorCacheBytes", { removedIn: "0.13.0", replacedBy: "--mm-processor-cache-gb 0" }),
  m("mm-processor-cache-type", "str", "mmProcessorCacheType"),
  n("mm-shm-cache-max-object-size-mb", "int"),
  nm("mm-encoder-only", "bool", { since: V11_1, negatable: true }),
  m("mm-encoder-tp-mode", "str", "mmEncoderTpMode", { help: "weights (shard the vision tower) or data (replicate it)", choices: ["weights", "data"] }),
  nm("mm-encoder-attn-backend", "str"),
  nm("mm-encoder-attn-dtype", "str", { since: V11_1 }),
  n("mm-encoder-fp8-scale-path", "str", { since: V11_1 }),
  n("mm-encoder-fp8-scale-save-path", "str", { since: V11_1 }),
  n("mm-encoder-fp8-scale-save-margin", "float", { since: V11_1 }),
  n("mm-tensor-ipc", "str", { since: V11_1 }),
  n("interleave-mm-strings", "bool", { negatable: true }),
  m("skip-mm-profiling", "bool", "skipMmProfiling", { help: "skip the multimodal encoder in the profile run", negatable: true }),
  n("video-pruning-rate", "float"),

  // --- LoRAConfig ----------------------------------------------------------------------------------
  m("enable-lora", "bool", "lora", { help: "LoRA adapters (with --max-loras, --max-lora-rank, --max-cpu-loras, --fully-sharded-loras, --lora-dtype)", negatable: true }),
  m("max-loras", "int", "lora"),
  m("max-lora-rank", "int", "lora"),
  m("lora-dtype", "str", "lora"),
  nm("enable-tower-connector-lora", "bool", { since: V11_1, negatable: true }),
  nm("lora-target-modules", "list", { since: V11_1 }),
  m("max-cpu-loras", "int", "lora"),
  m("fully-sharded-loras", "bool", "lora", { negatable: true }),
  n("default-mm-loras", "json"),
  n("specialize-active-lora", "bool", { since: V11_1, negatable: true }),
  nm("lora-extra-vocab-size", "int", { legacy: true }),
  nm("enable-lora-bias", "bool", { legacy: true }),

  // --- ObservabilityConfig -------------------------------------------------------------------------
  n("show-hidden-metrics-for-version", "str"),
  n("otlp-traces-endpoint", "str"),
  n("collect-detailed-traces", "list"),
  n("kv-cache-metrics", "bool", { since: V11_1, negatable: true }),
  n("kv-cache-metrics-sample", "float", { since: V11_1 }),
  n("cudagraph-metrics", "bool", { since: V11_1, negatable: true }),
  n("enable-layerwise-nvtx-tracing", "bool", { since: V11_1, negatable: true }),
  n("enable-mfu-metrics", "bool", { since: V11_1, negatable: true }),
  n("enable-logging-iteration-details", "bool", { since: V11_1, negatable: true }),
  n("enable-mm-processor-stats", "bool", { negatable: true, legacy: true }),
  n("disable-log-stats", "bool"),
  n("aggregate-engine-logging", "bool"),
  n("fail-on-environ-validation", "bool", { since: V11_1, negatable: true }),

  // --- SchedulerConfig -----------------------------------------------------------------------------
  m("max-num-batched-tokens", "hrint", "maxNumBatchedTokens", { help: "tokens per iteration (sizes the profile run)" }),
  m("max-num-seqs", "int", "maxNumSeqs", { help: "sequences per iteration" }),
  n("max-num-partial-prefills", "int"),
  n("max-long-partial-prefills", "int"),
  n("long-prefill-token-threshold", "int"),
  n("num-lookahead-slots", "int", { legacy: true }),
  n("scheduling-policy", "str", { choices: ["fcfs", "priority"] }),
  n("enable-chunked-prefill", "bool", { negatable: true }),
  n("disable-chunked-mm-input", "bool", { negatable: true }),
  n("scheduler-cls", "str"),
  m("disable-hybrid-kv-cache-manager", "bool", "disableHybridKvCacheManager", { help: "store every token in every layer (sliding-window models)", negatable: true }),
  n("async-scheduling", "bool", { negatable: true }),
  n("stream-interval", "int", { since: V11_1 }),
  n("scheduler-reserve-full-isl", "bool", { since: V11_1, negatable: true }),

  // --- CompilationConfig / VllmConfig ---------------------------------------------------------------
  m("cudagraph-capture-sizes", "list", "compilation", { help: "batch sizes captured as CUDA graphs" }),
  m("cuda-graph-sizes", "list", "compilation", { removedIn: "0.13.0", replacedBy: "--cudagraph-capture-sizes" }),
  m("max-cudagraph-capture-size", "int", "compilation", { help: "largest batch size captured as a CUDA graph" }),
  nm("max-seq-len-to-capture", "int", { removedIn: "0.11.0", replacedBy: "--max-cudagraph-capture-size" }),
  m("speculative-config", "json", "speculative", { short: ["sc"], help: "speculative decoding, JSON or dotted (--speculative-config.method mtp)" }),
  nm("kv-transfer-config", "json"),
  n("kv-events-config", "json"),
  nm("ec-transfer-config", "json", { since: V11_1 }),
  m("compilation-config", "json", "compilation", { help: "torch.compile / CUDA-graph settings, JSON or dotted (also -cc; -O<n> sets the level)", short: ["cc"] }),
  // -O<n> / -O <n> (argparse_utils.py: "--optimization-level"); older releases read -O3 as compilation level 3.
  m("optimization-level", "str", "compilation", { since: V11_1 }),
  n("performance-mode", "str", { since: V11_1 }),
  n("reasoning-config", "json", { since: V11_1 }),
  n("shutdown-timeout", "int", { since: V11_1 }),
  nm("additional-config", "json"),
  n("profiler-config", "json", { since: V11_1 }),
  n("weight-transfer-config", "json", { since: V11_1 }),
  n("tokens-only", "bool", { negatable: true, source: FRONTEND }),

  // --- Older releases' engine flags (gone from the newest arg_utils.py) -------------------------------
  // --device cpu is not a GPU deployment; other values are accepted and planned as CUDA.
  m("device", "str", "device", { source: "vllm/engine/arg_utils.py DEVICE_OPTIONS (v0.6-v0.10)", legacy: true }),
  n("use-v2-block-manager", "bool", { legacy: true }),
  n("num-scheduler-steps", "int", { legacy: true }),
  n("multi-step-stream-outputs", "bool", { negatable: true, legacy: true }),
  n("scheduler-delay-factor", "float", { legacy: true }),
  n("preemption-mode", "str", { legacy: true }),
  n("disable-async-output-proc", "bool", { legacy: true }),
  n("tokenizer-pool-size", "int", { legacy: true }),
  n("tokenizer-pool-type", "str", { legacy: true }),
  n("tokenizer-pool-extra-config", "json", { legacy: true }),
  nm("rope-scaling", "json", { legacy: true }),
  nm("rope-theta", "float", { legacy: true }),
  nm("speculative-model", "str", { legacy: true }),
  nm("num-speculative-tokens", "int", { legacy: true }),
  n("ngram-prompt-lookup-max", "int", { legacy: true }),
  n("ngram-prompt-lookup-min", "int", { legacy: true }),
  n("enable-prompt-adapter", "bool", { legacy: true }),
  n("max-prompt-adapters", "int", { legacy: true }),
  n("max-prompt-adapter-token", "int", { legacy: true }),
  n("long-lora-scaling-factors", "list", { legacy: true }),
  n("qlora-adapter-name-or-path", "str", { legacy: true }),
  n("override-neuron-config", "json", { legacy: true }),

  // --- FrontendArgs --------------------------------------------------------------------------------
  fe("host", "str"),
  fe("port", "int"),
  fe("uds", "str"),
  fe("uvicorn-log-level", "str", { choices: ["critical", "error", "warning", "info", "debug", "trace"] }),
  fe("disable-uvicorn-access-log", "bool", { negatable: true }),
  fe("disable-access-log-for-endpoints", "str"),
  fe("allow-credentials", "bool", { negatable: true }),
  fe("allowed-origins", "json"),
  fe("allowed-methods", "json"),
  fe("allowed-headers", "json"),
  fe("api-key", "list"),
  fe("lora-modules", "list"),
  fe("prompt-adapters", "list", { legacy: true }),
  fe("chat-template", "str"),
  fe("chat-template-content-format", "str"),
  fe("trust-request-chat-template", "bool", { negatable: true }),
  fe("default-chat-template-kwargs", "json"),
  fe("response-role", "str"),
  fe("ssl-keyfile", "str"),
  fe("ssl-certfile", "str"),
  fe("ssl-ca-certs", "str"),
  fe("enable-ssl-refresh", "bool", { negatable: true }),
  fe("ssl-cert-reqs", "int"),
  fe("ssl-ciphers", "str"),
  fe("root-path", "str"),
  fe("middleware", "list"),
  fe("return-tokens-as-token-ids", "bool", { negatable: true }),
  fe("disable-frontend-multiprocessing", "bool", { negatable: true }),
  fe("enable-request-id-headers", "bool", { negatable: true }),
  fe("enable-auto-tool-choice", "bool", { negatable: true }),
  fe("exclude-tools-when-tool-choice-none", "bool", { negatable: true }),
  fe("tool-call-parser", "str"),
  fe("tool-parser-plugin", "str"),
  fe("tool-server", "str"),
  fe("log-config-file", "str"),
  fe("max-log-len", "int"),
  fe("disable-fastapi-docs", "bool", { negatable: true }),
  fe("enable-offline-docs", "bool", { negatable: true }),
  fe("enable-prompt-tokens-details", "bool", { negatable: true }),
  fe("enable-per-request-metrics", "bool", { negatable: true }),
  fe("enable-server-load-tracking", "bool", { negatable: true }),
  fe("enable-force-include-usage", "bool", { negatable: true }),
  fe("enable-tokenizer-info-endpoint", "bool", { negatable: true }),
  fe("enable-log-outputs", "bool", { negatable: true }),
  fe("enable-log-deltas", "bool", { negatable: true }),
  fe("enable-log-requests", "bool", { negatable: true }),
  fe("disable-log-requests", "bool", { negatable: true, legacy: true }),
  fe("log-error-stack", "bool", { negatable: true }),
  fe("h11-max-incomplete-event-size", "int"),
  fe("h11-max-header-count", "int"),
  fe("enable-flash-late-interaction", "bool", { negatable: true }),
  fe("cohere-is-reasoning-model", "bool", { negatable: true }),
  fe("cohere-format", "str"),
  fe("fingerprint-mode", "str", { choices: ["full", "hash", "custom", "none"] }),
  fe("fingerprint-value", "str"),
  fe("data-parallel-supervisor-port", "int"),
  fe("dp-supervisor-probe-interval-s", "float"),
  fe("dp-supervisor-probe-timeout-s", "float"),
  fe("dp-supervisor-probe-failure-threshold", "int"),
  fe("enable-reasoning", "bool", { legacy: true }),

  // --- vram-plan's own flags that sit beside vLLM's (not vLLM arguments) ---------------------------
  m("vllm-version", "str", "vllmVersion", { help: "vLLM release whose accounting to model (default: newest modeled)", vramPlan: true, source: "vram-plan: the vLLM release to model" }),
  m("usage-context", "str", "usageContext", { help: "server (vllm serve) or offline (the LLM class): they have different defaults", vramPlan: true, choices: ["server", "offline"], source: "vram-plan: vllm serve (server) or the LLM class (offline)" }),
  m("other-process-memory", "str", "otherProcessBytes", { help: "memory other processes already hold on each GPU at start-up", vramPlan: true, source: "vram-plan: memory other processes hold on each GPU" }),
  // vram-plan's own size spelling: also a what-if at any release (the bench replays older logs' KV memory with
  // it), so only vLLM's real flag above carries the v0.10.1 boundary.
  m("kv-cache-memory", "str", "kvCacheMemoryBytes", { help: "KV cache size per GPU as a size (20GiB), like --kv-cache-memory-bytes", vramPlan: true, source: "vram-plan: --kv-cache-memory-bytes with sizes such as 20GiB" }),
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

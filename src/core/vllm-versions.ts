// What changes in vLLM's start-up memory accounting from release to release, and its defaults.
// Each rule names the release it comes from and its evidence (a vLLM PR or issue, a file read, or a log in fixtures/).
import { VersionError } from "./errors.js";

export interface VllmRules {
  version: string;
  /** V0 engine (<= 0.7; 0.8+ default V1, PR #13726). */
  engine: "v0" | "v1";
  /** CacheConfig.gpu_memory_utilization default: 0.90, 0.92 from v0.21.0 (PR #38284). */
  defaultUtilization: number;
  /** Worker.init_device raises "Free memory on device ... on startup is less than desired" (present by v0.9.1, issue #20305). */
  startupFreeCheck: boolean;
  /** CUDA-graph memory estimate subtracted from the KV budget (default on from v0.21.0, PR #30515/#38284). */
  cudaGraphEstimate: boolean;
  /**
   * Model Runner V2 (default for dense models from 0.25.1, PR #44443) returned a CUDA-graph estimate of 0
   * (its profile_cudagraph_memory stub, issue #49224, reported on 0.25.1). Not on 0.26.0: an MRv1/MRv2 A/B
   * there shows MRv2 reserving ~0.10 GiB of capture memory (issue #50159), and a 0.27.1 Qwen2.5-7B start-up
   * on an L4 loses 1.76 GiB of KV cache to graphs against --enforce-eager (issue #12 of this project).
   */
  mrv2ZeroEstimateForDense: boolean;
  /**
   * Model Runner V2 (vllm/v1/worker/gpu/model_runner.py) runs dense models from 0.25.1 (PR #44443). Its
   * profile-run sampler warm-up (_dummy_sampler_run) samples a dummy batch that asks for no top-k, top-p,
   * min-p or logprobs, so gpu/sample/sampler.py Sampler.sample allocates only the FP32 copy of the logits
   * (apply_top_k_top_p runs only when a request asks for it; gumbel_sample writes one token per row).
   */
  modelRunnerV2ForDense: boolean;
  /**
   * Model Runner V2 (0.26-0.28, dense models) loses one caching-allocator segment of the hidden states' size class
   * per further captured size before KV sizing (cuda-graphs.ts SECOND_CAPTURE): 20 MiB when N × hidden × dtype
   * ≥ 1 MiB, 2 MiB below. Two dense 0.27.1 start-ups on Model Runner V2 show it — Qwen2.5-7B on an L4 has
   * 1.76 GiB less KV cache than with --enforce-eager (issue #12 of this project: 122 MiB + 84 × 20 MiB), and
   * Qwen3-32B on an RTX PRO 6000 logs −24.42 GiB available (fixtures/vllm-logs/raw/code-qwen3-32b-rtxpro6000-
   * v0.27.1-tp1-fails.md: ≈2.4 GiB of non-KV memory beyond weights, activations and non-torch, 100 further graphs);
   * Qwen2.5-0.5B on 0.26.0 (hidden states < 1 MiB) loses ~0.10 GiB (vllm issue #50159). Which tensor stays per
   * size was not found in the source read (its profile_cudagraph_memory is still the stub in 0036d38d). 0.29
   * gave Model Runner V2 its own CUDA-graph memory profiling (PR #53306, 0.29.0 release notes); no 0.29 log
   * with graphs was found, so 0.29 keeps the per-layer figure.
   */
  mrv2SegmentPerGraph: boolean;
  /** API-server max_num_batched_tokens on >= 70 GiB non-A100 GPUs: 8192, 16384 from ≈v0.28 (PR #51726). */
  largeGpuServerBatchedTokens: number;
  /**
   * Sampler warm-up temporaries in bytes per (row × vocab) element, beyond the model-dtype logits:
   * native top-k/top-p (topk_topp_sampler.py apply_top_k_top_p @3babc05a035b: fp32 copy 4, sort
   * values 4 + int64 indices 8, two bool masks 2, softmax 4, scatter 4 = 26, plus torch.sort's radix
   * scratch, measured in fixtures/torch/sampler-h100.json "sort_scratch_bytes_per_element") until the
   * in-place Triton top-k/top-p kernel (topk_topp_triton.py @08a5723242bd; fp32 copy 4 + softmax 4 + exponential q 4 = 12).
   */
  samplerInPlaceTopKTopP: boolean;
  /** Default cudagraph capture list: ≈0.8–0.10 [1,2,4]+8k up to 512 (67 sizes); later [1,2,4]+range(8,256,8)+range(256,max+1,16). */
  captureListStyle: "v1-early" | "v1";
  /** FULL_AND_PIECEWISE cudagraph mode default from ≈v0.11 (FULL decode graphs added). */
  fullDecodeGraphs: boolean;
  /**
   * "GPU KV cache size" = int(max_concurrency × max_model_len) (kv_cache_utils._report_kv_cache_config,
   * later get_kv_cache_capacity) instead of num_blocks // num_groups × block_size. Old on the v0.20.0
   * release (fixtures/hybrid/logs.json, 53,312 tokens at 5.15x of 32,768), new on v0.24.0. The change was
   * made on main after the v0.20 release branch was cut (≈May 2026; the code comment "Sourcing this from
   * the concurrency calculation handles hybrid layouts correctly" arrived with vllm PR #40946, "Cap
   * SWA/chunked-local runtime admission to startup pool-sizing bound", opened 2026-04-27; the issues
   * #40691/#38364/#40694 asked for it): so every 0.21+ release has it, 0.20.x releases do not, and main's
   * development builds versioned 0.20.2.devN (after the v0.20.1 tag) already print it.
   */
  tokensFromConcurrency: boolean;
  /** Rules of hybrid attention + Mamba / Gated DeltaNet models (src/core/hybrid-kv.ts). */
  hybrid: HybridRules;
  /** Memory-feature rules (LoRA, speculative decoding, offload, --max-model-len auto; src/core/memory-features.ts). */
  features: FeatureRules;
  host: HostRules;
}

/** Per-release rules of the memory features of issue #11. */
export interface FeatureRules {
  /**
   * LoRA: every capture size is captured without and with LoRA (cudagraph_specialize_lora, default
   * True; vllm/v1/cudagraph_dispatcher.py _get_lora_cases; PR #25914 merged Oct 2025 → v0.11.1).
   */
  loraGraphsTwice: boolean;
  /**
   * Speculative decoding widens the default capture ceiling to min(max_num_seqs × (1 + K) × 2, 512)
   * (vllm/config/vllm.py _set_cudagraph_sizes, decode_query_len = 1 + num_speculative_tokens; the
   * PR #50488 diff shows it as the code before Jul 2026; PR #32326, Jan 2026, describes it as the
   * current default; likely from PR #30330, merged Dec 2025: boundary v0.13, unverified). Before:
   * min(max_num_seqs × 2, 512).
   */
  specCaptureScaling: boolean;
  /**
   * The default capture list also holds the uniform decode sizes n × (1 + K) for the request counts
   * n of the [1, 2, 4] + 8 + 16 grid (vllm/config/vllm.py _set_cudagraph_sizes request_counts, read
   * at 000fc94b754f; PR #50488 merged 2026-07-31: boundary v0.28, unverified).
   */
  specUniformDecodeSizes: boolean;
  /** --max-model-len auto / -1 is planned (MAX_MODEL_LEN_AUTO). */
  maxModelLenAuto: boolean;
  /**
   * --cpu-offload-gb is silently ignored when Model Runner V2 runs the model: V2 never installs the
   * offloader (issue #51396, Aug 2026, open; fixes #48468/#51462 not merged). V2 is the default for
   * dense models from 0.25.1 (PR #44443); assumed still so through the newest modeled release.
   */
  cpuOffloadIgnoredOnMrv2: boolean;
}

/** Host-memory rules per release (issue #15.3; core/host-memory.ts). */
export interface HostRules {
  /**
   * Bytes of one chunk of the executor's broadcast queue (vllm/v1/executor/multiproc_executor.py
   * MultiprocExecutor._init_executor: max_chunk_bytes = envs.VLLM_MQ_MAX_CHUNK_BYTES_MB (default 16)
   * MiB). Older V1 executors used MessageQueue's own default, 10 MiB (shm_broadcast.py). Boundary
   * v0.11 unverified.
   */
  rpcChunkBytes: number;
  /**
   * The native KV offload pool lives in /dev/shm (SharedOffloadRegion, PR #50094; issue #53042 reports
   * it as Shmem on 0.26.0): from 0.26. Before, each worker pins its share with torch's
   * CUDACachingHostAllocator, which rounds every allocation up to a power of two (PR #48436, PR #50094's
   * measurements: 6 → 8, 10 → 16, 12 → 16 GiB).
   */
  kvOffloadInShm: boolean;
  /**
   * The multimodal processor cache exists (--mm-processor-cache-gb, default 4 GiB; earlier the
   * VLLM_MM_INPUT_CACHE_GIB environment variable, also 4): from v0.8 (boundary unverified).
   */
  mmCache: boolean;
}

/** The hybrid-model rules that changed between vLLM releases (one part of VllmRules). */
export interface HybridRules {
  /** Prefix caching may be on for hybrid models (v0.10.x force-disables it in MambaModelConfig). */
  prefixCachingAllowed: boolean;
  /** "align" mamba cache mode exists (PR #30877, merged Jan 2026; v0.14+, boundary unverified). */
  hasAlignMode: boolean;
  /**
   * Block rounding uses kernel_block_alignment_size = max(backend min block, cache_config.block_size)
   * and "all" mode uses lcm(chunk, alignment) (Platform._align_hybrid_block_size). Older code
   * (models/config.py HybridAttentionMambaModelConfig, v0.10-v0.13) used a fixed 16 and chunk_size.
   * Boundary v0.14 unverified; with default block size 16 both give the same answer.
   */
  kernelAlignment: boolean;
  /** The same rule as VllmRules.tokensFromConcurrency (the hybrid token report follows it too). */
  tokensFromConcurrency: boolean;
  /**
   * What happens when FULL CUDA graphs are on and max_num_seqs > mamba blocks:
   * "none" (<0.17), "cap" (capture sizes capped, PR #34571, v0.17-v0.18),
   * "raise" (ValueError, PR #38270 merged 2026-03-26, v0.19+).
   */
  mambaSlotCheck: "none" | "cap" | "raise";
}

export interface ParsedVersion {
  major: number;
  minor: number;
  patch: number;
  /** A development build of main (setuptools_scm "X.Y.Z.devN" / "X.Y.ZrcK.devN"), not a release. */
  dev?: boolean;
}

/** "latest" (vllm/vllm-openai:latest, pip's newest) is planned with the newest modeled rules. */
export const LATEST = "latest";

/** The version, or null when it is not one (the edges' test: they name the flag or file in their error). */
export function parseVersion(text: string): ParsedVersion | null {
  if (text.trim().toLowerCase() === LATEST) return parseVersion(NEWEST_MODELED);
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:\.?rc\d+)?(\.?dev\d*)?/.exec(text.trim());
  if (!match) return null;
  const parsed: ParsedVersion = { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
  if (match[4]) parsed.dev = true;
  return parsed;
}

function atLeast(version: ParsedVersion, minor: number, patch = 0): boolean {
  if (version.major !== 0) return version.major > 0;
  return version.minor > minor || (version.minor === minor && version.patch >= patch);
}

/**
 * CacheConfig.gpu_memory_utilization's default (vllm/config/cache.py `Field(default=0.9, gt=0, le=1)`),
 * raised to 0.92 in v0.21.0 (PR #38284): the one place that knows it (rules, --help, --explain read it).
 */
export const UTILIZATION_DEFAULT = { before: 0.9, from: 0.92, sinceMinor: 21, source: "PR #38284" } as const;

/** "0.92 from v0.21.0, PR #38284; 0.9 before": the default's history, for --explain. */
export const UTILIZATION_DEFAULT_HISTORY = `${UTILIZATION_DEFAULT.from} from v0.${UTILIZATION_DEFAULT.sinceMinor}.0, ${UTILIZATION_DEFAULT.source}; ${UTILIZATION_DEFAULT.before} before`;

/**
 * --max-model-len auto / -1: argparse_utils.py human_readable_int_or_auto reads it and
 * kv_cache_utils._auto_fit_max_model_len sizes it (PR #29431, opened 2025-11-25: boundary v0.12,
 * unverified). Before, -1 / "auto" is not a valid length. The one place that knows the release
 * (FeatureRules.maxModelLenAuto, ArgRules.maxModelLenAuto and their messages read it).
 */
export const MAX_MODEL_LEN_AUTO = { sinceMinor: 12, source: "PR #29431" } as const;

/**
 * How a release's argument parser reads a flag's words: sources/vllm-flags.ts asks argRules for the
 * release it reads for. Kept apart from VllmRules because reading comes before planning: it holds for
 * releases older than the oldest modeled too (a log's or an image tag's release).
 */
export interface ArgRules {
  /** --max-model-len takes "auto" / -1 (MAX_MODEL_LEN_AUTO). */
  maxModelLenAuto: boolean;
  /**
   * --limit-mm-per-prompt is JSON only ({"image": 2}): from v0.10.0 (vLLM issue #21615 "worked with 0.9.2,
   * but no longer in 0.10.0"; issue #39687 "Value image=4,audio=1 cannot be converted"). Through v0.9.2
   * arg_utils.py nullable_kvs also read KEY=VALUE items, comma-separated.
   */
  limitMmJsonOnly: boolean;
  /**
   * -O<n> / -O <n> is --optimization-level (newer FlexibleArgumentParser); before, -O was
   * --compilation-config's alias (v0.11's arg_utils.py: -O3, -O '{"level": 3}'). The v0.12 boundary lies
   * between the v0.11 and v0.13 sources read and is not verified.
   */
  dashOIsOptimizationLevel: boolean;
}

/** The engine a release runs by default: V0 up to 0.7, V1 from 0.8 (PR #13726). For any readable release, modeled or older. */
export function engineOf(version: string | ParsedVersion): "v0" | "v1" {
  return atLeast(versionOf(version), 8) ? "v1" : "v0";
}

/** How `version`'s parser reads flags (an unreadable version throws VersionError, as compareVersions does). */
export function argRules(version: string | ParsedVersion): ArgRules {
  const parsed = versionOf(version);
  return {
    maxModelLenAuto: atLeast(parsed, MAX_MODEL_LEN_AUTO.sinceMinor),
    limitMmJsonOnly: atLeast(parsed, 10),
    dashOIsOptimizationLevel: atLeast(parsed, 12),
  };
}

/** The newest release whose accounting vram-plan models (default of --vllm-version). */
export const NEWEST_MODELED = "0.29.0";
/** The oldest release whose arithmetic vram-plan models. */
export const OLDEST_MODELED = "0.6.0";

const rulesCache = new Map<string, VllmRules | null>();

export function rulesFor(version: string): VllmRules | null {
  if (version.trim().toLowerCase() === LATEST) return rulesFor(NEWEST_MODELED);
  let rules = rulesCache.get(version);
  if (rules === undefined) {
    rules = computeRules(version);
    rulesCache.set(version, rules);
  }
  return rules;
}

/**
 * Whether a version is beyond what vram-plan models ("latest", or newer than NEWEST_MODELED): such a
 * version is planned with the newest modeled rules, and the plan says so (VLLM_VERSION_NOT_MODELED).
 */
export function beyondModeled(version: string): boolean {
  if (version.trim().toLowerCase() === LATEST) return true;
  return compareVersions(version, NEWEST_MODELED) > 0;
}

/** The version, read once: a string that is not one throws VersionError (it has no place in the order). */
export function versionOf(given: string | ParsedVersion): ParsedVersion {
  if (typeof given !== "string") return given;
  const parsed = parseVersion(given);
  if (!parsed) throw new VersionError(`'${given.length > 40 ? `${given.slice(0, 40)}…` : given}' is not a vLLM version such as 0.11.0`);
  return parsed;
}

/**
 * Releases in order: negative when `a` is older than `b`, 0 when the same release, positive when newer.
 * Both sides are read by versionOf, so an unreadable one throws instead of passing for "the same".
 */
export function compareVersions(a: string | ParsedVersion, b: string | ParsedVersion): number {
  const versionA = versionOf(a);
  const versionB = versionOf(b);
  return versionA.major - versionB.major || versionA.minor - versionB.minor || versionA.patch - versionB.patch;
}

function computeRules(version: string): VllmRules | null {
  const asked = parseVersion(version);
  if (!asked) return null;
  if (asked.major === 0 && asked.minor < 6) return null;
  // Newer than modeled: the newest modeled release's rules, under the version asked for.
  const parsed = beyondModeled(version) ? (parseVersion(NEWEST_MODELED) as ParsedVersion) : asked;
  const tokensFromConcurrency = atLeast(parsed, 21) || (asked.dev === true && asked.major === 0 && asked.minor === 20 && asked.patch >= 2);
  return {
    version: `${asked.major}.${asked.minor}.${asked.patch}`,
    engine: engineOf(parsed),
    defaultUtilization: atLeast(parsed, UTILIZATION_DEFAULT.sinceMinor) ? UTILIZATION_DEFAULT.from : UTILIZATION_DEFAULT.before,
    startupFreeCheck: atLeast(parsed, 9),
    cudaGraphEstimate: atLeast(parsed, 21),
    mrv2ZeroEstimateForDense: atLeast(parsed, 25, 1) && !atLeast(parsed, 26),
    modelRunnerV2ForDense: atLeast(parsed, 25, 1),
    mrv2SegmentPerGraph: atLeast(parsed, 26) && !atLeast(parsed, 29),
    largeGpuServerBatchedTokens: atLeast(parsed, 28) ? 16384 : 8192,
    // The Triton top-k/top-p kernel is in 2026 main; the release that introduced it was not
    // pinned down (assumed ≈0.17, the first 2026 release line). Evidence that it is in place by
    // 0.21: a Qwen3-8B start-up whose whole non-KV budget (0.92 GiB) is below the native sampler's need.
    samplerInPlaceTopKTopP: atLeast(parsed, 17),
    captureListStyle: atLeast(parsed, 11) ? "v1" : "v1-early",
    fullDecodeGraphs: atLeast(parsed, 11),
    tokensFromConcurrency,
    hybrid: {
      prefixCachingAllowed: atLeast(parsed, 11),
      hasAlignMode: atLeast(parsed, 14),
      kernelAlignment: atLeast(parsed, 14),
      tokensFromConcurrency,
      mambaSlotCheck: atLeast(parsed, 19) ? "raise" : atLeast(parsed, 17) ? "cap" : "none",
    },
    features: {
      loraGraphsTwice: atLeast(parsed, 11, 1),
      specCaptureScaling: atLeast(parsed, 13),
      specUniformDecodeSizes: atLeast(parsed, 28),
      maxModelLenAuto: atLeast(parsed, MAX_MODEL_LEN_AUTO.sinceMinor),
      cpuOffloadIgnoredOnMrv2: atLeast(parsed, 25, 1),
    },
    host: {
      rpcChunkBytes: (atLeast(parsed, 11) ? 16 : 10) * 2 ** 20,
      kvOffloadInShm: atLeast(parsed, 26),
      mmCache: atLeast(parsed, 8),
    },
  };
}

/**
 * The rules of a release, or of the newest modeled release when the version is absent or not
 * modeled (what planDeployment does with --vllm-version).
 */
export function rulesOrNewest(version?: string): VllmRules {
  return (version !== undefined ? rulesFor(version) : null) ?? (rulesFor(NEWEST_MODELED) as VllmRules);
}

/** The hybrid-model part of a release's rules (absent / unknown version: the newest modeled). */
export function hybridRules(version?: string): HybridRules {
  return rulesOrNewest(version).hybrid;
}

/** The memory from which a GPU gets EngineArgs._set_default_args' large-GPU table (unless it is an A100). */
export const LARGE_GPU_MIN_BYTES = 70 * 2 ** 30;

/** Whether vLLM's V1 batch defaults take the large-GPU table for this GPU (batchDefaults; --explain names it). */
export function largeGpuTable(gpuTotalBytes: number, gpuName: string): boolean {
  return gpuTotalBytes >= LARGE_GPU_MIN_BYTES && !isA100(gpuName);
}

const a100Names = new Map<string, boolean>();
function isA100(name: string): boolean {
  let isA100 = a100Names.get(name);
  if (isA100 === undefined) a100Names.set(name, (isA100 = name.toLowerCase().includes("a100")));
  return isA100;
}

export interface BatchDefaults {
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  chunkedPrefill: boolean;
}

/**
 * vllm/engine/arg_utils.py EngineArgs._set_default_args (@99d7eb5d6a51, ≈v0.11; same table in the
 * later get_batch_defaults): GPUs with >= 70 GiB whose name lacks "a100" get 16384 (LLM class) /
 * 8192 (API server) tokens and 1024 sequences; others 8192 / 2048 tokens and 256 sequences.
 * max_num_seqs is capped at max_num_batched_tokens. V0: 256 sequences, chunked prefill only when
 * max_model_len > 32768 (then 2048 tokens, PR #10544), else max(max_model_len, 2048).
 */
export function batchDefaults(rules: VllmRules, gpuTotalBytes: number, gpuName: string, context: "server" | "offline", maxModelLen: number, userSeqs?: number, userTokens?: number): BatchDefaults {
  if (rules.engine === "v0") {
    const chunked = maxModelLen > 32768;
    const tokens = userTokens ?? (chunked ? 2048 : Math.max(maxModelLen, 2048));
    return { maxNumSeqs: Math.min(userSeqs ?? 256, tokens), maxNumBatchedTokens: tokens, chunkedPrefill: chunked };
  }
  const large = largeGpuTable(gpuTotalBytes, gpuName);
  const defTokens = large ? (context === "offline" ? 16384 : rules.largeGpuServerBatchedTokens) : context === "offline" ? 8192 : 2048;
  const defSeqs = large ? 1024 : 256;
  const tokens = userTokens ?? defTokens;
  return { maxNumSeqs: userSeqs ?? Math.min(defSeqs, tokens), maxNumBatchedTokens: tokens, chunkedPrefill: true };
}

/** What a user's --speculative-config / --compilation-config change in the capture list. */
export interface CaptureOptions {
  /** num_speculative_tokens (K): uniform decode batches are 1 + K tokens per request. */
  numSpeculativeTokens?: number;
  /** compilation_config.cudagraph_capture_sizes as given. */
  sizes?: readonly number[];
  /** compilation_config.max_cudagraph_capture_size / --max-cudagraph-capture-size. */
  maxCaptureSize?: number;
  /** compilation_config.cudagraph_mode (NONE, PIECEWISE, FULL, FULL_DECODE_ONLY, FULL_AND_PIECEWISE). */
  mode?: string;
}

/**
 * The capture sizes, ascending, as vllm/config/vllm.py _set_cudagraph_sizes builds them (read at
 * 000fc94b754f): user sizes (deduplicated, those ≤ max_num_batched_tokens); else the grid
 * [1, 2, 4] + range(8, min(max + 1, 256), 8) + range(256, max + 1, 16) up to
 * max = min(max_cudagraph_capture_size or min(max_num_seqs × q × 2, 512), max_num_batched_tokens),
 * q = 1 + K (only from specCaptureScaling), plus (specUniformDecodeSizes, max not given) the uniform
 * decode sizes n × q ≤ max. Early V1 (≤ 0.10): [1, 2, 4] + 8·i up to 512.
 */
export function captureSizeList(rules: VllmRules, maxNumSeqs: number, maxNumBatchedTokens: number, opts: CaptureOptions = {}): number[] {
  const speculativeTokens = opts.numSpeculativeTokens ?? 0;
  const decodeTokens = 1 + speculativeTokens;
  if (opts.sizes && opts.sizes.length > 0) return [...new Set(opts.sizes)].filter((x) => x >= 1 && x <= maxNumBatchedTokens).sort((x, y) => x - y);
  const scale = rules.features.specCaptureScaling ? decodeTokens : 1;
  const max = Math.min(opts.maxCaptureSize ?? Math.min(maxNumSeqs * scale * 2, 512), maxNumBatchedTokens);
  const out: number[] = [1, 2, 4].filter((x) => x <= max);
  if (rules.captureListStyle === "v1-early") {
    for (let x = 8; x <= Math.min(max, 512); x += 8) out.push(x);
    return out;
  }
  for (let x = 8; x < Math.min(max + 1, 256); x += 8) out.push(x);
  for (let x = 256; x <= max; x += 16) out.push(x);
  if (rules.features.specUniformDecodeSizes && decodeTokens > 1 && opts.maxCaptureSize === undefined) {
    // request_counts(max_num_seqs): [1, 2, 4] + range(8, min(n + 1, 256), 8) + range(256, n + 1, 16) + [n], n ≤ 512.
    const n = Math.min(maxNumSeqs, 512);
    const counts = new Set<number>([1, 2, 4].filter((x) => x <= n));
    for (let x = 8; x < Math.min(n + 1, 256); x += 8) counts.add(x);
    for (let x = 256; x <= n; x += 16) counts.add(x);
    counts.add(n);
    const have = new Set(out);
    for (const c of counts) if (c * decodeTokens <= max && !have.has(c * decodeTokens)) out.push(c * decodeTokens);
    out.sort((x, y) => x - y);
  }
  return out;
}

/**
 * Graphs per mode from a capture list. PIECEWISE graphs: every size. FULL decode graphs
 * (FULL_AND_PIECEWISE, FULL_DECODE_ONLY): sizes q ≤ x ≤ max_num_seqs × q
 * (vllm/v1/cudagraph_dispatcher.py initialize_cudagraph_keys: uniform_decode_query_len ×
 * max_num_seqs). FULL: every size as a full graph.
 */
export function capturesByMode(rules: VllmRules, list: readonly number[], maxNumSeqs: number, opts: CaptureOptions = {}): { piecewise: number; full: number; largest: number } {
  const decodeTokens = 1 + (opts.numSpeculativeTokens ?? 0);
  const largest = list.length > 0 ? (list[list.length - 1] ?? 0) : 0;
  const mode = (opts.mode ?? (rules.fullDecodeGraphs ? "FULL_AND_PIECEWISE" : "PIECEWISE")).toUpperCase();
  const decode = list.filter((x) => x >= decodeTokens && x <= maxNumSeqs * decodeTokens).length;
  switch (mode) {
    case "NONE":
      return { piecewise: 0, full: 0, largest: 0 };
    case "PIECEWISE":
      return { piecewise: list.length, full: 0, largest };
    case "FULL":
      return { piecewise: 0, full: list.length, largest };
    case "FULL_DECODE_ONLY":
      return { piecewise: 0, full: decode, largest };
    default:
      return { piecewise: list.length, full: rules.fullDecodeGraphs ? decode : 0, largest };
  }
}

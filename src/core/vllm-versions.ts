// What changes in vLLM's start-up memory accounting from release to release, and its defaults.
// Each rule names the release it comes from and its evidence (see ../shared/VLLM-MEMORY.md §9).

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
  /** Model Runner V2 (default for dense models 0.25.1 until ≈0.28, PR #44443) returned an estimate of 0 (issue #49224). */
  mrv2ZeroEstimateForDense: boolean;
  /** API-server max_num_batched_tokens on >= 70 GiB non-A100 GPUs: 8192, 16384 from ≈v0.28 (PR #51726). */
  largeGpuServerBatchedTokens: number;
  /**
   * Sampler warm-up temporaries in bytes per (row × vocab) element, beyond the model-dtype logits:
   * native top-k/top-p (topk_topp_sampler.py apply_top_k_top_p @3babc05a035b: fp32 copy 4, sort
   * values 4 + int64 indices 8, two bool masks 2, softmax 4, scatter 4 = 26, plus torch.sort's radix
   * scratch, measured in fixtures/torch/sort-scratch.json) until the in-place Triton top-k/top-p
   * kernel (topk_topp_triton.py @08a5723242bd; fp32 copy 4 + softmax 4 + exponential q 4 = 12).
   */
  samplerInPlaceTopKTopP: boolean;
  /** Default cudagraph capture list: ≈0.8–0.10 [1,2,4]+8k up to 512 (67 sizes); later [1,2,4]+range(8,256,8)+range(256,max+1,16). */
  captureListStyle: "v1-early" | "v1";
  /** FULL_AND_PIECEWISE cudagraph mode default from ≈v0.11 (FULL decode graphs added). */
  fullDecodeGraphs: boolean;
  /**
   * "GPU KV cache size" = int(max_concurrency × max_model_len) (kv_cache_utils.get_kv_cache_capacity)
   * instead of num_blocks // num_groups × block_size: verified old on v0.20.0, new on v0.24.0
   * (fixtures/hybrid/logs.json); boundary set at v0.21, unverified.
   */
  tokensFromConcurrency: boolean;
  /** Rules of hybrid attention + Mamba / Gated DeltaNet models (src/core/hybrid-kv.ts). */
  hybrid: HybridRules;
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
}

/** "latest" (vllm/vllm-openai:latest, pip's newest) is planned with the newest modelled rules. */
export const LATEST = "latest";

export function parseVersion(v: string): ParsedVersion | null {
  if (v.trim().toLowerCase() === LATEST) return parseVersion(NEWEST_MODELLED);
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

function atLeast(p: ParsedVersion, minor: number, patch = 0): boolean {
  if (p.major !== 0) return p.major > 0;
  return p.minor > minor || (p.minor === minor && p.patch >= patch);
}

/** The newest release whose accounting vram-plan models (default of --vllm-version). */
export const NEWEST_MODELLED = "0.29.0";
/** The oldest release whose arithmetic vram-plan models. */
export const OLDEST_MODELLED = "0.6.0";

const rulesCache = new Map<string, VllmRules | null>();

export function rulesFor(version: string): VllmRules | null {
  if (version.trim().toLowerCase() === LATEST) return rulesFor(NEWEST_MODELLED);
  let r = rulesCache.get(version);
  if (r === undefined) {
    r = computeRules(version);
    rulesCache.set(version, r);
  }
  return r;
}

/**
 * Whether a version is beyond what vram-plan models ("latest", or newer than NEWEST_MODELLED): such a
 * version is planned with the newest modelled rules, and the plan says so (VLLM_VERSION_NOT_MODELLED).
 */
export function beyondModelled(version: string): boolean {
  if (version.trim().toLowerCase() === LATEST) return true;
  const p = parseVersion(version);
  const newest = parseVersion(NEWEST_MODELLED) as ParsedVersion;
  if (!p) return false;
  if (p.major !== newest.major) return p.major > newest.major;
  return p.minor > newest.minor || (p.minor === newest.minor && p.patch > newest.patch);
}

function computeRules(version: string): VllmRules | null {
  const asked = parseVersion(version);
  if (!asked) return null;
  if (asked.major === 0 && asked.minor < 6) return null;
  // Newer than modelled: the newest modelled release's rules, under the version asked for.
  const p = beyondModelled(version) ? (parseVersion(NEWEST_MODELLED) as ParsedVersion) : asked;
  const tokensFromConcurrency = atLeast(p, 21);
  return {
    version: `${asked.major}.${asked.minor}.${asked.patch}`,
    engine: atLeast(p, 8) ? "v1" : "v0",
    defaultUtilization: atLeast(p, 21) ? 0.92 : 0.9,
    startupFreeCheck: atLeast(p, 9),
    cudaGraphEstimate: atLeast(p, 21),
    mrv2ZeroEstimateForDense: atLeast(p, 25, 1) && !atLeast(p, 28),
    largeGpuServerBatchedTokens: atLeast(p, 28) ? 16384 : 8192,
    // The Triton top-k/top-p kernel is in 2026 main; the release that introduced it was not
    // pinned down (assumed ≈0.17, the first 2026 release line). Evidence that it is in place by
    // 0.21: a Qwen3-8B start-up whose whole non-KV budget (0.92 GiB) is below the native sampler's need.
    samplerInPlaceTopKTopP: atLeast(p, 17),
    captureListStyle: atLeast(p, 11) ? "v1" : "v1-early",
    fullDecodeGraphs: atLeast(p, 11),
    tokensFromConcurrency,
    hybrid: {
      prefixCachingAllowed: atLeast(p, 11),
      hasAlignMode: atLeast(p, 14),
      kernelAlignment: atLeast(p, 14),
      tokensFromConcurrency,
      mambaSlotCheck: atLeast(p, 19) ? "raise" : atLeast(p, 17) ? "cap" : "none",
    },
  };
}

/**
 * The rules of a release, or of the newest modelled release when the version is absent or not
 * modelled (what planDeployment does with --vllm-version).
 */
export function rulesOrNewest(version?: string): VllmRules {
  return (version !== undefined ? rulesFor(version) : null) ?? (rulesFor(NEWEST_MODELLED) as VllmRules);
}

/** The hybrid-model part of a release's rules (absent / unknown version: the newest modelled). */
export function hybridRules(version?: string): HybridRules {
  return rulesOrNewest(version).hybrid;
}

const a100Names = new Map<string, boolean>();
function isA100(name: string): boolean {
  let v = a100Names.get(name);
  if (v === undefined) a100Names.set(name, (v = name.toLowerCase().includes("a100")));
  return v;
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
export function batchDefaults(r: VllmRules, gpuTotalBytes: number, gpuName: string, context: "server" | "offline", maxModelLen: number, userSeqs?: number, userTokens?: number): BatchDefaults {
  if (r.engine === "v0") {
    const chunked = maxModelLen > 32768;
    const tokens = userTokens ?? (chunked ? 2048 : Math.max(maxModelLen, 2048));
    return { maxNumSeqs: Math.min(userSeqs ?? 256, tokens), maxNumBatchedTokens: tokens, chunkedPrefill: chunked };
  }
  const large = gpuTotalBytes >= 70 * 2 ** 30 && !isA100(gpuName);
  const defTokens = large ? (context === "offline" ? 16384 : r.largeGpuServerBatchedTokens) : context === "offline" ? 8192 : 2048;
  const defSeqs = large ? 1024 : 256;
  const tokens = userTokens ?? defTokens;
  return { maxNumSeqs: userSeqs ?? Math.min(defSeqs, tokens), maxNumBatchedTokens: tokens, chunkedPrefill: true };
}

/**
 * Number of CUDA graphs captured per mode. vllm/config/vllm.py _set_cudagraph_sizes: max capture
 * size = min(max_num_seqs × 2, 512) capped at max_num_batched_tokens; sizes [1, 2, 4] +
 * range(8, 256, 8) + range(256, max + 1, 16). Early V1 (≤0.10): [1, 2, 4] + 8·i up to 512.
 * FULL decode graphs (FULL_AND_PIECEWISE, ≈0.11+) cover sizes up to max_num_seqs.
 */
export function captureSizes(r: VllmRules, maxNumSeqs: number, maxNumBatchedTokens: number): { piecewise: number; full: number; largest: number } {
  const max = Math.min(maxNumSeqs * 2, 512, maxNumBatchedTokens);
  // Sizes ≤ limit in the default list, counted without building it.
  const countUpTo = (limit: number): number => {
    if (limit < 1) return 0;
    let n = limit >= 4 ? 3 : limit >= 2 ? 2 : 1;
    if (r.captureListStyle === "v1-early") return n + Math.floor(Math.min(limit, 512) / 8);
    n += Math.floor(Math.min(limit, 255) / 8);
    if (limit >= 256) n += Math.floor((Math.min(limit, max) - 256) / 16) + 1;
    return n;
  };
  const largestOf = (limit: number): number => {
    if (limit < 8) return limit >= 4 ? 4 : limit >= 2 ? 2 : limit >= 1 ? 1 : 0;
    if (r.captureListStyle === "v1-early" || limit < 256) return Math.floor(Math.min(limit, r.captureListStyle === "v1-early" ? 512 : 255) / 8) * 8;
    return 256 + Math.floor((limit - 256) / 16) * 16;
  };
  const piecewise = countUpTo(max);
  const full = r.fullDecodeGraphs ? countUpTo(Math.min(maxNumSeqs, max)) : 0;
  return { piecewise, full, largest: largestOf(max) };
}

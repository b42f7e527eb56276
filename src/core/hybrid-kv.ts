// vLLM's KV-cache arithmetic for HYBRID models: full-attention layers mixed with recurrent
// "mamba" layers (Mamba-2 in Nemotron-H, Gated DeltaNet in Qwen3-Next / Qwen3.5 / Qwen3.6).
// Pure: integers in, integers out. Every rule cites the vLLM file + function it mirrors.
//
// Source versions read (vllm-project/vllm, via the code index):
//   mamba_utils.py          @ 02d710837549a368073552333f66d714477415d2 (2026)
//   kv_cache_interface.py   @ 001cabc1be16a59a70d720ed61a13b678c060a18 (2026)
//   kv_cache_utils.py       @ 001cabc1be16a59a70d720ed61a13b678c060a18 (2026)
//   models/config.py        @ 0144dd5b0d2d9ef9ac2651a3ab6efa83d0497ea9 (Sep 2025, v0.10.x era)
//   platforms/interface.py  Platform._align_hybrid_block_size (2026 copy; moved there in v0.20.0,
//                           log lines "[config.py:281]" in v0.19.0 vs "[interface.py:606]" in v0.20.0)
// Version boundaries that are not pinned to a release tag are marked "boundary unverified".
import { hybridRules } from "./vllm-versions.js";
import { ConfigError, InternalError } from "./errors.js";
import { DTYPE_BYTES, kvHeadTokenBytes, kvHeadsOnRank, type KvFormatLike } from "./kv-dtypes.js";
import { uniformPageGroups } from "./kv-groups.js";
import { cdiv } from "./math-utils.js";
import { isObj, need, num, str, type Obj } from "./config-json.js";

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;

/** vllm.distributed.divide: asserts exact divisibility (vLLM fails at start-up otherwise). */
function divide(n: number, d: number, _what: string): number {
  // vLLM refuses to start when this does not divide (planDeployment reports it through
  // hybridIndivisibleByTp as MAMBA_DIM_NOT_DIVISIBLE_BY_TP); the state is still sized, rounded up.
  return Math.ceil(n / d);
}

/**
 * The first Mamba / Gated DeltaNet dimension tensor parallelism cannot split (vllm.distributed.divide
 * in MambaStateShapeCalculator: vLLM fails at start-up), or null.
 */
export function hybridIndivisibleByTp(facts: MambaLayerFacts, tp: number): { what: string; n: number } | null {
  const dims: [string, number][] =
    facts.kind === "gdn"
      ? [["GDN conv_dim", facts.headKDim * facts.numKHeads * 2 + facts.headVDim * facts.numVHeads], ["linear_num_value_heads", facts.numVHeads]]
      : [["mamba conv_dim", facts.numHeads * facts.headDim + 2 * (facts.nGroups % tp === 0 ? facts.nGroups : tp) * facts.stateSize], ["mamba_num_heads", facts.numHeads]];
  for (const [what, n] of dims) if (n % tp !== 0) return { what, n };
  return null;
}

// ---------------------------------------------------------------------------
// Versions
// ---------------------------------------------------------------------------

export type MambaCacheMode = "none" | "align" | "all";

// The per-release hybrid rules live with every other per-release rule in vllm-versions.ts.
export { hybridRules, type HybridRules } from "./vllm-versions.js";

/**
 * MambaModelConfig.verify_and_update_config (models/config.py, 2026): with prefix caching on and
 * mode "none", mode becomes "align" when the model lacks SupportsMambaPrefixCaching (Qwen3-Next,
 * Qwen3.5/3.6: GDN) or when speculative decoding is on, else "all" (Mamba-2 models such as
 * Nemotron-H). With prefix caching off the mode is forced to "none".
 * Before "align" existed (v0.11-v0.13) prefix caching meant the "all" layout; v0.10.x disabled it.
 * Prefix caching is OFF by default for hybrid models from v0.10.2 (PR #23716); a vllm-metal test
 * states v0.28.0 turned it on by default (unverified) — the caller decides `prefixCaching`.
 */
export function resolveMambaCacheMode(opts: {
  prefixCaching: boolean;
  supportsMambaPrefixCaching: boolean;
  speculative: boolean;
  requested?: MambaCacheMode;
  version?: string;
}): MambaCacheMode {
  const hybrid = hybridRules(opts.version);
  if (!opts.prefixCaching || !hybrid.prefixCachingAllowed) return "none";
  // v0.11-v0.13 MambaModelConfig.verify_and_update_config: a model without SupportsMambaPrefixCaching
  // (Gated DeltaNet: Qwen3-Next, Qwen3.5/3.6) logs "Hybrid or mamba-based model detected without
  // support for prefix caching: disabling." and runs with prefix caching off (mode "none").
  if (!hybrid.hasAlignMode) return opts.supportsMambaPrefixCaching ? "all" : "none";
  let mode = opts.requested ?? "none";
  if (mode === "none") mode = opts.supportsMambaPrefixCaching && !opts.speculative ? "all" : "align";
  if (mode === "all" && !opts.supportsMambaPrefixCaching) mode = "align";
  return mode;
}

// ---------------------------------------------------------------------------
// Config facts
// ---------------------------------------------------------------------------

/**
 * Gated DeltaNet layer (Qwen3-Next / Qwen3.5 / Qwen3.6). config.json (Qwen3.5+: under text_config):
 *   numKHeads ← linear_num_key_heads, numVHeads ← linear_num_value_heads,
 *   headKDim ← linear_key_head_dim, headVDim ← linear_value_head_dim, convKernel ← linear_conv_kernel_dim.
 */
export interface GdnFacts {
  kind: "gdn";
  numKHeads: number;
  numVHeads: number;
  headKDim: number;
  headVDim: number;
  convKernel: number;
}

/**
 * Mamba-2 layer (Nemotron-H). config.json: numHeads ← mamba_num_heads, headDim ← mamba_head_dim,
 * nGroups ← n_groups, stateSize ← ssm_state_size, convKernel ← conv_kernel, chunkSize ← chunk_size.
 * intermediate_size = mamba_num_heads · mamba_head_dim (nemotron_h.py get_mamba_state_shape_from_config;
 * the config's `expand` is NOT used).
 */
export interface Mamba2Facts {
  kind: "mamba2";
  numHeads: number;
  headDim: number;
  nGroups: number;
  stateSize: number;
  convKernel: number;
  chunkSize?: number;
}

export type MambaLayerFacts = GdnFacts | Mamba2Facts;

/** Byte widths of the two recurrent-state tensors. */
export interface MambaStateDtypes {
  convBytes: number;
  ssmBytes: number;
}

export type StateDtypeName = "auto" | "float32" | "bfloat16" | "float16";

/** Which model family sets the ssm-state dtype default. */
export type HybridFamily = "qwen3_next" | "qwen3_5" | "nemotron_h" | "other";

/**
 * MambaStateDtypeCalculator._mamba_state_dtype (mamba_utils.py): conv dtype =
 * get_kv_cache_torch_dtype(mamba_cache_dtype, model_dtype) — "auto" is the model dtype, NOT
 * --kv-cache-dtype; ssm dtype = conv dtype when mamba_ssm_cache_dtype is "auto", else that dtype.
 * Family defaults applied before (models/config.py):
 *   - Qwen3_5ForConditionalGenerationConfig: "auto" → text_config.mamba_ssm_dtype (Qwen3.5/3.6 ship "float32");
 *   - NemotronHForCausalLMConfig.update_mamba_ssm_cache_dtype: "auto" → config mamba_ssm_cache_dtype, else "float32";
 *   - Qwen3-Next: no override, so the ssm state is in the model dtype.
 * `configSsmDtype` ← text_config.mamba_ssm_dtype (Qwen3.5) or mamba_ssm_cache_dtype (Nemotron-H).
 */
export function resolveMambaStateDtypes(opts: {
  family: HybridFamily;
  modelDtypeBytes: number;
  mambaCacheDtype?: StateDtypeName;
  mambaSsmCacheDtype?: StateDtypeName;
  configSsmDtype?: string;
}): MambaStateDtypes {
  const convBytes = !opts.mambaCacheDtype || opts.mambaCacheDtype === "auto" ? opts.modelDtypeBytes : DTYPE_BYTES[opts.mambaCacheDtype];
  let ssm: StateDtypeName = opts.mambaSsmCacheDtype ?? "auto";
  if (ssm === "auto") {
    const cfg = opts.configSsmDtype;
    const known = (s: string | undefined): s is Exclude<StateDtypeName, "auto"> => s === "float32" || s === "bfloat16" || s === "float16";
    if (opts.family === "qwen3_5" && known(cfg)) ssm = cfg;
    else if (opts.family === "nemotron_h") ssm = known(cfg) ? cfg : "float32";
  }
  return { convBytes, ssmBytes: ssm === "auto" ? convBytes : DTYPE_BYTES[ssm] };
}

export interface MambaStateShapes {
  /** (conv_kernel - 1 + num_spec, conv_dim / tp) — "SD" layout; element count is layout-independent. */
  conv: [number, number];
  /** GDN: (num_v_heads/tp, head_v_dim, head_k_dim); Mamba-2: (num_heads/tp, head_dim, state_size). */
  ssm: [number, number, number];
}

/**
 * MambaStateShapeCalculator.gated_delta_net_state_shape / mamba2_state_shape (mamba_utils.py).
 * GDN conv_dim = head_k_dim·num_k_heads·2 + head_v_dim·num_v_heads.
 * Mamba-2: n_groups is first padded to tp when not divisible (extra_groups_for_head_shards:
 * tp - n_groups), conv_dim = intermediate + 2·n_groups·state_size.
 * num_spec (= num_speculative_tokens) adds rows to the conv state (qwen3_next.py / qwen3_5.py /
 * nemotron_h.py pass vllm_config.num_speculative_tokens; 2025 mamba2 code did not).
 */
export function mambaStateShapes(facts: MambaLayerFacts, tp: number, numSpec = 0): MambaStateShapes {
  if (facts.kind === "gdn") {
    const convDim = facts.headKDim * facts.numKHeads * 2 + facts.headVDim * facts.numVHeads;
    return {
      conv: [facts.convKernel - 1 + numSpec, divide(convDim, tp, "GDN conv_dim")],
      ssm: [divide(facts.numVHeads, tp, "linear_num_value_heads"), facts.headVDim, facts.headKDim],
    };
  }
  const nGroups = facts.nGroups % tp === 0 ? facts.nGroups : tp; // n_groups + (tp - n_groups)
  const intermediate = facts.numHeads * facts.headDim;
  const convDim = intermediate + 2 * nGroups * facts.stateSize;
  return {
    conv: [facts.convKernel - 1 + numSpec, divide(convDim, tp, "mamba conv_dim")],
    ssm: [divide(facts.numHeads, tp, "mamba_num_heads"), facts.headDim, facts.stateSize],
  };
}

/**
 * MambaSpec.page_size_bytes (kv_cache_interface.py): Σ prod(shape)·dtype_size over (conv, ssm),
 * before padding — the bytes one mamba/GDN layer holds per sequence slot on one rank.
 */
export function mambaStatePageBytes(facts: MambaLayerFacts, tp: number, dtypes: MambaStateDtypes, numSpec = 0): number {
  const shapes = mambaStateShapes(facts, tp, numSpec);
  return shapes.conv[0] * shapes.conv[1] * dtypes.convBytes + shapes.ssm[0] * shapes.ssm[1] * shapes.ssm[2] * dtypes.ssmBytes;
}

/**
 * Attention bytes per token per layer on one rank, as _align_hybrid_block_size computes it with a
 * FullAttentionSpec(block_size=1): num_kv_heads · (K + V bytes of one head) — the same page arithmetic
 * as a dense model (kv-dtypes.ts kvHeadTokenBytes: 2 · head_size · dtype, plus 2 · 4 B of fp32 scales for
 * the *_per_token_head modes, nvfp4 packing, TurboQuant slots; a bare number is a dense dtype).
 * num_kv_heads = max(1, total_kv_heads // tp) (ModelConfig.get_num_kv_heads).
 */
export function hybridAttnBytesPerToken(numKvHeads: number, headDim: number, tp: number, kv: KvFormatLike): number {
  return kvHeadsOnRank(numKvHeads, tp) * kvHeadTokenBytes(kv, headDim);
}

// ---------------------------------------------------------------------------
// Block size
// ---------------------------------------------------------------------------

export interface HybridBlockOptions {
  version?: string;
  mambaCacheMode?: MambaCacheMode;
  /** get_mamba_chunk_size() (config chunk_size, Nemotron-H 128); needed for "all" mode. */
  mambaChunkSize?: number;
  /** --mamba-block-size when the user set it ("all" mode base chunk). */
  userMambaBlockSize?: number;
  /** min of backend.get_supported_kernel_block_sizes() (FlashAttention/FlashInfer/Triton: 16). */
  backendMinBlockSize?: number;
}

export interface HybridBlockResult {
  /** Final attention (and mamba-page) block size in tokens. */
  blockSize: number;
  /** Raised above the configured block size → vLLM logs "Setting attention block size to N tokens ...". */
  raised: boolean;
  /** Attention page for blockSize tokens; the mamba page is padded to exactly this. */
  pageBytes: number;
  /** Padding percentage as logged ("Padding mamba page size by %.2f%%"); 0 when equal. */
  mambaPaddingPct: number;
  /** cache_config.mamba_block_size after alignment: blockSize in "align"/"all", undefined in "none". */
  mambaBlockSize: number | undefined;
}

/**
 * The attention block size vLLM forces on a hybrid model.
 *
 * 2026 (v0.14+ code; Platform._align_hybrid_block_size in platforms/interface.py since v0.20.0,
 * models/config.py HybridAttentionMambaModelConfig before):
 *   align = max(min backend kernel block size, cache_config.block_size)
 *   "all":        chunk = lcm(mamba_block_size or mamba_chunk_size, align);
 *                 block = chunk · cdiv(cdiv(mamba_page, attn_1tok), chunk)
 *   "none"/"align": block = align · cdiv(mamba_page, align · attn_1tok)
 *   if cache_config.block_size < block → block_size = block (logged), then mamba page padded.
 * 2025 (v0.10.x, models/config.py @0144dd5b): block = 16 · cdiv(mamba_page, 16 · attn_1tok);
 * v0.11-v0.13 prefix caching: block = chunk · cdiv(cdiv(mamba_page, attn_1tok), chunk).
 */
export function hybridAlignBlockSize(attnBytesPerToken: number, mambaPageBytes: number, blockSize = 16, opts: HybridBlockOptions = {}): HybridBlockResult {
  const hybrid = hybridRules(opts.version);
  const mode: MambaCacheMode = opts.mambaCacheMode ?? "none";
  if (mambaPageBytes <= 0) {
    return { blockSize, raised: false, pageBytes: blockSize * attnBytesPerToken, mambaPaddingPct: 0, mambaBlockSize: undefined };
  }
  const backendMin = opts.backendMinBlockSize ?? 16;
  const align = hybrid.kernelAlignment ? Math.max(backendMin, blockSize) : 16;
  let attnBlock: number;
  let mambaBlockSize: number | undefined;
  if (mode === "all") {
    const base = opts.userMambaBlockSize ?? opts.mambaChunkSize;
    if (base === undefined) throw new ConfigError('config.json: no mamba chunk size (chunk_size / mamba_chunk_size), which vLLM needs with mamba_cache_mode "all"');
    const tokensPerState = cdiv(mambaPageBytes, attnBytesPerToken);
    const chunk = hybrid.kernelAlignment ? lcm(base, align) : base;
    attnBlock = chunk * cdiv(tokensPerState, chunk);
    mambaBlockSize = attnBlock;
  } else {
    attnBlock = align * cdiv(mambaPageBytes, align * attnBytesPerToken);
  }
  const raised = blockSize < attnBlock;
  const finalBlock = raised ? attnBlock : blockSize;
  if (mode === "align") mambaBlockSize = finalBlock;
  const pageBytes = finalBlock * attnBytesPerToken;
  const mambaPaddingPct = pageBytes === mambaPageBytes ? 0 : (100 * (pageBytes - mambaPageBytes)) / mambaPageBytes;
  return { blockSize: finalBlock, raised, pageBytes, mambaPaddingPct, mambaBlockSize };
}

/** Shorthand: the block size only. */
export function hybridAttentionBlockSize(attnBytesPerToken: number, mambaPageBytes: number, defaultBlockSize = 16, version?: string, opts: Omit<HybridBlockOptions, "version"> = {}): number {
  return hybridAlignBlockSize(attnBytesPerToken, mambaPageBytes, defaultBlockSize, { ...opts, version }).blockSize;
}

// ---------------------------------------------------------------------------
// Groups, blocks, tokens, concurrency
// ---------------------------------------------------------------------------

export interface HybridKvInput {
  /** Full-attention layers with a KV cache on this rank's model (+1 per MTP drafter layer when speculative MTP is on). */
  attentionLayers: number;
  /** Mamba / GDN layers. */
  mambaLayers: number;
  attnBytesPerTokenPerLayer: number;
  /** Unpadded mamba page (mambaStatePageBytes). */
  mambaPageBytes: number;
  /** Final attention block size (hybridAlignBlockSize().blockSize). */
  blockSize: number;
  /** Bytes available for the KV cache on one rank ("Available KV cache memory"). */
  availableBytes: number;
  maxModelLen: number;
  maxNumSeqs: number;
  mambaCacheMode?: MambaCacheMode;
  /** num_speculative_tokens → MambaSpec.num_speculative_blocks (mamba/abstract.py get_kv_cache_spec). */
  numSpeculativeTokens?: number;
  version?: string;
  /** cudagraph_mode has FULL graphs (default true; false with --enforce-eager). */
  fullCudagraphs?: boolean;
  /** CUDA-graph capture sizes (ascending), for the v0.17-v0.18 capping rule. */
  captureSizes?: readonly number[];
  numGpuBlocksOverride?: number;
}

export interface HybridKvPlan {
  blockSize: number;
  /** Uniform page: blockSize · attnBytesPerTokenPerLayer (mamba page padded to it). */
  pageSize: number;
  /** Layers per KV-cache group = tensors sharing one block index. */
  groupSize: number;
  numGroups: number;
  attentionGroups: number;
  mambaGroups: number;
  /** "Add N padding layers, may waste at most P% KV cache memory" (summed over types). */
  paddingLayers: number;
  paddingWarnings: { layers: number; pct: number }[];
  numGpuBlocks: number;
  /** Σ_groups cdiv(max_memory_usage_bytes, page) for one max_model_len request. */
  blocksPerRequest: number;
  /** "GPU KV cache size: N tokens". */
  tokens: number;
  /** "Maximum concurrency for L tokens per request: X" (unrounded). */
  maxConcurrency: number;
  /** KV bytes one max_model_len request needs (the start-up check). */
  bytesNeededForMaxModelLen: number;
  fitsMaxModelLen: boolean;
  /** Binary-searched max length when it does not fit (0: not even one token). */
  estimatedMaxModelLen: number;
  /** max_num_seqs <= num_gpu_blocks: every running sequence can own a mamba state block. */
  mambaSlotsOk: boolean;
  /** v0.19+ with FULL CUDA graphs: the ValueError vLLM raises at start-up. */
  startupError: string | undefined;
  /** v0.17-v0.18: capture sizes capped to num_blocks ("Capping cudagraph capture sizes from max A to B"). */
  cappedMaxCaptureSize: number | undefined;
}

/** kv-groups.ts uniformPageGroups over the attention bucket and the Mamba bucket (an empty one is no bucket). */
export function hybridGroups(attentionLayers: number, mambaLayers: number): { groupSize: number; attentionGroups: number; mambaGroups: number; paddingWarnings: { layers: number; pct: number }[] } {
  const split = uniformPageGroups([attentionLayers, mambaLayers].filter((n) => n > 0));
  return {
    groupSize: split.groupSize,
    attentionGroups: attentionLayers > 0 ? (split.groupsPerBucket[0] ?? 0) : 0,
    mambaGroups: mambaLayers > 0 ? (split.groupsPerBucket[attentionLayers > 0 ? 1 : 0] ?? 0) : 0,
    paddingWarnings: split.paddingWarnings,
  };
}

/** Pages one request of `len` tokens needs: Σ over groups of cdiv(spec.max_memory_usage_bytes, page). */
function blocksForLength(len: number, blockSize: number, attentionGroups: number, mambaGroups: number, mode: MambaCacheMode, specBlocks: number): number {
  // FullAttentionSpec.max_memory_usage_bytes = cdiv(max_model_len, block_size) · page
  const attn = cdiv(len, blockSize);
  // MambaSpec.max_memory_usage_bytes: "all" cdiv(len, block)·page; "align" (2 + spec)·page; "none" (1 + spec)·page
  const mamba = mode === "all" ? cdiv(len, blockSize) : mode === "align" ? 2 + specBlocks : 1 + specBlocks;
  return attentionGroups * attn + mambaGroups * mamba;
}

export function hybridKvPlan(input: HybridKvInput): HybridKvPlan {
  const hybrid = hybridRules(input.version);
  const mode: MambaCacheMode = input.mambaCacheMode ?? "none";
  const specBlocks = input.numSpeculativeTokens ?? 0;
  const pageSize = input.blockSize * input.attnBytesPerTokenPerLayer;
  // Unreachable from input: the one caller (plan.ts hybridStageKv) passes hybridAlignBlockSize's block, which is
  // at least cdiv(mambaPage, attnBytesPerToken) tokens in every mode, so its page holds a Mamba state.
  if (pageSize < input.mambaPageBytes) throw new InternalError(`attention page (${pageSize} B) < mamba page (${input.mambaPageBytes} B): block size not aligned`);
  const groups = hybridGroups(input.attentionLayers, input.mambaLayers);
  const numGroups = groups.attentionGroups + groups.mambaGroups;

  // get_kv_cache_config_from_groups → get_num_blocks: available // page // group_size
  let numGpuBlocks = groups.groupSize > 0 ? Math.max(0, Math.floor(Math.floor(input.availableBytes / pageSize) / groups.groupSize)) : 0;
  if (input.numGpuBlocksOverride !== undefined) numGpuBlocks = input.numGpuBlocksOverride;

  // get_max_concurrency_for_kv_cache_config: num_blocks / Σ_groups cdiv(max_memory_usage, page)
  const blocksPerRequest = blocksForLength(input.maxModelLen, input.blockSize, groups.attentionGroups, groups.mambaGroups, mode, specBlocks);
  const maxConcurrency = numGpuBlocks / blocksPerRequest;

  // Token report. Old (_report_kv_cache_config): num_blocks // num_groups · min block size over
  // groups, where the mamba group's block_size is mamba_block_size (= max_model_len in "none" mode,
  // MambaModelConfig). New (get_kv_cache_capacity): int(max_concurrency · max_model_len).
  const mambaBlock = mode === "none" ? input.maxModelLen : input.blockSize;
  const minBlock = groups.mambaGroups > 0 ? Math.min(input.blockSize, mambaBlock) : input.blockSize;
  const tokens = hybrid.tokensFromConcurrency
    ? Math.trunc(maxConcurrency * input.maxModelLen)
    : numGroups > 0
      ? Math.floor(numGpuBlocks / numGroups) * minBlock
      : 0;

  // _max_memory_usage_bytes_from_groups: group_size · page · Σ blocks; _check_enough_kv_cache_memory
  const bytesFor = (len: number): number => groups.groupSize * pageSize * blocksForLength(len, input.blockSize, groups.attentionGroups, groups.mambaGroups, mode, specBlocks);
  const bytesNeededForMaxModelLen = bytesFor(input.maxModelLen);
  const fitsMaxModelLen = input.availableBytes > 0 && bytesNeededForMaxModelLen <= input.availableBytes;
  let estimatedMaxModelLen = input.maxModelLen;
  if (!fitsMaxModelLen) {
    // _estimate_max_model_len_from_groups: binary search in [1, max_model_len]
    if (input.availableBytes <= 0 || bytesFor(1) > input.availableBytes) estimatedMaxModelLen = 0;
    else {
      let lo = 1;
      let hi = input.maxModelLen;
      let best = 1;
      while (lo <= hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (bytesFor(mid) <= input.availableBytes) {
          best = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      estimatedMaxModelLen = best;
    }
  }

  // Mamba state slots vs max_num_seqs (gpu_model_runner._check_and_update_cudagraph_mode).
  const mambaSlotsOk = groups.mambaGroups === 0 || input.maxNumSeqs <= numGpuBlocks;
  const full = input.fullCudagraphs ?? true;
  let startupError: string | undefined;
  let cappedMaxCaptureSize: number | undefined;
  if (full && groups.mambaGroups > 0) {
    if (hybrid.mambaSlotCheck === "raise" && input.maxNumSeqs > numGpuBlocks) {
      startupError =
        `max_num_seqs (${input.maxNumSeqs}) exceeds available Mamba cache blocks (${numGpuBlocks}). ` +
        `Each decode sequence requires one Mamba cache block, so CUDA graph capture cannot proceed. ` +
        `Please lower max_num_seqs to at most ${numGpuBlocks} or increase gpu_memory_utilization.`;
    } else if (hybrid.mambaSlotCheck === "cap" && input.captureSizes && input.captureSizes.length > 0) {
      // CompilationConfig.adjust_cudagraph_sizes_for_mamba_cache (PR #34571)
      const largest = input.captureSizes[input.captureSizes.length - 1] ?? 0;
      if (numGpuBlocks > 0 && numGpuBlocks < largest) {
        const kept = input.captureSizes.filter((s) => s <= numGpuBlocks);
        cappedMaxCaptureSize = kept.length > 0 ? (kept[kept.length - 1] ?? 0) : 0;
      }
    }
  }

  return {
    blockSize: input.blockSize,
    pageSize,
    groupSize: groups.groupSize,
    numGroups,
    attentionGroups: groups.attentionGroups,
    mambaGroups: groups.mambaGroups,
    paddingLayers: groups.paddingWarnings.reduce((s, w) => s + w.layers, 0),
    paddingWarnings: groups.paddingWarnings,
    numGpuBlocks,
    blocksPerRequest,
    tokens,
    maxConcurrency,
    bytesNeededForMaxModelLen,
    fitsMaxModelLen,
    estimatedMaxModelLen,
    mambaSlotsOk,
    startupError,
    cappedMaxCaptureSize,
  };
}

// ---------------------------------------------------------------------------
// config.json → facts
// ---------------------------------------------------------------------------

export interface HybridConfigFacts {
  family: HybridFamily;
  /** Full-attention layers of the main model (MTP drafter layers not included). */
  attentionLayers: number;
  mambaLayers: number;
  /** Attention layers in the MTP head (Qwen3.5 mtp_num_hidden_layers; Nemotron '*' in mtp_hybrid_override_pattern). */
  mtpAttentionLayers: number;
  numKvHeads: number;
  headDim: number;
  mamba: MambaLayerFacts;
  /** text_config.mamba_ssm_dtype (Qwen3.5/3.6) or mamba_ssm_cache_dtype (Nemotron-H). */
  configSsmDtype: string | undefined;
  /** Model implements SupportsMambaPrefixCaching ("all" mode): Mamba-2 models yes, GDN no. */
  supportsMambaPrefixCaching: boolean;
}

/**
 * Reads the hybrid facts from a config.json (text_config nesting handled).
 * Layer kinds: `layer_types` ("full_attention"/"linear_attention"); else Qwen3-Next's
 * full_attention_interval (HF Qwen3NextConfig: layer i is full when (i+1) % interval == 0);
 * Nemotron-H `hybrid_override_pattern` ('M' mamba, '*' attention, '-'/'E' MLP/MoE).
 * Returns undefined for non-hybrid configs.
 * Without head_dim the head size is hidden_size // num_attention_heads, a whole number (ModelConfig.get_head_size's
 * last case, vllm/config/model.py; vllm/config.py in older releases), as architecture.ts reads it.
 */
export function hybridFactsFromConfig(config: Obj): HybridConfigFacts | undefined {
  const tc = isObj(config["text_config"]) ? config["text_config"] : config;
  const pattern = str(tc, "hybrid_override_pattern");
  if (pattern !== undefined) {
    const count = (s: string, c: string): number => [...s].filter((x) => x === c).length;
    const mtp = str(tc, "mtp_hybrid_override_pattern");
    return {
      family: "nemotron_h",
      attentionLayers: count(pattern, "*"),
      mambaLayers: count(pattern, "M"),
      mtpAttentionLayers: mtp ? count(mtp, "*") : 0,
      numKvHeads: need(tc, "num_key_value_heads", "config.json"),
      headDim: num(tc, "head_dim") ?? num(tc, "attention_head_dim") ?? Math.floor(need(tc, "hidden_size", "config.json") / need(tc, "num_attention_heads", "config.json")),
      mamba: {
        kind: "mamba2",
        numHeads: need(tc, "mamba_num_heads", "config.json"),
        headDim: need(tc, "mamba_head_dim", "config.json"),
        nGroups: need(tc, "n_groups", "config.json"),
        stateSize: need(tc, "ssm_state_size", "config.json"),
        convKernel: need(tc, "conv_kernel", "config.json"),
        chunkSize: num(tc, "chunk_size"),
      },
      configSsmDtype: str(tc, "mamba_ssm_cache_dtype"),
      supportsMambaPrefixCaching: true,
    };
  }
  if (num(tc, "linear_num_value_heads") === undefined) return undefined;
  let kinds: string[];
  const lt = tc["layer_types"];
  if (Array.isArray(lt)) kinds = lt.filter((x): x is string => typeof x === "string");
  else {
    const interval = need(tc, "full_attention_interval", "config.json");
    const numLayers = need(tc, "num_hidden_layers", "config.json");
    kinds = Array.from({ length: numLayers }, (_, i) => ((i + 1) % interval === 0 ? "full_attention" : "linear_attention"));
  }
  const modelType = str(config, "model_type") ?? str(tc, "model_type") ?? "";
  return {
    family: modelType.startsWith("qwen3_5") ? "qwen3_5" : modelType.startsWith("qwen3_next") ? "qwen3_next" : "other",
    attentionLayers: kinds.filter((k) => k === "full_attention").length,
    mambaLayers: kinds.filter((k) => k === "linear_attention").length,
    mtpAttentionLayers: num(tc, "mtp_num_hidden_layers") ?? num(tc, "num_nextn_predict_layers") ?? 0,
    numKvHeads: need(tc, "num_key_value_heads", "config.json"),
    headDim: num(tc, "head_dim") ?? Math.floor(need(tc, "hidden_size", "config.json") / need(tc, "num_attention_heads", "config.json")),
    mamba: {
      kind: "gdn",
      numKHeads: need(tc, "linear_num_key_heads", "config.json"),
      numVHeads: need(tc, "linear_num_value_heads", "config.json"),
      headKDim: need(tc, "linear_key_head_dim", "config.json"),
      headVDim: need(tc, "linear_value_head_dim", "config.json"),
      convKernel: need(tc, "linear_conv_kernel_dim", "config.json"),
    },
    configSsmDtype: str(tc, "mamba_ssm_dtype"),
    supportsMambaPrefixCaching: false,
  };
}

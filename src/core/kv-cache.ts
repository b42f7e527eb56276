// The paged KV cache exactly as vLLM's V1 engine sizes it:
// vllm/v1/kv_cache_interface.py (page sizes, max_memory_usage_bytes) and
// vllm/v1/core/kv_cache_utils.py (get_kv_cache_groups, get_num_blocks, _report_kv_cache_config,
// get_max_concurrency_for_kv_cache_config, estimate_max_model_len).
import type { KvCacheDtype, KvCachePlan, LayerAttention, ModelArch, TorchDtype } from "./types.js";
import { DTYPE_BYTES, kvFormat, kvFormatKey, kvHeadTokenBytes, kvHeadsOnRank, kvMlaTokenBytes } from "./kv-dtypes.js";
import type { KvFormat, KvFormatLike } from "./kv-dtypes.js";
import { cdiv } from "./math-utils.js";
import { uniformPageGroups } from "./kv-groups.js";

/** How --kv-cache-dtype stores the cache for this model dtype (kv-dtypes.ts: bytes, scales, packing). */
export function kvCacheFormat(kv: KvCacheDtype, modelDtype: TorchDtype): KvFormat {
  return kvFormat(kv, DTYPE_BYTES[modelDtype]);
}

/** KV heads one TP rank stores for the model's cache: kvHeadsOnRank, 1 for MLA (one latent "head"). */
export function kvHeadsPerRank(model: ModelArch, tp: number): number {
  if (model.mla) return 1;
  return kvHeadsOnRank(model.numKvHeads, tp);
}

/** Bytes one layer stores per token on one rank (K and V; MLA: the latent plus its rope part, no factor 2). */
export function kvBytesPerTokenPerLayer(model: ModelArch, tp: number, kv: KvFormatLike): number {
  if (model.mla) return kvMlaTokenBytes(kv, model.mla.kvLoraRank + model.mla.qkRopeHeadDim); // MLAAttentionSpec.real_page_size_bytes / block_size
  // AttentionSpec.page_size_bytes / block_size: num_kv_heads · (K + V bytes of one head, scales included).
  return kvHeadsPerRank(model, tp) * kvHeadTokenBytes(kv, model.headDim);
}

export interface KvGroup {
  kind: "full" | "sliding";
  window: number;
  layers: number;
  /**
   * Tokens per block of this group when unify_kv_cache_spec_page_size scaled it up to the largest page
   * (a layer of a smaller page holds more tokens in the same bytes); absent: the layout's block size.
   */
  blockSize?: number;
}

export interface KvLayout {
  pageSize: number;
  /** CacheConfig.block_size: the smallest block of any group (the "GPU KV cache size" report uses it). */
  blockSize: number;
  /** Layers sharing one tensor index across groups (group_size in get_kv_cache_groups). */
  groupSize: number;
  groups: KvGroup[];
  /** Attention layers on this rank. */
  attentionLayers: number;
  bytesPerToken: number;
  /**
   * A smaller page that does not divide the largest (a drafter's page against the target's): the vLLM read
   * (kv_cache_utils.py unify_kv_cache_spec_page_size @001cabc1) raises NotImplementedError ("The page size of
   * the layer is not divisible by the maximum page size"); later main pads such a page up to the largest one
   * with its block size unchanged (PR #53499's description of the pad branch), which is what is planned here.
   */
  pagesPadded?: boolean;
}

/**
 * One attention layer's KV-cache spec on a rank, as get_kv_cache_groups compares them: the kind and window
 * (FullAttentionSpec / SlidingWindowSpec), the page bytes per token (page_size_bytes / block_size, whole
 * bytes), and `shape`, the rest of the spec's identity (num_kv_heads × head_size, or the MLA latent).
 */
export interface LayerKvSpec {
  kind: "full" | "sliding";
  window: number;
  bytesPerToken: number;
  shape: string;
}

/** The spec of one attention layer of `model` (a full layer may carry its own KV heads and head size: Nemotron-NAS, Gemma 4). */
export function layerKvSpec(model: ModelArch, layer: LayerAttention, tp: number, kvBytes: KvFormatLike): LayerKvSpec | null {
  if (layer.kind !== "full" && layer.kind !== "sliding") return null;
  const window = layer.kind === "sliding" ? layer.window : 0;
  if (model.mla) return { kind: layer.kind, window, bytesPerToken: kvBytesPerTokenPerLayer(model, tp, kvBytes), shape: `mla ${model.mla.kvLoraRank + model.mla.qkRopeHeadDim}` };
  const heads = kvHeadsOnRank(layer.kind === "full" ? (layer.kvHeads ?? model.numKvHeads) : model.numKvHeads, tp);
  const headDim = layer.kind === "full" ? (layer.headDim ?? model.headDim) : model.headDim;
  return { kind: layer.kind, window, bytesPerToken: heads * kvHeadTokenBytes(kvBytes, headDim), shape: `${heads} x ${headDim}` };
}

/** The specs of a stage's attention layers (linear / Mamba / MLP-only layers hold no paged KV). */
export function layerKvSpecs(model: ModelArch, layers: readonly LayerAttention[], tp: number, kvBytes: KvFormatLike): LayerKvSpec[] {
  const out: LayerKvSpec[] = [];
  for (const layer of layers) {
    const spec = layerKvSpec(model, layer, tp, kvBytes);
    if (spec) out.push(spec);
  }
  return out;
}

const layoutCache = new WeakMap<readonly LayerAttention[], Map<string, KvLayout>>();

/**
 * The KV layout of a stage's layers, plus any further layers that share its KV cache (a speculative
 * drafter's, on the last stage): kvGroupLayout over their specs.
 */
export function kvLayout(model: ModelArch, layers: readonly LayerAttention[], tp: number, kvBytes: KvFormatLike, blockSize: number, disableHybrid = false, extra: readonly LayerKvSpec[] = []): KvLayout {
  if (extra.length > 0) return kvGroupLayout([...layerKvSpecs(model, layers, tp, kvBytes), ...extra], blockSize, disableHybrid);
  // Memoized on the (stable) layer array: the result depends only on it and the scalars below.
  // The layer array belongs to one model (a stage's slice), so the model needs no place in the key.
  const key = `${tp}/${kvFormatKey(kvBytes)}/${blockSize}/${disableHybrid ? 1 : 0}`;
  let cached = layoutCache.get(layers);
  if (!cached) layoutCache.set(layers, (cached = new Map()));
  const hit = cached.get(key);
  if (hit) return hit;
  const layout = kvGroupLayout(layerKvSpecs(model, layers, tp, kvBytes), blockSize, disableHybrid);
  cached.set(key, layout);
  return layout;
}

const specKey = (s: LayerKvSpec): string => `${s.kind}/${s.window}/${s.bytesPerToken}/${s.shape}`;

/**
 * kv_cache_utils.get_kv_cache_groups (@001cabc1), on whole bytes:
 *   --disable-hybrid-kv-cache-manager with full and sliding layers: sliding specs become full ones
 *     (unify_hybrid_kv_cache_specs);
 *   every spec the same (most models): one group of all L layers, page = block × bytes per token;
 *   one type with different pages (all full: Nemotron-NAS head counts, a drafter of another shape; or all
 *     sliding with one window): UniformTypeKVCacheSpecs, one group whose page is the sum of the layers' pages
 *     (PR #25101, merged 2025-09-17: v0.11; how older releases grouped these was not modeled);
 *   otherwise unify_kv_cache_spec_page_size: every smaller page is scaled to the largest by a larger block
 *     (block × max/page tokens), then _get_kv_cache_groups_uniform_page_size buckets layers by spec and splits them
 *     (kv-groups.ts uniformPageGroups: group_size = min layers per bucket, the max when max < 1.5 × min).
 * Represented as `groupSize` tensors of `pageSize` shared by one layer of every group (a UniformType group
 * as one "layer" of the summed page), so num_blocks = available // page // group_size either way.
 */
export function kvGroupLayout(specs: readonly LayerKvSpec[], blockSize: number, disableHybrid = false): KvLayout {
  let all = specs;
  if (disableHybrid && all.some((s) => s.kind === "full") && all.some((s) => s.kind === "sliding")) all = all.map((s) => (s.kind === "sliding" ? { ...s, kind: "full", window: 0 } : s));
  const attentionLayers = all.length;
  const bytesPerToken = all.reduce((sum, s) => sum + s.bytesPerToken, 0);
  const first = all[0];
  if (!first) return { pageSize: 0, blockSize, groupSize: 0, groups: [{ kind: "full", window: 0, layers: 0 }], attentionLayers: 0, bytesPerToken: 0 };
  const firstKey = specKey(first);
  if (all.every((s) => specKey(s) === firstKey)) {
    // _get_kv_cache_groups_uniform_spec
    return { pageSize: blockSize * first.bytesPerToken, blockSize, groupSize: attentionLayers, groups: [{ kind: first.kind, window: first.window, layers: attentionLayers }], attentionLayers, bytesPerToken };
  }
  if (all.every((s) => s.kind === first.kind && s.window === first.window)) {
    // UniformTypeKVCacheSpecs.from_specs → _get_kv_cache_groups_uniform_type: page_size_bytes = Σ pages.
    return { pageSize: blockSize * bytesPerToken, blockSize, groupSize: 1, groups: [{ kind: first.kind, window: first.window, layers: 1 }], attentionLayers, bytesPerToken };
  }
  // unify_kv_cache_spec_page_size, then _get_kv_cache_groups_uniform_page_size.
  const maxPerToken = Math.max(...all.map((s) => s.bytesPerToken));
  const pageSize = blockSize * maxPerToken;
  let pagesPadded = false;
  const buckets = new Map<string, KvGroup>();
  for (const spec of all) {
    const page = blockSize * spec.bytesPerToken;
    const scaled = pageSize % page === 0;
    if (!scaled) pagesPadded = true;
    const block = scaled ? blockSize * (pageSize / page) : blockSize;
    const key = `${specKey(spec)}/${block}`;
    const bucket = buckets.get(key);
    if (bucket) bucket.layers++;
    else buckets.set(key, block === blockSize ? { kind: spec.kind, window: spec.window, layers: 1 } : { kind: spec.kind, window: spec.window, layers: 1, blockSize: block });
  }
  const split = uniformPageGroups([...buckets.values()].map((b) => b.layers));
  const groupSize = split.groupSize;
  const groups: KvGroup[] = [];
  [...buckets.values()].forEach((bucket, bucketIndex) => {
    for (let g = 0; g < (split.groupsPerBucket[bucketIndex] ?? 0); g++) groups.push({ ...bucket, layers: groupSize });
  });
  const layout: KvLayout = { pageSize, blockSize, groupSize, groups, attentionLayers, bytesPerToken };
  if (pagesPadded) layout.pagesPadded = true;
  return layout;
}

/** kv_cache_interface.py max_memory_usage_bytes for one layer of the group's spec. */
function layerMaxUsage(group: KvGroup, maxModelLen: number, maxNumBatchedTokens: number, pageSize: number, layoutBlockSize: number): number {
  const blockSize = group.blockSize ?? layoutBlockSize;
  if (group.kind === "sliding") {
    // SlidingWindowSpec: (cdiv(min(window - 1 + max_num_batched_tokens, max_model_len), block) + 1) pages.
    return (cdiv(Math.min(group.window - 1 + maxNumBatchedTokens, maxModelLen), blockSize) + 1) * pageSize;
  }
  return cdiv(maxModelLen, blockSize) * pageSize; // FullAttentionSpec
}

/** Bytes one request of `len` tokens needs (_max_memory_usage_bytes_from_groups). */
export function bytesForLength(layout: KvLayout, len: number, maxNumBatchedTokens: number): number {
  let pages = 0;
  for (const g of layout.groups) pages += cdiv(layerMaxUsage(g, len, maxNumBatchedTokens, layout.pageSize, layout.blockSize), layout.pageSize);
  return pages * layout.pageSize * layout.groupSize;
}

/**
 * estimate_max_model_len: binary search for the largest length whose need fits the memory
 * (vLLM prints it in the "estimated maximum model length is N" error).
 */
export function estimateMaxModelLen(layout: KvLayout, availableBytes: number, maxModelLen: number, maxNumBatchedTokens: number): number {
  if (bytesForLength(layout, 1, maxNumBatchedTokens) > availableBytes) return 0;
  let lo = 1;
  let hi = maxModelLen;
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if (bytesForLength(layout, mid, maxNumBatchedTokens) <= availableBytes) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Blocks, tokens and concurrency from the KV memory of the tightest rank:
 * get_num_blocks = available // page_size // group_size; concurrency = num_blocks /
 * Σ_groups cdiv(usage, page); GPU KV cache size = num_blocks // num_groups × block_size, or from
 * v0.21 int(concurrency × max_model_len) (get_kv_cache_capacity).
 */
export function kvCachePlan(layout: KvLayout, availableBytes: number, maxModelLen: number, maxNumBatchedTokens: number, tokensFromConcurrency = false): KvCachePlan {
  const perBlock = layout.pageSize * layout.groupSize;
  const numGpuBlocks = availableBytes > 0 && perBlock > 0 ? Math.floor(Math.floor(availableBytes / layout.pageSize) / layout.groupSize) : 0;
  const numGroups = layout.groups.length;
  let blocksPerRequest = 0;
  for (const g of layout.groups) blocksPerRequest += cdiv(layerMaxUsage(g, maxModelLen, maxNumBatchedTokens, layout.pageSize, layout.blockSize), layout.pageSize);
  const needed = blocksPerRequest * perBlock;
  const maxConcurrency = blocksPerRequest > 0 ? numGpuBlocks / blocksPerRequest : 0;
  return {
    bytesPerToken: layout.bytesPerToken,
    pageSizeBytes: layout.pageSize,
    blockSize: layout.blockSize,
    numGroups,
    groupSize: layout.groupSize,
    numGpuBlocks,
    // v0.21+ reports max_concurrency × max_model_len; earlier releases num_blocks // groups × block.
    tokens: tokensFromConcurrency ? Math.floor(maxConcurrency * maxModelLen) : Math.floor(numGpuBlocks / numGroups) * layout.blockSize,
    maxConcurrency,
    bytesNeededForMaxModelLen: needed,
    estimatedMaxModelLen: needed > availableBytes ? estimateMaxModelLen(layout, Math.max(0, availableBytes), maxModelLen, maxNumBatchedTokens) : maxModelLen,
  };
}

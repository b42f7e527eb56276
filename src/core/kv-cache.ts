// The paged KV cache exactly as vLLM's V1 engine sizes it:
// vllm/v1/kv_cache_interface.py (page sizes, max_memory_usage_bytes) and
// vllm/v1/core/kv_cache_utils.py (get_kv_cache_groups, get_num_blocks, _report_kv_cache_config,
// get_max_concurrency_for_kv_cache_config, estimate_max_model_len).
import type { KvCacheDtype, KvCachePlan, LayerAttention, ModelArch, TorchDtype } from "./types.js";
import { DTYPE_BYTES } from "./weights.js";
import { kvFormat, kvFormatKey, kvHeadTokenBytes, kvMlaTokenBytes } from "./kv-dtypes.js";
import type { KvFormat, KvFormatLike } from "./kv-dtypes.js";

/** How --kv-cache-dtype stores the cache for this model dtype (kv-dtypes.ts: bytes, scales, packing). */
export function kvCacheFormat(kv: KvCacheDtype, modelDtype: TorchDtype): KvFormat {
  return kvFormat(kv, DTYPE_BYTES[modelDtype]);
}

/** KV heads one TP rank stores: ModelConfig.get_num_kv_heads = max(1, total_kv_heads // tp); 1 for MLA. */
export function kvHeadsPerRank(model: ModelArch, tp: number): number {
  if (model.mla) return 1;
  return Math.max(1, Math.floor(model.numKvHeads / tp));
}

/** Bytes one layer stores per token on one rank (K and V; MLA: the latent plus its rope part, no factor 2). */
export function kvBytesPerTokenPerLayer(model: ModelArch, tp: number, kv: KvFormatLike): number {
  if (model.mla) return kvMlaTokenBytes(kv, model.mla.kvLoraRank + model.mla.qkRopeHeadDim); // MLAAttentionSpec.real_page_size_bytes / block_size
  // AttentionSpec.page_size_bytes / block_size: num_kv_heads · (K + V bytes of one head, scales included).
  return kvHeadsPerRank(model, tp) * kvHeadTokenBytes(kv, model.headDim);
}

const cdiv = (a: number, b: number): number => Math.ceil(a / b);

export interface KvGroup {
  kind: "full" | "sliding";
  window: number;
  layers: number;
}

export interface KvLayout {
  pageSize: number;
  blockSize: number;
  /** Layers sharing one tensor index across groups (group_size in get_kv_cache_groups). */
  groupSize: number;
  groups: KvGroup[];
  /** Attention layers on this rank. */
  attentionLayers: number;
  bytesPerToken: number;
}

/**
 * kv_cache_utils.get_kv_cache_groups: one group when every layer has the same spec; otherwise
 * (hybrid full + sliding window) layers are bucketed per type, group_size = min layers per type
 * (max when max < 1.5 × min), each type split into cdiv(n, group_size) groups.
 */
const layoutCache = new WeakMap<readonly LayerAttention[], Map<string, KvLayout>>();

export function kvLayout(model: ModelArch, layers: readonly LayerAttention[], tp: number, kvBytes: KvFormatLike, blockSize: number, disableHybrid = false): KvLayout {
  // Memoized on the (stable) layer array: the result depends only on it and the scalars below.
  // The layer array belongs to one model (a stage's slice), so the model needs no place in the key.
  const key = `${tp}/${kvFormatKey(kvBytes)}/${blockSize}/${disableHybrid ? 1 : 0}`;
  let cached = layoutCache.get(layers);
  if (!cached) layoutCache.set(layers, (cached = new Map()));
  const hit = cached.get(key);
  if (hit) return hit;
  const layout = computeKvLayout(model, layers, tp, kvBytes, blockSize, disableHybrid);
  cached.set(key, layout);
  return layout;
}

function computeKvLayout(model: ModelArch, layers: readonly LayerAttention[], tp: number, kvBytes: KvFormatLike, blockSize: number, disableHybrid: boolean): KvLayout {
  const uniformType = uniformTypeLayout(model, layers, tp, kvBytes, blockSize);
  if (uniformType) return uniformType;
  const perToken = kvBytesPerTokenPerLayer(model, tp, kvBytes);
  const pageSize = blockSize * perToken;
  let full = 0;
  const windows = new Map<number, number>();
  for (const l of layers) {
    if (l.kind === "full" || (l.kind === "sliding" && disableHybrid)) full++;
    else if (l.kind === "sliding") windows.set(l.window, (windows.get(l.window) ?? 0) + 1);
  }
  const attentionLayers = full + [...windows.values()].reduce((s, n) => s + n, 0);
  const bytesPerToken = perToken * attentionLayers;
  const types: KvGroup[] = [];
  if (full > 0) types.push({ kind: "full", window: 0, layers: full });
  for (const [w, n] of windows) types.push({ kind: "sliding", window: w, layers: n });
  if (types.length <= 1) {
    return { pageSize, blockSize, groupSize: attentionLayers, groups: types.length ? types : [{ kind: "full", window: 0, layers: 0 }], attentionLayers, bytesPerToken };
  }
  const counts = types.map((t) => t.layers);
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  const groupSize = max < 1.5 * min ? max : min;
  const groups: KvGroup[] = [];
  for (const t of types) {
    const n = cdiv(t.layers, groupSize);
    for (let i = 0; i < n; i++) groups.push({ ...t, layers: groupSize });
  }
  return { pageSize, blockSize, groupSize, groups, attentionLayers, bytesPerToken };
}

/**
 * Full-attention layers whose page sizes differ (Nemotron-NAS layers with their own KV head counts):
 * kv_cache_utils.get_kv_cache_groups packs them into one UniformTypeKVCacheSpecs group whose page is the sum of
 * the layers' pages, so num_blocks = available // Σ pages and one request of L tokens needs cdiv(L, block) × Σ
 * pages. Represented here as one "layer" of that summed page (group size 1). Null for every other model.
 */
function uniformTypeLayout(model: ModelArch, layers: readonly LayerAttention[], tp: number, kvBytes: KvFormatLike, blockSize: number): KvLayout | null {
  if (model.mla) return null;
  let sum = 0;
  let count = 0;
  const heads = new Set<number>();
  for (const l of layers) {
    if (l.kind === "sliding" || l.kind === "linear" || l.kind === "mamba") return null;
    if (l.kind !== "full") continue;
    const h = l.kvHeads ?? model.numKvHeads;
    heads.add(h);
    sum += Math.max(1, Math.floor(h / tp)) * kvHeadTokenBytes(kvBytes, model.headDim);
    count++;
  }
  if (heads.size <= 1) return null;
  return { pageSize: blockSize * sum, blockSize, groupSize: 1, groups: [{ kind: "full", window: 0, layers: 1 }], attentionLayers: count, bytesPerToken: sum };
}

/** kv_cache_interface.py max_memory_usage_bytes for one layer of the group's spec. */
function layerMaxUsage(g: KvGroup, maxModelLen: number, maxNumBatchedTokens: number, pageSize: number, blockSize: number): number {
  if (g.kind === "sliding") {
    // SlidingWindowSpec: (cdiv(min(window - 1 + max_num_batched_tokens, max_model_len), block) + 1) pages.
    return (cdiv(Math.min(g.window - 1 + maxNumBatchedTokens, maxModelLen), blockSize) + 1) * pageSize;
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

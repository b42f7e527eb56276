// Every --kv-cache-dtype value vLLM accepts, and the bytes one cached token costs in each, as vLLM's page
// arithmetic charges them: vllm/config/cache.py CacheDType (the values), vllm/utils/torch_utils.py
// STR_DTYPE_TO_TORCH_DTYPE (the storage dtype), vllm/v1/kv_cache_interface.py KVQuantMode /
// AttentionSpec.page_size_bytes / FullAttentionSpec.real_page_size_bytes / TQFullAttentionSpec /
// MLAAttentionSpec (the page), and the quantizers named per value below.
// This is the one list: the argument table (vllm-args.ts) takes its choices from here and the core's
// KvCacheDtype type is derived from it.

/**
 * Bytes of one element of a torch dtype (torch.finfo(dtype).bits / 8): model weights, activations and
 * Mamba states alike. The one table (weights.ts re-exports it for the files that size weights).
 */
export const DTYPE_BYTES: Readonly<Record<"bfloat16" | "float16" | "float32", number>> = { bfloat16: 2, float16: 2, float32: 4 };

/** CacheDType (vllm/config/cache.py), newest modeled release. */
export const KV_CACHE_DTYPES = [
  "auto", "float16", "bfloat16", "fp8", "fp8_e4m3", "fp8_e5m2", "fp8_inc", "fp8_ds_mla", "nvfp4_ds_mla",
  "turboquant_k8v4", "turboquant_4bit_nc", "turboquant_k3v4_nc", "turboquant_3bit_nc",
  "int4_per_token_head", "int8_per_token_head", "fp8_per_token_head", "nvfp4", "nvfp4_4over6",
] as const;

export type KvCacheDtype = (typeof KV_CACHE_DTYPES)[number];

/** The values vLLM 0.6–0.7 accepted (CacheConfig before bfloat16/float16 and the quantized modes). */
export const KV_CACHE_DTYPES_BEFORE_0_8 = ["auto", "fp8", "fp8_e5m2", "fp8_e4m3"] as const;

/** How one cached token of one KV head is stored. */
export interface KvFormat {
  dtype: KvCacheDtype;
  /**
   * Bytes of one element of the cache tensor's torch dtype, get_dtype_size(STR_DTYPE_TO_TORCH_DTYPE[value])
   * (vllm/utils/torch_utils.py): the model dtype for "auto", 2 for float16/bfloat16, 1 for every other value —
   * fp8* and fp8_inc are 1-byte float8/uint8, int8_per_token_head int8, and the packed formats (nvfp4*,
   * int4_per_token_head, turboquant_*) torch.uint8, whose bytes hold two 4-bit values or a packed slot. A whole
   * number: a 4-bit value has no byte of its own, so the packing lives in kvHeadTokenBytes / kvMlaTokenBytes
   * (TQFullAttentionSpec's slot, FullAttentionSpec's nvfp4 dims), never in a fractional element size.
   */
  storageBytes: number;
}

/** Which GPUs/models a value needs, as vLLM enforces it. */
export type KvDtypeNeed = "mla" | "sparse-mla" | "blackwell";

export interface KvDtypeFacts {
  /** The change that added the value to CacheDType (release boundary where read). */
  added: string;
  needs?: KvDtypeNeed;
  /** Set where the layout could not be read from vLLM's code: the plan carries a NOT_EXACT warning. */
  notExact?: string;
  /** The first release whose parser accepts it, where that was verified (older releases refuse it). */
  since?: string;
}

/** Where each value comes from (PRs read through the issue tracker; see the README's KV cache section). */
export const KV_DTYPE_FACTS: Record<KvCacheDtype, KvDtypeFacts> = {
  auto: { added: "every release" },
  fp8: { added: "every release" },
  fp8_e4m3: { added: "every release" },
  fp8_e5m2: { added: "every release" },
  float16: { added: "v0.8 (CacheDType gained bfloat16/float16)" },
  bfloat16: { added: "v0.8 (CacheDType gained bfloat16/float16)" },
  // Intel Gaudi's fp8 (STR_DTYPE_TO_TORCH_DTYPE: torch.float8_e4m3fn, 1 byte).
  fp8_inc: { added: "v0.8 (Intel Gaudi HPU)" },
  // MLAAttentionSpec.real_page_size_bytes: block_size × 656 for "fp8_ds_mla" (FlashMLA sparse, DeepSeek-V3.2).
  fp8_ds_mla: { added: "v0.11 (DeepSeek-V3.2 sparse MLA)", needs: "sparse-mla" },
  // KVQuantMode.NVFP4_DS_MLA: "opaque-bytes NVFP4 DS-MLA layouts (FlashMLA sparse)", page keyed on cache_dtype_str.
  nvfp4_ds_mla: { added: "2026 (DeepSeek-V4 sparse MLA)", needs: "sparse-mla", notExact: "nvfp4_ds_mla KV page (DeepSeek-V4 sparse MLA layout; sized as nvfp4 of the latent)" },
  // PR #38378 (merged 2026-03): KVQuantMode.INT8_PER_TOKEN_HEAD / FP8_PER_TOKEN_HEAD, Triton attention backend.
  int8_per_token_head: { added: "PR #38378 (2026-03, v0.19)" },
  fp8_per_token_head: { added: "PR #38378 (2026-03, v0.19)" },
  // KVQuantMode.INT4_PER_TOKEN_HEAD: "packed 2×int4/byte, RHT + asymmetric zp" (follow-up of PR #38854).
  int4_per_token_head: { added: "2026 (after PR #38854)" },
  // KVQuantMode.NVFP4: "packed fp4 data + fp8 block scales"; kernels built for SM100/SM120 only.
  nvfp4: { added: "2026 (NVFP4 KV cache)", needs: "blackwell" },
  // cache.py: "nvfp4_4over6 uses the NVFP4 layout" (get_kv_quant_mode: startswith("nvfp4") → NVFP4).
  nvfp4_4over6: { added: "2026 (NVFP4 4-over-6 scales)", needs: "blackwell" },
  // TurboQuant presets (model_executor/layers/quantization/turboquant/config.py TQ_PRESETS): PR #38479, in the
  // v0.20.0 release notes (released 2026-04-27); a v0.20.0 start-up with turboquant_4bit_nc is in that PR's thread.
  turboquant_k8v4: { added: "PR #38479 (v0.20.0)", since: "0.20.0" },
  turboquant_4bit_nc: { added: "PR #38479 (v0.20.0)", since: "0.20.0" },
  turboquant_k3v4_nc: { added: "PR #38479 (v0.20.0)", since: "0.20.0" },
  turboquant_3bit_nc: { added: "PR #38479 (v0.20.0)", since: "0.20.0" },
};

/** Bytes of one fp32 scale (torch.float32). */
const FP32 = 4;

/** TQ_PRESETS (turboquant/config.py): key and value bits per preset. */
const TQ_BITS: Partial<Record<KvCacheDtype, { key: number; value: number }>> = {
  turboquant_k8v4: { key: 8, value: 4 },
  turboquant_4bit_nc: { key: 4, value: 4 },
  turboquant_k3v4_nc: { key: 3, value: 4 },
  turboquant_3bit_nc: { key: 3, value: 3 },
};

/**
 * TurboQuantConfig.slot_size_aligned (turboquant/config.py): K packed = head_dim bytes for fp8 keys (8 bits),
 * else ceil(head_dim·bits/8) + 2 (fp16 vec_norm); V packed = ceil(head_dim·bits/8) + 4 (fp16 scale + zero);
 * the sum rounded up to even. TQFullAttentionSpec.real_page_size_bytes = block × num_kv_heads × slot.
 */
export function turboquantSlotBytes(dtype: KvCacheDtype, headDim: number): number | undefined {
  const bits = TQ_BITS[dtype];
  if (!bits) return undefined;
  const key = bits.key === 8 ? headDim : Math.ceil((headDim * bits.key) / 8) + 2;
  const value = Math.ceil((headDim * bits.value) / 8) + 4;
  const slotBytes = key + value;
  return slotBytes + (slotBytes % 2);
}

/** The cache tensor's element for a value (STR_DTYPE_TO_TORCH_DTYPE): "auto" follows the model dtype (bytes given). */
export function kvFormat(dtype: KvCacheDtype, modelDtypeBytes: number): KvFormat {
  switch (dtype) {
    case "auto":
      return { dtype, storageBytes: modelDtypeBytes };
    case "float16":
    case "bfloat16":
      return { dtype, storageBytes: DTYPE_BYTES[dtype] };
    default:
      // torch.uint8 (fp8, fp8_e4m3, fp8_e5m2, fp8_ds_mla, nvfp4*, int4/fp8_per_token_head, turboquant_*),
      // torch.int8 (int8_per_token_head), torch.float8_e4m3fn (fp8_inc): one byte.
      return { dtype, storageBytes: 1 };
  }
}

/** A bare number is the pre-format calling convention: a dense dtype of that many bytes. */
export type KvFormatLike = KvFormat | number;

/** KV heads one TP rank holds of `totalKvHeads`: ModelConfig.get_num_kv_heads = max(1, total_kv_heads // tp) (replicated when tp > total). */
export function kvHeadsOnRank(totalKvHeads: number, tp: number): number {
  return Math.max(1, Math.floor(totalKvHeads / tp));
}

/**
 * K + V bytes one token of one KV head occupies in the page (head_size = head_size_v = headDim):
 *   dense (auto, float16, bfloat16, fp8*, fp8_inc): 2 · head · bytes (AttentionSpec.real_page_size_bytes);
 *   int8/fp8_per_token_head: 2 · head · 1 + 2 · 4 — the fp32 K and V scale of each (token, head) is carved
 *     from the same allocation (AttentionSpec.page_size_bytes: + 2 · block · num_kv_heads · 4);
 *   int4_per_token_head: 2 · head/2 (two int4 per byte) + the same 2 · 4 scale bytes;
 *   nvfp4, nvfp4_4over6: 2 · (head/2 + head/16) — fp4 data plus one fp8 scale per 16 elements
 *     (FullAttentionSpec.real_page_size_bytes with nvfp4_kv_cache_full_dim, uint8 storage);
 *   turboquant_*: one packed K+V slot (TQFullAttentionSpec: block · num_kv_heads · tq_slot_size).
 */
export function kvHeadTokenBytes(format: KvFormatLike, headDim: number): number {
  if (typeof format === "number") return 2 * headDim * format;
  switch (format.dtype) {
    case "int8_per_token_head":
    case "fp8_per_token_head":
      return 2 * headDim + 2 * FP32;
    case "int4_per_token_head":
      return 2 * Math.floor(headDim / 2) + 2 * FP32;
    case "nvfp4":
    case "nvfp4_4over6":
    case "nvfp4_ds_mla": // on a non-MLA head vLLM refuses it (kvDtypeProblem); sized as the nvfp4 layout it names
      return 2 * (Math.floor(headDim / 2) + Math.floor(headDim / 16));
    default: {
      const tq = turboquantSlotBytes(format.dtype, headDim);
      if (tq !== undefined) return tq;
      return 2 * headDim * format.storageBytes;
    }
  }
}

/**
 * Bytes of one token of one MLA layer (one latent "head" of kv_lora_rank + qk_rope_head_dim, no V):
 * MLAAttentionSpec.real_page_size_bytes = block · 1 · head_size · get_dtype_size(dtype), except "fp8_ds_mla"
 * = block · 656 (FlashMLA sparse: 512 fp8 latent + 4 fp32 tile scales + 64 bf16 rope = 656). The nvfp4
 * values are sized as their packed layout (head/2 + head/16); every other value at its cache dtype's whole
 * bytes, as the spec's formula reads it (a uint8 TurboQuant or int4 cache: one byte per latent element).
 */
export function kvMlaTokenBytes(format: KvFormatLike, latentDim: number): number {
  if (typeof format === "number") return latentDim * format;
  if (format.dtype === "fp8_ds_mla") return 656;
  if (format.dtype === "nvfp4" || format.dtype === "nvfp4_4over6" || format.dtype === "nvfp4_ds_mla") return Math.floor(latentDim / 2) + Math.floor(latentDim / 16);
  return latentDim * format.storageBytes;
}

/** A stable key for memo tables (the number itself for the bare-number convention). */
export function kvFormatKey(format: KvFormatLike): string {
  return typeof format === "number" ? `n${format}` : `${format.dtype}:${format.storageBytes}`;
}

export interface KvDtypeProblem {
  dtype: KvCacheDtype;
  /** Why vLLM refuses it here, in vLLM's terms (rendered by messages.ts KV_CACHE_DTYPE_UNSUPPORTED). */
  reason: "needs-mla" | "needs-blackwell" | "head-size-16";
  cc?: string;
  headDim?: number;
}

/**
 * Where vLLM cannot use the value on this model/GPU:
 *   *_ds_mla: only the FlashMLA-sparse MLA layout (MLAAttentionSpec.cache_dtype_str) stores them;
 *   nvfp4 / nvfp4_4over6: reshape_and_cache's nvfp4 path is compiled only with ENABLE_NVFP4_SM100 /
 *     ENABLE_NVFP4_SM120 (compute capability 10.x / 12.x) and TORCH_CHECKs head_size % 16 == 0
 *     ("NVFP4 KV cache requires head_size to be a multiple of 16.").
 */
export function kvDtypeProblem(dtype: KvCacheDtype, model: { mla: boolean; headDim: number }, cc: number): KvDtypeProblem | null {
  const need = KV_DTYPE_FACTS[dtype].needs;
  if ((need === "mla" || need === "sparse-mla") && !model.mla) return { dtype, reason: "needs-mla" };
  if (need === "blackwell") {
    if (cc < 10) return { dtype, reason: "needs-blackwell", cc: cc.toFixed(1) };
    if (!model.mla && model.headDim % 16 !== 0) return { dtype, reason: "head-size-16", headDim: model.headDim };
  }
  return null;
}

/** What the plan cannot size exactly for this value on this model (NOT_EXACT), or null. */
export function kvDtypeNotExact(dtype: KvCacheDtype, model: { mla: boolean; hybrid: boolean }): string | null {
  const facts = KV_DTYPE_FACTS[dtype];
  if (facts.notExact) return facts.notExact;
  if (model.mla && (dtype.endsWith("_per_token_head") || dtype.startsWith("turboquant_"))) return `--kv-cache-dtype ${dtype} on an MLA model (the latent's scale storage was not read; sized as MLAAttentionSpec's head_size × ${kvFormat(dtype, 2).storageBytes} B of the cache dtype)`;
  // TurboQuantConfig.get_boundary_skip_layers: dense models keep the first and last 2 attention layers
  // unquantized (kv_cache_dtype_skip_layers); how vLLM pads their larger pages into the TQ groups
  // (skip_page_size_padded) was not modeled — every layer is sized at the TQ slot here.
  if (dtype.startsWith("turboquant_") && !model.hybrid) return `--kv-cache-dtype ${dtype}: the first and last 2 layers vLLM keeps unquantized (TurboQuantConfig.get_boundary_skip_layers) are sized at the TurboQuant slot`;
  return null;
}

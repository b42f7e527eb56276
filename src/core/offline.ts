// The offline footprint: Hugging Face transformers `generate()` on one GPU (issue #6).
//
// Mechanism, not a fitted curve: the prefill's forward pass (and the decode steps after it) is
// written out as the sequence of tensors it allocates and frees, from the shapes of the model and
// the Python reference semantics of transformers 5.x (a tensor lives while a local name or the
// caller holds it). The sequence is replayed through a model of PyTorch's CUDA caching allocator
// (c10/cuda/CUDACachingAllocator.cpp: 512-byte rounding, a small pool of 2 MiB segments, large
// segments of 20 MiB or rounded to 2 MiB, best fit, block splitting and coalescing, no release
// without empty_cache), which yields torch.cuda.max_memory_allocated() (the largest sum of live
// blocks) and the reserved segments (what nvidia-smi shows, with the CUDA context).
//
// Sources (transformers 5.17, torch 2.11):
//  - decoder layer: models/llama/modeling_llama.py LlamaDecoderLayer.forward, LlamaMLP.forward
//    (down(act(gate(x)) * up(x))), LlamaRMSNorm.forward (fp32 upcast), apply_rotary_pos_emb /
//    rotate_half; Qwen2/Qwen3/Mistral/Gemma3 are the same shape (Qwen3 adds q_norm/k_norm, Gemma3
//    four norms per layer and (1 + weight) RMSNorm).
//  - weights: one caching-allocator request per parameter tensor in creation order (offlineWeightTensors), so
//    tensors that are not multiples of 2 MiB leave reserved tails and 1-10 MiB tensors share 20 MiB segments.
//  - model: LlamaModel.forward builds the masks (masking_utils.py sdpa_mask's and_masks steps, attentionMask),
//    then the rotary cos/sin, and holds `inputs_embeds` and cos/sin for the whole forward.
//  - attention module: q and k projections live until both rotary outputs exist; attention output made
//    contiguous before the repeated K/V die; query_states until after o_proj; eager's probabilities
//    (`hidden_states, _ = self.self_attn(...)`) until the decoder layer returns. Phi-3 (models/phi3): fused
//    qkv_proj / gate_up_proj outputs held by their views, rotary output concatenated with the pass-through part.
//    The event order is checked against fixtures/offline/traces/*.json (allocator histories with addresses).
//  - KV cache: cache_utils.py DynamicLayer.update (`torch.cat` per layer and step, so each decode
//    step copies the layer's cache) and DynamicSlidingWindowLayer (keeps window - 1 tokens after
//    the first decode step).
//  - attention: integrations/sdpa_attention.py (repeat_kv unless use_gqa_in_sdpa: no mask),
//    masking_utils.py sdpa_mask (_ignore_causal_mask_sdpa: no mask for an unpadded full-causal
//    prefill; a [B,1,L,L] bool mask when a sliding window is shorter than the sequence) and
//    eager_mask ([B,1,L,L] in the model dtype); eager_attention_forward (scores [B,h,L,L],
//    softmax in fp32, cast back); torch's SDPA turns a bool mask into one float bias tensor in the
//    query dtype (convert_boolean_attn_mask; a separate logical_not temporary would overshoot the
//    measured Mistral-7B / Gemma-3 32k peaks by 1 GiB, so there is none).
//  - generate: logits_to_keep=1 (only the last position goes through lm_head), next-token logits
//    copied to fp32 (generation/utils.py _sample).
//  - vision: models/qwen2_5_vl/modeling_qwen2_5_vl.py Qwen2_5_VisionTransformerPretrainedModel
//    (window reorder, per-window / per-image SDPA chunks concatenated, apply_rotary_pos_emb_vision
//    in fp32, PatchMerger), Qwen2_5_VLModel.forward (image_embeds held, masked_scatter copy).
//  - MoE: integrations/moe.py grouped_mm_experts_forward (tokens gathered top_k times and sorted, grouped
//    gate_up and down with their masked_fill copies, routing weights in the router's precision, re-ordered,
//    summed), traced on DeepSeek-V2-Lite; MLA: DeepseekV2Attention's compressed-latent cache (mlaAttention).
// Measured constants (fixtures/offline/*.json, H100, torch 2.11, CUDA 13): the cuBLAS workspace and
// the context growth during generate; see their comments.
import type { ModelArch, TorchDtype, VisionSpec } from "./types.js";
import { DTYPE_BYTES, paramCount, paramLayout } from "./weights.js";
import type { ParamGroup } from "./param-groups.js";
import { imageTokens, pixelLimits, visionFamily } from "./vision.js";
import { ConfigError } from "./errors.js";
import { CUDA_CONTEXT_BYTES } from "./non-torch.js";

import { ATTN_IMPLEMENTATIONS, type AttnImplementation } from "./attn-implementations.js";
export { ATTN_IMPLEMENTATIONS, type AttnImplementation };

export interface OfflineImage {
  width: number;
  height: number;
}

export interface OfflineInput {
  model: ModelArch;
  /** Text tokens of one prompt (the image tokens are added). */
  promptTokens: number;
  /** Images of one prompt; every row of the batch has the same. */
  images: OfflineImage[];
  batch: number;
  newTokens: number;
  attn: AttnImplementation;
  /** torch_dtype the model is loaded in (default: the config's). */
  dtype?: TorchDtype;
  /** Processor pixel limits (min_pixels / max_pixels) overriding the model's. */
  pixels?: { min_pixels?: number; max_pixels?: number };
}

export interface OfflineFootprint {
  attn: AttnImplementation;
  dtype: TorchDtype;
  batch: number;
  /** Tokens of one prompt: text + image tokens. */
  sequenceTokens: number;
  imageTokens: number;
  /** Vision patches of the whole batch. */
  patches: number;
  newTokens: number;
  /** Parameters in the model dtype, each rounded to the allocator's 512-byte blocks. */
  weightsBytes: number;
  /** input_ids + attention_mask (int64) and pixel_values (model dtype) on the GPU. */
  inputsBytes: number;
  /** cuBLAS / cuBLASLt workspaces held by the caching allocator after the first matmul. */
  workspaceBytes: number;
  /** DynamicCache at the end of generation (batch × (prompt + new tokens), sliding layers trimmed). */
  kvCacheBytes: number;
  /** KV cache held at the allocated peak. */
  kvAtPeakBytes: number;
  /** Peak allocated minus weights, inputs, workspace and the KV cache held at that moment. */
  activationPeakBytes: number;
  /** The vision encoder's own peak above what was live before it (0 without images). */
  encoderPeakBytes: number;
  /** Where the allocated peak happens. */
  peakPhase: "prefill" | "vision" | "decode";
  /** torch.cuda.max_memory_allocated(). */
  peakAllocatedBytes: number;
  /** torch.cuda.max_memory_reserved(): the caching allocator's segments. */
  reservedBytes: number;
  /** reserved − allocated peak: memory the allocator holds but no tensor uses at the peak. */
  allocatorReserveBytes: number;
  /** CUDA context plus the kernels and library handles generate loads. */
  cudaContextBytes: number;
  /** What nvidia-smi shows for the process: context + reserved. */
  deviceBytes: number;
  /** A [B,1,L,L] mask or [B,h,L,L] scores were materialized. */
  quadraticAttention: boolean;
  notes: string[];
}

const MiB = 2 ** 20;

/**
 * cuBLAS workspace: 32 MiB, allocated through PyTorch's caching allocator on the first bf16 matmul
 * (measured: fixtures/offline/h100-offline-*.json "cublas_workspace_bytes_first_matmul" and
 * after_first_matmul.allocated = 0.03125 GiB; torch's default CUBLAS_WORKSPACE_CONFIG on Hopper),
 * plus 1 MiB more held after the first generate (calibration Qwen2.5-VL-7B: text-8k
 * base_allocated − after_load − input ids/mask = 33 MiB exactly).
 */
export const WORKSPACE_BYTES = 33 * MiB;

/**
 * Device memory outside PyTorch's segments after generate(): CUDA context plus the kernel images and
 * library handles loaded while running. Measured device_used_after − peak_reserved on the H100:
 * 0.680–0.694 GiB across fixtures/offline/*.json (median ≈ 0.685 GiB) vs 0.606 GiB right after CUDA
 * init (CUDA_CONTEXT_BYTES) → 80 MiB loaded by generate.
 */
export const GENERATE_KERNELS_BYTES = 80 * MiB;

// ---------------------------------------------------------------- caching allocator model

const SMALL_SIZE = MiB; // kSmallSize
const SMALL_BUFFER = 2 * MiB; // kSmallBuffer
const LARGE_BUFFER = 20 * MiB; // kLargeBuffer
const MIN_LARGE_ALLOC = 10 * MiB; // kMinLargeAlloc
const ROUND_LARGE = 2 * MiB; // kRoundLarge

interface Block {
  seg: number;
  off: number;
  size: number;
  free: boolean;
  small: boolean;
  /** Neighbors in the same segment (address order), for splitting and coalescing. */
  prev: Block | null;
  next: Block | null;
}

/**
 * The free blocks of one pool in BlockComparator's order (size, then address; a newer segment lies lower), so
 * get_free_block's best fit is a binary search (a model's weights leave hundreds of tails in the pool).
 */
class FreePool {
  private items: Block[] = [];

  private static before(x: Block, y: Block): boolean {
    return x.size < y.size || (x.size === y.size && (x.seg > y.seg || (x.seg === y.seg && x.off < y.off)));
  }

  private position(b: Block): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.items[mid];
      if (m && FreePool.before(m, b)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(b: Block): void {
    this.items.splice(this.position(b), 0, b);
  }

  /** Removes b; call before changing its size. */
  delete(b: Block): void {
    const i = this.position(b);
    if (this.items[i] === b) this.items.splice(i, 1);
  }

  /** Removes and returns the smallest block of at least `size` bytes, lowest address among equals. */
  take(size: number): Block | null {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.items[mid]?.size ?? 0) < size) lo = mid + 1;
      else hi = mid;
    }
    const b = this.items[lo];
    if (!b) return null;
    this.items.splice(lo, 1);
    return b;
  }
}

/** PyTorch's CUDACachingAllocator (one stream, default config, no expandable segments). */
export class CachingAllocator {
  private smallPool = new FreePool();
  private largePool = new FreePool();
  private live = new Map<number, Block>();
  private nextId = 1;
  private segCount = 0;
  allocated = 0;
  reserved = 0;
  peakAllocated = 0;
  /** Largest allocated since the last resetWindow(). */
  windowPeak = 0;

  resetWindow(): void {
    this.windowPeak = this.allocated;
  }

  static roundSize(n: number): number {
    return n < 512 ? 512 : 512 * Math.ceil(n / 512);
  }

  private static allocationSize(n: number): number {
    if (n <= SMALL_SIZE) return SMALL_BUFFER;
    if (n < MIN_LARGE_ALLOC) return LARGE_BUFFER;
    return ROUND_LARGE * Math.ceil(n / ROUND_LARGE);
  }

  malloc(bytes: number): number {
    const size = CachingAllocator.roundSize(Math.max(1, Math.ceil(bytes)));
    const small = size <= SMALL_SIZE;
    // get_free_block: the smallest free block that fits, ties to the lowest address (BlockComparator orders
    // by size, then pointer). cudaMalloc hands out descending addresses, so a newer segment's blocks sit
    // below an older one's (recorded in fixtures/offline/traces/h200-eager-allocator-trace.json: segments at
    // 0x…d20000000, 0x…ce0000000, 0x…c60000000, 0x…be0000000 in creation order). That tie-break decides
    // which 2 GiB block the next layer's 1 GiB score tensors split, and so whether eager attention's fp32
    // softmax finds a free 2 GiB block or cudaMallocs another one.
    const pool = small ? this.smallPool : this.largePool;
    let best = pool.take(size);
    if (!best) {
      const segSize = CachingAllocator.allocationSize(size);
      best = { seg: this.segCount++, off: 0, size: segSize, free: true, small, prev: null, next: null };
      this.reserved += segSize;
    }
    const remaining = best.size - size;
    if (small ? remaining >= 512 : remaining > SMALL_SIZE) {
      const rest: Block = { seg: best.seg, off: best.off + size, size: remaining, free: true, small, prev: best, next: best.next };
      if (best.next) best.next.prev = rest;
      best.next = rest;
      best.size = size;
      pool.add(rest);
    }
    best.free = false;
    this.allocated += best.size;
    if (this.allocated > this.peakAllocated) this.peakAllocated = this.allocated;
    if (this.allocated > this.windowPeak) this.windowPeak = this.allocated;
    const id = this.nextId++;
    this.live.set(id, best);
    return id;
  }

  free(id: number): void {
    let b = this.live.get(id);
    if (!b) return;
    this.live.delete(id);
    this.allocated -= b.size;
    b.free = true;
    const pool = b.small ? this.smallPool : this.largePool;
    const next = b.next;
    if (next && next.free) {
      pool.delete(next);
      b.size += next.size;
      b.next = next.next;
      if (next.next) next.next.prev = b;
    }
    const prev = b.prev;
    if (prev && prev.free) {
      pool.delete(prev);
      prev.size += b.size;
      prev.next = b.next;
      if (b.next) b.next.prev = prev;
      b = prev;
    }
    pool.add(b);
  }
}

// ---------------------------------------------------------------- the trace

/** A recorder of named tensors over the allocator, tracking which phase set the allocated peak. */
class Trace {
  readonly a = new CachingAllocator();
  phase: OfflineFootprint["peakPhase"] = "prefill";
  peakPhase: OfflineFootprint["peakPhase"] = "prefill";
  kvLive = 0;
  kvAtPeak = 0;
  /** Bytes of tensors held at the peak that are neither weights nor KV (inputs, workspace, activations). */
  alloc(bytes: number): number {
    const before = this.a.peakAllocated;
    const id = this.a.malloc(bytes);
    if (this.a.peakAllocated > before) {
      this.peakPhase = this.phase;
      this.kvAtPeak = this.kvLive;
    }
    return id;
  }
  free(...ids: number[]): void {
    for (const id of ids) this.a.free(id);
  }
  kv(bytes: number): number {
    this.kvLive += CachingAllocator.roundSize(bytes);
    return this.alloc(bytes);
  }
  freeKv(id: number, bytes: number): void {
    this.kvLive -= CachingAllocator.roundSize(bytes);
    this.a.free(id);
  }
}

/** LlamaRMSNorm (fp32 upcast, (1 + w) for Gemma): rows × width elements of dtype b; returns the output. */
function rmsNorm(t: Trace, rows: number, width: number, b: number, gemma: boolean): number {
  const n = rows * width;
  const x32 = t.alloc(4 * n); // hidden_states.to(float32)
  const sq = t.alloc(4 * n); // .pow(2), freed after .mean
  t.free(sq);
  const y32 = t.alloc(4 * n); // hidden_states * rsqrt(var + eps)
  if (gemma) {
    // Gemma3RMSNorm: output * (1 + weight.float()) in fp32, then type_as(x).
    t.free(x32);
    const w32 = t.alloc(4 * n);
    t.free(y32);
    const out = t.alloc(b * n);
    t.free(w32);
    return out;
  }
  t.free(x32);
  const cast = t.alloc(b * n); // .to(input_dtype)
  const out = t.alloc(b * n); // weight * ...
  t.free(cast, y32);
  return out;
}

/**
 * q * cos + rotate_half(q) * sin: returns the embedded tensor; `x` is freed by the caller's rebinding. With
 * `passCat` (models/phi3/modeling_phi3.py apply_rotary_pos_emb: torch.cat([q_rot * cos + rotate_half(q_rot) * sin,
 * q_pass], dim=-1)) the sum is copied once more by the cat, as fixtures/offline/traces/h200-phi3-eager-allocator-trace.json shows.
 */
function rotary(t: Trace, n: number, eb: number, passCat = false): number {
  const qc = t.alloc(eb * n);
  const neg = t.alloc((eb * n) / 2); // -x2
  const rot = t.alloc(eb * n); // torch.cat((-x2, x1))
  t.free(neg);
  const rs = t.alloc(eb * n);
  t.free(rot);
  const out = t.alloc(eb * n);
  t.free(qc, rs);
  if (!passCat) return out;
  const cat = t.alloc(eb * n);
  t.free(out);
  return cat;
}

/** LlamaMLP / Qwen2_5_VLMLP: down(act(gate(x)) * up(x)); returns the output, frees nothing of x. */
function gatedMlp(t: Trace, rows: number, hidden: number, inter: number, b: number): number {
  const g = t.alloc(b * rows * inter);
  const act = t.alloc(b * rows * inter);
  t.free(g);
  const up = t.alloc(b * rows * inter);
  const prod = t.alloc(b * rows * inter);
  t.free(act, up);
  const down = t.alloc(b * rows * hidden);
  t.free(prod);
  return down;
}

/**
 * Phi3MLP: gate_up_proj(x) [rows, 2·inter], chunked into two views; up * act(gate); down_proj. The `gate` view
 * keeps the whole gate_up output alive until the MLP returns, so 4·inter elements per row are live at the product
 * (gate_up, act, product) where LlamaMLP has 3 (fixtures/offline/traces/h200-heldout-allocator-traces.json,
 * phi-4 at 16k: a 1094 MiB gate_up segment beside the 548 MiB ones).
 */
function fusedGatedMlp(t: Trace, rows: number, hidden: number, inter: number, b: number): number {
  const gu = t.alloc(b * rows * 2 * inter);
  const act = t.alloc(b * rows * inter);
  const prod = t.alloc(b * rows * inter);
  t.free(act);
  const down = t.alloc(b * rows * hidden);
  t.free(prod, gu);
  return down;
}

/** fc2(act(fc1(x))) (Qwen2-VL vision MLP). */
function plainMlp(t: Trace, rows: number, hidden: number, inter: number, b: number): number {
  const h = t.alloc(b * rows * inter);
  const act = t.alloc(b * rows * inter);
  t.free(h);
  const out = t.alloc(b * rows * hidden);
  t.free(act);
  return out;
}

/**
 * How a model's router hands over its weights (the `*TopKRouter.forward` of each transformers model): Qwen3-MoE
 * casts the top-k weights back to the model dtype (`router_top_value.to(router_logits.dtype)`); Mixtral keeps the
 * float32 softmax values; DeepSeek-V2 also runs the router itself in float32 (`F.linear(hidden_states.type(torch.float32),
 * self.weight.type(torch.float32))`). float32 weights promote the weighted expert outputs to float32.
 */
function routerPrecision(a: ModelArch): { fp32Weights: boolean; fp32Input: boolean } {
  if (a.modelType === "mixtral") return { fp32Weights: true, fp32Input: false };
  if (a.modelType === "deepseek_v2") return { fp32Weights: true, fp32Input: true };
  return { fp32Weights: false, fp32Input: false };
}

/**
 * The MoE block as transformers 5.x runs it on a GPU: the router, then integrations/moe.py
 * grouped_mm_experts_forward — tokens gathered top_k times and sorted by expert, the grouped gate_up projection and
 * its masked_fill copy, act(gate) * up, the grouped down projection and its masked_fill copy, the routing weights
 * applied (float32 when the router's weights are), re-ordered, summed over top_k and cast back; shared experts
 * after (DeepseekV2Moe: `hidden_states + self.shared_experts(residuals)`). Traced in
 * fixtures/offline/traces/h200-mla-nemo-allocator-traces.json (DeepSeek-V2-Lite at 8k:
 * +192 +264 +264 −264 +132 +132 −132 −264 +192 −132 +192 −192 +384 +384 −384 +64 +32 MiB).
 */
function moeBlock(t: Trace, a: ModelArch, T: number, b: number): number {
  const m = a.moe;
  if (!m) return gatedMlp(t, T, a.hiddenSize, a.intermediateSize, b);
  const H = a.hiddenSize;
  const k = m.topK;
  const I = m.moeIntermediateSize;
  const S = T * k;
  const r = routerPrecision(a);
  const up = r.fp32Input ? t.alloc(4 * T * H) : 0;
  const logits = t.alloc((r.fp32Input ? 4 : b) * T * m.numExperts);
  t.free(up);
  const probs = t.alloc(4 * T * m.numExperts); // softmax in float32
  const topw = t.alloc((r.fp32Weights ? 4 : b) * T * k);
  const topi = t.alloc(8 * T * k);
  t.free(probs);
  const sorted = [t.alloc(8 * S), t.alloc(8 * S)]; // expert_ids_g, perm
  const xs = t.alloc(b * S * H); // selected_hidden_states_g
  const gu = t.alloc(b * S * 2 * I);
  const guMasked = t.alloc(b * S * 2 * I); // proj_out.masked_fill(sentinel_mask, 0.0)
  t.free(gu);
  const act = t.alloc(b * S * I);
  const prod = t.alloc(b * S * I);
  t.free(act, guMasked);
  const down = t.alloc(b * S * H);
  t.free(prod);
  const downMasked = t.alloc(b * S * H);
  t.free(down);
  const wb = r.fp32Weights ? 4 : b;
  const weighted = t.alloc(wb * S * H); // proj_out * sample_weights_g
  const reordered = t.alloc(wb * S * H); // weighted_out[inv_perm]
  t.free(weighted);
  let out = t.alloc(wb * T * H); // .view(T, k, H).sum(dim=1)
  const summed = out;
  if (wb !== b) out = t.alloc(b * T * H); // .to(hidden_states.dtype)
  t.free(downMasked, xs, reordered, ...sorted, topw, topi);
  if (summed !== out) t.free(summed);
  let shared = 0;
  if (m.sharedExperts > 0 && m.sharedIntermediateSize > 0) {
    shared = gatedMlp(t, T, H, m.sharedIntermediateSize, b);
    const sum = t.alloc(b * T * H);
    t.free(shared, out, logits);
    return sum;
  }
  t.free(logits);
  return out;
}

interface LayerKv {
  k: number;
  v: number;
  /** Bytes per cached token (whole batch) of the K and V tensors. */
  kTok: number;
  vTok: number;
  /** Bytes per cached token of the temporaries each decode step's attention builds from the whole cache. */
  decodeTemps: number[];
  /** Tokens the layer's cache holds (logical). */
  tokens: number;
  /** Tokens of the storage behind it (a sliding layer's view keeps the full tensor alive). */
  stored: number;
  sliding: number; // window, 0 = full
}

interface LmDims {
  a: ModelArch;
  B: number;
  L: number;
  b: number;
  attn: AttnImplementation;
  gemma: boolean;
}

function isMoeLayer(a: ModelArch, i: number): boolean {
  return a.moe !== null && !a.moe.denseLayers.includes(i);
}

/**
 * DeepSeek-V2/V3 attention as transformers 5.x runs it (models/deepseek_v2/modeling_deepseek_v2.py
 * DeepseekV2Attention.forward): q_proj (or q_a_proj → q_a_layernorm → q_b_proj) to heads × (nope + rope);
 * kv_a_proj_with_mqa to kv_lora_rank + rope, kv_a_layernorm on the latent; apply_rotary_emb in complex fp32; the
 * cache stores the *compressed* latent (K = [B, 1, L, kv_lora_rank], V = [B, 1, L, rope]); then expand_kv runs
 * kv_b_proj over the cached latent (heads × (nope + v)) and copies keys into a new [B, heads, L, nope + rope]
 * tensor; SDPA; o_proj. Every decode step expands the whole cache again (decodeTemps). Returns the o_proj output.
 */
function mlaAttention(t: Trace, d: LmDims, kvs: LayerKv[]): number {
  const { a, B, L, b } = d;
  const m = a.mla;
  if (!m) throw new ConfigError(`${a.id}: no MLA dimensions`);
  const T = B * L;
  const h = a.numHeads;
  const qk = m.qkNopeHeadDim + m.qkRopeHeadDim;
  let q: number;
  if (m.qLoraRank) {
    const qa = t.alloc(b * T * m.qLoraRank);
    const qan = rmsNorm(t, T, m.qLoraRank, b, false);
    t.free(qa);
    q = t.alloc(b * T * h * qk);
    t.free(qan);
  } else q = t.alloc(b * T * h * qk);
  const compressed = t.alloc(b * T * (m.kvLoraRank + m.qkRopeHeadDim));
  const kNope = rmsNorm(t, T, m.kvLoraRank, b, false);
  // apply_rotary_emb: xq.float(), xk.float(), the complex products, view_as_real(...).type_as(...).
  const nq = T * h * m.qkRopeHeadDim;
  const nk = T * m.qkRopeHeadDim;
  const fq = t.alloc(4 * nq);
  const fk = t.alloc(4 * nk);
  const pq = t.alloc(4 * nq);
  const qPe = t.alloc(b * nq);
  t.free(pq);
  const pk = t.alloc(4 * nk);
  const kPe = t.alloc(b * nk);
  t.free(pk, fq, fk);
  // DynamicLayer.update on the latent: torch.cat copies.
  const kc = t.kv(b * T * m.kvLoraRank);
  const vc = t.kv(b * T * m.qkRopeHeadDim);
  kvs.push({
    k: kc,
    v: vc,
    kTok: b * B * m.kvLoraRank,
    vTok: b * B * m.qkRopeHeadDim,
    decodeTemps: [b * B * h * (m.qkNopeHeadDim + m.vHeadDim), b * B * h * qk],
    tokens: L,
    stored: L,
    sliding: 0,
  });
  t.free(kNope, kPe);
  const query = t.alloc(b * T * h * qk); // torch.cat((q_nope, q_pe))
  const kvb = t.alloc(b * T * h * (m.qkNopeHeadDim + m.vHeadDim)); // expand_kv: kv_b_proj(latent)
  const keys = t.alloc(b * T * h * qk); // new_empty + copies
  const out = t.alloc(b * T * h * m.vHeadDim);
  const outC = t.alloc(b * T * h * m.vHeadDim); // transpose(1, 2).contiguous()
  t.free(out);
  const o = t.alloc(b * T * a.hiddenSize); // o_proj
  t.free(outC, q, compressed, qPe, query, keys, kvb);
  return o;
}

/** One decoder layer of the prefill over B × L tokens; X (the layer input) is held by the caller. */
function decoderLayer(t: Trace, d: LmDims, i: number, masks: { full: boolean; sliding: boolean }, kvs: LayerKv[]): number {
  const { a, B, L, b } = d;
  const T = B * L;
  const H = a.hiddenSize;
  const hd = a.headDim;
  const qn = a.numHeads * hd;
  const kvn = a.numKvHeads * hd;
  const layer = a.layers[i] ?? { kind: "full" as const };
  const window = layer.kind === "sliding" ? layer.window : 0;
  const normed = rmsNorm(t, T, H, b, d.gemma);
  let attnWeights = 0;
  const fused = fusedProjections(a);
  let o: number;
  if (a.mla) {
    o = mlaAttention(t, d, kvs);
    t.free(normed);
  } else {
    // q/k/v projections (views after .view().transpose()). Phi3Attention projects once (qkv_proj) and slices
    // views, so its `qkv` local keeps the whole [T, q + 2·kv] output alive until the module returns, after o_proj.
    const qkv = fused ? t.alloc(b * T * (qn + 2 * kvn)) : 0;
    let q = fused ? 0 : t.alloc(b * T * qn);
    let k = fused ? 0 : t.alloc(b * T * kvn);
    const v = fused ? 0 : t.alloc(b * T * kvn);
    if (a.qkNorm || d.gemma) {
      const qq = rmsNorm(t, T * a.numHeads, hd, b, d.gemma);
      t.free(q);
      q = qq;
      const kk = rmsNorm(t, T * a.numKvHeads, hd, b, d.gemma);
      t.free(k);
      k = kk;
    }
    // `query_states, key_states = apply_rotary_pos_emb(query_states, key_states, cos, sin)`: the caller's q and k
    // stay alive until both rotated tensors are returned (fixtures/offline/traces/h200-heldout-allocator-traces.json:
    // the q projection is freed after k's rotary, not before it).
    const qe = rotary(t, T * qn, b, fused);
    const ke = rotary(t, T * kvn, b, fused);
    t.free(q, k);
    // DynamicLayer.update: torch.cat([empty, k]) copies into the cache.
    const kc = t.kv(b * T * kvn);
    const vc = t.kv(b * T * kvn);
    // Decode: eager_attention_forward repeats the cached K and V to every query head (repeat_kv) each step; sdpa
    // without a mask passes enable_gqa instead (integrations/sdpa_attention.py use_gqa_in_sdpa).
    const repeat = d.attn === "eager" && a.numKvHeads < a.numHeads ? [b * B * qn, b * B * qn] : [];
    kvs.push({ k: kc, v: vc, kTok: b * B * kvn, vTok: b * B * kvn, decodeTemps: repeat, tokens: window > 0 ? Math.min(L, window - 1) : L, stored: L, sliding: window });
    t.free(ke, v);
    const hasMask = window > 0 ? masks.sliding : masks.full;
    let out: number;
    // eager_attention_forward returns its probabilities (attn_weights, [B,h,L,L] in the model dtype) beside the
    // output, and every decoder layer keeps them as `_` in `hidden_states, _ = self.self_attn(...)` until it returns
    // (models/llama/modeling_llama.py LlamaDecoderLayer.forward; the same in Mistral, Qwen2/3, Qwen3-MoE, Mixtral,
    // Gemma3, Qwen2-VL/Qwen3-VL, DeepSeek-V2; Phi3 names it self_attn_weights): alive through o_proj and the MLP.
    let rkHeld: number[] = [];
    if (d.attn === "eager") {
      const rk = a.numKvHeads < a.numHeads ? [t.alloc(b * T * qn), t.alloc(b * T * qn)] : [];
      const S = B * a.numHeads * L * L;
      // torch.matmul(query, key.transpose(2, 3)) folds [B, heads] into one batch dimension; the query, a transposed
      // view of [B, L, heads, d] memory, folds without a copy only when B = 1 (fixtures/offline/traces/
      // h200-mla-nemo-allocator-traces.json, Mistral-Nemo eager batch 2: a 32 MiB copy around the score matmul).
      // Phi-3's query comes out of torch.cat, already contiguous.
      const qCopy = B > 1 && !fused ? t.alloc(b * T * qn) : 0;
      const mm = t.alloc(b * S);
      t.free(qCopy);
      const scaled = t.alloc(b * S);
      t.free(mm);
      let w = scaled;
      if (hasMask) {
        w = t.alloc(b * S);
        t.free(scaled);
      }
      const up = t.alloc(4 * S); // softmax(dtype=float32): the fp32 copy of the input ...
      const sm = t.alloc(4 * S); // ... and the result
      t.free(up);
      attnWeights = t.alloc(b * S); // .to(query.dtype)
      t.free(sm, w);
      out = t.alloc(b * T * qn);
      rkHeld = rk;
    } else if (d.attn === "sdpa" && hasMask) {
      // repeat_kv (no enable_gqa with a mask), then SDPA turns the bool mask into a float bias.
      const rk = a.numKvHeads < a.numHeads ? [t.alloc(b * T * qn), t.alloc(b * T * qn)] : [];
      const bias = t.alloc(b * B * L * L);
      out = t.alloc(b * T * qn);
      t.free(bias);
      rkHeld = rk;
    } else {
      out = t.alloc(b * T * qn); // flash / efficient kernel: O(L) memory
    }
    // Inside the attention function: attn_output.transpose(1, 2).contiguous(), then its locals (the repeated K/V)
    // die on return; query_states lives until the attention module returns, after o_proj; the layer's normed input
    // is released when `hidden_states, _ = self.self_attn(...)` rebinds the name (the order in the traces above).
    const outC = t.alloc(b * T * qn);
    t.free(out, ...rkHeld);
    o = t.alloc(b * T * H); // o_proj
    t.free(outC, qkv, qe, normed);
  }
  let attnOut = o;
  if (d.gemma) {
    attnOut = rmsNorm(t, T, H, b, true); // post_attention_layernorm on the attention output
    t.free(o);
  }
  const resid = t.alloc(b * T * H); // residual + hidden_states
  t.free(attnOut);
  const n2 = rmsNorm(t, T, H, b, d.gemma);
  const mlpOut = isMoeLayer(a, i) ? moeBlock(t, a, T, b) : fused ? fusedGatedMlp(t, T, H, a.intermediateSize, b) : gatedMlp(t, T, H, a.intermediateSize, b);
  t.free(n2);
  let m = mlpOut;
  if (d.gemma) {
    m = rmsNorm(t, T, H, b, true); // post_feedforward_layernorm
    t.free(mlpOut);
  }
  const y = t.alloc(b * T * H);
  t.free(m, resid);
  if (attnWeights) t.free(attnWeights);
  return y;
}

/** Qwen2-VL / Qwen2.5-VL vision tower over P patches (images of patch counts `perImage`); returns the merged embeddings. */
function visionTower(t: Trace, v: VisionSpec, perImage: number[], lmHidden: number, b: number, attn: AttnImplementation): number {
  const P = perImage.reduce((s, x) => s + x, 0);
  const E = v.hiddenSize;
  const m2 = v.spatialMergeSize * v.spatialMergeSize;
  const headDim = E / v.numHeads;
  let x = t.alloc(b * P * E); // patch_embed Conv3d
  const rot = t.alloc(4 * P * (headDim / 2)); // rot_pos_emb
  const support = visionFamily(v)?.offline;
  const windowed = typeof support === "object" && support.windowed;
  let rotW = rot;
  if (windowed) {
    const xw = t.alloc(b * P * E); // hidden_states[window_index]
    t.free(x);
    x = xw;
    rotW = t.alloc(4 * P * (headDim / 2));
    t.free(rot);
  }
  const emb = t.alloc(4 * P * headDim); // cat(rot, rot)
  const cos = t.alloc(4 * P * headDim);
  const sin = t.alloc(4 * P * headDim);
  // Window chunks: window_size / patch_size patches per side → (window/patch)² patches per chunk.
  const winPatches = windowed && v.windowSize > 0 ? (v.windowSize / v.patchSize) ** 2 : 0;
  for (let blk = 0; blk < v.depth; blk++) {
    const full = !windowed || v.fullAttBlockIndexes.includes(blk);
    const n1 = v.gatedMlp ? rmsNorm(t, P, E, b, false) : t.alloc(b * P * E);
    const qkv = t.alloc(b * P * 3 * E);
    // apply_rotary_pos_emb_vision: q, k upcast to fp32, rotary in fp32, cast back.
    const q32 = t.alloc(4 * P * E);
    const k32 = t.alloc(4 * P * E);
    const qe = rotary(t, P * E, 4);
    const ke = rotary(t, P * E, 4);
    t.free(q32, k32);
    const qb = t.alloc(b * P * E);
    const kb = t.alloc(b * P * E);
    t.free(qe, ke);
    // Per-chunk SDPA outputs (all alive until torch.cat), then the concatenation.
    const chunk = full ? Math.max(...perImage) : Math.max(1, winPatches);
    let scores: number[] = [];
    if (attn === "eager") {
      // eager_attention_forward per chunk (the vision attention's per-cu_seqlens loop, models/qwen2_vl/modeling_qwen2_vl.py
      // VisionAttention.forward): scores, scaled scores, the fp32 softmax's input copy and result, cast back — the same
      // 10 bytes per score element at the softmax as in the decoder (h200-offline-validation.json, Qwen2.5-VL-3B eager
      // with an 896² image: 1 GiB above a bf16 + fp32 pair).
      const S = v.numHeads * chunk * chunk;
      const mm = t.alloc(b * S);
      const scaled = t.alloc(b * S);
      t.free(mm);
      const up = t.alloc(4 * S);
      const sm = t.alloc(4 * S);
      t.free(up);
      scores = [t.alloc(b * S)];
      t.free(sm, scaled);
    }
    const parts = t.alloc(b * P * E);
    t.free(...scores);
    const cat = t.alloc(b * P * E);
    t.free(parts, qb, kb, qkv);
    const proj = t.alloc(b * P * E);
    t.free(cat, n1);
    const x1 = t.alloc(b * P * E);
    t.free(proj, x);
    const n2 = v.gatedMlp ? rmsNorm(t, P, E, b, false) : t.alloc(b * P * E);
    const mo = v.gatedMlp ? gatedMlp(t, P, E, v.intermediateSize, b) : plainMlp(t, P, E, v.intermediateSize, b);
    t.free(n2);
    x = t.alloc(b * P * E);
    t.free(mo, x1);
  }
  // PatchMerger: ln_q, view [P/m², m²E], Linear, GELU, Linear → [P/m², H].
  const ln = v.gatedMlp ? rmsNorm(t, P, E, b, false) : t.alloc(b * P * E);
  t.free(x);
  const h1 = t.alloc(b * P * E);
  t.free(ln);
  const g = t.alloc(b * P * E);
  t.free(h1);
  let merged = t.alloc((b * P * lmHidden) / m2);
  t.free(g);
  if (windowed) {
    const r = t.alloc((b * P * lmHidden) / m2); // [reverse_indices]
    t.free(merged);
    merged = r;
  }
  t.free(emb, cos, sin, rotW);
  return merged;
}

/**
 * masking_utils.py sdpa_mask (non-vmap path) for an unpadded batch: `and_masks(mask_function, padding_mask_function)`
 * folds each condition into `result = result & mask(...)` over broadcast index tensors, so each step allocates the
 * condition [1,1,L,L] and the new result, then frees the condition and the old result; a sliding window nests
 * and_masks(causal, sliding_window_overlay) inside; the padding step broadcasts to [B,1,L,L]. eager_mask then turns
 * the bool mask into the model dtype (torch.where). Traced to the byte in fixtures/offline/traces/ (Llama eager:
 * +4 +4 −4 +4 −4 +8 −4 MiB at 2k; Phi-3's sliding window: +9 +9 −9 +9 +9 −9 −9 +9 −9 +9 −9 +18 −9 MiB at 3k).
 */
function attentionMask(t: Trace, B: number, L: number, sliding: boolean, floatBytes: number): number {
  const L2 = L * L;
  const causal = t.alloc(L2);
  let result = t.alloc(L2);
  t.free(causal);
  if (sliding) {
    const overlay = t.alloc(L2);
    const inner = t.alloc(L2);
    t.free(overlay, result);
    result = t.alloc(L2); // the outer and_mask's first step
    t.free(inner);
  }
  const padded = t.alloc(B * L2);
  t.free(result);
  if (floatBytes === 0) return padded;
  const mask = t.alloc(floatBytes * B * L2);
  t.free(padded);
  return mask;
}

function isGemma(a: ModelArch): boolean {
  return a.modelType.startsWith("gemma");
}

/**
 * A SigLIP-style ViT tower the architecture reader does not count (Gemma 3): per layer q/k/v/o with
 * biases 4(E² + E), fc1/fc2 2EI + I + E, two LayerNorms 4E; patch Conv2d 3p²E + E; learned positions
 * (896 / 14)² = 4096 (Gemma 3's SigLIP image_size, which VisionSpec does not carry); post-LayerNorm
 * 2E; projector E × H + E (Gemma3MultiModalProjector). Gemma-3-4B: 419,816,304, exactly the
 * measured difference (fixtures/offline/h100-offline-gemma-3-4b-it.json param_bytes).
 */
function vitParams(v: VisionSpec, lmHidden: number): number {
  const E = v.hiddenSize;
  const I = v.intermediateSize;
  const perLayer = 4 * E * E + 2 * E * I + 9 * E + I;
  return v.depth * perLayer + 3 * v.patchSize * v.patchSize * E + E + 4096 * E + 2 * E + E * lmHidden + E;
}

/**
 * transformers' parameter tensors of one group, in element counts. The groups are vLLM's layout (param-groups.ts):
 * fused qkv_proj and gate_up_proj, which transformers keeps as separate q/k/v and gate/up Linears (each weight, then
 * its bias) except where its own module is fused: Phi3Attention.qkv_proj and Phi3MLP.gate_up_proj
 * (models/phi3/modeling_phi3.py), the Qwen-VL vision towers' attn.qkv. Routed experts are one 3-D parameter per
 * projection (models/qwen3_moe/modeling_qwen3_moe.py Qwen3MoeExperts: gate_up_proj [E, 2I, H], down_proj [E, H, I]).
 */
function groupTensors(a: ModelArch, g: ParamGroup): number[] {
  const n = g.experts ?? 1;
  if (n > 1) return g.bias ? [n * g.out * g.in, n * g.bias] : [n * g.out * g.in];
  const shards = g.shards ?? 1;
  const fused = g.component === "vision" ? g.name.endsWith(".qkv") : fusedProjections(a);
  let parts = [g.out];
  if (g.linear && shards > 1 && !fused) {
    const kv = (g.kvHeads ?? a.numKvHeads) * a.headDim;
    parts = g.name.endsWith("qkv_proj") && g.out === a.numHeads * a.headDim + 2 * kv ? [g.out - 2 * kv, kv, kv] : Array.from({ length: shards }, () => g.out / shards);
  }
  const out: number[] = [];
  for (const rows of parts) {
    out.push(rows * g.in);
    if (g.bias) out.push((g.bias * rows) / g.out);
  }
  return out;
}

/**
 * transformers builds these projections fused (one Linear for q/k/v, one for gate/up) and concatenates the rotary
 * output with its pass-through part: models/phi3/modeling_phi3.py (Phi-3 and phi-4 checkpoints).
 */
function fusedProjections(a: ModelArch): boolean {
  return a.modelType === "phi3";
}

/**
 * A SigLIP tower's tensors (Gemma 3: SiglipVisionEmbeddings, per layer k/v/q/out_proj with biases, layer_norm1,
 * fc1, fc2, layer_norm2; post_layernorm; Gemma3MultiModalProjector), the same count as vitParams.
 */
function vitTensors(v: VisionSpec, lmHidden: number): number[] {
  const E = v.hiddenSize;
  const I = v.intermediateSize;
  const t: number[] = [3 * v.patchSize * v.patchSize * E, E, 4096 * E];
  for (let i = 0; i < v.depth; i++) t.push(E * E, E, E * E, E, E * E, E, E * E, E, E, E, I * E, I, E * I, E, E, E);
  t.push(E, E, E * lmHidden, E);
  return t;
}

/**
 * The model's parameter tensors in the order transformers creates them (bytes each): the vision tower first
 * (Qwen2VLModel / Gemma3Model build `visual` / `vision_tower` before the language model), then embed_tokens, each
 * decoder layer (attention, MLP, norms), the final norm and an untied lm_head. Each is one caching-allocator
 * request, so a tensor over 10 MiB gets its own segment rounded up to 2 MiB and 1-10 MiB tensors share 20 MiB
 * segments: Qwen2-VL-2B's 1536 × 8960 projections (26.25 MiB) sit in 28 MiB segments, 0.31 GiB reserved above
 * the tensors in all (fixtures/offline/traces/h200-heldout-allocator-traces.json segments_before).
 */
export function offlineWeightTensors(a: ModelArch, dtype: TorchDtype): number[] {
  const b = DTYPE_BYTES[dtype];
  const l = paramLayout(a);
  const elems: number[] = [];
  for (const g of l.vision) elems.push(...groupTensors(a, g));
  const v = a.vision;
  if (v && v.family === "other" && v.params === 0 && v.hiddenSize > 0) elems.push(...vitTensors(v, a.hiddenSize));
  elems.push(a.vocabSize * a.hiddenSize);
  for (const ti of l.layerTemplate) for (const g of l.templates[ti]?.groups ?? []) elems.push(...groupTensors(a, g));
  elems.push(...groupTensors(a, l.finalNorm));
  if (l.lmHead) elems.push(a.vocabSize * a.hiddenSize);
  return elems.filter((e) => e > 0).map((e) => e * b);
}

/** Bytes of the model's parameters as transformers allocates them (one block per tensor, unpadded vocab). */
export function offlineWeightsBytes(a: ModelArch, dtype: TorchDtype): number {
  const b = DTYPE_BYTES[dtype];
  const { total } = paramCount(a);
  // vLLM pads the vocab to 64 in paramCount's layout; transformers does not.
  const V = a.vocabSize;
  const padded = Math.ceil(V / 64) * 64;
  const embeddings = a.tieWordEmbeddings ? 1 : 2;
  let params = total - (padded - V) * a.hiddenSize * embeddings;
  const v = a.vision;
  if (v && v.family === "other" && v.params === 0 && v.hiddenSize > 0) params += vitParams(v, a.hiddenSize);
  return params * b;
}

/** The offline (transformers generate) footprint of one workload. Pure. */
export function offlineFootprint(x: OfflineInput): OfflineFootprint {
  const a = x.model;
  const dtype = x.dtype ?? a.dtype;
  const b = DTYPE_BYTES[dtype];
  const B = Math.max(1, x.batch);
  const notes: string[] = [];
  const v = a.vision;
  let imgTokens = 0;
  const perImagePatches: number[] = [];
  if (x.images.length > 0) {
    // Only Qwen-VL towers are traced (each family's `offline` in vision/<family>.ts); commands/compare.ts refuses
    // the others with a message before calling the core.
    const support = v ? visionFamily(v)?.offline : undefined;
    if (!v || support === undefined || support === "text-only") throw new ConfigError(`${a.id}: images are not supported offline for this vision tower`);
    const lim = pixelLimits(v, x.pixels);
    for (const im of x.images) {
      const it = imageTokens(v, im.width, im.height, lim);
      imgTokens += it.tokens;
      perImagePatches.push(it.patches);
    }
    if (support.note !== undefined) notes.push(support.note);
  }
  if (a.mla) notes.push("MLA attention follows transformers' DeepseekV2Attention (the cache holds the compressed latent; each decode step re-expands it), measured on DeepSeek-V2-Lite only");
  if (a.layers.some((l) => l.kind === "linear" || l.kind === "mamba")) notes.push("linear-attention / Mamba layers are modeled as full attention (approximate)");
  if (x.attn === "flash_attention_2") notes.push("flash_attention_2: no mask or scores are materialized (flash-attn itself not measured here)");
  const L = x.promptTokens + imgTokens;
  const T = B * L;
  const H = a.hiddenSize;
  const d: LmDims = { a, B, L, b, attn: x.attn, gemma: isGemma(a) };
  const t = new Trace();

  // --- before generate: weights (one allocation per tensor, in creation order), workspace, inputs.
  const weightsBytes = offlineWeightsBytes(a, dtype);
  for (const bytes of offlineWeightTensors(a, dtype)) t.alloc(bytes);
  const weightsR = t.a.allocated;
  const ws = t.alloc(32 * MiB);
  const ws2 = t.alloc(1 * MiB);
  const patchesAll = perImagePatches.reduce((s, p) => s + p, 0) * B;
  const ids = t.alloc(8 * T);
  const mask2d = t.alloc(8 * T);
  const pix = patchesAll > 0 && v ? t.alloc(b * patchesAll * v.inChannels * v.temporalPatchSize * v.patchSize * v.patchSize) : 0;
  const inputsBytes = t.a.allocated - weightsR - 33 * MiB;
  void ws;
  void ws2;

  // --- prefill: embeddings, vision, masks, rotary, layers.
  let embeds = t.alloc(b * T * H);
  let imageEmbeds = 0;
  let encoderPeakBytes = 0;
  if (patchesAll > 0 && v) {
    t.phase = "vision";
    const before = t.a.allocated;
    t.a.resetWindow();
    const perImage: number[] = [];
    for (let r = 0; r < B; r++) perImage.push(...perImagePatches);
    const merged = visionTower(t, v, perImage, H, b, x.attn);
    encoderPeakBytes = t.a.windowPeak - before;
    imageEmbeds = t.alloc(b * B * imgTokens * H); // torch.cat(split embeds)
    t.free(merged);
    const scattered = t.alloc(b * T * H); // inputs_embeds.masked_scatter(...)
    t.free(embeds);
    embeds = scattered;
    t.phase = "prefill";
  }
  if (a.mrope) {
    // get_rope_index: position_ids [3, B, L] int64.
    t.alloc(24 * T);
  }
  // Masks (LlamaModel.forward builds them before the rotary embedding): eager builds [B,1,L,L] in the model dtype;
  // sdpa only where a sliding window is shorter than L.
  const hasSliding = a.layers.some((l) => l.kind === "sliding" && l.window < L);
  const hasFull = a.layers.some((l) => l.kind !== "sliding" || l.window >= L);
  const masks = { full: false, sliding: false };
  const maskIds: number[] = [];
  if (x.attn === "eager") {
    if (hasFull) {
      maskIds.push(attentionMask(t, B, L, false, b));
      masks.full = true;
    }
    if (hasSliding) {
      maskIds.push(attentionMask(t, B, L, true, b));
      masks.sliding = true;
    }
  } else if (x.attn === "sdpa" && hasSliding) {
    maskIds.push(attentionMask(t, B, L, true, 0));
    masks.sliding = true;
  }
  // Rotary cos/sin [B, L, d] in the model dtype (computed in fp32: freqs and cat(freqs, freqs)); Gemma 3 computes
  // one pair per layer type (Gemma3TextModel.forward: position_embeddings[layer_type] for sliding and full layers).
  const rd = a.headDim;
  const rotaryPairs = d.gemma && a.layers.some((l) => l.kind === "sliding") && a.layers.some((l) => l.kind !== "sliding") ? 2 : 1;
  const cosSin: number[] = [];
  for (let r = 0; r < rotaryPairs; r++) {
    if (a.mrope) {
      const f1 = t.alloc(4 * T * (rd / 2) * 3);
      const f2 = t.alloc(4 * T * rd * 3);
      cosSin.push(t.alloc(b * T * rd), t.alloc(b * T * rd));
      t.free(f1, f2);
      continue;
    }
    // LlamaRotaryEmbedding.forward: freqs, emb = cat(freqs, freqs), emb.cos() * attention_scaling and the same for
    // sin (each product a new fp32 tensor), then .to(x.dtype); the fp32 locals die on return (traced for
    // Mistral-Nemo at 2 × 2048: +1 +2 +2 +2 −2 +2 +2 −2 +1 +1 −1 −2 −2 −2 MiB).
    const freqs = t.alloc(4 * T * (rd / 2));
    const emb = t.alloc(4 * T * rd);
    const c1 = t.alloc(4 * T * rd);
    const c2 = t.alloc(4 * T * rd);
    t.free(c1);
    const s1 = t.alloc(4 * T * rd);
    const s2 = t.alloc(4 * T * rd);
    t.free(s1);
    cosSin.push(t.alloc(b * T * rd), t.alloc(b * T * rd));
    t.free(freqs, emb, c2, s2);
  }
  if (masks.full || masks.sliding) notes.push(`a [${B},1,${L},${L}] attention mask is materialized (${x.attn}${hasSliding ? ", sliding window shorter than the sequence" : ""})`);
  const kvs: LayerKv[] = [];
  let h = embeds;
  let first = true;
  for (let i = 0; i < a.numLayers; i++) {
    const y = decoderLayer(t, d, i, masks, kvs);
    if (!first) t.free(h);
    first = false;
    h = y;
  }
  const fin = rmsNorm(t, T, H, b, d.gemma);
  t.free(h);
  // lm_head on the last position only (logits_to_keep=1), then the fp32 copy generate keeps.
  const logits = t.alloc(b * B * a.vocabSize);
  const next = t.alloc(4 * B * a.vocabSize);
  t.free(fin, logits, ...maskIds, ...cosSin);
  if (imageEmbeds) t.free(imageEmbeds);
  t.free(embeds);
  t.free(next);
  void pix;
  void ids;
  void mask2d;

  // --- decode: every step re-concatenates each layer's K and V (DynamicLayer.update).
  t.phase = "decode";
  for (let s = 1; s <= x.newTokens; s++) {
    const lg = t.alloc(b * B * a.vocabSize);
    const lf = t.alloc(4 * B * a.vocabSize);
    t.free(lg);
    for (const l of kvs) {
      const tokens = l.tokens + 1;
      const nk = t.kv(l.kTok * tokens);
      t.freeKv(l.k, l.kTok * l.stored);
      const nv = t.kv(l.vTok * tokens);
      t.freeKv(l.v, l.vTok * l.stored);
      l.k = nk;
      l.v = nv;
      l.stored = tokens;
      const temps = l.decodeTemps.map((perToken) => t.alloc(perToken * tokens));
      t.free(...temps);
      // DynamicSlidingWindowLayer keeps a view of the last window - 1 tokens of the full states.
      l.tokens = l.sliding > 0 ? Math.min(tokens, l.sliding - 1) : tokens;
    }
    t.free(lf);
  }
  const kvCacheBytes = kvs.reduce((s, l) => s + (l.kTok + l.vTok) * l.stored, 0);
  const peakAllocatedBytes = t.a.peakAllocated;
  const reservedBytes = t.a.reserved;
  const kvAtPeak = t.kvAtPeak;
  const activationPeakBytes = Math.max(0, peakAllocatedBytes - weightsR - WORKSPACE_BYTES - inputsBytes - kvAtPeak);
  const cudaContextBytes = CUDA_CONTEXT_BYTES + GENERATE_KERNELS_BYTES;
  return {
    attn: x.attn,
    dtype,
    batch: B,
    sequenceTokens: L,
    imageTokens: imgTokens,
    patches: patchesAll,
    newTokens: x.newTokens,
    weightsBytes,
    inputsBytes,
    workspaceBytes: WORKSPACE_BYTES,
    kvCacheBytes,
    kvAtPeakBytes: kvAtPeak,
    activationPeakBytes,
    encoderPeakBytes,
    peakPhase: t.peakPhase,
    peakAllocatedBytes,
    reservedBytes,
    allocatorReserveBytes: reservedBytes - peakAllocatedBytes,
    cudaContextBytes,
    deviceBytes: cudaContextBytes + reservedBytes,
    quadraticAttention: masks.full || masks.sliding || x.attn === "eager",
    notes,
  };
}

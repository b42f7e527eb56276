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
import { DTYPE_BYTES, paddedVocab, paramCount, paramLayout } from "./weights.js";
import type { ParamGroup } from "./param-groups.js";
import { imageTokens, patchElements, pixelLimits, visionFamily } from "./vision.js";
import { ConfigError } from "./errors.js";
import { CUDA_CONTEXT_BYTES } from "./non-torch.js";
import { ALLOCATOR, CUBLAS_WORKSPACE_SEGMENT_SM90 } from "./cuda-graphs.js";
import { roundUp } from "./math-utils.js";

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
 * base_allocated − after_load − input ids/mask = 33 MiB exactly). The 32 MiB is the same sm90 workspace
 * segment cuda-graphs.ts measured inside a capture (CUBLAS_WORKSPACE_SEGMENT_SM90).
 */
const AFTER_FIRST_GENERATE_BYTES = 1 * MiB;
export const WORKSPACE_BYTES = CUBLAS_WORKSPACE_SEGMENT_SM90 + AFTER_FIRST_GENERATE_BYTES;

/**
 * Device memory outside PyTorch's segments after generate(): CUDA context plus the kernel images and
 * library handles loaded while running. Measured device_used_after − peak_reserved on the H100:
 * 0.680–0.694 GiB across fixtures/offline/*.json (median ≈ 0.685 GiB) vs 0.606 GiB right after CUDA
 * init (CUDA_CONTEXT_BYTES) → 80 MiB loaded by generate.
 */
export const GENERATE_KERNELS_BYTES = 80 * MiB;

// ---------------------------------------------------------------- caching allocator model

// kMinBlockSize, kSmallSize, kSmallBuffer, kLargeBuffer, kMinLargeAlloc, kRoundLarge: the one table, cuda-graphs.ts ALLOCATOR.
const { minBlockSize: MIN_BLOCK_SIZE, smallSize: SMALL_SIZE, smallBuffer: SMALL_BUFFER, largeBuffer: LARGE_BUFFER, minLargeAlloc: MIN_LARGE_ALLOC, roundLarge: ROUND_LARGE } = ALLOCATOR;

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

  private position(block: Block): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const midBlock = this.items[mid];
      if (midBlock && FreePool.before(midBlock, block)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(block: Block): void {
    this.items.splice(this.position(block), 0, block);
  }

  /** Removes b; call before changing its size. */
  delete(block: Block): void {
    const index = this.position(block);
    if (this.items[index] === block) this.items.splice(index, 1);
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
    const block = this.items[lo];
    if (!block) return null;
    this.items.splice(lo, 1);
    return block;
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

  static roundSize(bytes: number): number {
    return bytes < MIN_BLOCK_SIZE ? MIN_BLOCK_SIZE : roundUp(bytes, MIN_BLOCK_SIZE);
  }

  private static allocationSize(bytes: number): number {
    if (bytes <= SMALL_SIZE) return SMALL_BUFFER;
    if (bytes < MIN_LARGE_ALLOC) return LARGE_BUFFER;
    return roundUp(bytes, ROUND_LARGE);
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
    if (small ? remaining >= MIN_BLOCK_SIZE : remaining > SMALL_SIZE) {
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
    let block = this.live.get(id);
    if (!block) return;
    this.live.delete(id);
    this.allocated -= block.size;
    block.free = true;
    const pool = block.small ? this.smallPool : this.largePool;
    const next = block.next;
    if (next && next.free) {
      pool.delete(next);
      block.size += next.size;
      block.next = next.next;
      if (next.next) next.next.prev = block;
    }
    const prev = block.prev;
    if (prev && prev.free) {
      pool.delete(prev);
      prev.size += block.size;
      prev.next = block.next;
      if (block.next) block.next.prev = prev;
      block = prev;
    }
    pool.add(block);
  }
}

// ---------------------------------------------------------------- the trace

/** A recorder of named tensors over the allocator, tracking which phase set the allocated peak. */
class Trace {
  readonly allocator = new CachingAllocator();
  phase: OfflineFootprint["peakPhase"] = "prefill";
  peakPhase: OfflineFootprint["peakPhase"] = "prefill";
  kvLive = 0;
  kvAtPeak = 0;
  /** Bytes of tensors held at the peak that are neither weights nor KV (inputs, workspace, activations). */
  alloc(bytes: number): number {
    const before = this.allocator.peakAllocated;
    const id = this.allocator.malloc(bytes);
    if (this.allocator.peakAllocated > before) {
      this.peakPhase = this.phase;
      this.kvAtPeak = this.kvLive;
    }
    return id;
  }
  free(...ids: number[]): void {
    for (const id of ids) this.allocator.free(id);
  }
  kv(bytes: number): number {
    this.kvLive += CachingAllocator.roundSize(bytes);
    return this.alloc(bytes);
  }
  freeKv(id: number, bytes: number): void {
    this.kvLive -= CachingAllocator.roundSize(bytes);
    this.allocator.free(id);
  }
}

/** LlamaRMSNorm (fp32 upcast, (1 + w) for Gemma): rows × width elements of dtype b; returns the output. */
function rmsNorm(trace: Trace, rows: number, width: number, b: number, gemma: boolean): number {
  const n = rows * width;
  const x32 = trace.alloc(4 * n); // hidden_states.to(float32)
  const sq = trace.alloc(4 * n); // .pow(2), freed after .mean
  trace.free(sq);
  const y32 = trace.alloc(4 * n); // hidden_states * rsqrt(var + eps)
  if (gemma) {
    // Gemma3RMSNorm: output * (1 + weight.float()) in fp32, then type_as(x).
    trace.free(x32);
    const w32 = trace.alloc(4 * n);
    trace.free(y32);
    const out = trace.alloc(b * n);
    trace.free(w32);
    return out;
  }
  trace.free(x32);
  const cast = trace.alloc(b * n); // .to(input_dtype)
  const out = trace.alloc(b * n); // weight * ...
  trace.free(cast, y32);
  return out;
}

/**
 * q * cos + rotate_half(q) * sin: returns the embedded tensor; `x` is freed by the caller's rebinding. With
 * `passCat` (models/phi3/modeling_phi3.py apply_rotary_pos_emb: torch.cat([q_rot * cos + rotate_half(q_rot) * sin,
 * q_pass], dim=-1)) the sum is copied once more by the cat, as fixtures/offline/traces/h200-phi3-eager-allocator-trace.json shows.
 */
function rotary(trace: Trace, n: number, eb: number, passCat = false): number {
  const qc = trace.alloc(eb * n);
  const neg = trace.alloc((eb * n) / 2); // -x2
  const rot = trace.alloc(eb * n); // torch.cat((-x2, x1))
  trace.free(neg);
  const rs = trace.alloc(eb * n);
  trace.free(rot);
  const out = trace.alloc(eb * n);
  trace.free(qc, rs);
  if (!passCat) return out;
  const cat = trace.alloc(eb * n);
  trace.free(out);
  return cat;
}

/** LlamaMLP / Qwen2_5_VLMLP: down(act(gate(x)) * up(x)); returns the output, frees nothing of x. */
function gatedMlp(trace: Trace, rows: number, hidden: number, inter: number, b: number): number {
  const g = trace.alloc(b * rows * inter);
  const act = trace.alloc(b * rows * inter);
  trace.free(g);
  const up = trace.alloc(b * rows * inter);
  const prod = trace.alloc(b * rows * inter);
  trace.free(act, up);
  const down = trace.alloc(b * rows * hidden);
  trace.free(prod);
  return down;
}

/**
 * Phi3MLP: gate_up_proj(x) [rows, 2·inter], chunked into two views; up * act(gate); down_proj. The `gate` view
 * keeps the whole gate_up output alive until the MLP returns, so 4·inter elements per row are live at the product
 * (gate_up, act, product) where LlamaMLP has 3 (fixtures/offline/traces/h200-heldout-allocator-traces.json,
 * phi-4 at 16k: a 1094 MiB gate_up segment beside the 548 MiB ones).
 */
function fusedGatedMlp(trace: Trace, rows: number, hidden: number, inter: number, b: number): number {
  const gu = trace.alloc(b * rows * 2 * inter);
  const act = trace.alloc(b * rows * inter);
  const prod = trace.alloc(b * rows * inter);
  trace.free(act);
  const down = trace.alloc(b * rows * hidden);
  trace.free(prod, gu);
  return down;
}

/** fc2(act(fc1(x))) (Qwen2-VL vision MLP). */
function plainMlp(trace: Trace, rows: number, hidden: number, inter: number, b: number): number {
  const h = trace.alloc(b * rows * inter);
  const act = trace.alloc(b * rows * inter);
  trace.free(h);
  const out = trace.alloc(b * rows * hidden);
  trace.free(act);
  return out;
}

/**
 * How a model's router hands over its weights (the `*TopKRouter.forward` of each transformers model): Qwen3-MoE
 * casts the top-k weights back to the model dtype (`router_top_value.to(router_logits.dtype)`); Mixtral keeps the
 * float32 softmax values; DeepSeek-V2 also runs the router itself in float32 (`F.linear(hidden_states.type(torch.float32),
 * self.weight.type(torch.float32))`). float32 weights promote the weighted expert outputs to float32.
 */
function routerPrecision(model: ModelArch): { fp32Weights: boolean; fp32Input: boolean } {
  if (model.modelType === "mixtral") return { fp32Weights: true, fp32Input: false };
  if (model.modelType === "deepseek_v2") return { fp32Weights: true, fp32Input: true };
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
function moeBlock(trace: Trace, model: ModelArch, T: number, b: number): number {
  const moe = model.moe;
  if (!moe) return gatedMlp(trace, T, model.hiddenSize, model.intermediateSize, b);
  const H = model.hiddenSize;
  const k = moe.topK;
  const I = moe.moeIntermediateSize;
  const S = T * k;
  const router = routerPrecision(model);
  const up = router.fp32Input ? trace.alloc(4 * T * H) : 0;
  const logits = trace.alloc((router.fp32Input ? 4 : b) * T * moe.numExperts);
  trace.free(up);
  const probs = trace.alloc(4 * T * moe.numExperts); // softmax in float32
  const topw = trace.alloc((router.fp32Weights ? 4 : b) * T * k);
  const topi = trace.alloc(8 * T * k);
  trace.free(probs);
  const sorted = [trace.alloc(8 * S), trace.alloc(8 * S)]; // expert_ids_g, perm
  const xs = trace.alloc(b * S * H); // selected_hidden_states_g
  const gu = trace.alloc(b * S * 2 * I);
  const guMasked = trace.alloc(b * S * 2 * I); // proj_out.masked_fill(sentinel_mask, 0.0)
  trace.free(gu);
  const act = trace.alloc(b * S * I);
  const prod = trace.alloc(b * S * I);
  trace.free(act, guMasked);
  const down = trace.alloc(b * S * H);
  trace.free(prod);
  const downMasked = trace.alloc(b * S * H);
  trace.free(down);
  const wb = router.fp32Weights ? 4 : b;
  const weighted = trace.alloc(wb * S * H); // proj_out * sample_weights_g
  const reordered = trace.alloc(wb * S * H); // weighted_out[inv_perm]
  trace.free(weighted);
  let out = trace.alloc(wb * T * H); // .view(T, k, H).sum(dim=1)
  const summed = out;
  if (wb !== b) out = trace.alloc(b * T * H); // .to(hidden_states.dtype)
  trace.free(downMasked, xs, reordered, ...sorted, topw, topi);
  if (summed !== out) trace.free(summed);
  let shared = 0;
  if (moe.sharedExperts > 0 && moe.sharedIntermediateSize > 0) {
    shared = gatedMlp(trace, T, H, moe.sharedIntermediateSize, b);
    const sum = trace.alloc(b * T * H);
    trace.free(shared, out, logits);
    return sum;
  }
  trace.free(logits);
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
  model: ModelArch;
  B: number;
  L: number;
  b: number;
  attn: AttnImplementation;
  gemma: boolean;
}

function isMoeLayer(model: ModelArch, i: number): boolean {
  return model.moe !== null && !model.moe.denseLayers.includes(i);
}

/**
 * DeepSeek-V2/V3 attention as transformers 5.x runs it (models/deepseek_v2/modeling_deepseek_v2.py
 * DeepseekV2Attention.forward): q_proj (or q_a_proj → q_a_layernorm → q_b_proj) to heads × (nope + rope);
 * kv_a_proj_with_mqa to kv_lora_rank + rope, kv_a_layernorm on the latent; apply_rotary_emb in complex fp32; the
 * cache stores the *compressed* latent (K = [B, 1, L, kv_lora_rank], V = [B, 1, L, rope]); then expand_kv runs
 * kv_b_proj over the cached latent (heads × (nope + v)) and copies keys into a new [B, heads, L, nope + rope]
 * tensor; SDPA; o_proj. Every decode step expands the whole cache again (decodeTemps). Returns the o_proj output.
 */
function mlaAttention(trace: Trace, dims: LmDims, kvs: LayerKv[]): number {
  const { model, B, L, b } = dims;
  const mla = model.mla;
  if (!mla) throw new ConfigError(`${model.id}: no MLA dimensions`);
  const T = B * L;
  const h = model.numHeads;
  const qk = mla.qkNopeHeadDim + mla.qkRopeHeadDim;
  let q: number;
  if (mla.qLoraRank) {
    const qa = trace.alloc(b * T * mla.qLoraRank);
    const qan = rmsNorm(trace, T, mla.qLoraRank, b, false);
    trace.free(qa);
    q = trace.alloc(b * T * h * qk);
    trace.free(qan);
  } else q = trace.alloc(b * T * h * qk);
  const compressed = trace.alloc(b * T * (mla.kvLoraRank + mla.qkRopeHeadDim));
  const kNope = rmsNorm(trace, T, mla.kvLoraRank, b, false);
  // apply_rotary_emb: xq.float(), xk.float(), the complex products, view_as_real(...).type_as(...).
  const nq = T * h * mla.qkRopeHeadDim;
  const nk = T * mla.qkRopeHeadDim;
  const fq = trace.alloc(4 * nq);
  const fk = trace.alloc(4 * nk);
  const pq = trace.alloc(4 * nq);
  const qPe = trace.alloc(b * nq);
  trace.free(pq);
  const pk = trace.alloc(4 * nk);
  const kPe = trace.alloc(b * nk);
  trace.free(pk, fq, fk);
  // DynamicLayer.update on the latent: torch.cat copies.
  const kc = trace.kv(b * T * mla.kvLoraRank);
  const vc = trace.kv(b * T * mla.qkRopeHeadDim);
  kvs.push({
    k: kc,
    v: vc,
    kTok: b * B * mla.kvLoraRank,
    vTok: b * B * mla.qkRopeHeadDim,
    decodeTemps: [b * B * h * (mla.qkNopeHeadDim + mla.vHeadDim), b * B * h * qk],
    tokens: L,
    stored: L,
    sliding: 0,
  });
  trace.free(kNope, kPe);
  const query = trace.alloc(b * T * h * qk); // torch.cat((q_nope, q_pe))
  const kvb = trace.alloc(b * T * h * (mla.qkNopeHeadDim + mla.vHeadDim)); // expand_kv: kv_b_proj(latent)
  const keys = trace.alloc(b * T * h * qk); // new_empty + copies
  const out = trace.alloc(b * T * h * mla.vHeadDim);
  const outC = trace.alloc(b * T * h * mla.vHeadDim); // transpose(1, 2).contiguous()
  trace.free(out);
  const o = trace.alloc(b * T * model.hiddenSize); // o_proj
  trace.free(outC, q, compressed, qPe, query, keys, kvb);
  return o;
}

/** One decoder layer of the prefill over B × L tokens; X (the layer input) is held by the caller. */
function decoderLayer(trace: Trace, dims: LmDims, i: number, masks: { full: boolean; sliding: boolean }, kvs: LayerKv[]): number {
  const { model, B, L, b } = dims;
  const T = B * L;
  const H = model.hiddenSize;
  const hd = model.headDim;
  const qn = model.numHeads * hd;
  const kvn = model.numKvHeads * hd;
  const layer = model.layers[i] ?? { kind: "full" as const };
  const window = layer.kind === "sliding" ? layer.window : 0;
  const normed = rmsNorm(trace, T, H, b, dims.gemma);
  let attnWeights = 0;
  const fused = fusedProjections(model);
  let o: number;
  if (model.mla) {
    o = mlaAttention(trace, dims, kvs);
    trace.free(normed);
  } else {
    // q/k/v projections (views after .view().transpose()). Phi3Attention projects once (qkv_proj) and slices
    // views, so its `qkv` local keeps the whole [T, q + 2·kv] output alive until the module returns, after o_proj.
    const qkv = fused ? trace.alloc(b * T * (qn + 2 * kvn)) : 0;
    let q = fused ? 0 : trace.alloc(b * T * qn);
    let k = fused ? 0 : trace.alloc(b * T * kvn);
    const v = fused ? 0 : trace.alloc(b * T * kvn);
    if (model.qkNorm || dims.gemma) {
      const qq = rmsNorm(trace, T * model.numHeads, hd, b, dims.gemma);
      trace.free(q);
      q = qq;
      const kk = rmsNorm(trace, T * model.numKvHeads, hd, b, dims.gemma);
      trace.free(k);
      k = kk;
    }
    // `query_states, key_states = apply_rotary_pos_emb(query_states, key_states, cos, sin)`: the caller's q and k
    // stay alive until both rotated tensors are returned (fixtures/offline/traces/h200-heldout-allocator-traces.json:
    // the q projection is freed after k's rotary, not before it).
    const qe = rotary(trace, T * qn, b, fused);
    const ke = rotary(trace, T * kvn, b, fused);
    trace.free(q, k);
    // DynamicLayer.update: torch.cat([empty, k]) copies into the cache.
    const kc = trace.kv(b * T * kvn);
    const vc = trace.kv(b * T * kvn);
    // Decode: eager_attention_forward repeats the cached K and V to every query head (repeat_kv) each step; sdpa
    // without a mask passes enable_gqa instead (integrations/sdpa_attention.py use_gqa_in_sdpa).
    const repeat = dims.attn === "eager" && model.numKvHeads < model.numHeads ? [b * B * qn, b * B * qn] : [];
    kvs.push({ k: kc, v: vc, kTok: b * B * kvn, vTok: b * B * kvn, decodeTemps: repeat, tokens: window > 0 ? Math.min(L, window - 1) : L, stored: L, sliding: window });
    trace.free(ke, v);
    const hasMask = window > 0 ? masks.sliding : masks.full;
    let out: number;
    // eager_attention_forward returns its probabilities (attn_weights, [B,h,L,L] in the model dtype) beside the
    // output, and every decoder layer keeps them as `_` in `hidden_states, _ = self.self_attn(...)` until it returns
    // (models/llama/modeling_llama.py LlamaDecoderLayer.forward; the same in Mistral, Qwen2/3, Qwen3-MoE, Mixtral,
    // Gemma3, Qwen2-VL/Qwen3-VL, DeepSeek-V2; Phi3 names it self_attn_weights): alive through o_proj and the MLP.
    let rkHeld: number[] = [];
    if (dims.attn === "eager") {
      const rk = model.numKvHeads < model.numHeads ? [trace.alloc(b * T * qn), trace.alloc(b * T * qn)] : [];
      const S = B * model.numHeads * L * L;
      // torch.matmul(query, key.transpose(2, 3)) folds [B, heads] into one batch dimension; the query, a transposed
      // view of [B, L, heads, d] memory, folds without a copy only when B = 1 (fixtures/offline/traces/
      // h200-mla-nemo-allocator-traces.json, Mistral-Nemo eager batch 2: a 32 MiB copy around the score matmul).
      // Phi-3's query comes out of torch.cat, already contiguous.
      const qCopy = B > 1 && !fused ? trace.alloc(b * T * qn) : 0;
      const mm = trace.alloc(b * S);
      trace.free(qCopy);
      const scaled = trace.alloc(b * S);
      trace.free(mm);
      let w = scaled;
      if (hasMask) {
        w = trace.alloc(b * S);
        trace.free(scaled);
      }
      const up = trace.alloc(4 * S); // softmax(dtype=float32): the fp32 copy of the input ...
      const sm = trace.alloc(4 * S); // ... and the result
      trace.free(up);
      attnWeights = trace.alloc(b * S); // .to(query.dtype)
      trace.free(sm, w);
      out = trace.alloc(b * T * qn);
      rkHeld = rk;
    } else if (dims.attn === "sdpa" && hasMask) {
      // repeat_kv (no enable_gqa with a mask), then SDPA turns the bool mask into a float bias.
      const rk = model.numKvHeads < model.numHeads ? [trace.alloc(b * T * qn), trace.alloc(b * T * qn)] : [];
      const bias = trace.alloc(b * B * L * L);
      out = trace.alloc(b * T * qn);
      trace.free(bias);
      rkHeld = rk;
    } else {
      out = trace.alloc(b * T * qn); // flash / efficient kernel: O(L) memory
    }
    // Inside the attention function: attn_output.transpose(1, 2).contiguous(), then its locals (the repeated K/V)
    // die on return; query_states lives until the attention module returns, after o_proj; the layer's normed input
    // is released when `hidden_states, _ = self.self_attn(...)` rebinds the name (the order in the traces above).
    const outC = trace.alloc(b * T * qn);
    trace.free(out, ...rkHeld);
    o = trace.alloc(b * T * H); // o_proj
    trace.free(outC, qkv, qe, normed);
  }
  let attnOut = o;
  if (dims.gemma) {
    attnOut = rmsNorm(trace, T, H, b, true); // post_attention_layernorm on the attention output
    trace.free(o);
  }
  const resid = trace.alloc(b * T * H); // residual + hidden_states
  trace.free(attnOut);
  const n2 = rmsNorm(trace, T, H, b, dims.gemma);
  const mlpOut = isMoeLayer(model, i) ? moeBlock(trace, model, T, b) : fused ? fusedGatedMlp(trace, T, H, model.intermediateSize, b) : gatedMlp(trace, T, H, model.intermediateSize, b);
  trace.free(n2);
  let m = mlpOut;
  if (dims.gemma) {
    m = rmsNorm(trace, T, H, b, true); // post_feedforward_layernorm
    trace.free(mlpOut);
  }
  const y = trace.alloc(b * T * H);
  trace.free(m, resid);
  if (attnWeights) trace.free(attnWeights);
  return y;
}

/** Qwen2-VL / Qwen2.5-VL vision tower over P patches (images of patch counts `perImage`); returns the merged embeddings. */
function visionTower(trace: Trace, vision: VisionSpec, perImage: number[], lmHidden: number, b: number, attn: AttnImplementation): number {
  const P = perImage.reduce((s, x) => s + x, 0);
  const E = vision.hiddenSize;
  const m2 = vision.spatialMergeSize * vision.spatialMergeSize;
  const headDim = E / vision.numHeads;
  let x = trace.alloc(b * P * E); // patch_embed Conv3d
  const rot = trace.alloc(4 * P * (headDim / 2)); // rot_pos_emb
  const support = visionFamily(vision)?.offline;
  const windowed = typeof support === "object" && support.windowed;
  let rotW = rot;
  if (windowed) {
    const xw = trace.alloc(b * P * E); // hidden_states[window_index]
    trace.free(x);
    x = xw;
    rotW = trace.alloc(4 * P * (headDim / 2));
    trace.free(rot);
  }
  const emb = trace.alloc(4 * P * headDim); // cat(rot, rot)
  const cos = trace.alloc(4 * P * headDim);
  const sin = trace.alloc(4 * P * headDim);
  // Window chunks: window_size / patch_size patches per side → (window/patch)² patches per chunk.
  const winPatches = windowed && vision.windowSize > 0 ? (vision.windowSize / vision.patchSize) ** 2 : 0;
  for (let blk = 0; blk < vision.depth; blk++) {
    const full = !windowed || vision.fullAttBlockIndexes.includes(blk);
    const n1 = vision.gatedMlp ? rmsNorm(trace, P, E, b, false) : trace.alloc(b * P * E);
    const qkv = trace.alloc(b * P * 3 * E);
    // apply_rotary_pos_emb_vision: q, k upcast to fp32, rotary in fp32, cast back.
    const q32 = trace.alloc(4 * P * E);
    const k32 = trace.alloc(4 * P * E);
    const qe = rotary(trace, P * E, 4);
    const ke = rotary(trace, P * E, 4);
    trace.free(q32, k32);
    const qb = trace.alloc(b * P * E);
    const kb = trace.alloc(b * P * E);
    trace.free(qe, ke);
    // Per-chunk SDPA outputs (all alive until torch.cat), then the concatenation.
    const chunk = full ? Math.max(...perImage) : Math.max(1, winPatches);
    let scores: number[] = [];
    if (attn === "eager") {
      // eager_attention_forward per chunk (the vision attention's per-cu_seqlens loop, models/qwen2_vl/modeling_qwen2_vl.py
      // VisionAttention.forward): scores, scaled scores, the fp32 softmax's input copy and result, cast back — the same
      // 10 bytes per score element at the softmax as in the decoder (h200-offline-validation.json, Qwen2.5-VL-3B eager
      // with an 896² image: 1 GiB above a bf16 + fp32 pair).
      const S = vision.numHeads * chunk * chunk;
      const mm = trace.alloc(b * S);
      const scaled = trace.alloc(b * S);
      trace.free(mm);
      const up = trace.alloc(4 * S);
      const sm = trace.alloc(4 * S);
      trace.free(up);
      scores = [trace.alloc(b * S)];
      trace.free(sm, scaled);
    }
    const parts = trace.alloc(b * P * E);
    trace.free(...scores);
    const cat = trace.alloc(b * P * E);
    trace.free(parts, qb, kb, qkv);
    const proj = trace.alloc(b * P * E);
    trace.free(cat, n1);
    const x1 = trace.alloc(b * P * E);
    trace.free(proj, x);
    const n2 = vision.gatedMlp ? rmsNorm(trace, P, E, b, false) : trace.alloc(b * P * E);
    const mo = vision.gatedMlp ? gatedMlp(trace, P, E, vision.intermediateSize, b) : plainMlp(trace, P, E, vision.intermediateSize, b);
    trace.free(n2);
    x = trace.alloc(b * P * E);
    trace.free(mo, x1);
  }
  // PatchMerger: ln_q, view [P/m², m²E], Linear, GELU, Linear → [P/m², H].
  const ln = vision.gatedMlp ? rmsNorm(trace, P, E, b, false) : trace.alloc(b * P * E);
  trace.free(x);
  const h1 = trace.alloc(b * P * E);
  trace.free(ln);
  const g = trace.alloc(b * P * E);
  trace.free(h1);
  let merged = trace.alloc((b * P * lmHidden) / m2);
  trace.free(g);
  if (windowed) {
    const r = trace.alloc((b * P * lmHidden) / m2); // [reverse_indices]
    trace.free(merged);
    merged = r;
  }
  trace.free(emb, cos, sin, rotW);
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
function attentionMask(trace: Trace, B: number, L: number, sliding: boolean, floatBytes: number): number {
  const L2 = L * L;
  const causal = trace.alloc(L2);
  let result = trace.alloc(L2);
  trace.free(causal);
  if (sliding) {
    const overlay = trace.alloc(L2);
    const inner = trace.alloc(L2);
    trace.free(overlay, result);
    result = trace.alloc(L2); // the outer and_mask's first step
    trace.free(inner);
  }
  const padded = trace.alloc(B * L2);
  trace.free(result);
  if (floatBytes === 0) return padded;
  const mask = trace.alloc(floatBytes * B * L2);
  trace.free(padded);
  return mask;
}

function isGemma(model: ModelArch): boolean {
  return model.modelType.startsWith("gemma");
}

/**
 * A SigLIP-style ViT tower the architecture reader does not count (Gemma 3): per layer q/k/v/o with
 * biases 4(E² + E), fc1/fc2 2EI + I + E, two LayerNorms 4E; patch Conv2d 3p²E + E; learned positions
 * (896 / 14)² = 4096 (Gemma 3's SigLIP image_size, which VisionSpec does not carry); post-LayerNorm
 * 2E; projector E × H + E (Gemma3MultiModalProjector). Gemma-3-4B: 419,816,304, exactly the
 * measured difference (fixtures/offline/h100-offline-gemma-3-4b-it.json param_bytes).
 */
function vitParams(vision: VisionSpec, lmHidden: number): number {
  const E = vision.hiddenSize;
  const I = vision.intermediateSize;
  const perLayer = 4 * E * E + 2 * E * I + 9 * E + I;
  return vision.depth * perLayer + 3 * vision.patchSize * vision.patchSize * E + E + 4096 * E + 2 * E + E * lmHidden + E;
}

/**
 * transformers' parameter tensors of one group, in element counts. The groups are vLLM's layout (param-groups.ts):
 * fused qkv_proj and gate_up_proj, which transformers keeps as separate q/k/v and gate/up Linears (each weight, then
 * its bias) except where its own module is fused: Phi3Attention.qkv_proj and Phi3MLP.gate_up_proj
 * (models/phi3/modeling_phi3.py), the Qwen-VL vision towers' attn.qkv. Routed experts are one 3-D parameter per
 * projection (models/qwen3_moe/modeling_qwen3_moe.py Qwen3MoeExperts: gate_up_proj [E, 2I, H], down_proj [E, H, I]).
 */
function groupTensors(model: ModelArch, group: ParamGroup): number[] {
  const n = group.experts ?? 1;
  if (n > 1) return group.bias ? [n * group.out * group.in, n * group.bias] : [n * group.out * group.in];
  const shards = group.shards ?? 1;
  const fused = group.component === "vision" ? group.name.endsWith(".qkv") : fusedProjections(model);
  let parts = [group.out];
  if (group.linear && shards > 1 && !fused) {
    const kv = (group.kvHeads ?? model.numKvHeads) * model.headDim;
    parts = group.name.endsWith("qkv_proj") && group.out === model.numHeads * model.headDim + 2 * kv ? [group.out - 2 * kv, kv, kv] : Array.from({ length: shards }, () => group.out / shards);
  }
  const out: number[] = [];
  for (const rows of parts) {
    out.push(rows * group.in);
    if (group.bias) out.push((group.bias * rows) / group.out);
  }
  return out;
}

/**
 * transformers builds these projections fused (one Linear for q/k/v, one for gate/up) and concatenates the rotary
 * output with its pass-through part: models/phi3/modeling_phi3.py (Phi-3 and phi-4 checkpoints).
 */
function fusedProjections(model: ModelArch): boolean {
  return model.modelType === "phi3";
}

/**
 * A SigLIP tower's tensors (Gemma 3: SiglipVisionEmbeddings, per layer k/v/q/out_proj with biases, layer_norm1,
 * fc1, fc2, layer_norm2; post_layernorm; Gemma3MultiModalProjector), the same count as vitParams.
 */
function vitTensors(vision: VisionSpec, lmHidden: number): number[] {
  const E = vision.hiddenSize;
  const I = vision.intermediateSize;
  const t: number[] = [3 * vision.patchSize * vision.patchSize * E, E, 4096 * E];
  for (let i = 0; i < vision.depth; i++) t.push(E * E, E, E * E, E, E * E, E, E * E, E, E, E, I * E, I, E * I, E, E, E);
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
export function offlineWeightTensors(model: ModelArch, dtype: TorchDtype): number[] {
  const dtypeBytes = DTYPE_BYTES[dtype];
  const layout = paramLayout(model);
  const elems: number[] = [];
  for (const g of layout.vision) elems.push(...groupTensors(model, g));
  const vision = model.vision;
  if (vision && vision.family === "other" && vision.params === 0 && vision.hiddenSize > 0) elems.push(...vitTensors(vision, model.hiddenSize));
  elems.push(model.vocabSize * model.hiddenSize);
  for (const ti of layout.layerTemplate) for (const g of layout.templates[ti]?.groups ?? []) elems.push(...groupTensors(model, g));
  elems.push(...groupTensors(model, layout.finalNorm));
  if (layout.lmHead) elems.push(model.vocabSize * model.hiddenSize);
  return elems.filter((e) => e > 0).map((e) => e * dtypeBytes);
}

/** Bytes of the model's parameters as transformers allocates them (one block per tensor, unpadded vocab). */
export function offlineWeightsBytes(model: ModelArch, dtype: TorchDtype): number {
  const dtypeBytes = DTYPE_BYTES[dtype];
  const { total } = paramCount(model);
  // vLLM pads the vocab to 64 in paramCount's layout; transformers does not.
  const V = model.vocabSize;
  const padded = paddedVocab(V);
  const embeddings = model.tieWordEmbeddings ? 1 : 2;
  let params = total - (padded - V) * model.hiddenSize * embeddings;
  const vision = model.vision;
  if (vision && vision.family === "other" && vision.params === 0 && vision.hiddenSize > 0) params += vitParams(vision, model.hiddenSize);
  return params * dtypeBytes;
}

/** The offline (transformers generate) footprint of one workload. Pure. */
export function offlineFootprint(input: OfflineInput): OfflineFootprint {
  const model = input.model;
  const dtype = input.dtype ?? model.dtype;
  const dtypeBytes = DTYPE_BYTES[dtype];
  const B = Math.max(1, input.batch);
  const notes: string[] = [];
  const vision = model.vision;
  let imgTokens = 0;
  const perImagePatches: number[] = [];
  if (input.images.length > 0) {
    // Only Qwen-VL towers are traced (each family's `offline` in vision/<family>.ts); commands/compare.ts refuses
    // the others with a message before calling the core.
    const support = vision ? visionFamily(vision)?.offline : undefined;
    if (!vision || support === undefined || support === "text-only") throw new ConfigError(`${model.id}: images are not supported offline for this vision tower`);
    const lim = pixelLimits(vision, input.pixels);
    for (const im of input.images) {
      const it = imageTokens(vision, im.width, im.height, lim);
      imgTokens += it.tokens;
      perImagePatches.push(it.patches);
    }
    if (support.note !== undefined) notes.push(support.note);
  }
  if (model.mla) notes.push("MLA attention follows transformers' DeepseekV2Attention (the cache holds the compressed latent; each decode step re-expands it), measured on DeepSeek-V2-Lite only");
  if (model.layers.some((l) => l.kind === "linear" || l.kind === "mamba")) notes.push("linear-attention / Mamba layers are modeled as full attention (approximate)");
  if (input.attn === "flash_attention_2") notes.push("flash_attention_2: no mask or scores are materialized (flash-attn itself not measured here)");
  const L = input.promptTokens + imgTokens;
  const T = B * L;
  const H = model.hiddenSize;
  const dims: LmDims = { model, B, L, b: dtypeBytes, attn: input.attn, gemma: isGemma(model) };
  const trace = new Trace();

  // --- before generate: weights (one allocation per tensor, in creation order), workspace, inputs.
  const weightsBytes = offlineWeightsBytes(model, dtype);
  for (const bytes of offlineWeightTensors(model, dtype)) trace.alloc(bytes);
  const weightsR = trace.allocator.allocated;
  trace.alloc(CUBLAS_WORKSPACE_SEGMENT_SM90);
  trace.alloc(AFTER_FIRST_GENERATE_BYTES);
  const patchesAll = perImagePatches.reduce((s, p) => s + p, 0) * B;
  const ids = trace.alloc(8 * T);
  const mask2d = trace.alloc(8 * T);
  const pix = patchesAll > 0 && vision ? trace.alloc(dtypeBytes * patchesAll * patchElements(vision)) : 0;
  const inputsBytes = trace.allocator.allocated - weightsR - WORKSPACE_BYTES;

  // --- prefill: embeddings, vision, masks, rotary, layers.
  let embeds = trace.alloc(dtypeBytes * T * H);
  let imageEmbeds = 0;
  let encoderPeakBytes = 0;
  if (patchesAll > 0 && vision) {
    trace.phase = "vision";
    const before = trace.allocator.allocated;
    trace.allocator.resetWindow();
    const perImage: number[] = [];
    for (let r = 0; r < B; r++) perImage.push(...perImagePatches);
    const merged = visionTower(trace, vision, perImage, H, dtypeBytes, input.attn);
    encoderPeakBytes = trace.allocator.windowPeak - before;
    imageEmbeds = trace.alloc(dtypeBytes * B * imgTokens * H); // torch.cat(split embeds)
    trace.free(merged);
    const scattered = trace.alloc(dtypeBytes * T * H); // inputs_embeds.masked_scatter(...)
    trace.free(embeds);
    embeds = scattered;
    trace.phase = "prefill";
  }
  if (model.mrope) {
    // get_rope_index: position_ids [3, B, L] int64.
    trace.alloc(24 * T);
  }
  // Masks (LlamaModel.forward builds them before the rotary embedding): eager builds [B,1,L,L] in the model dtype;
  // sdpa only where a sliding window is shorter than L.
  const hasSliding = model.layers.some((l) => l.kind === "sliding" && l.window < L);
  const hasFull = model.layers.some((l) => l.kind !== "sliding" || l.window >= L);
  const masks = { full: false, sliding: false };
  const maskIds: number[] = [];
  if (input.attn === "eager") {
    if (hasFull) {
      maskIds.push(attentionMask(trace, B, L, false, dtypeBytes));
      masks.full = true;
    }
    if (hasSliding) {
      maskIds.push(attentionMask(trace, B, L, true, dtypeBytes));
      masks.sliding = true;
    }
  } else if (input.attn === "sdpa" && hasSliding) {
    maskIds.push(attentionMask(trace, B, L, true, 0));
    masks.sliding = true;
  }
  // Rotary cos/sin [B, L, d] in the model dtype (computed in fp32: freqs and cat(freqs, freqs)); Gemma 3 computes
  // one pair per layer type (Gemma3TextModel.forward: position_embeddings[layer_type] for sliding and full layers).
  const rd = model.headDim;
  const rotaryPairs = dims.gemma && model.layers.some((l) => l.kind === "sliding") && model.layers.some((l) => l.kind !== "sliding") ? 2 : 1;
  const cosSin: number[] = [];
  for (let r = 0; r < rotaryPairs; r++) {
    if (model.mrope) {
      const f1 = trace.alloc(4 * T * (rd / 2) * 3);
      const f2 = trace.alloc(4 * T * rd * 3);
      cosSin.push(trace.alloc(dtypeBytes * T * rd), trace.alloc(dtypeBytes * T * rd));
      trace.free(f1, f2);
      continue;
    }
    // LlamaRotaryEmbedding.forward: freqs, emb = cat(freqs, freqs), emb.cos() * attention_scaling and the same for
    // sin (each product a new fp32 tensor), then .to(x.dtype); the fp32 locals die on return (traced for
    // Mistral-Nemo at 2 × 2048: +1 +2 +2 +2 −2 +2 +2 −2 +1 +1 −1 −2 −2 −2 MiB).
    const freqs = trace.alloc(4 * T * (rd / 2));
    const emb = trace.alloc(4 * T * rd);
    const c1 = trace.alloc(4 * T * rd);
    const c2 = trace.alloc(4 * T * rd);
    trace.free(c1);
    const s1 = trace.alloc(4 * T * rd);
    const s2 = trace.alloc(4 * T * rd);
    trace.free(s1);
    cosSin.push(trace.alloc(dtypeBytes * T * rd), trace.alloc(dtypeBytes * T * rd));
    trace.free(freqs, emb, c2, s2);
  }
  if (masks.full || masks.sliding) notes.push(`a [${B},1,${L},${L}] attention mask is materialized (${input.attn}${hasSliding ? ", sliding window shorter than the sequence" : ""})`);
  const kvs: LayerKv[] = [];
  let h = embeds;
  let first = true;
  for (let i = 0; i < model.numLayers; i++) {
    const y = decoderLayer(trace, dims, i, masks, kvs);
    if (!first) trace.free(h);
    first = false;
    h = y;
  }
  const fin = rmsNorm(trace, T, H, dtypeBytes, dims.gemma);
  trace.free(h);
  // lm_head on the last position only (logits_to_keep=1), then the fp32 copy generate keeps.
  const logits = trace.alloc(dtypeBytes * B * model.vocabSize);
  const next = trace.alloc(4 * B * model.vocabSize);
  trace.free(fin, logits, ...maskIds, ...cosSin);
  if (imageEmbeds) trace.free(imageEmbeds);
  trace.free(embeds);
  trace.free(next);
  void pix;
  void ids;
  void mask2d;

  // --- decode: every step re-concatenates each layer's K and V (DynamicLayer.update).
  trace.phase = "decode";
  for (let step = 1; step <= input.newTokens; step++) {
    const lg = trace.alloc(dtypeBytes * B * model.vocabSize);
    const lf = trace.alloc(4 * B * model.vocabSize);
    trace.free(lg);
    for (const layerKv of kvs) {
      const tokens = layerKv.tokens + 1;
      const nk = trace.kv(layerKv.kTok * tokens);
      trace.freeKv(layerKv.k, layerKv.kTok * layerKv.stored);
      const nv = trace.kv(layerKv.vTok * tokens);
      trace.freeKv(layerKv.v, layerKv.vTok * layerKv.stored);
      layerKv.k = nk;
      layerKv.v = nv;
      layerKv.stored = tokens;
      const temps = layerKv.decodeTemps.map((perToken) => trace.alloc(perToken * tokens));
      trace.free(...temps);
      // DynamicSlidingWindowLayer keeps a view of the last window - 1 tokens of the full states.
      layerKv.tokens = layerKv.sliding > 0 ? Math.min(tokens, layerKv.sliding - 1) : tokens;
    }
    trace.free(lf);
  }
  const kvCacheBytes = kvs.reduce((s, l) => s + (l.kTok + l.vTok) * l.stored, 0);
  const peakAllocatedBytes = trace.allocator.peakAllocated;
  const reservedBytes = trace.allocator.reserved;
  const kvAtPeak = trace.kvAtPeak;
  const activationPeakBytes = Math.max(0, peakAllocatedBytes - weightsR - WORKSPACE_BYTES - inputsBytes - kvAtPeak);
  const cudaContextBytes = CUDA_CONTEXT_BYTES + GENERATE_KERNELS_BYTES;
  return {
    attn: input.attn,
    dtype,
    batch: B,
    sequenceTokens: L,
    imageTokens: imgTokens,
    patches: patchesAll,
    newTokens: input.newTokens,
    weightsBytes,
    inputsBytes,
    workspaceBytes: WORKSPACE_BYTES,
    kvCacheBytes,
    kvAtPeakBytes: kvAtPeak,
    activationPeakBytes,
    encoderPeakBytes,
    peakPhase: trace.peakPhase,
    peakAllocatedBytes,
    reservedBytes,
    allocatorReserveBytes: reservedBytes - peakAllocatedBytes,
    cudaContextBytes,
    deviceBytes: cudaContextBytes + reservedBytes,
    quadraticAttention: masks.full || masks.sliding || input.attn === "eager",
    notes,
  };
}

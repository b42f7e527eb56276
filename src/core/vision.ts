// Vision tokens and the multimodal encoder's part of vLLM's profile run (Qwen2-VL, Qwen2.5-VL, Qwen3-VL,
// Gemma 3, MiniCPM-V 2.6, InternVL 2.5 / 3).
// Sources: transformers models/qwen2_vl/image_processing_qwen2_vl.py `smart_resize`; vLLM
// vllm/model_executor/models/qwen2_vl.py Qwen2VLProcessingInfo (get_image_size_with_most_features,
// _get_vision_info, get_num_frames_with_most_features, _MAX_FRAMES_PER_VIDEO = 14), qwen2_5_vl.py
// Qwen2_5_VisionTransformer / Qwen2_5_VisionBlock, vllm/multimodal/encoder_budget.py MultiModalBudget.
import type { EncoderProfile, ModelArch, VisionSpec } from "./types.js";
import { DTYPE_BYTES } from "./weights.js";
import { ResizeError } from "./errors.js";

/** Python 3's round(): halves go to the even neighbour (banker's rounding). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * transformers smart_resize(height, width, factor, min_pixels, max_pixels): both sides rounded to a
 * multiple of `factor`, then scaled down (floor) above max_pixels or up (ceil) below min_pixels.
 */
export function smartResize(height: number, width: number, factor: number, minPixels: number, maxPixels: number): { height: number; width: number } {
  if (height < factor || width < factor) throw new ResizeError(`height:${height} or width:${width} must be larger than factor:${factor}`);
  if (Math.max(height, width) / Math.min(height, width) > 200) throw new ResizeError(`absolute aspect ratio must be smaller than 200, got ${Math.max(height, width) / Math.min(height, width)}`);
  let h = roundHalfEven(height / factor) * factor;
  let w = roundHalfEven(width / factor) * factor;
  if (h * w > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    h = Math.max(factor, Math.floor(height / beta / factor) * factor);
    w = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    h = Math.ceil((height * beta) / factor) * factor;
    w = Math.ceil((width * beta) / factor) * factor;
  }
  return { height: h, width: w };
}

export interface PixelLimits {
  minPixels: number;
  maxPixels: number;
}

/** The processor's limits after --mm-processor-kwargs (vLLM merges them over preprocessor_config.json). */
export function pixelLimits(v: VisionSpec, kwargs?: { min_pixels?: number; max_pixels?: number }): PixelLimits {
  return { minPixels: kwargs?.min_pixels ?? v.minPixels, maxPixels: kwargs?.max_pixels ?? v.maxPixels };
}

export interface ItemTokens {
  width: number;
  height: number;
  frames: number;
  gridT: number;
  gridH: number;
  gridW: number;
  patches: number;
  tokens: number;
}

function factorOf(v: VisionSpec): number {
  return v.patchSize * v.spatialMergeSize;
}

// ---- MiniCPM-V slicing: MiniCPMVImageProcessor (openbmb/MiniCPM-V-2_6 image_processing_minicpmv.py:
// ensure_divide, find_best_resize, get_refine_size, get_sliced_grid, slice_image). Python int() truncates,
// round() is half-even.

function ensureDivide(length: number, patch: number): number {
  return Math.max(roundHalfEven(length / patch) * patch, patch);
}

function findBestResize(width: number, height: number, scale: number, patch: number, allowUpscale: boolean): [number, number] {
  let w = width;
  let h = height;
  if (w * h > scale * scale || allowUpscale) {
    const r = w / h;
    h = Math.trunc(scale / Math.sqrt(r));
    w = Math.trunc(h * r);
  }
  return [ensureDivide(w, patch), ensureDivide(h, patch)];
}

/** get_sliced_grid: [cols, rows], or null when the image is not sliced. */
export function minicpmSlicedGrid(width: number, height: number, scale: number, maxSlices: number): [number, number] | null {
  const logRatio = Math.log(width / height);
  const multiple = Math.min(Math.ceil((width * height) / (scale * scale)), maxSlices);
  if (multiple <= 1) return null;
  const grids: [number, number][] = [];
  for (const n of [multiple - 1, multiple, multiple + 1]) {
    if (n === 1 || n > maxSlices) continue;
    for (let m = 1; m <= n; m++) if (n % m === 0) grids.push([m, n / m]);
  }
  let best: [number, number] = [1, 1];
  let minError = Infinity;
  for (const g of grids) {
    const err = Math.abs(logRatio - Math.log(g[0] / g[1]));
    if (err < minError) {
      best = g;
      minError = err;
    }
  }
  return best;
}

/** slice_image: the source image and the grid slices, as patch grids [rows, cols] of patch_size. */
export function minicpmSlices(width: number, height: number, scale: number, patch: number, maxSlices: number): [number, number][] {
  const grid = minicpmSlicedGrid(width, height, scale, maxSlices);
  if (!grid) {
    const [w, h] = findBestResize(width, height, scale, patch, true);
    return [[h / patch, w / patch]];
  }
  const [sw, sh] = findBestResize(width, height, scale, patch, false);
  // get_refine_size: each slice resized (upscale allowed) like one image of the grid cell's size.
  const cellW = ensureDivide(width, grid[0]) / grid[0];
  const cellH = ensureDivide(height, grid[1]) / grid[1];
  const [bw, bh] = findBestResize(cellW, cellH, scale, patch, true);
  const out: [number, number][] = [[sh / patch, sw / patch]];
  for (let i = 0; i < grid[0] * grid[1]; i++) out.push([bh / patch, bw / patch]);
  return out;
}

function minicpmItem(v: VisionSpec, width: number, height: number, maxSlices: number): ItemTokens {
  const slices = minicpmSlices(width, height, v.imageSize, v.patchSize, maxSlices);
  // MiniCPMV2_6.get_vision_hidden_states pads every slice of the batch to the longest one
  // (all_pixel_values [B, 3, p, L_max]), so the tower runs B × L_max positions; each slice gives
  // query_num resampler tokens (get_num_image_tokens = (cols·rows + 1) · image_feature_size).
  const longest = Math.max(...slices.map(([h, w]) => h * w));
  const src = slices[0] ?? [0, 0];
  return { width, height, frames: 1, gridT: slices.length, gridH: src[0], gridW: src[1], patches: slices.length * longest, tokens: slices.length * v.tokensPerImage };
}

// ---- InternVL dynamic tiling: vllm/model_executor/models/internvl.py @b32b213e
// (get_internvl_target_ratios, find_closest_aspect_ratio, calculate_internvl_targets).

/** Target ratios (i, j) with min ≤ i·j ≤ max, sorted by i·j (ties: by i; Python keeps set order). */
export function internvlTargetRatios(minNum: number, maxNum: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 1; i <= maxNum; i++) for (let j = 1; j <= maxNum; j++) if (i * j >= minNum && i * j <= maxNum) out.push([i, j]);
  return out.sort((a, b) => a[0] * a[1] - b[0] * b[1] || a[0] - b[0]);
}

/** Tiles of one image: the closest-aspect grid's blocks, plus the thumbnail when blocks ≠ 1. */
export function internvlTiles(width: number, height: number, imageSize: number, ratios: [number, number][], thumbnail: boolean): number {
  const aspect = width / height;
  let bestDiff = Infinity;
  let best: [number, number] = [1, 1];
  for (const r of ratios) {
    const diff = Math.abs(aspect - r[0] / r[1]);
    if (diff < bestDiff) {
      bestDiff = diff;
      best = r;
    } else if (diff === bestDiff && width * height > 0.5 * imageSize * imageSize * r[0] * r[1]) best = r;
  }
  const blocks = best[0] * best[1];
  return thumbnail && blocks !== 1 ? blocks + 1 : blocks;
}

function internvlItem(v: VisionSpec, width: number, height: number): ItemTokens {
  // get_num_image_tokens: ratios from (min_dynamic_patch 1, max_dynamic_patch) without the thumbnail
  // slot, then + 1 thumbnail tile. InternVisionModel sees each 448² tile as (448/14)² patches + CLS.
  const tiles = internvlTiles(width, height, v.imageSize, internvlTargetRatios(1, v.maxSlices), v.thumbnail);
  const side = v.imageSize / v.patchSize;
  return { width, height, frames: 1, gridT: tiles, gridH: side, gridW: side, patches: tiles * v.positionEmbeddings, tokens: tiles * v.tokensPerImage };
}

/** Tokens of one image of width × height pixels as the Hugging Face processor produces them. */
export function imageTokens(v: VisionSpec, width: number, height: number, lim: PixelLimits): ItemTokens {
  if (v.family === "minicpmv") return minicpmItem(v, width, height, v.maxSlices);
  if (v.family === "internvl") return internvlItem(v, width, height);
  if (v.family === "gemma3") {
    // Gemma3ImageProcessor resizes every image to image_size² (no pan-and-scan by default); the
    // projector pools SigLIP's (image_size/patch)² patches to mm_tokens_per_image.
    const side = v.imageSize / v.patchSize;
    return { width: v.imageSize, height: v.imageSize, frames: 1, gridT: 1, gridH: side, gridW: side, patches: side * side, tokens: v.tokensPerImage };
  }
  const r = smartResize(height, width, factorOf(v), lim.minPixels, lim.maxPixels);
  const gridH = r.height / v.patchSize;
  const gridW = r.width / v.patchSize;
  const patches = gridH * gridW; // an image is one temporal patch (tiled to temporal_patch_size frames)
  return { width: r.width, height: r.height, frames: 1, gridT: 1, gridH, gridW, patches, tokens: patches / (v.spatialMergeSize * v.spatialMergeSize) };
}

/** Tokens of one video: frames padded to a multiple of temporal_patch_size, each resized like an image. */
export function videoTokens(v: VisionSpec, width: number, height: number, frames: number, lim: PixelLimits): ItemTokens {
  const one = imageTokens(v, width, height, lim);
  const padded = frames + ((v.temporalPatchSize - (frames % v.temporalPatchSize)) % v.temporalPatchSize);
  const gridT = Math.max(1, padded / v.temporalPatchSize);
  const patches = gridT * one.gridH * one.gridW;
  return { ...one, frames, gridT, patches, tokens: patches / (v.spatialMergeSize * v.spatialMergeSize) };
}

/**
 * Qwen2VLProcessingInfo.get_image_size_with_most_features: the largest s ≤ max_pixels // unit²
 * whose closest factor pair (hf ≤ wf) has wf / hf ≤ 200; the dummy image is (unit·wf) × (unit·hf).
 */
export function mostFeaturesImageSize(v: VisionSpec, maxPixels: number): { width: number; height: number } {
  const unit = factorOf(v);
  for (let s = Math.floor(maxPixels / (unit * unit)); s > 0; s--) {
    let hf = Math.floor(Math.sqrt(s));
    while (hf > 1 && s % hf !== 0) hf--;
    const wf = s / hf;
    if (wf / hf <= 200) return { width: unit * wf, height: unit * hf };
  }
  return { width: unit, height: unit };
}

/** vllm qwen2_vl.py _MAX_FRAMES_PER_VIDEO ("For profile run"). */
export const MAX_FRAMES_PER_VIDEO = 14;

export interface MaxItem {
  modality: "image" | "video";
  item: ItemTokens;
}

/** MiniCPM-V _MAX_FRAMES_PER_VIDEO ("For profile run"), minicpmv.py @73fb7a47. */
export const MINICPMV_MAX_FRAMES_PER_VIDEO = 16;

/**
 * Tokens per item vLLM assumes for profiling (get_mm_max_tokens_per_item with counts of 1, or, for
 * families without it, the embeddings of the processed dummy item). `imageActive`: the image count
 * of 1 that MiniCPM-V and InternVL subtract from max_model_len before sizing the dummy video.
 */
export function maxTokensPerItem(v: VisionSpec, lim: PixelLimits, maxModelLen: number, imageActive = true): { image: ItemTokens; video: ItemTokens | null } {
  if (v.family === "minicpmv") {
    // MiniCPMVProcessingInfo (minicpmv.py @73fb7a47) has no get_mm_max_tokens_per_item, so vLLM
    // counts the "<unk>" embeddings of the dummy items (encoder_budget.py get_mm_max_toks_per_item).
    // Image: get_image_size_with_most_features = image_size × (image_size · max_slice_num), 448 × 4032
    // by default → grid 1 × 9 + source = 10 slices × 64 = 640 tokens.
    const image = minicpmItem(v, v.imageSize, v.imageSize * v.dummySlices, v.maxSlices);
    if (!v.video) return { image, video: null };
    // Video: frames of image_size² with get_video_max_slice_num = 1 (one slice, 64 tokens each);
    // get_num_frames_with_most_features = max(1, min((seq_len − image tokens · images) // frame tokens, 16)).
    const frame = minicpmItem(v, v.imageSize, v.imageSize, 1);
    const frames = Math.max(1, Math.min(Math.floor((maxModelLen - (imageActive ? image.tokens : 0)) / frame.tokens), MINICPMV_MAX_FRAMES_PER_VIDEO));
    return { image, video: { ...frame, frames, gridT: frames * frame.gridT, patches: frames * frame.patches, tokens: frames * frame.tokens } };
  }
  if (v.family === "internvl") {
    // BaseInternVLProcessingInfo.get_image_size_with_most_features (internvl.py @b32b213e): scan the
    // ratios of resolve_target_ratios() (max_dynamic_patch + 1 with the thumbnail) × image_size; the
    // first with the most tokens wins → max_dynamic_patch tiles + thumbnail (13 × 256 = 3,328).
    // No get_mm_max_tokens_per_item: the dummy's IMG_CONTEXT embeddings are counted.
    const maxNum = v.thumbnail && v.maxSlices !== 1 ? v.maxSlices + 1 : v.maxSlices;
    let image = internvlItem(v, v.imageSize, v.imageSize);
    for (const [wr, hr] of internvlTargetRatios(1, maxNum)) {
      const it = internvlItem(v, v.imageSize * wr, v.imageSize * hr);
      if (it.tokens > image.tokens) image = it;
    }
    if (!v.video) return { image, video: null };
    // InternVLProcessingInfo.get_num_frames_with_most_features: (seq_len − max image tokens · images)
    // // num_image_token frames (no cap), each one 448² tile without thumbnail.
    const frames = Math.max(1, Math.floor((maxModelLen - (imageActive ? image.tokens : 0)) / v.tokensPerImage));
    const side = v.imageSize / v.patchSize;
    return { image, video: { width: v.imageSize, height: v.imageSize, frames, gridT: frames, gridH: side, gridW: side, patches: frames * v.positionEmbeddings, tokens: frames * v.tokensPerImage } };
  }
  if (v.family === "gemma3") {
    // Gemma3ProcessingInfo.get_num_image_tokens: (num_crops + 1) × mm_tokens_per_image, no crops by
    // default. No video.
    return { image: imageTokens(v, v.imageSize, v.imageSize, lim), video: null };
  }
  const size = mostFeaturesImageSize(v, lim.maxPixels);
  const image = imageTokens(v, size.width, size.height, lim);
  if (v.family === "qwen3-vl") {
    // Qwen3-VL's video_smart_resize caps frames × height × width at the video processor's
    // longest_edge (25,165,824): at most that / (patch² · merge² · temporal patch) tokens, below the
    // image's 16,384, so vLLM profiles the image (/work/notes/vision.md §5; derived, not run).
    const tokens = Math.floor(v.videoMaxPixels / (v.patchSize * v.patchSize * v.spatialMergeSize * v.spatialMergeSize * v.temporalPatchSize));
    const m2 = v.spatialMergeSize * v.spatialMergeSize;
    return { image, video: { ...image, frames: 0, gridT: 0, patches: tokens * m2, tokens } };
  }
  // get_num_frames_with_most_features: the most frames whose tokens fit max_model_len, capped at 14.
  const perSlice = image.tokens;
  const slices = Math.max(1, Math.min(MAX_FRAMES_PER_VIDEO / v.temporalPatchSize, Math.floor(maxModelLen / perSlice)));
  const video = videoTokens(v, size.width, size.height, slices * v.temporalPatchSize, lim);
  return { image, video };
}

export interface EncoderInput {
  model: ModelArch;
  maxModelLen: number;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  limits: Record<string, number>;
  kwargs?: { min_pixels?: number; max_pixels?: number };
  tp: number;
  /** --mm-encoder-tp-mode data: the tower is replicated, items spread over ranks. */
  encoderDataParallel: boolean;
  skipMmProfiling: boolean;
}

/** Bytes the encoder holds at its peak for P patches (one embed_multimodal call). */
export function encoderPeakBytes(v: VisionSpec, patches: number, tp: number, b: number): number {
  const E = v.hiddenSize;
  const I = v.intermediateSize;
  if (v.family === "minicpmv" || v.family === "internvl") {
    // Pre-norm LayerNorm blocks with an ungated MLP and in-place residual adds
    // (idefics2_vision_model.py @68137261 Idefics2EncoderLayer; intern_vit.py InternVisionEncoderLayer):
    // the encoder loop keeps x_in, the block keeps the post-attention residual and norm2's output;
    // fc1 [P, I/tp] and its activation live together, then the activation and fc2 [P, E].
    const block = b * patches * Math.max(3 * E + (2 * I) / tp, 4 * E + I / tp);
    const pixelValues = v.inChannels * v.patchSize * v.patchSize * b;
    if (v.family === "internvl") {
      // pixel_values_flat [tiles, 3, 448, 448]: the CLS position has no pixels. The pixel-shuffle /
      // mlp1 phase afterwards holds at most 3 [P, E] copies, below the block.
      const side2 = v.positionEmbeddings - 1;
      const tiles = patches / v.positionEmbeddings;
      return Math.round(tiles * side2 * pixelValues + block);
    }
    // MiniCPMV2_6.get_vision_hidden_states keeps the per-slice pixel_values and the zero-padded
    // all_pixel_values [B, 3, p, L_max] until it returns. After the tower, Resampler2_5.forward holds
    // the tower output [P, E], ln_kv(kv_proj(x)) [P, D], the padded 2-D pos_embed [P, D], the key
    // x + pos_embed [P, D] and nn.MultiheadAttention's k and v in-projections [P, D] each, plus its
    // need_weights scores and softmax [B·heads, Q, L_max] (heads = D / 128); replicated at any tp.
    const D = v.outHiddenSize;
    const resampler = b * patches * (E + 5 * D + 2 * (D / 128) * v.tokensPerImage);
    return Math.round(2 * patches * pixelValues + Math.max(block, resampler));
  }
  const pixels = patches * v.inChannels * v.temporalPatchSize * v.patchSize * v.patchSize * b;
  let block: number;
  if (v.family === "qwen3-vl" || v.family === "gemma3") {
    // LayerNorm blocks with an ungated MLP (Qwen3_VisionBlock, SiglipEncoderLayer): x_in, residual,
    // norm output, fc1 [P, I/tp], activation [P, I/tp], fc2 output [P, E]. Qwen3-VL also keeps its
    // deepstack merger outputs ([P/4, out_hidden] each) until the tower returns.
    const deepstack = (v.deepstack * patches * v.outHiddenSize * b) / (v.spatialMergeSize * v.spatialMergeSize);
    block = b * patches * (4 * E + (2 * I) / tp) + deepstack;
  } else if (v.family === "qwen2-vl") {
    // Qwen2VisionBlock: x_in, x after attention, norm2 output, fc1 [P, 4E/tp], QuickGELU [P, 4E/tp];
    // with tp > 1 split_qkv all-gathers the full [P, 3E] qkv on every rank.
    block = b * patches * (3 * E + (2 * I) / tp) + (tp > 1 ? b * patches * 3 * E : 0);
  } else {
    // Qwen2_5_VisionBlock MLP: x_in, residual, fused-norm output, gate_up [P, 2I/tp], act [P, I/tp],
    // down [P, E] live together (gate_up is held by its local name until the MLP returns).
    block = b * patches * (4 * E + (3 * I) / tp);
  }
  return Math.round(pixels + block);
}

/**
 * The encoder dummy batch of profile_run: the modality with the most tokens per item, K items of
 * that size (MultiModalBudget._get_max_items: K = max(1, min(budget // max_tok,
 * max_num_seqs × per_prompt))), budget = max(max_num_batched_tokens, max_tok).
 */
export function encoderProfile(x: EncoderInput): EncoderProfile | null {
  const v = x.model.vision;
  if (!v || v.family === "other" || x.skipMmProfiling) return null;
  const limit = (m: string): number => x.limits[m] ?? 999; // MultiModalConfig count default 999
  const active = (["image", "video"] as const).filter((m) => limit(m) > 0);
  if (active.length === 0) return null;
  const lim = pixelLimits(v, x.kwargs);
  const items = maxTokensPerItem(v, lim, x.maxModelLen, active.includes("image"));
  const choices = active.filter((m) => items[m] !== null);
  if (choices.length === 0) return null;
  // Ties go to "video" (Model Runner V2 sorts by (tokens, name)).
  let modality: "image" | "video" = choices[0] ?? "image";
  for (const m of choices) if ((items[m]?.tokens ?? 0) >= (items[modality]?.tokens ?? 0)) modality = m;
  const item = items[modality] as ItemTokens;
  const maxTok = item.tokens;
  const budget = Math.max(x.maxNumBatchedTokens, maxTok);
  const perPrompt = Math.max(1, Math.min(limit(modality), Math.floor(x.maxModelLen / maxTok)));
  const k = Math.max(1, Math.min(Math.floor(budget / maxTok), x.maxNumSeqs * perPrompt));
  const b = DTYPE_BYTES[x.model.dtype];
  // Data-parallel encoder mode: whole items go to ranks; rank 0 gets ceil(K / tp) items at full width.
  const itemsOnRank = x.encoderDataParallel ? Math.ceil(k / x.tp) : k;
  const towerTp = x.encoderDataParallel ? 1 : x.tp;
  const patches = itemsOnRank * item.patches;
  // Output parked in encoder_cache: K × tokens × out_hidden (Qwen3-VL: × (1 + deepstack mergers)).
  const outputBytes = k * maxTok * x.model.hiddenSize * (1 + v.deepstack) * b;
  return {
    modality,
    tokensPerItem: maxTok,
    patchesPerItem: item.patches,
    itemWidth: item.width,
    itemHeight: item.height,
    items: k,
    budgetTokens: budget,
    peakBytes: encoderPeakBytes(v, patches, towerTp, b),
    outputBytes,
  };
}

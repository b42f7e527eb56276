// Vision tokens and the multimodal encoder's part of vLLM's profile run (Qwen2-VL, Qwen2.5-VL, Qwen3-VL).
// Sources: transformers models/qwen2_vl/image_processing_qwen2_vl.py `smart_resize`; vLLM
// vllm/model_executor/models/qwen2_vl.py Qwen2VLProcessingInfo (get_image_size_with_most_features,
// _get_vision_info, get_num_frames_with_most_features, _MAX_FRAMES_PER_VIDEO = 14), qwen2_5_vl.py
// Qwen2_5_VisionTransformer / Qwen2_5_VisionBlock, vllm/multimodal/encoder_budget.py MultiModalBudget.
import type { EncoderProfile, ModelArch, VisionSpec } from "./types.js";
import { DTYPE_BYTES } from "./weights.js";

/** Python 3's round(): halves go to the even neighbour (banker's rounding). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export class ResizeError extends Error {}

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

/** Tokens of one image of width × height pixels as the Hugging Face processor produces them. */
export function imageTokens(v: VisionSpec, width: number, height: number, lim: PixelLimits): ItemTokens {
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

/** Tokens per item vLLM assumes for profiling (get_mm_max_tokens_per_item with counts of 1). */
export function maxTokensPerItem(v: VisionSpec, lim: PixelLimits, maxModelLen: number): { image: ItemTokens; video: ItemTokens | null } {
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
  const items = maxTokensPerItem(v, lim, x.maxModelLen);
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

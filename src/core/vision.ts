// Vision tokens and the multimodal encoder's part of vLLM's profile run. Each family's processor rules
// live in src/core/vision/<family>.ts behind one VisionFamily interface (src/core/vision/family.ts) and
// the registry (src/core/vision/registry.ts); this module dispatches to them and sizes the encoder dummy
// batch as vllm/multimodal/encoder_budget.py MultiModalBudget does.
import type { EncoderProfile, ModelArch, VisionSpec } from "./types.js";
import { DTYPE_BYTES } from "./weights.js";
import { pixelLimits, qwenImageTokens, type ItemTokens, type PixelLimits } from "./vision/common.js";
import { visionFamily } from "./vision/registry.js";
import { qwenDummyItems, qwenFrameVideoTokens } from "./vision/qwen2-vl.js";
import { qwen25Vl } from "./vision/qwen2.5-vl.js";

export { roundHalfEven, smartResize, pixelLimits, mostFeaturesImageSize, patchElements, type ItemTokens, type PixelLimits } from "./vision/common.js";
export { MAX_FRAMES_PER_VIDEO } from "./vision/qwen2-vl.js";
export { MINICPMV_MAX_FRAMES_PER_VIDEO, minicpmSlicedGrid, minicpmSlices } from "./vision/minicpmv.js";
export { internvlTargetRatios, internvlTiles } from "./vision/internvl.js";
export { visionFamily } from "./vision/registry.js";
export type { VisionFamily, VideoBounds } from "./vision/family.js";

/** Tokens of one image of width × height pixels as the family's Hugging Face processor produces them. */
export function imageTokens(vision: VisionSpec, width: number, height: number, lim: PixelLimits): ItemTokens {
  const family = visionFamily(vision);
  return family ? family.imageTokens(vision, width, height, lim) : qwenImageTokens(vision, width, height, lim);
}

/** Tokens of one video clip by the family's video processor (Qwen2-VL's per-frame rules for unmodeled towers). */
export function videoTokens(vision: VisionSpec, width: number, height: number, frames: number, lim: PixelLimits): ItemTokens {
  const family = visionFamily(vision);
  return family?.video ? family.video.tokens(vision, width, height, frames, lim) : qwenFrameVideoTokens(vision, width, height, frames, lim);
}

export interface MaxItem {
  modality: "image" | "video";
  item: ItemTokens;
}

/**
 * Tokens per item vLLM assumes for profiling (get_mm_max_tokens_per_item with counts of 1, or, for
 * families without it, the embeddings of the processed dummy item). `imageActive`: the image count
 * of 1 that MiniCPM-V and InternVL subtract from max_model_len before sizing the dummy video.
 */
export function maxTokensPerItem(vision: VisionSpec, lim: PixelLimits, maxModelLen: number, imageActive = true): { image: ItemTokens; video: ItemTokens | null } {
  const family = visionFamily(vision);
  return family ? family.dummyItems(vision, lim, maxModelLen, imageActive) : qwenDummyItems(vision, lim, maxModelLen);
}

/** The max_pixels that caps an image at `tokens` LLM tokens for this family, or null (fixed-size or tiled images). */
export function maxPixelsForTokens(vision: VisionSpec, tokens: number): number | null {
  return visionFamily(vision)?.maxPixelsForTokens(vision, tokens) ?? null;
}

/** Whether this checkpoint has a video modality in vLLM. */
export function hasVideo(vision: VisionSpec): boolean {
  return visionFamily(vision)?.hasVideo(vision) ?? false;
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

/** Bytes the encoder holds at its peak for P patches (one embed_multimodal call), by the family's rules. */
export function encoderPeakBytes(vision: VisionSpec, patches: number, tp: number, b: number): number {
  return (visionFamily(vision) ?? qwen25Vl).encoderPeakBytes(vision, patches, tp, b);
}

/**
 * The encoder dummy batch of profile_run: the modality with the most tokens per item, K items of
 * that size (MultiModalBudget._get_max_items: K = max(1, min(budget // max_tok,
 * max_num_seqs × per_prompt))), budget = max(max_num_batched_tokens, max_tok).
 */
export function encoderProfile(encoder: EncoderInput): EncoderProfile | null {
  const vision = encoder.model.vision;
  if (!vision || vision.family === "other" || encoder.skipMmProfiling) return null;
  const limit = (m: string): number => encoder.limits[m] ?? 999; // MultiModalConfig count default 999
  const active = (["image", "video"] as const).filter((m) => limit(m) > 0);
  if (active.length === 0) return null;
  const lim = pixelLimits(vision, encoder.kwargs);
  const items = maxTokensPerItem(vision, lim, encoder.maxModelLen, active.includes("image"));
  const choices = active.filter((m) => items[m] !== null);
  if (choices.length === 0) return null;
  // Ties go to "video" (Model Runner V2 sorts by (tokens, name)).
  let modality: "image" | "video" = choices[0] ?? "image";
  for (const m of choices) if ((items[m]?.tokens ?? 0) >= (items[modality]?.tokens ?? 0)) modality = m;
  const item = items[modality] as ItemTokens;
  const maxTok = item.tokens;
  const budget = Math.max(encoder.maxNumBatchedTokens, maxTok);
  const perPrompt = Math.max(1, Math.min(limit(modality), Math.floor(encoder.maxModelLen / maxTok)));
  const k = Math.max(1, Math.min(Math.floor(budget / maxTok), encoder.maxNumSeqs * perPrompt));
  const dtypeBytes = DTYPE_BYTES[encoder.model.dtype];
  // Data-parallel encoder mode: whole items go to ranks; rank 0 gets ceil(K / tp) items at full width.
  const itemsOnRank = encoder.encoderDataParallel ? Math.ceil(k / encoder.tp) : k;
  const towerTp = encoder.encoderDataParallel ? 1 : encoder.tp;
  const patches = itemsOnRank * item.patches;
  // Output parked in encoder_cache: K × tokens × out_hidden (Qwen3-VL: × (1 + deepstack mergers)).
  const outputBytes = k * maxTok * encoder.model.hiddenSize * (1 + vision.deepstack) * dtypeBytes;
  return {
    modality,
    tokensPerItem: maxTok,
    patchesPerItem: item.patches,
    itemWidth: item.width,
    itemHeight: item.height,
    items: k,
    budgetTokens: budget,
    peakBytes: encoderPeakBytes(vision, patches, towerTp, dtypeBytes),
    outputBytes,
  };
}

// Qwen2-VL: transformers models/qwen2_vl (Qwen2VLImageProcessor smart_resize, Qwen2VLVideoProcessor);
// vllm/model_executor/models/qwen2_vl.py Qwen2VLProcessingInfo (get_image_size_with_most_features,
// get_num_frames_with_most_features, _MAX_FRAMES_PER_VIDEO = 14) and Qwen2VisionBlock.
import type { VisionSpec } from "../types.js";
import { mergedTokenSide, mostFeaturesImageSize, qwenImageTokens, type ItemTokens, type PixelLimits } from "./common.js";
import type { DummyItems, VisionFamily } from "./family.js";

/** vllm qwen2_vl.py _MAX_FRAMES_PER_VIDEO ("For profile run"). */
export const MAX_FRAMES_PER_VIDEO = 14;

/**
 * Qwen2VLVideoProcessor class defaults (transformers models/qwen2_vl/video_processing_qwen2_vl.py): per-frame
 * pixels between 128 and 768 merged tokens (128·28·28 … 768·28·28 for patch 14 × merge 2).
 */
export const VIDEO_MIN_TOKENS_PER_FRAME = 128;
export const VIDEO_MAX_TOKENS_PER_FRAME = 768;

/** Tokens of one clip: frames padded to a multiple of temporal_patch_size, each frame resized like an image. */
export function qwenFrameVideoTokens(v: VisionSpec, width: number, height: number, frames: number, lim: PixelLimits): ItemTokens {
  const one = qwenImageTokens(v, width, height, lim);
  const padded = frames + ((v.temporalPatchSize - (frames % v.temporalPatchSize)) % v.temporalPatchSize);
  const gridT = Math.max(1, padded / v.temporalPatchSize);
  const patches = gridT * one.gridH * one.gridW;
  return { ...one, frames, gridT, patches, tokens: patches / (v.spatialMergeSize * v.spatialMergeSize) };
}

/** get_mm_max_tokens_per_item: the most-features image, and a video of the most frames that fit, capped at 14. */
export function qwenDummyItems(v: VisionSpec, lim: PixelLimits, maxModelLen: number): DummyItems {
  const size = mostFeaturesImageSize(v, lim.maxPixels);
  const image = qwenImageTokens(v, size.width, size.height, lim);
  const slices = Math.max(1, Math.min(MAX_FRAMES_PER_VIDEO / v.temporalPatchSize, Math.floor(maxModelLen / image.tokens)));
  return { image, video: qwenFrameVideoTokens(v, size.width, size.height, slices * v.temporalPatchSize, lim) };
}

/** max_pixels of an image of at most `tokens` merged tokens: tokens × (patch · merge)². */
export function qwenMaxPixelsForTokens(v: VisionSpec, tokens: number): number {
  return tokens * mergedTokenSide(v) ** 2;
}

export const qwen2Vl: VisionFamily = {
  id: "qwen2-vl",
  imageTokens: qwenImageTokens,
  video: {
    bounds: (v) => ({ minPixels: VIDEO_MIN_TOKENS_PER_FRAME * mergedTokenSide(v) ** 2, maxPixels: VIDEO_MAX_TOKENS_PER_FRAME * mergedTokenSide(v) ** 2, per: "frame" }),
    tokens: qwenFrameVideoTokens,
  },
  dummyItems: (v, lim, maxModelLen) => qwenDummyItems(v, lim, maxModelLen),
  encoderPeakBytes(v, patches, tp, b) {
    const E = v.hiddenSize;
    const I = v.intermediateSize;
    const pixels = patches * v.inChannels * v.temporalPatchSize * v.patchSize * v.patchSize * b;
    // Qwen2VisionBlock: x_in, x after attention, norm2 output, fc1 [P, 4E/tp], QuickGELU [P, 4E/tp];
    // with tp > 1 split_qkv all-gathers the full [P, 3E] qkv on every rank.
    const block = b * patches * (3 * E + (2 * I) / tp) + (tp > 1 ? b * patches * 3 * E : 0);
    return Math.round(pixels + block);
  },
  maxPixelsForTokens: qwenMaxPixelsForTokens,
  hasVideo: () => true,
  offline: "traced",
};

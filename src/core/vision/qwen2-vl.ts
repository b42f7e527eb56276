// Qwen2-VL: transformers models/qwen2_vl (Qwen2VLImageProcessor smart_resize, Qwen2VLVideoProcessor);
// vllm/model_executor/models/qwen2_vl.py Qwen2VLProcessingInfo (get_image_size_with_most_features,
// get_num_frames_with_most_features, _MAX_FRAMES_PER_VIDEO = 14) and Qwen2VisionBlock.
import type { VisionSpec } from "../types.js";
import { num, type Obj } from "../config-json.js";
import { mergedTokenSide, mostFeaturesImageSize, patchElements, qwenImageTokens, type ItemTokens, type PixelLimits } from "./common.js";
import type { DummyItems, VisionFamily } from "./family.js";
import { lin, norm, rep, type ParamGroup } from "../param-groups.js";

/** vllm qwen2_vl.py _MAX_FRAMES_PER_VIDEO ("For profile run"). */
export const MAX_FRAMES_PER_VIDEO = 14;

/**
 * Qwen2VLVideoProcessor class defaults (transformers models/qwen2_vl/video_processing_qwen2_vl.py): per-frame
 * pixels between 128 and 768 merged tokens (128·28·28 … 768·28·28 for patch 14 × merge 2).
 */
export const VIDEO_MIN_TOKENS_PER_FRAME = 128;
export const VIDEO_MAX_TOKENS_PER_FRAME = 768;

/** Tokens of one clip: frames padded to a multiple of temporal_patch_size, each frame resized like an image. */
export function qwenFrameVideoTokens(vision: VisionSpec, width: number, height: number, frames: number, lim: PixelLimits): ItemTokens {
  const one = qwenImageTokens(vision, width, height, lim);
  const padded = frames + ((vision.temporalPatchSize - (frames % vision.temporalPatchSize)) % vision.temporalPatchSize);
  const gridT = Math.max(1, padded / vision.temporalPatchSize);
  const patches = gridT * one.gridH * one.gridW;
  return { ...one, frames, gridT, patches, tokens: patches / (vision.spatialMergeSize * vision.spatialMergeSize) };
}

/** get_mm_max_tokens_per_item: the most-features image, and a video of the most frames that fit, capped at 14. */
export function qwenDummyItems(vision: VisionSpec, lim: PixelLimits, maxModelLen: number): DummyItems {
  const size = mostFeaturesImageSize(vision, lim.maxPixels);
  const image = qwenImageTokens(vision, size.width, size.height, lim);
  const slices = Math.max(1, Math.min(MAX_FRAMES_PER_VIDEO / vision.temporalPatchSize, Math.floor(maxModelLen / image.tokens)));
  return { image, video: qwenFrameVideoTokens(vision, size.width, size.height, slices * vision.temporalPatchSize, lim) };
}

/** max_pixels of an image of at most `tokens` merged tokens: tokens × (patch · merge)². */
export function qwenMaxPixelsForTokens(vision: VisionSpec, tokens: number): number {
  return tokens * mergedTokenSide(vision) ** 2;
}

/**
 * Qwen-VL towers (qwen2_vl.py / qwen2_5_vl.py / qwen3_vl.py): Conv3d patch embedding (bias in Qwen3-VL only),
 * learned positions (Qwen3-VL), blocks with LayerNorm (Qwen2-VL, Qwen3-VL) or RMSNorm (Qwen2.5-VL), a gated
 * or fc1/fc2 MLP, the patch merger and Qwen3-VL's deepstack mergers.
 */
export function qwenParamGroups(vision: VisionSpec): ParamGroup[] {
  const E = vision.hiddenSize;
  const Iv = vision.intermediateSize;
  const groups: ParamGroup[] = [];
  // Patch embedding: Conv3d(in_channels, E, kernel (t, p, p)); with bias in Qwen3-VL only.
  const patchIn = patchElements(vision);
  groups.push(rep("visual.patch_embed.proj", E, patchIn, vision.family === "qwen3-vl" ? E : 0));
  if (vision.positionEmbeddings > 0) groups.push(rep("visual.pos_embed", vision.positionEmbeddings, E));
  const layerNorm = vision.family === "qwen2-vl" || vision.family === "qwen3-vl"; // LayerNorm (weight+bias); Qwen2.5-VL: RMSNorm.
  for (let i = 0; i < vision.depth; i++) {
    const blockPrefix = `visual.blocks.${i}`;
    groups.push(norm(`${blockPrefix}.norm1`, E, "vision", layerNorm), norm(`${blockPrefix}.norm2`, E, "vision", layerNorm));
    groups.push(lin(`${blockPrefix}.attn.qkv`, "vision", 3 * E, E, "column", 3 * E, 3), lin(`${blockPrefix}.attn.proj`, "vision", E, E, "row", E));
    if (vision.gatedMlp) groups.push(lin(`${blockPrefix}.mlp.gate_up_proj`, "vision", 2 * Iv, E, "column", 2 * Iv, 2), lin(`${blockPrefix}.mlp.down_proj`, "vision", E, Iv, "row", E));
    else groups.push(lin(`${blockPrefix}.mlp.fc1`, "vision", Iv, E, "column", Iv), lin(`${blockPrefix}.mlp.fc2`, "vision", E, Iv, "row", E));
  }
  // Patch merger: norm over E, then MLP(E·m², E·m²) → GELU → (E·m², out_hidden). Qwen3-VL adds
  // one deepstack merger per deepstack_visual_indexes entry, normalizing after the shuffle (E·m²).
  const m2 = E * vision.spatialMergeSize * vision.spatialMergeSize;
  groups.push(norm("visual.merger.ln_q", E, "vision", layerNorm));
  groups.push(lin("visual.merger.mlp.0", "vision", m2, m2, "column", m2), lin("visual.merger.mlp.2", "vision", vision.outHiddenSize, m2, "row", vision.outHiddenSize));
  for (let mergerIndex = 0; mergerIndex < vision.deepstack; mergerIndex++) {
    const mergerPrefix = `visual.deepstack_merger_list.${mergerIndex}`;
    groups.push(norm(`${mergerPrefix}.norm`, m2, "vision", true), lin(`${mergerPrefix}.linear_fc1`, "vision", m2, m2, "column", m2), lin(`${mergerPrefix}.linear_fc2`, "vision", vision.outHiddenSize, m2, "row", vision.outHiddenSize));
  }
  return groups;
}

/** Qwen2-VL / Qwen2.5-VL checkpoints ship min_pixels 3136 and max_pixels 12845056 (preprocessor_config.json). */
export function qwen2VlPixelBounds(pp: Obj): { minPixels: number; maxPixels: number } {
  return { minPixels: num(pp, "min_pixels") ?? 3136, maxPixels: num(pp, "max_pixels") ?? 12845056 };
}

export const qwen2Vl: VisionFamily = {
  id: "qwen2-vl",
  name: "Qwen2-VL",
  paramGroups: qwenParamGroups,
  matchesModelType: (mt) => mt === "qwen2_vl",
  fromConfig({ config, vision: visionCfg, preprocessor: pp, base }) {
    const embedDim = num(visionCfg, "embed_dim") ?? 1280;
    return {
      ...base,
      depth: num(visionCfg, "depth") ?? 32,
      hiddenSize: embedDim,
      intermediateSize: embedDim * (num(visionCfg, "mlp_ratio") ?? 4),
      numHeads: num(visionCfg, "num_heads") ?? 16,
      patchSize: num(visionCfg, "patch_size") ?? 14,
      temporalPatchSize: num(visionCfg, "temporal_patch_size") ?? 2,
      spatialMergeSize: num(visionCfg, "spatial_merge_size") ?? 2,
      outHiddenSize: num(visionCfg, "hidden_size") ?? num(config, "hidden_size") ?? embedDim,
      gatedMlp: false,
      ...qwen2VlPixelBounds(pp),
    };
  },
  imageTokens: qwenImageTokens,
  video: {
    bounds: (vision) => ({ minPixels: VIDEO_MIN_TOKENS_PER_FRAME * mergedTokenSide(vision) ** 2, maxPixels: VIDEO_MAX_TOKENS_PER_FRAME * mergedTokenSide(vision) ** 2, per: "frame" }),
    tokens: qwenFrameVideoTokens,
  },
  dummyItems: (vision, lim, maxModelLen) => qwenDummyItems(vision, lim, maxModelLen),
  encoderPeakBytes(vision, patches, tp, b) {
    const E = vision.hiddenSize;
    const I = vision.intermediateSize;
    const pixels = patches * patchElements(vision) * b;
    // Qwen2VisionBlock: x_in, x after attention, norm2 output, fc1 [P, 4E/tp], QuickGELU [P, 4E/tp];
    // with tp > 1 split_qkv all-gathers the full [P, 3E] qkv on every rank.
    const block = b * patches * (3 * E + (2 * I) / tp) + (tp > 1 ? b * patches * 3 * E : 0);
    return Math.round(pixels + block);
  },
  maxPixelsForTokens: qwenMaxPixelsForTokens,
  hasVideo: () => true,
  fixedTokensPerImage: false,
  offline: { trace: "qwen-vl", windowed: false },
};

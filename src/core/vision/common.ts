// Helpers the vision families share: the Hugging Face processors' resize arithmetic and the item shape.
// Sources: transformers models/qwen2_vl/image_processing_qwen2_vl.py `smart_resize`;
// vllm/model_executor/models/qwen2_vl.py Qwen2VLProcessingInfo.get_image_size_with_most_features.
import type { VisionSpec } from "../types.js";
import { num, type Obj } from "../config-json.js";
import { ResizeError } from "../errors.js";
import { roundUp } from "../math-utils.js";
import { lin, norm, rep, type ParamGroup } from "../param-groups.js";

/**
 * Elements of one flattened patch: a row of the Qwen-VL-style pixel_values [patches, C · T · p · p] and the
 * input of the patch embedding's Conv3d(in_channels, E, kernel (T, p, p)) (T = 1 for 2-D towers).
 */
export function patchElements(vision: VisionSpec): number {
  return vision.inChannels * vision.temporalPatchSize * vision.patchSize * vision.patchSize;
}

/**
 * The activation peak of one pre-norm LayerNorm block with an ungated MLP and in-place residual adds
 * (idefics2_vision_model.py @68137261 Idefics2EncoderLayer; intern_vit.py InternVisionEncoderLayer): the encoder
 * loop keeps x_in, the block keeps the post-attention residual and norm2's output; fc1 [P, I/tp] and its
 * activation live together, then the activation and fc2. Elements × b bytes for P patches.
 */
export function inPlaceResidualBlockBytes(vision: VisionSpec, patches: number, tp: number, b: number): number {
  const E = vision.hiddenSize;
  const I = vision.intermediateSize;
  return b * patches * Math.max(3 * E + (2 * I) / tp, 4 * E + I / tp);
}

/** Python 3's round(): halves go to the even neighbor (banker's rounding). */
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
  return boundedSides(height, width, factor, minPixels, maxPixels);
}

/**
 * The bounding step every smart_resize shares (transformers qwen2_vl image and qwen3_vl video processors):
 * after the aspect-ratio check, sides rounded (half-even) to a multiple of `factor`; when the clip of
 * `t` (rounded) frames × h × w exceeds max_pixels, beta = √(frames·H·W / max) and each side is floored to
 * the factor (at least one factor); below min_pixels, beta = √(min / (frames·H·W)) and each side is ceiled.
 * An image is one frame (frames = t = 1).
 */
export function boundedSides(height: number, width: number, factor: number, minPixels: number, maxPixels: number, frames = 1, t = 1): { height: number; width: number } {
  if (Math.max(height, width) / Math.min(height, width) > 200) throw new ResizeError(`absolute aspect ratio must be smaller than 200, got ${Math.max(height, width) / Math.min(height, width)}`);
  let h = roundHalfEven(height / factor) * factor;
  let w = roundHalfEven(width / factor) * factor;
  if (t * h * w > maxPixels) {
    const beta = Math.sqrt((frames * height * width) / maxPixels);
    h = Math.max(factor, Math.floor(height / beta / factor) * factor);
    w = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (t * h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (frames * height * width));
    h = roundUp(height * beta, factor);
    w = roundUp(width * beta, factor);
  }
  return { height: h, width: w };
}

export interface PixelLimits {
  minPixels: number;
  maxPixels: number;
}

/** The processor's limits after --mm-processor-kwargs (vLLM merges them over preprocessor_config.json). */
export function pixelLimits(vision: VisionSpec, kwargs?: { min_pixels?: number; max_pixels?: number }): PixelLimits {
  return { minPixels: kwargs?.min_pixels ?? vision.minPixels, maxPixels: kwargs?.max_pixels ?? vision.maxPixels };
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

/** patch × merge: the side of the pixel square one merged LLM token covers (Qwen-VL families). */
export function mergedTokenSide(vision: VisionSpec): number {
  return vision.patchSize * vision.spatialMergeSize;
}

/** Qwen-VL image: smart_resize to a multiple of patch × merge, one temporal patch, merge² patches per token. */
export function qwenImageTokens(vision: VisionSpec, width: number, height: number, lim: PixelLimits): ItemTokens {
  const resized = smartResize(height, width, mergedTokenSide(vision), lim.minPixels, lim.maxPixels);
  const gridH = resized.height / vision.patchSize;
  const gridW = resized.width / vision.patchSize;
  const patches = gridH * gridW; // an image is one temporal patch (tiled to temporal_patch_size frames)
  return { width: resized.width, height: resized.height, frames: 1, gridT: 1, gridH, gridW, patches, tokens: patches / (vision.spatialMergeSize * vision.spatialMergeSize) };
}

/**
 * Qwen2VLProcessingInfo.get_image_size_with_most_features: the largest s ≤ max_pixels // unit²
 * whose closest factor pair (hf ≤ wf) has wf / hf ≤ 200; the dummy image is (unit·wf) × (unit·hf).
 */
export function mostFeaturesImageSize(vision: VisionSpec, maxPixels: number): { width: number; height: number } {
  const unit = mergedTokenSide(vision);
  for (let s = Math.floor(maxPixels / (unit * unit)); s > 0; s--) {
    let hf = Math.floor(Math.sqrt(s));
    while (hf > 1 && s % hf !== 0) hf--;
    const wf = s / hf;
    if (wf / hf <= 200) return { width: unit * wf, height: unit * hf };
  }
  return { width: unit, height: unit };
}

/** Qwen2.5-VL / Qwen3-VL vision_config keys, with each family's released defaults. */
export function qwenTowerKeys(visionCfg: Obj, defaults: { depth: number; hidden: number; intermediate: number; patch: number }) {
  return {
    depth: num(visionCfg, "depth") ?? defaults.depth,
    hiddenSize: num(visionCfg, "hidden_size") ?? defaults.hidden,
    intermediateSize: num(visionCfg, "intermediate_size") ?? defaults.intermediate,
    numHeads: num(visionCfg, "num_heads") ?? 16,
    patchSize: num(visionCfg, "patch_size") ?? defaults.patch,
    temporalPatchSize: num(visionCfg, "temporal_patch_size") ?? 2,
    spatialMergeSize: num(visionCfg, "spatial_merge_size") ?? 2,
  };
}

/**
 * SigLIP / InternViT-style vision_config keys (Gemma 3, MiniCPM-V, InternVL): one image per temporal step,
 * no spatial merge in the tower, an ungated MLP.
 */
export function vitTowerKeys(visionCfg: Obj, defaults: { hidden: number; intermediate: number; patch: number }) {
  return {
    hiddenSize: num(visionCfg, "hidden_size") ?? defaults.hidden,
    intermediateSize: num(visionCfg, "intermediate_size") ?? defaults.intermediate,
    numHeads: num(visionCfg, "num_attention_heads") ?? 16,
    patchSize: num(visionCfg, "patch_size") ?? defaults.patch,
    temporalPatchSize: 1,
    spatialMergeSize: 1,
    gatedMlp: false,
  };
}

/**
 * The SigLIP vision encoder's parameters under `prefix` (vllm/model_executor/models/siglip.py SiglipVisionModel;
 * idefics2_vision_model.py Idefics2VisionTransformer builds the same tensors): Conv2d patch embedding with bias,
 * learned position embedding, `depth` LayerNorm blocks with qkv_proj (QKVParallel, bias) / out_proj (RowParallel,
 * bias) and fc1 / fc2 (bias), post_layernorm. Gemma 3 and MiniCPM-V both run it; one helper, so a fix holds for both.
 */
export function siglipEncoderGroups(vision: VisionSpec, prefix: string): ParamGroup[] {
  const E = vision.hiddenSize;
  const Iv = vision.intermediateSize;
  const groups: ParamGroup[] = [];
  groups.push(rep(`${prefix}.embeddings.patch_embedding`, E, vision.inChannels * vision.patchSize * vision.patchSize, E));
  groups.push(rep(`${prefix}.embeddings.position_embedding`, vision.positionEmbeddings, E));
  for (let i = 0; i < vision.depth; i++) {
    const layerPrefix = `${prefix}.encoder.layers.${i}`;
    groups.push(norm(`${layerPrefix}.layer_norm1`, E, "vision", true), norm(`${layerPrefix}.layer_norm2`, E, "vision", true));
    groups.push(lin(`${layerPrefix}.self_attn.qkv_proj`, "vision", 3 * E, E, "column", 3 * E, 3), lin(`${layerPrefix}.self_attn.out_proj`, "vision", E, E, "row", E));
    groups.push(lin(`${layerPrefix}.mlp.fc1`, "vision", Iv, E, "column", Iv), lin(`${layerPrefix}.mlp.fc2`, "vision", E, Iv, "row", E));
  }
  groups.push(norm(`${prefix}.post_layernorm`, E, "vision", true));
  return groups;
}

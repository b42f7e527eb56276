// InternVL 2.5 / 3: dynamic tiling as vllm/model_executor/models/internvl.py @b32b213e computes it
// (get_internvl_target_ratios, find_closest_aspect_ratio, calculate_internvl_targets), InternViT towers
// (intern_vit.py InternVisionEncoderLayer).
import type { VisionSpec } from "../types.js";
import { bool, num, str } from "../config-json.js";
import { inPlaceResidualBlockBytes, vitTowerKeys, type ItemTokens } from "./common.js";
import type { VisionFamily } from "./family.js";
import { lin, norm, rep, type ParamGroup } from "../param-groups.js";

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
  for (const ratio of ratios) {
    const diff = Math.abs(aspect - ratio[0] / ratio[1]);
    if (diff < bestDiff) {
      bestDiff = diff;
      best = ratio;
    } else if (diff === bestDiff && width * height > 0.5 * imageSize * imageSize * ratio[0] * ratio[1]) best = ratio;
  }
  const blocks = best[0] * best[1];
  return thumbnail && blocks !== 1 ? blocks + 1 : blocks;
}

function internvlItem(vision: VisionSpec, width: number, height: number): ItemTokens {
  // get_num_image_tokens: ratios from (min_dynamic_patch 1, max_dynamic_patch) without the thumbnail
  // slot, then + 1 thumbnail tile. InternVisionModel sees each 448² tile as (448/14)² patches + CLS.
  const tiles = internvlTiles(width, height, vision.imageSize, internvlTargetRatios(1, vision.maxSlices), vision.thumbnail);
  const side = vision.imageSize / vision.patchSize;
  return { width, height, frames: 1, gridT: tiles, gridH: side, gridW: side, patches: tiles * vision.positionEmbeddings, tokens: tiles * vision.tokensPerImage };
}

function internvlVideo(vision: VisionSpec, frames: number): ItemTokens {
  const side = vision.imageSize / vision.patchSize;
  return { width: vision.imageSize, height: vision.imageSize, frames, gridT: frames, gridH: side, gridW: side, patches: frames * vision.positionEmbeddings, tokens: frames * vision.tokensPerImage };
}

export const internvl: VisionFamily = {
  id: "internvl",
  name: "InternVL",
  paramGroups(vision) {
    const E = vision.hiddenSize;
    const Iv = vision.intermediateSize;
    const groups: ParamGroup[] = [];
    // vllm/model_executor/models/intern_vit.py InternVisionModel (as built by internvl.py @b32b213e
    // _init_vision_model): class_embedding [E], Conv2d patch embedding with bias, position_embedding
    // [(side² + 1), E]; blocks with qkv (QKVParallel, bias = qkv_bias), optional q_norm/k_norm
    // (RMSNorm over E), proj (RowParallel, bias), fc1/fc2 (bias), norm1/norm2 (LayerNorm or RMSNorm),
    // layer scales ls1/ls2 [E]. _init_mlp1: LayerNorm(E/r²) → Linear(E/r², D) → GELU → Linear(D, D),
    // plain nn.Linear (replicated).
    const D = vision.outHiddenSize;
    const inMlp = Math.round(E / (vision.downsampleRatio * vision.downsampleRatio));
    groups.push(rep("vision_model.embeddings.class_embedding", 1, E));
    groups.push(rep("vision_model.embeddings.patch_embedding", E, vision.inChannels * vision.patchSize * vision.patchSize, E));
    groups.push(rep("vision_model.embeddings.position_embedding", vision.positionEmbeddings, E));
    for (let i = 0; i < vision.depth; i++) {
      const layerPrefix = `vision_model.encoder.layers.${i}`;
      groups.push(norm(`${layerPrefix}.norm1`, E, "vision", !vision.rmsNorm), norm(`${layerPrefix}.norm2`, E, "vision", !vision.rmsNorm));
      groups.push(lin(`${layerPrefix}.attn.qkv`, "vision", 3 * E, E, "column", vision.qkvBias ? 3 * E : 0, 3), lin(`${layerPrefix}.attn.proj`, "vision", E, E, "row", E));
      if (vision.qkNorm) groups.push(norm(`${layerPrefix}.attn.q_norm`, E, "vision"), norm(`${layerPrefix}.attn.k_norm`, E, "vision"));
      groups.push(lin(`${layerPrefix}.mlp.fc1`, "vision", Iv, E, "column", Iv), lin(`${layerPrefix}.mlp.fc2`, "vision", E, Iv, "row", E));
      groups.push(norm(`${layerPrefix}.ls1`, E, "vision"), norm(`${layerPrefix}.ls2`, E, "vision"));
    }
    groups.push(norm("mlp1.0", inMlp, "vision", true), rep("mlp1.1", D, inMlp, D), rep("mlp1.3", D, D, D));
    return groups;
  },
  matchesModelType: (mt) => mt === "internvl_chat",
  fromConfig({ config: cfg, vision: visionCfg, text, base }) {
    // vllm/model_executor/models/internvl.py @b32b213e InternVLChatModel: InternVisionModel
    // (intern_vit.py) over 448² tiles of (448/14)² patches + CLS, pixel shuffle, mlp1 to the LLM width.
    const layers = num(visionCfg, "num_hidden_layers") ?? 24;
    const select = num(cfg, "select_layer") ?? -1;
    const imageSize = num(cfg, "force_image_size") ?? num(visionCfg, "image_size") ?? 448;
    const patch = num(visionCfg, "patch_size") ?? 14;
    const ratio = num(cfg, "downsample_ratio") ?? 0.5;
    const dynamic = bool(cfg, "dynamic_image_size") ?? true;
    const side = Math.floor(imageSize / patch);
    return {
      ...base,
      // _init_vision_model: num_hidden_layers_override = layers + select_layer + 1 (select_layer < 0).
      depth: select < 0 ? layers + select + 1 : select + 1,
      ...vitTowerKeys(visionCfg, { hidden: 1024, intermediate: 4096, patch: 14 }),
      outHiddenSize: num(text, "hidden_size") ?? 0,
      positionEmbeddings: side * side + 1,
      // BaseInternVLProcessor: num_image_token = int((image_size // patch_size)² · downsample_ratio²).
      tokensPerImage: Math.floor(side * side * ratio * ratio),
      imageSize,
      maxSlices: dynamic ? (num(cfg, "max_dynamic_patch") ?? 12) : 1,
      thumbnail: bool(cfg, "use_thumbnail") ?? false,
      // InternVLProcessingInfo.get_video_token: video only for these LLM model types.
      video: ["qwen2", "qwen3", "qwen3_moe", "gpt_oss"].includes(str(text, "model_type") ?? ""),
      qkvBias: bool(visionCfg, "qkv_bias") ?? true,
      qkNorm: bool(visionCfg, "qk_normalization") ?? false,
      rmsNorm: (str(visionCfg, "norm_type") ?? "rms_norm") === "rms_norm",
      downsampleRatio: ratio,
      minPixels: 0,
      maxPixels: 0,
    };
  },
  imageTokens: (vision, width, height) => internvlItem(vision, width, height),
  video: {
    // Each frame is one image_size² tile without thumbnail (InternVLProcessor video path).
    bounds: (vision) => ({ minPixels: vision.imageSize * vision.imageSize, maxPixels: vision.imageSize * vision.imageSize, per: "slice" }),
    tokens: (vision, _w, _h, frames) => internvlVideo(vision, frames),
  },
  dummyItems(vision, _lim, maxModelLen, imageActive) {
    // BaseInternVLProcessingInfo.get_image_size_with_most_features: scan the ratios of
    // resolve_target_ratios() (max_dynamic_patch + 1 with the thumbnail) × image_size; the first with the
    // most tokens wins → max_dynamic_patch tiles + thumbnail (13 × 256 = 3,328). No
    // get_mm_max_tokens_per_item: the dummy's IMG_CONTEXT embeddings are counted.
    const maxNum = vision.thumbnail && vision.maxSlices !== 1 ? vision.maxSlices + 1 : vision.maxSlices;
    let image = internvlItem(vision, vision.imageSize, vision.imageSize);
    for (const [wr, hr] of internvlTargetRatios(1, maxNum)) {
      const it = internvlItem(vision, vision.imageSize * wr, vision.imageSize * hr);
      if (it.tokens > image.tokens) image = it;
    }
    if (!vision.video) return { image, video: null };
    // InternVLProcessingInfo.get_num_frames_with_most_features: (seq_len − max image tokens · images)
    // // num_image_token frames (no cap), each one 448² tile without thumbnail.
    const frames = Math.max(1, Math.floor((maxModelLen - (imageActive ? image.tokens : 0)) / vision.tokensPerImage));
    return { image, video: internvlVideo(vision, frames) };
  },
  encoderPeakBytes(vision, patches, tp, b) {
    // Pre-norm blocks with an ungated MLP and in-place residual adds (InternVisionEncoderLayer), as MiniCPM-V's.
    const block = inPlaceResidualBlockBytes(vision, patches, tp, b);
    const pixelValues = vision.inChannels * vision.patchSize * vision.patchSize * b;
    // pixel_values_flat [tiles, 3, 448, 448]: the CLS position has no pixels. The pixel-shuffle / mlp1
    // phase afterwards holds at most 3 [P, E] copies, below the block.
    const side2 = vision.positionEmbeddings - 1;
    const tiles = patches / vision.positionEmbeddings;
    return Math.round(tiles * side2 * pixelValues + block);
  },
  maxPixelsForTokens: () => null,
  hasVideo: (vision) => vision.video,
  fixedTokensPerImage: true,
  offline: "text-only",
};

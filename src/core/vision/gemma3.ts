// Gemma 3: transformers Gemma3ImageProcessor resizes every image to image_size² (pan-and-scan off by
// default); SigLIP's (image_size/patch)² patches are pooled to mm_tokens_per_image. vLLM's
// Gemma3ProcessingInfo.get_num_image_tokens (vllm/model_executor/models/gemma3_mm.py) = (num_crops + 1) ×
// mm_tokens_per_image, no crops by default.
// No video modality.
import type { VisionSpec } from "../types.js";
import { num } from "../config-json.js";
import { patchElements, siglipEncoderGroups, vitTowerKeys, type ItemTokens } from "./common.js";
import type { VisionFamily } from "./family.js";
import { norm, rep } from "../param-groups.js";

function gemmaImage(vision: VisionSpec): ItemTokens {
  const side = vision.imageSize / vision.patchSize;
  return { width: vision.imageSize, height: vision.imageSize, frames: 1, gridT: 1, gridH: side, gridW: side, patches: side * side, tokens: vision.tokensPerImage };
}

export const gemma3: VisionFamily = {
  id: "gemma3",
  name: "Gemma 3",
  paramGroups(vision) {
    // SiglipVisionModel (common.ts siglipEncoderGroups); Gemma3MultiModalProjector: mm_input_projection_weight
    // [E, text hidden] + RMSNorm(E).
    const E = vision.hiddenSize;
    return [...siglipEncoderGroups(vision, "vision_tower.vision_model"), rep("multi_modal_projector.mm_input_projection_weight", E, vision.outHiddenSize), norm("multi_modal_projector.mm_soft_emb_norm", E, "vision")];
  },
  matchesModelType: (mt) => mt === "gemma3",
  fromConfig({ config, vision: visionCfg, text, base }) {
    const imageSize = num(visionCfg, "image_size") ?? 896;
    const patch = num(visionCfg, "patch_size") ?? 14;
    return {
      ...base,
      ...vitTowerKeys(visionCfg, { hidden: 1152, intermediate: 4304, patch: 14 }),
      depth: num(visionCfg, "num_hidden_layers") ?? 27,
      outHiddenSize: num(text, "hidden_size") ?? 0,
      positionEmbeddings: (imageSize / patch) ** 2,
      // Gemma3Processor: mm_tokens_per_image (256) per crop; pan-and-scan is off by default.
      tokensPerImage: num(config, "mm_tokens_per_image") ?? 256,
      imageSize,
      video: false,
      minPixels: imageSize * imageSize,
      maxPixels: imageSize * imageSize,
    };
  },
  imageTokens: (vision) => gemmaImage(vision),
  video: null,
  dummyItems: (vision) => ({ image: gemmaImage(vision), video: null }),
  encoderPeakBytes(vision, patches, tp, b) {
    const E = vision.hiddenSize;
    const I = vision.intermediateSize;
    const pixels = patches * patchElements(vision) * b;
    // SiglipEncoderLayer: LayerNorm blocks with an ungated MLP: x_in, residual, norm output, fc1 [P, I/tp],
    // activation [P, I/tp], fc2 output [P, E].
    return Math.round(pixels + b * patches * (4 * E + (2 * I) / tp));
  },
  maxPixelsForTokens: () => null,
  hasVideo: () => false,
  fixedTokensPerImage: true,
  offline: "text-only",
};

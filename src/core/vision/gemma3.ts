// Gemma 3: transformers Gemma3ImageProcessor resizes every image to image_size² (pan-and-scan off by
// default); SigLIP's (image_size/patch)² patches are pooled to mm_tokens_per_image. vLLM's
// Gemma3ProcessingInfo.get_num_image_tokens (vllm/model_executor/models/gemma3_mm.py) = (num_crops + 1) ×
// mm_tokens_per_image, no crops by default.
// No video modality.
import type { VisionSpec } from "../types.js";
import { num } from "../config-json.js";
import { vitTowerKeys, type ItemTokens } from "./common.js";
import type { VisionFamily } from "./family.js";
import { lin, norm, rep, type ParamGroup } from "../param-groups.js";

function gemmaImage(vision: VisionSpec): ItemTokens {
  const side = vision.imageSize / vision.patchSize;
  return { width: vision.imageSize, height: vision.imageSize, frames: 1, gridT: 1, gridH: side, gridW: side, patches: side * side, tokens: vision.tokensPerImage };
}

export const gemma3: VisionFamily = {
  id: "gemma3",
  name: "Gemma 3",
  paramGroups(vision) {
    const E = vision.hiddenSize;
    const Iv = vision.intermediateSize;
    const groups: ParamGroup[] = [];
    // SiglipVisionModel (vllm/model_executor/models/siglip.py): Conv2d patch embedding with bias,
    // learned positions, LayerNorm blocks with q/k/v/out and fc1/fc2 (all with bias), post_layernorm;
    // Gemma3MultiModalProjector: mm_input_projection_weight [E, text hidden] + RMSNorm(E).
    groups.push(rep("vision_tower.vision_model.embeddings.patch_embedding", E, vision.inChannels * vision.patchSize * vision.patchSize, E));
    groups.push(rep("vision_tower.vision_model.embeddings.position_embedding", vision.positionEmbeddings, E));
    for (let i = 0; i < vision.depth; i++) {
      const b = `vision_tower.vision_model.encoder.layers.${i}`;
      groups.push(norm(`${b}.layer_norm1`, E, "vision", true), norm(`${b}.layer_norm2`, E, "vision", true));
      groups.push(lin(`${b}.self_attn.qkv_proj`, "vision", 3 * E, E, "column", 3 * E, 3), lin(`${b}.self_attn.out_proj`, "vision", E, E, "row", E));
      groups.push(lin(`${b}.mlp.fc1`, "vision", Iv, E, "column", Iv), lin(`${b}.mlp.fc2`, "vision", E, Iv, "row", E));
    }
    groups.push(norm("vision_tower.vision_model.post_layernorm", E, "vision", true));
    groups.push(rep("multi_modal_projector.mm_input_projection_weight", E, vision.outHiddenSize), norm("multi_modal_projector.mm_soft_emb_norm", E, "vision"));
    return groups;
  },
  matchesModelType: (mt) => mt === "gemma3",
  fromConfig({ config, vision: v, text, base }) {
    const imageSize = num(v, "image_size") ?? 896;
    const patch = num(v, "patch_size") ?? 14;
    return {
      ...base,
      ...vitTowerKeys(v, { hidden: 1152, intermediate: 4304, patch: 14 }),
      depth: num(v, "num_hidden_layers") ?? 27,
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
    const pixels = patches * vision.inChannels * vision.temporalPatchSize * vision.patchSize * vision.patchSize * b;
    // SiglipEncoderLayer: LayerNorm blocks with an ungated MLP: x_in, residual, norm output, fc1 [P, I/tp],
    // activation [P, I/tp], fc2 output [P, E].
    return Math.round(pixels + b * patches * (4 * E + (2 * I) / tp));
  },
  maxPixelsForTokens: () => null,
  hasVideo: () => false,
  fixedTokensPerImage: true,
  offline: "text-only",
};

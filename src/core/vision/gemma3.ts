// Gemma 3: transformers Gemma3ImageProcessor resizes every image to image_size² (pan-and-scan off by
// default); SigLIP's (image_size/patch)² patches are pooled to mm_tokens_per_image. vLLM's
// Gemma3ProcessingInfo.get_num_image_tokens = (num_crops + 1) × mm_tokens_per_image, no crops by default.
// No video modality.
import type { VisionSpec } from "../types.js";
import type { ItemTokens } from "./common.js";
import type { VisionFamily } from "./family.js";

function gemmaImage(v: VisionSpec): ItemTokens {
  const side = v.imageSize / v.patchSize;
  return { width: v.imageSize, height: v.imageSize, frames: 1, gridT: 1, gridH: side, gridW: side, patches: side * side, tokens: v.tokensPerImage };
}

export const gemma3: VisionFamily = {
  id: "gemma3",
  imageTokens: (v) => gemmaImage(v),
  video: null,
  dummyItems: (v) => ({ image: gemmaImage(v), video: null }),
  encoderPeakBytes(v, patches, tp, b) {
    const E = v.hiddenSize;
    const I = v.intermediateSize;
    const pixels = patches * v.inChannels * v.temporalPatchSize * v.patchSize * v.patchSize * b;
    // SiglipEncoderLayer: LayerNorm blocks with an ungated MLP: x_in, residual, norm output, fc1 [P, I/tp],
    // activation [P, I/tp], fc2 output [P, E].
    return Math.round(pixels + b * patches * (4 * E + (2 * I) / tp));
  },
  maxPixelsForTokens: () => null,
  hasVideo: () => false,
  offline: "text-only",
};

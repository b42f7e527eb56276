// Qwen2.5-VL: the Qwen2-VL processor (transformers models/qwen2_5_vl processes with Qwen2VLImageProcessor)
// and vLLM's Qwen2.5-VL profiling (vllm/model_executor/models/qwen2_5_vl.py reuses Qwen2VLProcessingInfo);
// its tower is Qwen2_5_VisionTransformer with RMSNorm blocks, a gated MLP and window attention.
import { qwenImageTokens } from "./common.js";
import type { VisionFamily } from "./family.js";
import { qwen2Vl, qwenDummyItems, qwenFrameVideoTokens, qwenMaxPixelsForTokens } from "./qwen2-vl.js";

export const qwen25Vl: VisionFamily = {
  id: "qwen2.5-vl",
  imageTokens: qwenImageTokens,
  video: { bounds: (v) => qwen2Vl.video!.bounds(v), tokens: qwenFrameVideoTokens },
  dummyItems: (v, lim, maxModelLen) => qwenDummyItems(v, lim, maxModelLen),
  encoderPeakBytes(v, patches, tp, b) {
    const E = v.hiddenSize;
    const I = v.intermediateSize;
    const pixels = patches * v.inChannels * v.temporalPatchSize * v.patchSize * v.patchSize * b;
    // Qwen2_5_VisionBlock MLP: x_in, residual, fused-norm output, gate_up [P, 2I/tp], act [P, I/tp],
    // down [P, E] live together (gate_up is held by its local name until the MLP returns).
    return Math.round(pixels + b * patches * (4 * E + (3 * I) / tp));
  },
  maxPixelsForTokens: qwenMaxPixelsForTokens,
  hasVideo: () => true,
  offline: "traced",
};

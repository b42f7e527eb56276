// Qwen2.5-VL: the Qwen2-VL processor (transformers models/qwen2_5_vl processes with Qwen2VLImageProcessor)
// and vLLM's Qwen2.5-VL profiling (vllm/model_executor/models/qwen2_5_vl.py reuses Qwen2VLProcessingInfo);
// its tower is Qwen2_5_VisionTransformer with RMSNorm blocks, a gated MLP and window attention.
import { num } from "../config-json.js";
import { patchElements, qwenImageTokens, qwenTowerKeys } from "./common.js";
import type { VisionFamily } from "./family.js";
import { qwen2Vl, qwen2VlPixelBounds, qwenDummyItems, qwenFrameVideoTokens, qwenMaxPixelsForTokens, qwenParamGroups } from "./qwen2-vl.js";

export const qwen25Vl: VisionFamily = {
  id: "qwen2.5-vl",
  name: "Qwen2.5-VL",
  paramGroups: qwenParamGroups,
  matchesModelType: (mt) => mt === "qwen2_5_vl",
  fromConfig({ config, vision: visionCfg, preprocessor: pp, base }) {
    const idx = visionCfg["fullatt_block_indexes"];
    return {
      ...base,
      ...qwenTowerKeys(visionCfg, { depth: 32, hidden: 1280, intermediate: 3420, patch: 14 }),
      outHiddenSize: num(visionCfg, "out_hidden_size") ?? num(config, "hidden_size") ?? 0,
      windowSize: num(visionCfg, "window_size") ?? 0,
      fullAttBlockIndexes: Array.isArray(idx) ? idx.filter((x): x is number => typeof x === "number") : [],
      gatedMlp: true,
      ...qwen2VlPixelBounds(pp),
    };
  },
  imageTokens: qwenImageTokens,
  video: { bounds: (vision) => qwen2Vl.video!.bounds(vision), tokens: qwenFrameVideoTokens },
  dummyItems: (vision, lim, maxModelLen) => qwenDummyItems(vision, lim, maxModelLen),
  encoderPeakBytes(vision, patches, tp, b) {
    const E = vision.hiddenSize;
    const I = vision.intermediateSize;
    const pixels = patches * patchElements(vision) * b;
    // Qwen2_5_VisionBlock MLP: x_in, residual, fused-norm output, gate_up [P, 2I/tp], act [P, I/tp],
    // down [P, E] live together (gate_up is held by its local name until the MLP returns).
    return Math.round(pixels + b * patches * (4 * E + (3 * I) / tp));
  },
  maxPixelsForTokens: qwenMaxPixelsForTokens,
  hasVideo: () => true,
  fixedTokensPerImage: false,
  offline: { trace: "qwen-vl", windowed: true },
};

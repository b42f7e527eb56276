// MiniCPM-V 2.6 and InternVL 2.5 / 3: tokens per item, the profiled encoder batch and the tower's
// parameters, worked by hand from vLLM's model files:
//   vllm/model_executor/models/minicpmv.py @73fb7a47577a (MiniCPMVProcessingInfo, MiniCPMV2_6)
//   vllm/model_executor/models/idefics2_vision_model.py @681372617566 (Idefics2EncoderLayer)
//   vllm/model_executor/models/internvl.py @b32b213e69ed (BaseInternVLProcessingInfo, InternVLChatModel)
//   vllm/multimodal/encoder_budget.py (MultiModalBudget._get_max_items)
// and the MiniCPM-V image processor (openbmb MiniCPM-V-2_6 image_processing_minicpmv.py).
import { describe, expect, it } from "vitest";
import { encoderProfile, imageTokens, internvlTargetRatios, internvlTiles, maxTokensPerItem, minicpmSlicedGrid, minicpmSlices } from "../src/core/vision.js";
import { modelArchFromConfig } from "../src/core/architecture.js";
import { model } from "./helpers/models.js";

const noPixels = { minPixels: 0, maxPixels: 0 };

describe("MiniCPM-V 2.6 (SigLIP slices + Resampler2_5)", () => {
  const arch = model("openbmb/MiniCPM-V-2_6");
  const vision = arch.vision!;

  it("is a modeled family: no NOT_EXACT note for the vision tower", () => {
    expect(vision.family).toBe("minicpmv");
    expect(arch.unsupported.join()).not.toMatch(/vision tower/);
    expect([vision.depth, vision.hiddenSize, vision.intermediateSize, vision.patchSize, vision.imageSize, vision.tokensPerImage, vision.maxSlices, vision.video]).toEqual([27, 1152, 4304, 14, 448, 64, 9, true]);
  });

  it("counts the tower and resampler parameters", () => {
    // SigLIP tower: 27 × (4E² + 2EI + 9E + I) + patch (588E + E) + positions (980/14)² × E + post LN 2E
    //   = 27 × 15,240,640 + 678,528 + 5,644,800 + 2,304 = 417,792,240.
    // Resampler2_5 (D = 3584, Q = 64): query QD + kv_proj DE + in_proj 3D² + 3D + out_proj D² + D
    //   + 3 LayerNorms 6D + proj D² = 68,619,264.
    expect(vision.params).toBe(417_792_240 + 68_619_264);
    // Model card: "built on SigLip-400M and Qwen2-7B with a total of 8B parameters"
    // (https://huggingface.co/openbmb/MiniCPM-V-2_6, quoted in xorbitsai/inference docs). Our total:
    // 8.099e9 (the LM side lacks Qwen2's 129,024 qkv bias params because model_type is "minicpmv").
    expect(arch.params).toBeGreaterThan(8.0e9);
    expect(arch.params).toBeLessThan(8.2e9);
  });

  it("slices like MiniCPMVImageProcessor: 448 × 4032 → source 154 × 1344 + 9 slices of 448²", () => {
    // ratio = 448·4032 / 448² = 9 → multiple 9; candidates 8 and 9; log(1/9) matches grid [1, 9] exactly.
    expect(minicpmSlicedGrid(448, 4032, 448, 9)).toEqual([1, 9]);
    // find_best_resize: r = 1/9, height = int(448 / sqrt(r)) = 1344, width = int(1344 / 9) = 149 → 154 (11 patches).
    const s = minicpmSlices(448, 4032, 448, 14, 9);
    expect(s[0]).toEqual([96, 11]);
    expect(s.slice(1)).toEqual(Array(9).fill([32, 32]));
    // One slice below 448² → no grid, upscaled source only.
    expect(minicpmSlicedGrid(448, 448, 448, 9)).toBeNull();
    expect(imageTokens(vision, 448, 448, noPixels).tokens).toBe(64);
  });

  it("profiles a 640-token image and a 16-frame, 1,024-token video; the video wins", () => {
    const t = maxTokensPerItem(vision, noPixels, 32_768);
    // Image: 10 slices × 64 queries; the tower runs 10 slices padded to the longest (1,056 patches).
    expect([t.image.width, t.image.height, t.image.tokens, t.image.patches]).toEqual([448, 4032, 640, 10 * 1056]);
    // Video: frames = max(1, min((32,768 − 640) // 64, 16)) = 16 frames of one 448² slice each.
    expect([t.video?.frames, t.video?.tokens, t.video?.patches]).toEqual([16, 1024, 16 * 1024]);
    const profile = encoderProfile({ model: arch, maxModelLen: 32_768, maxNumSeqs: 256, maxNumBatchedTokens: 8192, limits: {}, tp: 1, encoderDataParallel: false, skipMmProfiling: false });
    // K = max(1, min(8192 // 1024, 256 × min(999, 32,768 // 1024))) = 8 videos → 131,072 positions.
    expect([profile?.modality, profile?.tokensPerItem, profile?.items, profile?.patchesPerItem]).toEqual(["video", 1024, 8, 16_384]);
    // Peak per position (bf16): pixels twice (slice list + padded copy) 2 × 588 × 2 B, then the
    // resampler (E + 5D + 2·(D/128)·Q) × 2 B = (1152 + 17,920 + 3,584) × 2 — above the block's
    // max(3E + 2I, 4E + I) × 2 = 12,064 × 2.
    expect(profile?.peakBytes).toBe(131_072 * (2 * 588 * 2 + (1152 + 5 * 3584 + 2 * 28 * 64) * 2));
    expect(profile?.outputBytes).toBe(8 * 1024 * 3584 * 2);
  });

  it("with video off, K = 8192 // 640 = 12 images of 10 × 1,056 positions", () => {
    const p = encoderProfile({ model: arch, maxModelLen: 32_768, maxNumSeqs: 256, maxNumBatchedTokens: 8192, limits: { video: 0 }, tp: 1, encoderDataParallel: false, skipMmProfiling: false });
    expect([p?.modality, p?.tokensPerItem, p?.items, p?.patchesPerItem]).toEqual(["image", 640, 12, 10_560]);
  });
});

// InternVL3-8B config.json: no verbatim copy was found in the stored repositories, so these values are
// reconstructed (InternVL3 layout from an InternVL3-1B config print-out in shivangjhalani/multicoco
// InternVL3-1B_data.md; Qwen2.5-7B text shape; InternViT-300M-448px-V2_5 vision). UNVERIFIED as a file.
const internvl3_8b = {
  architectures: ["InternVLChatModel"],
  model_type: "internvl_chat",
  downsample_ratio: 0.5,
  dynamic_image_size: true,
  force_image_size: 448,
  max_dynamic_patch: 12,
  min_dynamic_patch: 1,
  ps_version: "v2",
  select_layer: -1,
  torch_dtype: "bfloat16",
  use_thumbnail: true,
  llm_config: {
    architectures: ["Qwen2ForCausalLM"],
    model_type: "qwen2",
    hidden_size: 3584,
    intermediate_size: 18944,
    num_attention_heads: 28,
    num_key_value_heads: 4,
    num_hidden_layers: 28,
    max_position_embeddings: 32768,
    vocab_size: 151674,
    tie_word_embeddings: false,
    torch_dtype: "bfloat16",
  },
  vision_config: {
    hidden_size: 1024,
    image_size: 448,
    intermediate_size: 4096,
    norm_type: "layer_norm",
    num_attention_heads: 16,
    num_channels: 3,
    num_hidden_layers: 24,
    patch_size: 14,
    qk_normalization: false,
    qkv_bias: true,
  },
};

describe("InternVL 3 (InternViT tiles + pixel shuffle + mlp1)", () => {
  const model = modelArchFromConfig("OpenGVLab/InternVL3-8B", { config: internvl3_8b });
  const vision = model.vision!;

  it("is a modeled family with 256 tokens per 448² tile and video (Qwen2 LLM)", () => {
    expect(vision.family).toBe("internvl");
    expect(model.unsupported.join()).not.toMatch(/vision tower/);
    expect([vision.depth, vision.tokensPerImage, vision.positionEmbeddings, vision.maxSlices, vision.thumbnail, vision.video]).toEqual([24, 256, 1025, 12, true, true]);
  });

  it("counts parameters: 7,944,373,760 × 2 B vs the checkpoint's 15,888,831,920 bytes", () => {
    // InternViT-300M: 24 × (4E² + 2EI + 11E + I) + class E + patch 588E + E + positions 1025E
    // = 24 × 12,604,416 + 1,655,808 = 304,161,792; mlp1: LN 2·4096 + 4096·3584 + 3584 + 3584² + 3584
    // = 27,390,976. 15,888,831,920 bytes is InternVL3-8B's weight size at revision 853e3a797a66 as
    // listed in a benchmark registry (find_string id 61765449241); the 84,400-byte gap is about the
    // size of the four safetensors headers, so the figure is likely file bytes (unverified).
    expect(vision.params).toBe(304_161_792 + 27_390_976);
    expect(model.params).toBe(7_944_373_760);
    expect(Math.abs(model.params * 2 - 15_888_831_920) / 15_888_831_920).toBeLessThan(1e-5);
  });

  it("tiles like calculate_internvl_targets: 12 blocks + thumbnail at most", () => {
    expect(internvlTargetRatios(1, 12).every(([i, j]) => i * j <= 12)).toBe(true);
    expect(internvlTiles(448, 448, 448, internvlTargetRatios(1, 12), true)).toBe(1); // one block, no thumbnail
    expect(internvlTiles(1344, 896, 448, internvlTargetRatios(1, 12), true)).toBe(7); // 3 × 2 + thumbnail
  });

  it("profiles a 115-frame video (29,440 tokens) over the 3,328-token image at max_model_len 32,768", () => {
    const t = maxTokensPerItem(vision, noPixels, 32_768);
    // Most features: the first target ratio of 12 blocks (1 × 12 → 448 × 5376) → 13 tiles × 256.
    expect([t.image.width, t.image.height, t.image.tokens, t.image.patches]).toEqual([448, 5376, 3328, 13 * 1025]);
    // Frames = (32,768 − 3,328) // 256 = 115, each one tile.
    expect([t.video?.frames, t.video?.tokens, t.video?.patches]).toEqual([115, 29_440, 115 * 1025]);
    const profile = encoderProfile({ model, maxModelLen: 32_768, maxNumSeqs: 256, maxNumBatchedTokens: 8192, limits: {}, tp: 1, encoderDataParallel: false, skipMmProfiling: false });
    expect([profile?.modality, profile?.items, profile?.budgetTokens]).toEqual(["video", 1, 29_440]);
    // 115 tiles: pixels 115 × 1024 × 588 × 2 B + block max(3E + 2I, 4E + I) = 11,264 × 2 B per position.
    expect(profile?.peakBytes).toBe(115 * 1024 * 588 * 2 + 115 * 1025 * 11_264 * 2);
  });

  it("with video off, K = 8192 // 3328 = 2 images of 13 tiles; tp 2 halves the MLP widths", () => {
    const profile = encoderProfile({ model, maxModelLen: 32_768, maxNumSeqs: 256, maxNumBatchedTokens: 8192, limits: { video: 0 }, tp: 2, encoderDataParallel: false, skipMmProfiling: false });
    expect([profile?.modality, profile?.items, profile?.patchesPerItem]).toEqual(["image", 2, 13 * 1025]);
    // tp 2: max(3E + I, 4E + I/2) = max(7168, 6144) = 7168.
    expect(profile?.peakBytes).toBe(26 * 1024 * 588 * 2 + 26 * 1025 * 7168 * 2);
  });

  it("InternVL with an InternLM2 LLM (2.5-8B) registers no video", () => {
    const c = { ...internvl3_8b, llm_config: { ...internvl3_8b.llm_config, model_type: "internlm2", architectures: ["InternLM2ForCausalLM"] } };
    const v25 = modelArchFromConfig("OpenGVLab/InternVL2_5-8B", { config: c }).vision!;
    expect(maxTokensPerItem(v25, noPixels, 32_768).video).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { encoderProfile, imageTokens, maxTokensPerItem, mostFeaturesImageSize, roundHalfEven, smartResize } from "../src/core/vision.js";
import { model } from "./helpers/models.js";

const arch = model("qwen2.5-vl-7b");
const vision = arch.vision!;
const lim = { minPixels: 3136, maxPixels: 12_845_056 };

describe("Qwen2-VL image processor rules (transformers smart_resize)", () => {
  it("rounds halves to even like Python", () => {
    expect(roundHalfEven(1.5)).toBe(2);
    expect(roundHalfEven(2.5)).toBe(2);
    expect(roundHalfEven(3.5)).toBe(4);
    // 70 / 28 = 2.5 → 2 → 56, where Math.round would give 84.
    expect(smartResize(70, 70, 28, 3136, 12_845_056)).toEqual({ height: 56, width: 56 });
  });

  it("gives 2,304 tokens for a 1792×1008 image (72 × 128 patches / 4)", () => {
    const t = imageTokens(vision, 1792, 1008, lim);
    expect([t.width, t.height, t.patches, t.tokens]).toEqual([1792, 1008, 9216, 2304]);
  });

  it("scales down above max_pixels with floor: 4000×3000 at max 1,003,520 → 1148×868", () => {
    // beta = sqrt(12e6 / 1,003,520) = 3.458; 3000 / beta / 28 = 30.98 → 30 × 28 = 840; 4000 / beta / 28 = 41.3 → 41 × 28 = 1148.
    const t = imageTokens(vision, 4000, 3000, { minPixels: 3136, maxPixels: 1_003_520 });
    expect([t.width, t.height]).toEqual([1148, 840]);
    expect(t.tokens).toBe((1148 / 14) * (840 / 14) / 4);
  });

  it("scales up below min_pixels with ceil: 30×30 → 56×56", () => {
    expect(smartResize(30, 30, 28, 3136, 12_845_056)).toEqual({ height: 56, width: 56 });
  });

  it("rejects aspect ratios above 200", () => {
    expect(() => smartResize(28, 28 * 201, 28, 3136, 1e12)).toThrow(/aspect ratio/);
  });
});

describe("vLLM's profiling item (Qwen2VLProcessingInfo)", () => {
  it("uses a 3584×3584 dummy image of 16,384 tokens by default", () => {
    expect(mostFeaturesImageSize(vision, 12_845_056)).toEqual({ width: 3584, height: 3584 });
    expect(maxTokensPerItem(vision, lim, 128_000).image.tokens).toBe(16_384);
  });

  it("with max_pixels 1,003,520 uses 1120×896 (1,280 = 32 × 40 merged tokens)", () => {
    expect(mostFeaturesImageSize(vision, 1_003_520)).toEqual({ width: 1120, height: 896 });
  });

  it("profiles a 14-frame video of 114,688 tokens at max_model_len 128,000 (vLLM 0.23 log: budget of 114688 tokens, 1 video item)", () => {
    const items = maxTokensPerItem(vision, lim, 128_000);
    expect(items.video.tokens).toBe(114_688);
    expect(items.video.patches).toBe(458_752);
    const profile = encoderProfile({ model: arch, maxModelLen: 128_000, maxNumSeqs: 256, maxNumBatchedTokens: 2048, limits: {}, tp: 1, encoderDataParallel: false, skipMmProfiling: false });
    expect(profile?.modality).toBe("video");
    expect(profile?.items).toBe(1);
    expect(profile?.budgetTokens).toBe(114_688);
  });

  it("profiles images when video is off: 8192 // 1280 = 6 images of 1,280 tokens at max_pixels 1,003,520", () => {
    const profile = encoderProfile({ model: arch, maxModelLen: 128_000, maxNumSeqs: 1024, maxNumBatchedTokens: 8192, limits: { video: 0 }, kwargs: { max_pixels: 1_003_520 }, tp: 1, encoderDataParallel: false, skipMmProfiling: false });
    expect(profile?.modality).toBe("image");
    expect(profile?.tokensPerItem).toBe(1280);
    expect(profile?.items).toBe(6);
  });

  it("sizes the Qwen2.5-VL encoder peak as pixels + 4E + 3I per patch", () => {
    const profile = encoderProfile({ model: arch, maxModelLen: 16_384, maxNumSeqs: 256, maxNumBatchedTokens: 2048, limits: { video: 0 }, tp: 1, encoderDataParallel: false, skipMmProfiling: false });
    // 65,536 patches × (1,176 pixels + 4 × 1,280 + 3 × 3,420) × 2 B = 65,536 × 33,112 B.
    expect(profile?.peakBytes).toBe(65_536 * 33_112);
    // Output parked in encoder_cache: 16,384 tokens × 3,584 × 2 B.
    expect(profile?.outputBytes).toBe(16_384 * 3584 * 2);
  });

  it("skips the encoder for text-only serving", () => {
    expect(encoderProfile({ model: arch, maxModelLen: 16_384, maxNumSeqs: 256, maxNumBatchedTokens: 2048, limits: { image: 0, video: 0 }, tp: 1, encoderDataParallel: false, skipMmProfiling: false })).toBeNull();
  });
});

describe("other vision families", () => {
  it("Qwen3-VL: patch 16 → a 4096×4096 dummy image of 16,384 tokens; the capped video (12,288) loses", () => {
    const arch = model("qwen3-vl-8b");
    const profile = encoderProfile({ model: arch, maxModelLen: 262_144, maxNumSeqs: 256, maxNumBatchedTokens: 2048, limits: {}, tp: 1, encoderDataParallel: false, skipMmProfiling: false });
    expect([profile?.modality, profile?.itemWidth, profile?.itemHeight, profile?.tokensPerItem, profile?.items]).toEqual(["image", 4096, 4096, 16_384, 1]);
    // Deepstack: the encoder output is (1 + 3) × out_hidden (4,096) per token.
    expect(profile?.outputBytes).toBe(16_384 * 4096 * 4 * 2);
  });

  it("Gemma 3: 256 tokens per image, so vLLM profiles budget // 256 images of 4,096 SigLIP patches", () => {
    const arch = model("gemma-3-4b");
    const profile = encoderProfile({ model: arch, maxModelLen: 131_072, maxNumSeqs: 1024, maxNumBatchedTokens: 8192, limits: {}, tp: 1, encoderDataParallel: false, skipMmProfiling: false });
    expect([profile?.modality, profile?.tokensPerItem, profile?.patchesPerItem, profile?.items]).toEqual(["image", 256, 4096, 32]);
    // 32 × 4,096 patches × (588 pixel values + 4 × 1,152 + 2 × 4,304) × 2 B.
    expect(profile?.peakBytes).toBe(32 * 4096 * (588 + 4 * 1152 + 2 * 4304) * 2);
  });

  it("says so instead of guessing for a vision tower it cannot size (Llama 4 Scout)", () => {
    expect(model("meta-llama/Llama-4-Scout-17B-16E-Instruct").unsupported.join()).toMatch(/vision tower/);
  });
});

describe("Qwen3-VL video smart_resize over the clip (video_processing_qwen3_vl.py, factor 32, temporal 2)", () => {
  it("sizes a clip in bounds as rounded, and scales a clip over longest_edge down by beta over frames × H × W", async () => {
    const { qwen3VideoTokens } = await import("../src/core/vision/qwen3-vl.js");
    const v = model("qwen3-vl-8b").vision!;
    const clip = { minPixels: 4096, maxPixels: 25_165_824 };
    // 640×360, 16 frames: h = round(360 / 32) · 32 = 352, w = 640, t = 16; 16 · 352 · 640 = 3,604,480 in bounds.
    // Grid 8 × 22 × 40 = 7,040 patches → 7,040 / 4 = 1,760 tokens.
    expect(qwen3VideoTokens(v, 640, 360, 16, clip)).toMatchObject({ width: 640, height: 352, gridT: 8, gridH: 22, gridW: 40, tokens: 1760 });
    // 1920×1080, 64 frames: 64 · 1088 · 1920 > 25,165,824 → beta = √(64 · 1080 · 1920 / 25,165,824) = 2.2964;
    // h = ⌊1080 / 2.2964 / 32⌋ · 32 = 448, w = ⌊1920 / 2.2964 / 32⌋ · 32 = 832; grid 32 × 28 × 52 → 11,648 tokens.
    expect(qwen3VideoTokens(v, 1920, 1080, 64, clip)).toMatchObject({ width: 832, height: 448, gridT: 32, gridH: 28, gridW: 52, tokens: 11_648 });
  });
});

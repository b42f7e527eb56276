import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MODELED_FAMILIES, MODELED_FAMILY_NAMES, visionFamily } from "../src/core/vision/registry.js";
import { qwen3VideoTokens } from "../src/core/vision/qwen3-vl.js";
import { imageTokens, maxPixelsForTokens, mostFeaturesImageSize, pixelLimits } from "../src/core/vision.js";
import { planDeployment } from "../src/core/plan.js";
import { whatIfsFor } from "../src/core/levers.js";
import { flags, gpu, model } from "./helpers/models.js";

describe("vision families behind one interface (src/core/vision/<family>.ts + registry)", () => {
  it("registers every modeled family and none for an unmodeled tower", () => {
    expect(MODELED_FAMILIES.sort()).toEqual(["gemma3", "internvl", "minicpmv", "qwen2-vl", "qwen2.5-vl", "qwen3-vl"]);
    for (const id of MODELED_FAMILIES) expect(visionFamily({ ...model("qwen2.5-vl-7b").vision!, family: id })?.id).toBe(id);
    expect(visionFamily({ ...model("qwen2.5-vl-7b").vision!, family: "other" })).toBeNull();
  });

  it("what other files ask of a family is the family's own answer (no family named outside vision/)", () => {
    const of = (id: string) => visionFamily({ ...model("qwen2.5-vl-7b").vision!, family: id });
    // tokens' message lists the families by name, in registry order.
    expect(MODELED_FAMILY_NAMES).toBe("Qwen2-VL, Qwen2.5-VL, Qwen3-VL, Gemma 3, MiniCPM-V, InternVL");
    // arch-check: a fixed count per image or tile must be at least 1 (Gemma 3's mm_tokens_per_image, MiniCPM-V's query_num, InternVL's num_image_token).
    expect(MODELED_FAMILIES.filter((id) => of(id)?.fixedTokensPerImage).sort()).toEqual(["gemma3", "internvl", "minicpmv"]);
    // offline.ts traces Qwen-VL towers; only Qwen2.5-VL's has window attention; Qwen3-VL's trace says it stands in.
    expect(of("qwen2.5-vl")?.offline).toEqual({ trace: "qwen-vl", windowed: true });
    expect(of("qwen2-vl")?.offline).toEqual({ trace: "qwen-vl", windowed: false });
    expect(of("qwen3-vl")?.offline).toMatchObject({ trace: "qwen-vl", windowed: false, note: expect.stringContaining("deepstack") });
    expect(of("gemma3")?.offline).toBe("text-only");
  });

  it("README's list of vision families names every registered family (a new family is documented where users look)", () => {
    const line = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8").split("\n").find((l) => l.includes("**Vision families**")) ?? "";
    for (const name of MODELED_FAMILY_NAMES.split(", ")) expect(line, name).toContain(name);
  });

  it("Qwen3-VL: one merged token is 32 × 32 pixels (patch 16 × merge 2), so 1280 tokens is 32·32·1280 pixels", () => {
    const vision = model("qwen3-vl-8b").vision!;
    expect(maxPixelsForTokens(vision, 1280)).toBe(1_310_720);
    const lim = { minPixels: vision.minPixels, maxPixels: 1_310_720 };
    const s = mostFeaturesImageSize(vision, lim.maxPixels);
    expect(imageTokens(vision, s.width, s.height, lim).tokens).toBe(1280);
    // Qwen2.5-VL keeps 28 × 28 (patch 14 × merge 2).
    expect(maxPixelsForTokens(model("qwen2.5-vl-7b").vision!, 1280)).toBe(28 * 28 * 1280);
  });

  it("Qwen3-VL video: the processor's bounds apply to frames × height × width of the whole clip", () => {
    const vision = model("qwen3-vl-8b").vision!;
    const b = visionFamily(vision)!.video!.bounds(vision);
    expect(b).toEqual({ minPixels: 4096, maxPixels: 25_165_824, per: "clip" });
    // 60 frames of 1280×720: 60·720·1280 > 25,165,824 → beta = sqrt(60·720·1280 / 25,165,824) ≈ 1.4823;
    // h = floor(720 / β / 32) · 32 = 480, w = floor(1280 / β / 32) · 32 = 832; 30 × 30 × 52 patches / 4 = 11,700.
    expect(qwen3VideoTokens(vision, 1280, 720, 60, b)).toMatchObject({ width: 832, height: 480, gridT: 30, gridH: 30, gridW: 52, tokens: 11_700 });
    // Qwen2-VL bounds are per frame: 128 … 768 merged tokens of 28 × 28.
    const q2 = model("qwen2.5-vl-7b").vision!;
    expect(visionFamily(q2)!.video!.bounds(q2)).toEqual({ minPixels: 128 * 28 * 28, maxPixels: 768 * 28 * 28, per: "frame" });
  });

  it("Qwen3-VL's 'images capped at 1280 tokens' what-if caps at 1280 tokens", () => {
    const input = { model: model("qwen3-vl-8b"), gpu: gpu("h100"), flags: flags({ limitMmPerPrompt: { image: 1, video: 0 } }) };
    const w = whatIfsFor(input, planDeployment(input)).find((x) => x.code === "SMALLER_MAX_PIXELS");
    expect(w?.flags[0]?.value).toBe('{"max_pixels":1310720}');
    const capped = planDeployment({ ...input, flags: { ...input.flags, mmProcessorKwargs: { max_pixels: 1_310_720 } } });
    expect(capped.encoder?.tokensPerItem).toBe(1280);
  });

  it("Gemma 3 has no video: no video limit in its what-ifs, and image 0 alone leaves the tower out", () => {
    const vision = model("gemma-3-4b").vision!;
    expect(visionFamily(vision)!.video).toBeNull();
    expect(visionFamily(vision)!.hasVideo(vision)).toBe(false);
    expect(visionFamily(vision)!.maxPixelsForTokens(vision, 1280)).toBeNull();
    const input = { model: model("gemma-3-4b"), gpu: gpu("l4"), flags: flags() };
    const w = whatIfsFor(input, planDeployment(input));
    expect(w.map((x) => x.code)).toEqual(["ONE_IMAGE", "HALF_BATCHED_TOKENS", "TEXT_ONLY"]);
    for (const x of w) for (const f of x.flags) expect(f.value).not.toContain("video");
    expect(planDeployment({ ...input, flags: flags({ limitMmPerPrompt: { image: 0 } }) }).encoder).toBeNull();
    expect(pixelLimits(vision).maxPixels).toBe(896 * 896);
  });
});

describe("each family reads its own config and lays out its own tower", () => {
  it("picks the family from config.json model_type and leaves unknown towers to the generic reader", async () => {
    const { visionFamilyForModelType } = await import("../src/core/vision/registry.js");
    expect(visionFamilyForModelType("qwen2_5_vl")?.id).toBe("qwen2.5-vl");
    expect(visionFamilyForModelType("qwen3_vl_moe")?.id).toBe("qwen3-vl");
    expect(visionFamilyForModelType("internvl_chat")?.id).toBe("internvl");
    expect(visionFamilyForModelType("llava_onevision")).toBeNull();
    // Gemma 3's reader marks no video modality; Qwen3-VL's keeps the clip bounds of its video processor.
    expect(model("gemma-3-4b").vision).toMatchObject({ family: "gemma3", video: false, tokensPerImage: 256, imageSize: 896 });
    expect(model("qwen3-vl-8b").vision).toMatchObject({ family: "qwen3-vl", patchSize: 16, spatialMergeSize: 2, videoMinPixels: 4096, videoMaxPixels: 25_165_824 });
  });

  it("sizes the tower from the family's parameter groups (Qwen2.5-VL-7B: 676,550,144 vision parameters)", () => {
    const vision = model("qwen2.5-vl-7b").vision!;
    const groups = visionFamily(vision)!.paramGroups(vision);
    const params = groups.reduce((s, g) => s + (g.experts ?? 1) * (g.out * g.in + g.bias), 0);
    // 32 blocks × (2 RMSNorm 1280 + qkv 3·1280² + 3·1280 + proj 1280² + 1280 + gate_up 2·3420·1280 + 2·3420
    // + down 1280·3420 + 1280) + patch embed 1280·1176 + merger (1280 + 5120² + 5120 + 3584·5120 + 3584).
    expect(params).toBe(vision.params);
    expect(params).toBe(676_550_144);
  });
});

describe("vram-plan tokens says each family's own bounds", () => {
  it("Qwen3-VL: clip-wide video bounds; MiniCPM-V: slices; Gemma 3: no video", async () => {
    const { runCli } = await import("./helpers/cli.js");
    const q3w = await runCli(["tokens", "--model", "qwen3-vl-8b", "--image", "1920x1080", "--video", "30s@2fps"]);
    // Lines are wrapped to 80 columns, continuations indented by two spaces: read them joined.
    const q3 = { ...q3w, out: q3w.out.replace(/\n {2}/g, " ") };
    expect(q3.out).toContain("video 4096–25165824 pixels over frames × height × width");
    expect(q3.out).toContain("resized to 832x480, 60 frames → 30 temporal patches: 46800 patches (30×52 per frame) → 11700 LLM tokens");
    const mc = await runCli(["tokens", "--model", "minicpm-v-2_6", "--image", "1344x1344"]);
    expect(mc.out.replace(/\n {2}/g, " ")).toContain("images cut into 448×448 slices or tiles, video frames as one 448×448 slice each");
    const result = await runCli(["tokens", "--model", "gemma-3-4b", "--image", "1920x1080"]);
    expect(result.out.split("\n")[0]).not.toContain("video");
    const gv = await runCli(["tokens", "--model", "gemma-3-4b", "--video", "10s@1fps"]);
    expect(gv.code).toBe(2);
    expect(gv.err).toContain("takes no video");
  });
});

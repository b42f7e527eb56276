// vram-plan compare (issue #6), in process through run() (src/cli/run.ts) with a fake Io.
import { describe, expect, it } from "vitest";
import { runCli, type Ran } from "./helpers/cli.js";

const GiB = 2 ** 30;

function runCompare(argv: string[]): Promise<Ran> {
  return runCli(["compare", ...argv]);
}

const SEED = ["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--prompt-tokens", "1024", "--image", "1792x1792", "--batch", "1", "--new-tokens", "256"];

interface Json {
  workload: { imageTokens: number; sequenceTokens: number; totalTokens: number };
  offline: { weightsBytes: number; kvCacheBytes: number; activationPeakBytes: number; peakAllocatedBytes: number; deviceBytes: number; cudaContextBytes: number; reservedBytes: number };
  vllm: { fits: boolean; perGpu: { requestedBytes: number; weightsBytes: number }[]; engine: { maxModelLen: number } };
  vllmUsedBytes: number;
  why: { code: string; message: string }[];
  levers: { code: string; flag: string; value: string; serves: boolean; vllmUsedBytes: number }[];
  closest: { vllmUsedBytes: number; serves: boolean };
}

describe("vram-plan compare", () => {
  it("answers the seed question: Qwen2.5-VL-7B, one 1792x1792 image, A100 80GB", async () => {
    const result = await runCompare([...SEED, "--json"]);
    expect(result.code).toBe(0);
    const j = JSON.parse(result.out) as Json;
    // 1792/28 = 64 → 64² = 4096 image tokens (smart_resize keeps 1792); 1024 + 4096 = 5120; + 256 new.
    expect(j.workload.imageTokens).toBe(4096);
    expect(j.workload.sequenceTokens).toBe(5120);
    expect(j.workload.totalTokens).toBe(5376);
    // Weights: 8,292,166,656 parameters × 2 B (measured param_bytes in the calibration file).
    expect(j.offline.weightsBytes).toBe(16_584_333_312);
    // KV: 28 layers × 2 × 4 KV heads × 128 × 2 B = 57,344 B/token × 5,376 tokens = 308,281,344.
    expect(j.offline.kvCacheBytes).toBe(57_344 * 5376);
    // Peak allocated ≈ calibration img-1792 (16.37 GiB at 4162 tokens) + ~1k more tokens of prefill;
    // the offline process stays near 18 GiB while vLLM takes 0.9 × 80 GiB up front.
    expect(j.offline.peakAllocatedBytes / GiB).toBeGreaterThan(16.3);
    expect(j.offline.peakAllocatedBytes / GiB).toBeLessThan(17.5);
    expect(j.offline.deviceBytes).toBe(j.offline.cudaContextBytes + j.offline.reservedBytes);
    expect(j.vllm.fits).toBe(true);
    expect(j.vllmUsedBytes / GiB).toBeGreaterThan(70);
    expect(j.why.map((w) => w.code)).toEqual(expect.arrayContaining(["UP_FRONT_BUDGET", "KV_FOR_CONCURRENCY", "WORST_CASE_PROFILE"]));
    const codes = j.levers.map((l) => l.code);
    // --max-model-len 5376 already bounds the profile run's encoder budget, so one image per prompt changes
    // nothing on top of it (same memory at every utilization) and is not listed; capping max_pixels at the
    // workload's image still lowers the encoder peak (0.24 → 0.22 utilization). --max-num-seqs 1 shrinks the
    // CUDA-graph estimate from 0.49 GiB (86 graphs) to sizes 1 and 2, but the encoder pass sets the peak and
    // 0.46 GiB is less than one 0.01 step of utilization (0.79 GiB), so it is not listed either.
    expect(codes).toEqual(["MAX_MODEL_LEN", "MAX_PIXELS", "GPU_MEMORY_UTILIZATION"]);
    expect(j.levers.find((l) => l.code === "MAX_MODEL_LEN")?.value).toBe("5376");
    // The utilization lever is the smallest that still serves the workload, found by re-planning.
    const util = j.levers.find((l) => l.code === "GPU_MEMORY_UTILIZATION");
    expect(util?.serves).toBe(true);
    expect(Number(util?.value)).toBeLessThan(0.4);
    expect(j.closest.serves).toBe(true);
    expect(j.closest.vllmUsedBytes).toBeLessThan(j.vllmUsedBytes / 2);
  });

  it("prints a table a new user can read", async () => {
    const result = await runCompare(SEED);
    expect(result.code).toBe(0);
    expect(result.out).toContain("offline: transformers generate() with sdpa attention");
    expect(result.out).toContain("Why they differ:");
    expect(result.out).toContain("--gpu-memory-utilization");
    expect(result.out).toContain("device memory (nvidia-smi)");
  });

  it("accepts --images N --image-size WxH and markdown", async () => {
    const result = await runCompare(["--model", "qwen2.5-vl-7b", "--gpu", "h100", "--prompt-tokens", "72", "--images", "4", "--image-size", "1008x1008", "--format", "markdown"]);
    expect(result.code).toBe(0);
    expect(result.out).toContain("5,184 image tokens"); // 4 × 36² = 4 × 1296
    expect(result.out).toContain("| device memory (nvidia-smi) |");
  });

  it("text models, eager attention, exit 1 when offline does not fit", async () => {
    const ok = await runCompare(["--model", "llama-3.1-8b", "--gpu", "h100", "--prompt-tokens", "4k", "--attn", "eager", "--json"]);
    expect(ok.code).toBe(0);
    // eager at 128k on a 24 GB card: [1, 32, L, L] scores cannot fit.
    const big = await runCompare(["--model", "llama-3.1-8b", "--gpu-memory", "24GiB", "--prompt-tokens", "32768", "--attn", "eager", "--json"]);
    expect(big.code).toBe(1);
  });

  it("bad input exits 2 with one line naming the flag", async () => {
    expect((await runCompare(["--model", "qwen2.5-vl-7b", "--gpu", "h100", "--prompt-tokens", "1024", "--image", "big"])).code).toBe(2);
    expect((await runCompare(["--model", "qwen2.5-vl-7b", "--gpu", "h100"])).err).toContain("--prompt-tokens");
    expect((await runCompare(["--model", "llama-3.1-8b", "--gpu", "h100", "--prompt-tokens", "10", "--image", "448x448"])).code).toBe(2);
    expect((await runCompare(["--model", "qwen2.5-vl-7b", "--gpu", "h100", "--prompt-tokens", "10", "--images", "2"])).code).toBe(2);
    expect((await runCompare(["--model", "qwen2.5-vl-7b", "--gpu", "h100", "--prompt-tokens", "10", "--attn", "flash"])).code).toBe(2);
  });
});

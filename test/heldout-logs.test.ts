// Held-out vLLM start-ups (issue #12, "how it is judged"): real logs collected after the planner was
// written (fixtures/vllm-logs/raw/SOURCES.md names each source), re-planned through `vram-plan log`.
// Where the GPU or the exact checkpoint is not known, only what the log and its thread determine is
// asserted: the KV arithmetic given vLLM's own KV memory (--kv-cache-memory = the printed GiB) and the
// verdict. Every expected number is the log's own; the arithmetic beside it is worked from the config.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { runCli } from "./helpers/cli.js";

const raw = (f: string): string => join(import.meta.dirname, "..", "fixtures", "vllm-logs", "raw", f);
const G = (printed: string): number => Math.round(Number(printed) * 2 ** 30);

interface Diff {
  what: string;
  logged: number | string | null;
  planned: number | string | null;
  agrees: boolean;
}
interface LogJson {
  logged: { vllmVersion: string | null; errorCode: string | null };
  plan: { kvCache: { tokens: number; blockSize: number; numGpuBlocks: number; bytesPerToken: number; estimatedMaxModelLen: number } } | null;
  differences: Diff[];
}

async function logJson(file: string, args: string[]): Promise<{ code: number; j: LogJson }> {
  const r = await runCli(["log", raw(file), "--json", "--offline", ...args]);
  return { code: r.code, j: JSON.parse(r.out) as LogJson };
}
const diff = (j: LogJson, what: string): Diff | undefined => j.differences.find((d) => d.what === what);

describe("held-out start-ups re-planned", () => {
  it("Qwen3-Coder-480B-A35B at -dp 8 with expert parallelism (vllm-project/recipes#12): vLLM's estimated maximum length, exactly", async () => {
    // 62 layers × 8 KV heads × 128 × 2 (K, V) × 2 bytes = 253,952 bytes per token; 262,144 tokens need
    // 62.00 GiB, as logged. The logged 48.66 GiB holds floor(52,248,277,156 / (253,952 × 16)) = 12,858
    // blocks = 205,728 tokens: the length vLLM printed.
    const { code, j } = await logJson("recipes-12-qwen3-coder-480b-fp8-h20-dp8-util0.9-fails.md", [
      "--model", "qwen3-coder-480b-a35b", "--gpu", "h20", "--gpu-memory", "139.8GiB", "--",
      "-dp", "8", "--enable-expert-parallel", "--quantization", "fp8", "--kv-cache-memory", String(G("48.66")),
    ]);
    expect(code).toBe(1);
    expect(j.logged.vllmVersion).toBe("0.10.1.dev101+gbda9d0535");
    expect(j.plan?.kvCache.bytesPerToken).toBe(253952);
    expect(diff(j, "estimatedMaxModelLen")).toMatchObject({ logged: 205728, planned: 205728, agrees: true });
  });

  it("the same deployment end to end fails as vLLM did at utilization 0.9 and 0.95", async () => {
    for (const [file, util] of [
      ["recipes-12-qwen3-coder-480b-fp8-h20-dp8-util0.9-fails.md", "0.9"],
      ["recipes-12-qwen3-coder-480b-fp8-h20-dp8-util0.95-fails.md", "0.95"],
    ] as const) {
      const { j } = await logJson(file, [
        "--model", "qwen3-coder-480b-a35b", "--gpu", "h20", "--gpu-memory", "139.8GiB", "--vllm-version", "0.10.1", "--",
        "-dp", "8", "--enable-expert-parallel", "--quantization", "fp8", "--gpu-memory-utilization", util,
      ]);
      expect(diff(j, "outcome")).toMatchObject({ logged: "KV_CACHE_BELOW_MAX_MODEL_LEN", planned: "KV_CACHE_BELOW_MAX_MODEL_LEN", agrees: true });
    }
  });

  it("Qwen3-VL-8B at 262,144 tokens (xorbitsai/inference#4926): 144 KiB per token, the estimated length within one block", async () => {
    // 36 layers × 8 KV heads × 128 × 2 × 2 = 147,456 bytes: 262,144 tokens need 36.0 GiB, as logged.
    // 6.94 GiB (printed to 0.01) holds 3,156–3,160 blocks of 16: vLLM's 50,512 lies in that window.
    const { j } = await logJson("xinference-4926-qwen3-vl-262k-fails.md", [
      "--model", "qwen3-vl-8b", "--gpu", "h100-sxm", "--", "--kv-cache-memory", String(G("6.94")),
    ]);
    expect(j.plan?.kvCache.bytesPerToken).toBe(147456);
    const est = diff(j, "estimatedMaxModelLen");
    expect(est?.logged).toBe(50512);
    expect(Math.abs(Number(est?.planned) - 50512)).toBeLessThanOrEqual(16);
    expect(diff(j, "outcome")).toMatchObject({ planned: "KV_CACHE_BELOW_MAX_MODEL_LEN", agrees: true });
  });

  it("Qwen3-8B on 16,384 tokens, v0.21.0 (LMCache#3430): 6.37 GiB holds 46,368 tokens", async () => {
    // 36 layers × 8 × 128 × 2 × 2 = 147,456 bytes a token; 6.365–6.375 GiB → 2,896–2,899 blocks of 16;
    // vLLM's 46,368 = 2,898 blocks.
    const { j } = await logJson("lmcache-3430-qwen3-8b-a5000-v0.21.md", [
      "--model", "qwen3-8b", "--gpu", "rtx3090", "--", "--max-model-len", "16384", "--gpu-memory-utilization", "0.9764", "--kv-cache-memory", String(G("6.37")),
    ]);
    expect(j.plan?.kvCache.bytesPerToken).toBe(147456);
    expect(Math.abs((j.plan?.kvCache.tokens ?? 0) - 46368)).toBeLessThanOrEqual(16);
  });

  it("Qwen3.6-35B-A3B NVFP4 on v0.20.0 (hybrid, fp8 KV): the 2,096-token attention block and 33,536 tokens from 1.28 GiB", async () => {
    // vLLM logged "Setting attention block size to 2096 tokens"; 10 full-attention layers in 4 groups
    // of page 2,146,304 bytes: 1.285 GiB → 64 blocks → 64 / 4 groups × 2,096 = 33,536 tokens (the log's).
    const { j } = await logJson("code-qwen3.6-35b-a3b-nvfp4-redhat-wsl-v0.20.md", [
      "--model", "qwen3.6-35b-a3b-nvfp4", "--gpu", "rtx5090", "--", "--kv-cache-memory", String(Math.round(1.285 * 2 ** 30)),
    ]);
    expect(j.plan?.kvCache.blockSize).toBe(2096);
    expect(j.plan?.kvCache.tokens).toBe(33536);
  });
});

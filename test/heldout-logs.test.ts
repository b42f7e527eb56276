// Held-out vLLM start-ups (issue #12, "how it is judged"): real logs collected after the planner was
// written (fixtures/vllm-logs/raw/SOURCES.md names each source), re-planned through `vram-plan log`.
// Where the GPU or the exact checkpoint is not known, only what the log and its thread determine is
// asserted: the KV arithmetic given vLLM's own KV memory (--kv-cache-memory = the printed GiB) and the
// verdict. Every expected number is the log's own; the arithmetic beside it is worked from the config.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { runCli } from "./helpers/cli.js";
import { bytesOfPrintedGiB as G, rawLog as raw, type LogDifference as Diff } from "./helpers/vllm-logs.js";
import { readVllmLog } from "../src/sources/vllm-log.js";


interface LogJson {
  logged: { vllmVersion: string | null; errorCode: string | null };
  plan: { kvCache: { tokens: number; blockSize: number; numGpuBlocks: number; bytesPerToken: number; estimatedMaxModelLen: number }; perGpu: { activationPeakBytes: number; cudaGraphBytes: number }[] } | null;
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

describe("held-out start-ups re-planned end to end", () => {
  it("Qwen2.5-72B-Instruct at TP 4 on L40S, v0.19.0 (EKS g6e.12xlarge): weights within 1 %, available KV within 0.2 GiB", async () => {
    // Logged: 33.98 GiB weights per rank, 5.11 GiB available, 67,024 tokens (80 layers × 2 KV heads per
    // rank × 128 × 2 × 2 = 81,920 bytes a token); the 2.73 GiB CUDA-graph estimate is not subtracted in 0.19.
    const { code, j } = await logJson("code-qwen2.5-72b-l40s-tp4-eks-v0.19.md", ["--gpu", "l40s"]);
    expect(code).toBe(0);
    const w = diff(j, "weights");
    expect(Math.abs(Number(w?.planned) - G("33.98")) / G("33.98")).toBeLessThan(0.01);
    const kv = diff(j, "availableKv");
    expect(Math.abs(Number(kv?.planned) - G("5.11"))).toBeLessThan(0.2 * 2 ** 30);
    expect(j.plan?.kvCache.bytesPerToken).toBe(81920);
    expect(diff(j, "outcome")).toMatchObject({ logged: "starts", planned: "starts" });
  });

  it("Qwen2.5-14B-Instruct on an MI300X, v0.17.1 (ROCm): available KV within 3 % of 141.96 GiB", async () => {
    const { code, j } = await logJson("code-qwen2.5-14b-mi300x-rocm-v0.17.1.md", ["--gpu", "mi300x"]);
    expect(code).toBe(0);
    const kv = diff(j, "availableKv");
    expect(Math.abs(Number(kv?.planned) - G("141.96")) / G("141.96")).toBeLessThan(0.03);
    expect(diff(j, "outcome")).toMatchObject({ logged: "starts", planned: "starts" });
  });
});

describe("the llm-d H100 study (vLLM v0.11.0, --block-size 128 --enable-prefix-caching, max-model-len 16000; fixtures/vllm-logs/cases.json)", () => {
  const planOf = async (args: string[]): Promise<{ kv: number; errors: string[] }> => {
    const result = await runCli(["plan", "--offline", "--json", "--gpu", "h100-sxm", "--vllm-version", "0.11.0", "--block-size", "128", "--enable-prefix-caching", ...args]);
    const j = JSON.parse(result.out) as { perGpu: { kvCacheBytes: number; kvShortfallBytes: number }[]; diagnostics: { code: string; severity: string }[] };
    const g = j.perGpu[0]!;
    return { kv: (g.kvCacheBytes - g.kvShortfallBytes) / 2 ** 30, errors: j.diagnostics.filter((d) => d.severity === "error").map((d) => d.code) };
  };

  it("Qwen3-32B fits 4.45 GiB of KV at 16,000 tokens and fails at 32,000, as logged", async () => {
    const short = await planOf(["--model", "qwen3-32b", "--max-model-len", "16000"]);
    expect(Math.abs(short.kv - 4.45)).toBeLessThan(0.2);
    expect(short.errors).toEqual([]);
    // 32,000 tokens × 64 layers × 8 × 128 × 2 × 2 B = 7.81 GiB > 4.45 GiB.
    expect((await planOf(["--model", "qwen3-32b", "--max-model-len", "32000"])).errors).toContain("KV_CACHE_BELOW_MAX_MODEL_LEN");
  });

  it("Llama-3.3-70B in FP8 on one H100 has no KV cache (logged −1.44 GiB); at TP 2 it has 32.0 GiB", async () => {
    const one = await planOf(["--model", "llama3.3-70b", "--quantization", "fp8", "--max-model-len", "16000"]);
    expect(one.errors).toContain("NO_KV_CACHE_MEMORY");
    expect(Math.abs(one.kv - -1.44)).toBeLessThan(0.2);
    const two = await planOf(["--model", "llama3.3-70b", "--quantization", "fp8", "--max-model-len", "16000", "-tp", "2"]);
    expect(Math.abs(two.kv - 32.0)).toBeLessThan(0.5);
  });
});

describe("Qwen3-32B on RTX PRO 6000 Blackwell at utilization 0.426, v0.27.1 (TP 1 / TP 2 / PP 2 of one post)", () => {
  // The log names GPU, release and flags itself (a multi-line `docker run … vllm/vllm-openai:latest` command,
  // "GPU 0: NVIDIA RTX PRO 6000 Blackwell Server Edition 95.01 GiB sm_120"); only the model is given.
  // The log prints no budget breakdown. TP 1 and TP 2 of the same post leave 3.86 and 1.66 GiB for activation +
  // non-torch + graphs; the plan has 2.62 (text pass 1.25 + 0.20 + graphs 1.17) and 2.28 (sampler warm-up 0.96 +
  // 0.20 + 1.12): the 2.2 GiB between the two runs is not in the activation peak (0.29 GiB apart in the plan).
  // Recorded in NOTES-cudagraph.md; the verdict and a bound of 1.5 GiB are asserted.
  it("reads the command and the GPU line, and re-plans the single-GPU failure: −24.42 GiB logged, within 1.5 GiB", async () => {
    const { code, j } = await logJson("code-qwen3-32b-rtxpro6000-v0.27.1-tp1-fails.md", ["--model", "qwen3-32b"]);
    expect(code).toBe(1);
    expect(diff(j, "gpuTotal")).toMatchObject({ logged: G("95.01"), agrees: true });
    expect(diff(j, "weights")).toMatchObject({ logged: G("61.03"), agrees: true });
    expect(Math.abs(Number(diff(j, "availableKv")?.planned) - G("-24.42"))).toBeLessThan(1.5 * 2 ** 30);
    expect(diff(j, "outcome")).toMatchObject({ logged: "NO_KV_CACHE_MEMORY", planned: "NO_KV_CACHE_MEMORY" });
  });

  it("splits the weights as vLLM does at TP 2 and PP 2 (30.59 / 30.52 GiB per GPU, within 1 %)", async () => {
    for (const [f, w] of [["code-qwen3-32b-rtxpro6000-v0.27.1-tp2.md", "30.59"], ["code-qwen3-32b-rtxpro6000-v0.27.1-pp2.md", "30.52"]] as const) {
      const { j } = await logJson(f, ["--model", "qwen3-32b"]);
      expect(Math.abs(Number(diff(j, "weights")?.planned) - G(w)) / G(w)).toBeLessThan(0.01);
      expect(diff(j, "outcome")).toMatchObject({ logged: "starts", planned: "starts" });
    }
  });
});

describe("Qwen2.5-0.5B on an RTX 4090 under WSL2, v0.27.1 (Model Runner V2): vllm serve and the LLM class", () => {
  // Both logs end with the summary "Actual usage is … consumed memory (weights + non-torch), … peak activation".
  // That peak is gpu_worker.py's peak_activation_memory = the profile run's torch peak + the CUDA-graph
  // estimate applied to the budget (determine_available_memory), and KV = budget − consumed − peak exactly
  // (20.39 − 1.49 − 0.25 = 18.65). Model Runner V2's sampler warm-up (vllm/v1/worker/gpu/sample/sampler.py)
  // holds the bf16 logits and their FP32 copy only — 256 rows × 151,936 × (2 + 4) B = 0.22 GiB; Model Runner
  // V1's top-k/top-p warm-up would hold 256 × 151,936 × (2 + 12) B plus the Triton scratch, 0.58 GiB, more
  // than the whole 0.25 GiB. The plan's CUDA-graph estimate (0.36 GiB) does not fit in the logged peak either:
  // the summary line says so (NOTES-cudagraph.md, entry 5), and the KV total agrees by compensation.
  it("vllm serve --max-model-len 2048 --gpu-memory-utilization 0.85: peak activation 0.25 GiB, KV 18.65 GiB → 1,629,520 tokens", async () => {
    const { code, j } = await logJson("code-qwen2.5-0.5b-rtx4090-wsl-v0.27.1-serve.md", ["--gpu", "rtx4090"]);
    expect(code).toBe(0);
    expect(diff(j, "gpuTotal")).toMatchObject({ logged: G("23.99"), agrees: true });
    expect(Math.abs(j.plan!.perGpu[0]!.activationPeakBytes - G("0.25"))).toBeLessThan(0.05 * 2 ** 30);
    expect(diff(j, "summaryPeak")).toMatchObject({ logged: G("0.25"), planned: j.plan!.perGpu[0]!.activationPeakBytes + j.plan!.perGpu[0]!.cudaGraphBytes, agrees: false });
    expect(Math.abs(Number(diff(j, "availableKv")?.planned) - G("18.65"))).toBeLessThan(0.2 * 2 ** 30);
    expect(diff(j, "kvTokens")?.logged).toBe(1629520);
    expect(diff(j, "outcome")).toMatchObject({ logged: "starts", planned: "starts" });
  });

  it("LLM() with its defaults (8,192 batched tokens, utilization 0.92): peak activation 0.31 GiB, KV 20.52 GiB → 1,793,232 tokens", async () => {
    // The model is not named in the notebook's output; 20.52 GiB / 1,793,232 tokens = 12 KiB per token =
    // 24 layers × 2 (K, V) × 2 KV heads × 64 × 2 B: Qwen2.5-0.5B, the record's model.
    const { code, j } = await logJson("code-qwen2.5-0.5b-rtx4090-wsl-v0.27.1-offline.md", ["--model", "qwen2.5-0.5b", "--gpu", "rtx4090", "--", "--usage-context", "offline"]);
    expect(code).toBe(0);
    expect(diff(j, "requested")).toMatchObject({ logged: G("22.07"), agrees: true });
    expect(Math.abs(j.plan!.perGpu[0]!.activationPeakBytes - G("0.31"))).toBeLessThan(0.1 * 2 ** 30);
    expect(diff(j, "summaryPeak")).toMatchObject({ logged: G("0.31"), planned: j.plan!.perGpu[0]!.activationPeakBytes + j.plan!.perGpu[0]!.cudaGraphBytes, agrees: false });
    expect(Math.abs(Number(diff(j, "availableKv")?.planned) - G("20.52"))).toBeLessThan(0.2 * 2 ** 30);
    expect(diff(j, "kvTokens")?.logged).toBe(1793232);
    expect(diff(j, "outcome")).toMatchObject({ logged: "starts", planned: "starts" });
  });
});

describe("a Model Runner V2 log without a version line", () => {
  it("'[model_runner.py:N] Model loading took X GiB and' infers v0.25.1 (was v0.8.5, V1's older wording)", () => {
    // The v0.27.1 serve log with its banner removed: only the formats are left to date it.
    const text = readFileSync(raw("code-qwen2.5-0.5b-rtx4090-wsl-v0.27.1-serve.md"), "utf8").split("\n").filter((l) => !/version 0\.27\.1|vLLM 0\.27/.test(l)).join("\n");
    const logged = readVllmLog(text)!;
    expect(logged.versionSource).toBe("inferred");
    expect(logged.vllmVersion).toBe("0.25.1");
    expect(logged.versionEvidence).toContain("Model Runner V2");
  });
});

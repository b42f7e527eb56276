// vram-plan solve: the search over planDeployment, and its printed command planned again.
import { runCli, unwrapped, type Ran } from "./helpers/cli.js";
import { describe, expect, it } from "vitest";
import { engineFlagsFromArgv } from "../src/sources/vllm-flags.js";
import { SOLVE_MARGIN_BYTES, evaluate, solve, type Target } from "../src/core/solve.js";
import { roundDownForPeople } from "../src/core/levers.js";
import { planDeployment } from "../src/core/plan.js";
import { splitShellWords } from "../src/sources/vllm-argv.js";
import { flags, gpu, model } from "./helpers/models.js";

async function run(argv: string[]): Promise<Ran> {
  // A wide terminal, so sentences are matched whole (test/text-width.test.ts checks the 80-column layout).
  return runCli(["solve", ...argv], { COLUMNS: "400" });
}

/** The printed `vllm serve` line, parsed back as a deployment would be and planned against the target. */
function replan(out: string, modelName: string, gpuId: string, target: Target) {
  // The command as a shell reads it: continuation lines (a trailing backslash) joined.
  const line = out.replace(/ \\\n\s*/g, " ").split("\n").find((l) => l.startsWith("vllm serve "));
  expect(line).toBeDefined();
  const words = splitShellWords(line ?? "");
  expect(words.slice(0, 3)).toEqual(["vllm", "serve", modelName]);
  const read = engineFlagsFromArgv(words.slice(2));
  expect(read.model).toBe(modelName);
  expect(read.flags.notModeledFlags).toBeUndefined();
  const flags = read.flags;
  return { flags, ev: evaluate({ model: model(modelName), gpu: gpu(gpuId), flags }, target) };
}

describe("solve command", () => {
  it("Qwen2.5-7B on L4, 16 requests of 8k: TP 2, and the printed command starts and meets the target", async () => {
    const result = await run(["--model", "qwen2.5-7b", "--gpu", "l4", "--context", "8k", "--concurrency", "16", "--offline"]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    // TP 1 cannot: 16 × 8,000 tokens × 57,344 B (28 layers × 2 × 4 KV heads × 128 × 2 B) = 6.84 GiB of KV cache,
    // but 0.95 × 21.99 GiB − 14.2 GiB of weights − activations leaves about 5 GiB.
    expect(result.out).toMatch(/^ {2}tensor-parallel-size +2 /m);
    expect(result.out).toContain("alternative: with fp8 KV cache, 1 GPU (tensor-parallel-size 1)");
    const target: Target = { context: 8000, concurrency: { n: 16, len: 8000 }, marginBytes: SOLVE_MARGIN_BYTES };
    const { flags: engineFlags, ev } = replan(result.out, "Qwen/Qwen2.5-7B-Instruct", "l4", target);
    expect(ev.failures).toEqual([]);
    expect(ev.ok).toBe(true);
    expect(engineFlags.tensorParallelSize).toBe(2);
    // Smallest utilization: one hundredth less does not meet the target.
    const u = engineFlags.gpuMemoryUtilization ?? 0;
    const below = evaluate({ model: model("qwen2.5-7b"), gpu: gpu("l4"), flags: { ...engineFlags, gpuMemoryUtilization: Math.round(u * 100 - 1) / 100, maxModelLen: 8000, maxNumSeqs: 256 } }, target);
    expect(below.ok).toBe(false);
  });

  it("Llama-3.1-70B on A100 80GB at its full 131,072-token context: TP 4; fp8 weights would need 2", async () => {
    const result = await run(["--model", "llama-3.1-70b", "--gpu", "a100-80g", "--offline"]);
    expect(result.code).toBe(0);
    // TP 2: 65.7 GiB of weights per GPU leaves ~6 GiB, but 131,072 tokens × 160 KiB / 2 ranks... = 20 GiB per GPU are needed.
    expect(result.out).toMatch(/^ {2}tensor-parallel-size +4 /m);
    expect(result.out).toContain("alternative: with fp8 weights, 2 GPUs (tensor-parallel-size 2)");
    const { ev } = replan(result.out, "meta-llama/Llama-3.1-70B-Instruct", "a100-80g", { context: 131072 });
    expect(ev.ok).toBe(true);
  });

  it("a vision model with images per prompt: --limit-mm-per-prompt in the command", async () => {
    const result = await run(["--model", "qwen2.5-vl-7b", "--gpu", "l4", "--images-per-prompt", "2", "--context", "16k", "--json", "--offline"]);
    expect(result.code).toBe(0);
    const j = JSON.parse(result.out) as { found: boolean; command: string; tensorParallelSize: number; maxModelLen: number; gpuMemoryUtilization: number };
    expect(j.found).toBe(true);
    expect(j.command).toContain(`--limit-mm-per-prompt '{"image":2,"video":0}'`);
    expect(j.maxModelLen).toBeGreaterThanOrEqual(16000);
    const { ev, flags: engineFlags } = replan(j.command + "\n", "Qwen/Qwen2.5-VL-7B-Instruct", "l4", { context: 16000 });
    expect(ev.ok).toBe(true);
    expect(engineFlags.limitMmPerPrompt).toEqual({ image: 2, video: 0 });
  });

  it("nothing fits: exit 1 with the reason; bad input: exit 2", async () => {
    const result = await run(["--model", "deepseek-r1", "--gpu", "h100", "--offline"]);
    expect(result.code).toBe(1);
    expect(result.out).toContain("Nothing fits: the model does not start on 8 GPUs (tensor-parallel 8) even with fp8 KV cache at --gpu-memory-utilization 0.95");
    const bad = await run(["--model", "qwen2.5-7b", "--gpu", "l4", "--images-per-prompt", "1", "--offline"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe("vram-plan: --images-per-prompt: Qwen/Qwen2.5-7B-Instruct takes no images (it has no vision encoder)\n");
    const ctx = await run(["--model", "qwen2.5-7b", "--gpu", "l4", "--context", "lots", "--offline"]);
    expect(ctx.err).toBe("vram-plan: --context: expected a token count from 1 to 2147483648 such as 32768, 32k (32000) or 32K (32768), got 'lots'\n");
  });
});

describe("solve core", () => {
  it("nothing fits because of concurrency, not context: the reason says how many requests fit, not 'the longest context is 131072'", () => {
    // Llama-3.1-70B, 64 × 128,000 tokens on H100s: even TP 8 with fp8 weights + fp8 KV holds fewer requests.
    const arch = model("llama-3.1-70b");
    const result = solve({ model: arch, gpu: gpu("h100"), base: flags(), context: 128000, concurrency: 64 });
    expect(result.found).toBe(false);
    expect(result.reason).toMatch(/^64 concurrent requests of a 128,000-token context does not fit on 8 GPUs \(tensor-parallel 8\) with fp8 weights \+ fp8 KV cache at --gpu-memory-utilization 0\.95; it serves (\d+\.\d\d) concurrent requests of 128,000 tokens there$/);
    const served = Number(/it serves ([\d.]+)/.exec(result.reason ?? "")?.[1]);
    expect(served).toBeGreaterThan(1);
    expect(served).toBeLessThan(64);
    expect(result.reason).not.toContain("longest --max-model-len");
  });

  it("a small GPU whose free memory is below the 0.95 cap: Llama-3.1-8B on T4s is found at TP 4, not 'nothing fits'", () => {
    // T4: 14.76 GiB CUDA total; free at start-up at TP > 1 = total − CUDA context − NCCL = 13.75 GiB (0.93 of it),
    // so vLLM refuses --gpu-memory-utilization 0.95 on every layout. At TP 4 with 0.93: 4 GiB of fp16 weights
    // per GPU and 131,072 tokens × 32 KiB (32 layers × 2 × 2 KV heads × 128 × 2 B) = 4 GiB of KV per GPU fit.
    const arch = model("llama-3.1-8b");
    const gpuProfile = gpu("t4");
    const result = solve({ model: arch, gpu: gpuProfile, base: flags(), context: 131072 });
    expect(result.found).toBe(true);
    expect(result.layout?.tensorParallelSize).toBe(4);
    expect(result.gpuMemoryUtilization).toBeLessThanOrEqual(0.93);
    expect(planDeployment({ model: arch, gpu: gpuProfile, flags: result.flags }).fits).toBe(true);
  });

  it("each answer is extremal with the margin: TP − 1 fails at the cap, utilization − 0.01 fails; max-model-len is the context", () => {
    const arch = model("llama-3.1-8b");
    const gpuProfile = gpu("l4");
    const result = solve({ model: arch, gpu: gpuProfile, base: flags(), context: 16000, concurrency: 4 });
    expect(result.found).toBe(true);
    expect(result.marginBytes).toBe(0.5 * 2 ** 30);
    const target: Target = { context: 16000, concurrency: { n: 4, len: 16000 }, marginBytes: result.marginBytes };
    const ok = (f: Partial<typeof result.flags>) => evaluate({ model: arch, gpu: gpuProfile, flags: { ...result.flags, ...f } }, target).ok;
    expect(ok({})).toBe(true);
    // 4 × 16,000 tokens × 128 KiB (32 layers × 2 × 8 KV heads × 128 × 2 B) = 7.8 GiB of KV: more than one L4 has left
    // after 15 GiB of weights (0.95 × 21.99 = 20.9 GiB budget), so TP 2, and TP 1 at the cap fails.
    expect(result.layout?.tensorParallelSize).toBe(2);
    expect(ok({ tensorParallelSize: 1, gpuMemoryUtilization: 0.95 })).toBe(false);
    expect(ok({ gpuMemoryUtilization: Math.round(result.gpuMemoryUtilization * 100 - 1) / 100 })).toBe(false);
    expect(result.maxModelLen).toBe(16000);
    // max-num-seqs: a round value (the largest that meets the target, rounded down and planned again).
    expect(roundDownForPeople(result.maxNumSeqs)).toBe(result.maxNumSeqs);
    expect(result.maxNumSeqs).toBeGreaterThanOrEqual(4);
  });

  it("the margin: 0.5 GiB less KV still meets the target; --margin 0 sizes to the target exactly", () => {
    const arch = model("qwen2.5-7b");
    const gpuProfile = gpu("l4");
    const target: Target = { context: 8000, concurrency: { n: 16, len: 8000 } };
    const withMargin = solve({ model: arch, gpu: gpuProfile, base: flags(), context: 8000, concurrency: 16 });
    const exact = solve({ model: arch, gpu: gpuProfile, base: flags(), context: 8000, concurrency: 16, marginBytes: 0 });
    expect(exact.marginBytes).toBe(0);
    // Same layout (TP 2); the margin costs utilization: 0.5 GiB over 21.99 GiB is at least 0.02 more.
    expect(exact.layout?.tensorParallelSize).toBe(2);
    expect(withMargin.layout?.tensorParallelSize).toBe(2);
    expect(withMargin.gpuMemoryUtilization - exact.gpuMemoryUtilization).toBeGreaterThanOrEqual(0.02 - 1e-9);
    // The exact answer passes without a margin and fails with one; the margin answer passes both.
    const ev = (f: typeof exact.flags, margin: number) => evaluate({ model: arch, gpu: gpuProfile, flags: f }, { ...target, marginBytes: margin }).ok;
    expect(ev(exact.flags, 0)).toBe(true);
    expect(ev(exact.flags, SOLVE_MARGIN_BYTES)).toBe(false);
    expect(ev(withMargin.flags, SOLVE_MARGIN_BYTES)).toBe(true);
  });

  it("honors the asked context: --context 32k is --max-model-len 32000, not the model's 32768 or more", async () => {
    const result = await run(["--model", "qwen2.5-7b", "--gpu", "l4", "--context", "32k", "--offline"]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/--max-model-len 32000 /);
    expect(result.out).toContain("Margin: the target is met with 0.50 GiB less KV cache per GPU than planned");
    const big = await run(["--model", "llama-3.1-8b", "--gpu", "h100", "--context", "32k", "--json", "--offline"]);
    const j = JSON.parse(big.out) as { maxModelLen: number; maxNumSeqs: number; marginBytes: number };
    expect(j.maxModelLen).toBe(32000);
    expect(j.marginBytes).toBe(536870912);
    expect(roundDownForPeople(j.maxNumSeqs)).toBe(j.maxNumSeqs);
  });

  it("--margin: a size; below 1 MiB is refused with the likely unit", async () => {
    const result = await run(["--model", "qwen2.5-7b", "--gpu", "l4", "--margin", "80", "--offline"]);
    expect(result.code).toBe(2);
    expect(result.err).toBe("vram-plan: --margin 80: 80 bytes is less than 1 MiB; did you mean 80GiB?\n");
    const outcome = await run(["--model", "qwen2.5-7b", "--gpu", "l4", "--context", "8k", "--margin", "0", "--offline"]);
    expect(outcome.code).toBe(0);
    expect(outcome.out).toContain("Margin: none (--margin 0)");
    // Read by sizeFlag like every other size flag: at most 1 PiB, never negative.
    const bad = await run(["--model", "qwen2.5-7b", "--gpu", "l4", "--margin", "-1GiB", "--offline"]);
    expect(bad.code).toBe(2);
    expect(unwrapped(bad.err)).toBe("vram-plan: --margin: expected a size up to 1 PiB such as 20GiB, 20GB, 512MiB or a byte count, got '-1GiB'\n");
  });
});

describe("shellWord: render/'s one quoting rule (fixes, what-ifs, vllm serve, vram-plan solve)", () => {
  it("a POSIX shell reads every word back as it was; names and numbers stay bare", async () => {
    const { shellWord } = await import("../src/render/messages.js");
    const { parse } = await import("shell-quote");
    expect(["fp8", "0.9", "32768", "Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "a=b,c:d@e%f+g"].map(shellWord)).toEqual(["fp8", "0.9", "32768", "Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "a=b,c:d@e%f+g"]);
    // JSON (--limit-mm-per-prompt), a quote inside, globs, $, ~ and a comment mark: quoted, a ' as '\''.
    expect(shellWord('{"image":1,"video":0}')).toBe(`'{"image":1,"video":0}'`);
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
    for (const word of ['{"image":1,"video":0}', "it's", "a b", "*.bin", "model?", "$HOME", "~/models", "#x", "a;b", "(x)", "é"]) {
      expect(parse(shellWord(word)), word).toEqual([word]);
    }
    // check's fix line quotes by the same rule: it wrapped a value in '…' without escaping a quote inside.
    const { fixesText } = await import("../src/render/check.js");
    expect(fixesText([{ changes: [{ flag: "--chat-template", value: "it's" }] }] as unknown as Parameters<typeof fixesText>[0])).toBe(`--chat-template 'it'\\''s'`);
  });
});

// core/levers.ts: fixes found by re-planning, cheapest lever first, every printed fix verified.
import { describe, expect, it } from "vitest";
import { planWithLevers, roundDownForPeople, type FixEntry } from "../src/core/levers.js";
import { planDeployment } from "../src/core/plan.js";
import { fixesToJson } from "../src/render/json.js";
import type { EngineFlags, PlanInput } from "../src/core/types.js";
import { GiB, flags, gpu, model } from "./helpers/models.js";

/** The flags a fix entry sets (the same parsing a user's shell + vLLM would do for these flags). */
function applied(base: EngineFlags, f: FixEntry): EngineFlags {
  const out: EngineFlags = { ...base };
  for (const x of [f, ...(f.with ?? [])]) {
    const n = Number(x.value);
    switch (x.flag) {
      case "--max-model-len": out.maxModelLen = n; break;
      case "--max-num-seqs": out.maxNumSeqs = n; break;
      case "--max-num-batched-tokens": out.maxNumBatchedTokens = n; break;
      case "--gpu-memory-utilization": out.gpuMemoryUtilization = n; break;
      case "--kv-cache-memory": out.kvCacheMemoryBytes = n; break;
      case "--tensor-parallel-size": out.tensorParallelSize = n; break;
      case "--pipeline-parallel-size": out.pipelineParallelSize = n; break;
      case "--kv-cache-dtype": out.kvCacheDtype = x.value as EngineFlags["kvCacheDtype"]; break;
      case "--quantization": out.quantization = x.value as EngineFlags["quantization"]; break;
      case "--dtype": out.dtype = x.value as EngineFlags["dtype"]; break;
      case "--limit-mm-per-prompt": out.limitMmPerPrompt = JSON.parse(x.value) as Record<string, number>; break;
      case "--mm-processor-kwargs": out.mmProcessorKwargs = JSON.parse(x.value) as EngineFlags["mmProcessorKwargs"] & object; break;
      default: throw new Error(`fix with a flag the test cannot apply: ${x.flag}`);
    }
  }
  return out;
}

const fixesOf = (input: PlanInput): FixEntry[] => planWithLevers(input).diagnostics.filter((d) => d.severity === "error").flatMap((d) => d.fix ?? []);
const shown = (f: FixEntry): string => [f, ...(f.with ?? [])].map((x) => `${x.flag} ${x.value}`).join(" ");

describe("fixes, cheapest lever first", () => {
  it("Qwen2.5-VL-7B on an RTX 4090: a shorter --max-model-len before any extra GPU", () => {
    const input: PlanInput = { model: model("qwen2.5-vl-7b"), gpu: gpu("rtx4090"), flags: flags() };
    const plan = planWithLevers(input);
    expect(plan.fits).toBe(false);
    expect(plan.diagnostics.map((d) => d.code)).toContain("NO_KV_CACHE_MEMORY");
    const fixes = fixesOf(input).map(shown);
    const len = fixes.findIndex((s) => s.startsWith("--max-model-len "));
    const tp = fixes.findIndex((s) => s.startsWith("--tensor-parallel-size "));
    expect(len).toBe(0);
    expect(tp).toBeGreaterThan(len);
    // The issue's report: --max-model-len 16384 alone starts; the lever offers at least that much context.
    expect(planDeployment({ ...input, flags: flags({ maxModelLen: 16384 }) }).fits).toBe(true);
    const offered = Number(fixes[0]?.split(" ")[1]);
    expect(offered).toBeGreaterThanOrEqual(16384);
    expect(offered).toBe(roundDownForPeople(offered));
    // No lever beyond the 24 GiB the card has: utilization above 0.99 never offered.
    expect(fixes.every((s) => !/--gpu-memory-utilization 1\./.test(s))).toBe(true);
  });

  it("Qwen2.5-VL-7B on an RTX 4090: one image per prompt with a longer context, offered when it keeps more context than --max-model-len alone", () => {
    const input: PlanInput = { model: model("qwen2.5-vl-7b"), gpu: gpu("rtx4090"), flags: flags() };
    const fixes = fixesOf(input).map(shown);
    const one = '--limit-mm-per-prompt {"image":1,"video":0}';
    // One image and no video alone does not start at 128k tokens; with a 63,000-token context it does,
    // almost twice the 32,000 of --max-model-len alone. Listed after it and before any extra GPU.
    expect(planDeployment({ ...input, flags: flags({ limitMmPerPrompt: { image: 1, video: 0 } }) }).fits).toBe(false);
    const i = fixes.findIndex((s) => s.startsWith(`${one} --max-model-len `));
    expect(i).toBe(1);
    expect(fixes[0]).toBe("--max-model-len 32000");
    expect(Number(fixes[i]?.split(" ").pop())).toBeGreaterThanOrEqual(60000);
    expect(fixes.findIndex((s) => s.startsWith("--tensor-parallel-size"))).toBeGreaterThan(i);
    // Images of at most 1280 tokens (max_pixels 28·28·1280 = 1,003,520) keep more still: the what-if's
    // lever with the longest context that starts, above the one-image fix's, before any extra GPU.
    const px = '--mm-processor-kwargs {"max_pixels":1003520} --max-model-len ';
    const j = fixes.findIndex((s) => s.startsWith(px));
    expect(j).toBe(i + 1);
    expect(Number(fixes[j]?.split(" ").pop())).toBeGreaterThan(Number(fixes[i]?.split(" ").pop()));
    expect(fixes.findIndex((s) => s.startsWith("--tensor-parallel-size"))).toBeGreaterThan(j);
    for (const f of fixesOf(input)) expect(planDeployment({ ...input, flags: applied(input.flags, f) }).fits).toBe(true);
  });

  it("--max-model-len fix: the largest multiple of 1000 or 1024 that starts, not a binary value 20 % lower", () => {
    // Qwen2.5-VL-7B on an RTX 4090: it used to offer 30000 (and 24576 where 28032 started).
    const input: PlanInput = { model: model("qwen2.5-vl-7b"), gpu: gpu("rtx4090"), flags: flags() };
    const offered = Number(fixesOf(input).map(shown)[0]?.split(" ")[1]);
    expect(offered).toBe(32000);
    const starts = (len: number): boolean => planDeployment({ ...input, flags: flags({ maxModelLen: len }) }).fits;
    expect(starts(offered)).toBe(true);
    // The next round values above it do not start: 32768 (32 · 1024) and 33000.
    expect(starts(Math.ceil((offered + 1) / 1024) * 1024)).toBe(false);
    expect(starts(Math.ceil((offered + 1) / 1000) * 1000)).toBe(false);
  });

  const failing: [string, PlanInput][] = [
    ["Qwen2.5-VL-7B on an RTX 4090", { model: model("qwen2.5-vl-7b"), gpu: gpu("rtx4090"), flags: flags() }],
    ["Qwen2.5-VL-7B on an L4", { model: model("qwen2.5-vl-7b"), gpu: gpu("l4"), flags: flags() }],
    ["Llama-3.1-70B on one A100-80GB", { model: model("llama-3.1-70b"), gpu: gpu("a100-80g"), flags: flags() }],
    ["Llama-3.1-8B on an L4 at 131072 tokens", { model: model("llama-3.1-8b"), gpu: gpu("l4"), flags: flags({ maxModelLen: 131072 }) }],
    ["Qwen3-32B on an RTX 4090", { model: model("qwen3-32b"), gpu: gpu("rtx4090"), flags: flags() }],
    ["Qwen2.5-7B on an H100 with 60 GiB held by another process", { model: model("qwen2.5-7b"), gpu: gpu("h100"), flags: flags({ otherProcessBytes: 60 * GiB }) }],
    ["Qwen2.5-7B on two A10G at -tp 3 (heads not divisible)", { model: model("qwen2.5-7b"), gpu: gpu("a10g"), flags: flags({ tensorParallelSize: 3 }) }],
    ["Llama-3.1-8B on an H100 with --kv-cache-memory 80GiB", { model: model("llama-3.1-8b"), gpu: gpu("h100"), flags: flags({ kvCacheMemoryBytes: 80 * GiB }) }],
    ["Llama-3.1-70B on H100s (TP 2 with a shorter context)", { model: model("llama-3.1-70b"), gpu: gpu("h100"), flags: flags() }],
    ["Qwen3.5-27B on an RTX 5090 (TP 2 with fp8 weights)", { model: model("qwen3.5-27b"), gpu: gpu("rtx5090"), flags: flags() }],
    ["Qwen2.5-7B on an A10G, max-num-seqs above max-num-batched-tokens", { model: model("qwen2.5-7b"), gpu: gpu("a10g"), flags: flags({ maxNumSeqs: 512, maxNumBatchedTokens: 256 }) }],
  ];
  it.each(failing)("%s: every fix printed, applied, makes the plan start", (_name, input) => {
    const plan = planWithLevers(input);
    expect(plan.fits).toBe(false);
    const fixes = fixesOf(input);
    expect(fixes.length).toBeGreaterThan(0);
    for (const f of fixes) expect({ fix: shown(f), starts: planDeployment({ ...input, flags: applied(input.flags, f) }).fits }).toEqual({ fix: shown(f), starts: true });
  });

  it("levers in cost order: no extra GPUs before a free lever, precision before GPUs, fewer GPUs before more", () => {
    // TP and PP are one rank (more GPUs), ordered among themselves by the GPUs each needs.
    const rank = (s: string): number =>
      ["--max-model-len", "--limit-mm-per-prompt", "--mm-processor-kwargs", "--max-num-seqs", "--max-num-batched-tokens", "--gpu-memory-utilization", "--kv-cache-dtype", "--quantization", "--tensor-parallel-size"].indexOf(s === "--pipeline-parallel-size" ? "--tensor-parallel-size" : (s.split(" ")[0] ?? ""));
    for (const [, input] of failing) {
      const plan = planWithLevers(input);
      for (const diagnostic of plan.diagnostics) {
        const alone = (diagnostic.fix ?? []).filter((f) => !f.with);
        const r = alone.map((f) => rank(f.flag));
        expect(r).toEqual([...r].sort((a, b) => a - b));
        const gpus = alone.map((f) => Number(/needs (\d+) GPUs/.exec(f.note ?? "")?.[1] ?? 0)).filter((n) => n > 0);
        expect(gpus).toEqual([...gpus].sort((a, b) => a - b));
      }
    }
  });

  it("Llama-3.1-70B on one A100-80GB (bf16 weights > the 72.8 GiB budget): only more GPUs or fp8 weights with a shorter context help", () => {
    const input: PlanInput = { model: model("llama-3.1-70b"), gpu: gpu("a100-80g"), flags: flags() };
    const fixes = fixesOf(input).map(shown);
    // Shorter contexts, batch limits and fp8 KV cannot make 131 GiB of bf16 weights fit 72 GiB.
    expect(fixes.some((s) => s.startsWith("--max-model-len"))).toBe(false);
    expect(fixes.some((s) => s.startsWith("--kv-cache-dtype"))).toBe(false);
    // TP 2 holds the weights but not one 131,072-token request's KV cache, so the lever is TP 4.
    expect(planDeployment({ ...input, flags: flags({ tensorParallelSize: 2 }) }).fits).toBe(false);
    expect(fixes.find((s) => /^--tensor-parallel-size \d+$/.test(s))).toBe("--tensor-parallel-size 4");
    // TP 2 with a shorter context is offered before it.
    expect(fixes.findIndex((s) => /^--tensor-parallel-size 2 --max-model-len \d+$/.test(s))).toBeLessThan(fixes.indexOf("--tensor-parallel-size 4"));
    // On the one GPU it has: fp8 weights (70.6 G parameters ≈ 66 GiB) and a shorter context, before any extra GPU.
    expect(fixes[0]).toMatch(/^--quantization fp8 --max-model-len \d+$/);
    const len = Number(fixes[0]?.split(" ").pop());
    expect(len).toBeGreaterThanOrEqual(4096);
    expect(len).toBe(roundDownForPeople(len));
  });

  it("more GPUs needed: the smallest extra-GPU step with one free lever, listed before bigger GPU counts", () => {
    // Llama-3.1-70B (bf16, 131 GiB of weights) on H100s: TP 2 holds the weights (65.7 GiB/GPU) but not one
    // 131,072-token request's KV cache (40 GiB at 320 KiB/token); TP 2 with a 20,000-token context starts.
    const llama: PlanInput = { model: model("llama-3.1-70b"), gpu: gpu("h100"), flags: flags() };
    expect(planDeployment({ ...llama, flags: flags({ tensorParallelSize: 2 }) }).fits).toBe(false);
    const lf = fixesOf(llama).map(shown);
    // With fp8 weights (≈ 66 GiB) a ≈4k context still fits on the one GPU it has (1.44 GiB of CUDA-graph
    // estimate: 80 layers × 165 KiB × 100 graphs + the first capture), so that needs no extra GPU and comes first.
    expect(lf[0]).toMatch(/^--quantization fp8 /);
    const tp2 = lf.findIndex((s) => /^--tensor-parallel-size 2 --max-model-len \d+$/.test(s));
    expect(tp2).toBeGreaterThan(0);
    expect(Number(lf[tp2]?.split(" ").pop())).toBeGreaterThanOrEqual(20000);
    expect(lf.indexOf("--tensor-parallel-size 4")).toBeGreaterThan(tp2);
    // Qwen3.5-27B (bf16, ≈ 50 GiB of weights) on RTX 5090s (31.36 GiB): TP 2 alone leaves no KV cache;
    // TP 2 with fp8 weights (≈ 25 GiB, 12.6 GiB/GPU) starts. It used to offer only -tp 4 or -pp 3.
    const qwen: PlanInput = { model: model("qwen3.5-27b"), gpu: gpu("rtx5090"), flags: flags() };
    expect(planDeployment({ ...qwen, flags: flags({ tensorParallelSize: 2 }) }).fits).toBe(false);
    const qf = fixesOf(qwen).map(shown);
    expect(qf.filter((s) => s.startsWith("--tensor-parallel-size 2 "))).toHaveLength(1);
    expect(qf.findIndex((s) => s.startsWith("--tensor-parallel-size 2 "))).toBeLessThan(qf.indexOf("--tensor-parallel-size 4"));
  });

  it("free memory below the budget: one utilization fix, the largest that passes vLLM's free-memory check, no warning left", () => {
    // Qwen3-8B on an H100 (CUDA total 79.18 GiB = 85,017,493,504 B) with 20 GiB held by another process:
    // free at start-up = 85,017,493,504 − 20 GiB − the CUDA context = 62,891,687,936 B (58.57 GiB).
    // 0.74 × total = 62,912,945,193 B > free: vLLM's check still fails (a FREE_MEMORY_BELOW_BUDGET warning);
    // 0.73 × total = 62,062,770,258 B ≤ free: the fix. It used to print "0.73" and "0.74" side by side.
    const input: PlanInput = { model: model("qwen3-8b"), gpu: gpu("h100"), flags: flags({ otherProcessBytes: 20 * GiB }) };
    const plan = planWithLevers(input);
    const diagnostic = plan.diagnostics.find((x) => x.code === "FREE_MEMORY_BELOW_BUDGET");
    expect(diagnostic?.severity).toBe("error");
    expect((diagnostic?.fix ?? []).map(shown)).toEqual(["--gpu-memory-utilization 0.73"]);
    // The value travels as a number (what the lever search re-planned with), never parsed back from "0.73";
    // the JSON shows the flag and value only.
    expect(diagnostic?.fix?.[0]?.flags).toEqual({ gpuMemoryUtilization: 0.73 });
    expect(fixesToJson(diagnostic?.fix)).toEqual([{ flag: "--gpu-memory-utilization", value: "0.73" }]);

    const at74 = planDeployment({ ...input, flags: flags({ otherProcessBytes: 20 * GiB, gpuMemoryUtilization: 0.74 }) });
    expect(at74.diagnostics.find((x) => x.code === "FREE_MEMORY_BELOW_BUDGET")?.severity).toBe("warning");
    const at73 = planDeployment({ ...input, flags: flags({ otherProcessBytes: 20 * GiB, gpuMemoryUtilization: 0.73 }) });
    expect(at73.fits).toBe(true);
    expect(at73.diagnostics.some((x) => x.code === "FREE_MEMORY_BELOW_BUDGET")).toBe(false);
  });

  it("a diagnostic's own fix that carries its flags is verified and shown (--kv-cache-dtype fp8 for a layout the model cannot use)", () => {
    // Before fixes carried their flags as data, levers re-read them from the shown strings, knew no --kv-cache-dtype, and dropped it.
    const kv = planWithLevers({ model: model("qwen3-8b"), gpu: gpu("h100"), flags: flags({ kvCacheDtype: "nvfp4_ds_mla" }) });
    expect(kv.diagnostics.find((x) => x.code === "KV_CACHE_DTYPE_UNSUPPORTED")?.fix?.map(shown)).toEqual(["--kv-cache-dtype fp8"]);
  });

  it("a diagnostic's own fix and a lever on the same flag are not both printed (Nemotron-H Mamba slots)", () => {
    // Nemotron-H-56B at -tp 2 on H100s: 198 Mamba slots for max_num_seqs 1024. vLLM's own advice is
    // --max-num-seqs 198; the lever search's power of two below it (128) is the same lever, less of it.
    const input: PlanInput = { model: model("nemotron-h-56b-base-8k"), gpu: gpu("h100"), flags: flags({ tensorParallelSize: 2 }) };
    const diagnostic = planWithLevers(input).diagnostics.find((x) => x.code === "MAMBA_SLOTS_BELOW_MAX_NUM_SEQS");
    const seqs = (diagnostic?.fix ?? []).filter((f) => f.flag === "--max-num-seqs" && !f.with).map(shown);
    expect(seqs).toEqual(["--max-num-seqs 198"]);
  });

  it("a plan that starts gets no fix search", () => {
    const plan = planWithLevers({ model: model("qwen2.5-7b"), gpu: gpu("h100"), flags: flags() });
    expect(plan.fits).toBe(true);
    expect(plan.diagnostics.every((d) => (d.fix ?? []).length === 0 || d.severity !== "error")).toBe(true);
  });
});

describe("roundDownForPeople", () => {
  it.each([
    [1140, 1100], // 1024 is 10.2 % lower: two significant digits lose less
    [1453, 1400], // 1024 and 1280 are more than 10 % lower
    [379, 370],
    [33100, 33000], // a multiple of 1000 above 32768
    [30720, 30720], // 30 · 1024: already round, kept (it used to be cut to 24576)
    [28032, 28000], // starts where 24576 was offered before
    [20500, 20480], // 20 · 1024 above 20000
    [131072, 131072],
    [16, 16],
    [30000, 30000], // already round: kept
    [24000, 24000],
    [2900, 2816], // 11 · 256: 2048 and 2000 are more than 10 % lower
  ])("%d → %d", (x, want) => expect(roundDownForPeople(x)).toBe(want));
});

describe("every fix printed starts the plan (property over random deployments)", () => {
  const MODELS = ["qwen2.5-7b", "llama3.1-8b", "qwen3-32b", "llama3.1-70b", "qwen2.5-vl-7b", "qwen3-30b-a3b", "gemma-3-4b", "mistral-7b-v0.3"].map((m) => model(m));
  const GPUS = ["l4", "rtx4090", "a10g", "a100-40g", "l40s", "h100", "t4"].map((g) => gpu(g));
  it("for failing plans, each fix (with its companions) re-plans to STARTS", async () => {
    const fc = await import("fast-check");
    let failing = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MODELS.length - 1 }),
        fc.integer({ min: 0, max: GPUS.length - 1 }),
        fc.constantFrom(undefined, 4096, 32768, 131072),
        fc.constantFrom(undefined, 0.5, 0.8, 0.95),
        fc.constantFrom(1, 2),
        (mi, gi, len, util, tp) => {
          const model = MODELS[mi]!;
          const engineFlags = flags({ tensorParallelSize: tp, ...(len !== undefined && len <= model.derivedMaxModelLen ? { maxModelLen: len } : {}), ...(util !== undefined ? { gpuMemoryUtilization: util } : {}) });
          const input: PlanInput = { model, gpu: GPUS[gi]!, flags: engineFlags };
          const plan = planWithLevers(input);
          if (plan.fits) return;
          failing++;
          for (const fix of plan.diagnostics.flatMap((d) => d.fix ?? [])) {
            expect({ fix: shown(fix), starts: planDeployment({ ...input, flags: applied(engineFlags, fix) }).fits }).toEqual({ fix: shown(fix), starts: true });
          }
        },
      ),
      { numRuns: 60, seed: 12 },
    );
    // The property must have been tried on failing plans, not only on ones that start.
    expect(failing).toBeGreaterThan(10);
  });
});

describe("a validation error's own fix with a lever added keeps the lever's companions", () => {
  it("Phi-4 (16,384-token config) on T4s asked for 32,768: --max-model-len 16384 with -tp 2 alone does not start; the printed fix carries fp8 too, and starts", () => {
    const input: PlanInput = { model: model("phi-4"), gpu: gpu("t4"), flags: flags({ maxModelLen: 32768 }) };
    const diagnostic = planWithLevers(input).diagnostics.find((x) => x.code === "MAX_MODEL_LEN_ABOVE_DERIVED");
    const fix = diagnostic?.fix?.[0];
    expect(fix && shown(fix)).toBe("--max-model-len 16384 --tensor-parallel-size 2 --quantization fp8");
    expect(fix?.note).toBe("needs 2 GPUs");
    expect(planDeployment({ ...input, flags: applied(input.flags, fix as FixEntry) }).fits).toBe(true);
    // Without the companion, as it used to be printed:
    expect(planDeployment({ ...input, flags: { ...input.flags, maxModelLen: 16384, tensorParallelSize: 2 } }).fits).toBe(false);
  });
});

describe("extra-GPU fixes in the order of the GPUs they need", () => {
  it("Phi-4 on two T4s: -pp 2 (4 GPUs) before -tp 5 (5 GPUs; -tp 4 does not split its 10 KV heads)", () => {
    const input: PlanInput = { model: model("phi-4"), gpu: gpu("t4"), flags: flags({ maxModelLen: 16384, tensorParallelSize: 2 }) };
    const fixes = fixesOf(input);
    const gpuFixes = fixes.filter((f) => f.note?.startsWith("needs")).map((f) => `${shown(f)} (${f.note})`);
    expect(gpuFixes).toEqual(["--pipeline-parallel-size 2 (needs 4 GPUs)", "--tensor-parallel-size 5 (needs 5 GPUs)"]);
    for (const f of fixes) expect(planDeployment({ ...input, flags: applied(input.flags, f) }).fits).toBe(true);
  });
});

describe("a tensor-parallel divisor fix above the size asked says how many GPUs it needs", () => {
  it("Llama-3.1-8B (32 heads) at -tp 3: -tp 2, or -tp 4 (needs 4 GPUs; 8 with -dp 2)", () => {
    const fixes = (f: Partial<EngineFlags>): string[] =>
      (planWithLevers({ model: model("llama3.1-8b"), gpu: gpu("h100"), flags: flags(f) }).diagnostics.find((d) => d.code === "HEADS_NOT_DIVISIBLE_BY_TP")?.fix ?? []).map((x) => `${shown(x)}${x.note ? ` (${x.note})` : ""}`);
    expect(fixes({ tensorParallelSize: 3 })).toEqual(["--tensor-parallel-size 2", "--tensor-parallel-size 4 (needs 4 GPUs)"]);
    expect(fixes({ tensorParallelSize: 3, dataParallelSize: 2 })).toEqual(["--tensor-parallel-size 2", "--tensor-parallel-size 4 (needs 8 GPUs)"]);
  });
});

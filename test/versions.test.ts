import { describe, expect, it } from "vitest";
import { argRules, engineOf, batchDefaults, captureSizeList, capturesByMode, compareVersions, hybridRules, rulesFor } from "../src/core/vllm-versions.js";
import { engineFlagsFromArgv } from "../src/sources/vllm-flags.js";
import { VersionError } from "../src/core/errors.js";
import { planDeployment } from "../src/core/plan.js";
import { flags, gpu, model } from "./helpers/models.js";
import { runCli } from "./helpers/cli.js";

/** Graphs per mode for a release's default list: what cudaGraphPlan counts without --compilation-config. */
function captureSizes(version: string, maxNumSeqs: number, maxNumBatchedTokens: number): { piecewise: number; full: number; largest: number } {
  const rules = rulesFor(version)!;
  return capturesByMode(rules, captureSizeList(rules, maxNumSeqs, maxNumBatchedTokens), maxNumSeqs);
}

describe("per-release rules (src/core/vllm-versions.ts)", () => {
  it("captures the graphs vLLM 0.23 logged: PIECEWISE=51 (largest=512), FULL=35 (largest=256)", () => {
    // fixtures/vllm-logs/qwen2.5-vl-7b-a100-v0.23.0.log, max_num_seqs 256 on an A100, 2,048 batched tokens.
    expect(captureSizes("0.23.0", 256, 2048)).toEqual({ piecewise: 51, full: 35, largest: 512 });
    // Early V1 list [1, 2, 4] + 8·i up to 512 = 67 sizes, no FULL graphs.
    expect(captureSizes("0.10.2", 256, 2048)).toEqual({ piecewise: 67, full: 0, largest: 512 });
    // max capture size = min(2 × max_num_seqs, 512) = 128 → [1, 2, 4, 8 … 128] = 19 sizes; FULL up to 64 = 11.
    expect(captureSizes("0.23.0", 64, 2048)).toEqual({ piecewise: 19, full: 11, largest: 128 });
  });

  it("keeps the hybrid rules in the same per-release object (issue #17.2)", () => {
    // One table: the hybrid part is the release's own rules object, not a second parser.
    expect(hybridRules("0.18.1")).toBe(rulesFor("0.18.1")?.hybrid);
    expect(rulesFor("0.18.1")?.hybrid.mambaSlotCheck).toBe("cap"); // PR #34571 (v0.17-v0.18)
    expect(rulesFor("0.19.0")?.hybrid.mambaSlotCheck).toBe("raise"); // PR #38270
    expect(rulesFor("0.13.0")?.hybrid.hasAlignMode).toBe(false); // PR #30877 → v0.14
    // No version or one that is not modeled: the newest modeled release, as planDeployment plans it.
    expect(hybridRules()).toBe(rulesFor("0.29.0")?.hybrid);
    expect(hybridRules("latest")).toBe(rulesFor("0.29.0")?.hybrid);
  });

  it("raises the default utilization from 0.90 to 0.92 with the CUDA-graph estimate in v0.21 (PR #38284)", () => {
    expect(rulesFor("0.20.2")?.defaultUtilization).toBe(0.9);
    expect(rulesFor("0.21.0")?.defaultUtilization).toBe(0.92);
    expect(rulesFor("0.20.2")?.cudaGraphEstimate).toBe(false);
    expect(rulesFor("0.21.0")?.cudaGraphEstimate).toBe(true);
    expect(rulesFor("0.7.3")?.engine).toBe("v0");
    expect(rulesFor("0.8.0")?.engine).toBe("v1");
    expect(rulesFor("0.5.4")).toBeNull();
  });

  it("uses the large batch table only for >= 70 GiB GPUs that are not A100s (EngineArgs._set_default_args)", () => {
    const rules = rulesFor("0.23.0")!;
    expect(batchDefaults(rules, 85_017_493_504, "NVIDIA H100 80GB HBM3", "server", 32768)).toEqual({ maxNumSeqs: 1024, maxNumBatchedTokens: 8192, chunkedPrefill: true });
    expect(batchDefaults(rules, 84_987_740_160, "NVIDIA A100-SXM4-80GB", "server", 32768)).toEqual({ maxNumSeqs: 256, maxNumBatchedTokens: 2048, chunkedPrefill: true });
    expect(batchDefaults(rules, 85_017_493_504, "NVIDIA H100 80GB HBM3", "offline", 32768).maxNumBatchedTokens).toBe(16384);
    // ≈0.28: the API-server default on large GPUs became 16,384 (PR #51726).
    expect(batchDefaults(rulesFor("0.28.0")!, 85_017_493_504, "NVIDIA H100 80GB HBM3", "server", 32768).maxNumBatchedTokens).toBe(16384);
    // V0: no chunked prefill up to 32K context → max(max_model_len, 2048) tokens, 256 sequences.
    expect(batchDefaults(rulesFor("0.6.4")!, 25_000_000_000, "NVIDIA GeForce RTX 3090", "server", 20000)).toEqual({ maxNumSeqs: 256, maxNumBatchedTokens: 20000, chunkedPrefill: false });
  });

  it("subtracts the CUDA-graph estimate from the KV cache only from v0.21, and not on Model Runner V2 dense builds", () => {
    const arch = model("qwen3-8b");
    const gpuProfile = gpu("h100");
    const at = (v: string) => planDeployment({ model: arch, gpu: gpuProfile, flags: flags({ vllmVersion: v, gpuMemoryUtilization: 0.9 }) }).perGpu[0]!;
    const before = at("0.20.0");
    const after = at("0.23.0");
    const mrv2 = at("0.25.1");
    expect(before.cudaGraphInBudget).toBe(false);
    expect(after.cudaGraphInBudget).toBe(true);
    expect(mrv2.cudaGraphInBudget).toBe(false);
    // Same budget and profile, so the KV cache differs by exactly the estimate.
    expect(before.kvCacheBytes - after.kvCacheBytes).toBe(after.cudaGraphBytes);
  });

  it("plans a release newer than the newest modeled (0.40, 1.0.0, latest) with the newest rules and says so", () => {
    const arch = model("qwen3-8b");
    const gpuProfile = gpu("h100");
    const newest = planDeployment({ model: arch, gpu: gpuProfile, flags: flags({ vllmVersion: "0.29.0" }) });
    expect(newest.diagnostics.some((d) => d.code === "VLLM_VERSION_NOT_MODELED")).toBe(false);
    for (const v of ["0.40", "1.0.0", "latest", "0.29.1"]) {
      const plan = planDeployment({ model: arch, gpu: gpuProfile, flags: flags({ vllmVersion: v }) });
      const diagnostic = plan.diagnostics.find((x) => x.code === "VLLM_VERSION_NOT_MODELED");
      expect(diagnostic?.severity).toBe("warning");
      expect(diagnostic?.args).toEqual({ asked: v, modeled: "0.29.0" });
      // Same arithmetic as the newest modeled release.
      expect(plan.kvCache.tokens).toBe(newest.kvCache.tokens);
      expect(plan.engine.gpuMemoryUtilization).toBe(0.92);
    }
    expect(planDeployment({ model: arch, gpu: gpuProfile, flags: flags({ vllmVersion: "1.0.0" }) }).engine.vllmVersion).toBe("1.0.0");
    expect(planDeployment({ model: arch, gpu: gpuProfile, flags: flags({ vllmVersion: "latest" }) }).engine.vllmVersion).toBe("0.29.0");
    // Modeled releases are planned by their own rules: 0.20 has no estimate and util 0.90.
    expect(rulesFor("0.20.0")?.cudaGraphEstimate).toBe(false);
  });

  it("pins the tokens report (concurrency × length) to main after v0.20.1: 0.20.x releases old, 0.20.2 dev builds and 0.21+ new", () => {
    // v0.20.0 release logged "GPU KV cache size: 53,312 tokens" with 5.15x of 32,768 (fixtures/hybrid/logs.json): old.
    expect(rulesFor("0.20.0")?.tokensFromConcurrency).toBe(false);
    expect(rulesFor("0.20.1")?.tokensFromConcurrency).toBe(false);
    // Development builds of main after the v0.20.1 tag are versioned 0.20.2.devN and already print the new report.
    expect(rulesFor("0.20.2.dev45+g1a2b3c4d")?.tokensFromConcurrency).toBe(true);
    expect(rulesFor("0.20.2rc1.dev12+gabc")?.tokensFromConcurrency).toBe(true);
    expect(rulesFor("0.21.0")?.tokensFromConcurrency).toBe(true);
    expect(rulesFor("0.24.0")?.tokensFromConcurrency).toBe(true);
    // A dev build is otherwise planned with its release line's rules.
    expect(rulesFor("0.20.2.dev45")?.defaultUtilization).toBe(0.9);
  });
});

describe("a release newer than the newest modeled, in the plan's header", () => {
  it("--vllm-version 0.40 says whose rules planned it where the verdict is read; latest (planned as the newest) does not need to", async () => {
    const { runCli } = await import("./helpers/cli.js");
    const { NEWEST_MODELED } = await import("../src/core/vllm-versions.js");
    const newer = await runCli(["--model", "llama3.1-8b", "--gpu", "h100", "--vllm-version", "0.40"]);
    expect(newer.out.split("\n")[1]).toBe(`  vLLM 0.40.0 (V1, planned with ${NEWEST_MODELED}'s rules): STARTS`);
    const md = await runCli(["--model", "llama3.1-8b", "--gpu", "h100", "--vllm-version", "0.40", "--format", "markdown"]);
    expect(md.out.split("\n")[0]).toContain(`(vLLM 0.40.0, planned with ${NEWEST_MODELED}'s rules)`);
    const latest = await runCli(["--model", "llama3.1-8b", "--gpu", "h100", "--vllm-version", "latest"]);
    expect(latest.out.split("\n")[1]).toBe(`  vLLM ${NEWEST_MODELED} (V1): STARTS`);
  });
});

describe("an unreadable release has no place in the order (compareVersions)", () => {
  it("orders releases, dev builds and 'latest' by major.minor.patch", () => {
    expect(compareVersions("0.10.2", "0.9.1")).toBeGreaterThan(0);
    expect(compareVersions("v0.11.0", "0.11.0")).toBe(0);
    expect(compareVersions("0.20.2.dev38", "0.20.1")).toBeGreaterThan(0);
    expect(compareVersions("0.8.5rc1", "0.9.0")).toBeLessThan(0);
    expect(compareVersions("latest", "0.29.0")).toBe(0); // "latest" reads as the newest modeled (0.29.0)
  });

  it("throws VersionError instead of calling an unreadable version equal to every release", () => {
    // Before: compareVersions("nightly", "0.12.0") was 0, so "nightly" was both older and newer than nothing.
    expect(() => compareVersions("nightly", "0.12.0")).toThrow(VersionError);
    expect(() => compareVersions("0.12.0", "")).toThrow("'' is not a vLLM version such as 0.11.0");
    // A library caller handing planDeployment an unreadable release gets the typed error, not the newest rules.
    expect(() => planDeployment({ model: model("qwen3-8b"), gpu: gpu("h100"), flags: flags({ vllmVersion: "banana" }) })).toThrow(VersionError);
  });

  it("the CLI refuses an unreadable --vllm-version first: one line naming the flag, exit 2", async () => {
    for (const bad of ["banana", "0", "x0.11.0", ""]) {
      const r = await runCli(["--model", "qwen3-8b", "--gpu", "h100", "--vllm-version", bad]);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`vram-plan: --vllm-version: expected a version such as 0.11.0, got '${bad}'\n`);
      expect(r.out).toBe("");
    }
    // log and check take the flag too (check printed "NEED … vLLM banana would refuse its arguments", exit 1).
    const log = await runCli(["log", "--vllm-version", "banana", "fixtures/vllm-logs/qwen2.5-vl-7b-a100-v0.23.0.log"]);
    const check = await runCli(["check", "--offline", "--vllm-version", "banana", "fixtures/deployments/real/koyeb-example-vllm.Dockerfile"]);
    for (const r of [log, check]) {
      expect(r.code).toBe(2);
      expect(r.err).toBe("vram-plan: --vllm-version: expected a version such as 0.11.0, got 'banana'\n");
      expect(r.out).toBe("");
    }
  });
});

describe("how a release's parser reads a flag (ArgRules, read by sources/vllm-flags.ts)", () => {
  it("sets each boundary once: auto from 0.12 (PR #29431), JSON-only --limit-mm-per-prompt from 0.10, -O as --optimization-level from 0.12", () => {
    expect(argRules("0.11.2")).toEqual({ maxModelLenAuto: false, limitMmJsonOnly: true, dashOIsOptimizationLevel: false });
    expect(argRules("0.12.0")).toEqual({ maxModelLenAuto: true, limitMmJsonOnly: true, dashOIsOptimizationLevel: true });
    expect(argRules("0.9.2")).toMatchObject({ limitMmJsonOnly: false });
    // Reading holds for releases older than the oldest modeled (an old log's or image's flags).
    expect(argRules("0.5.4")).toEqual({ maxModelLenAuto: false, limitMmJsonOnly: false, dashOIsOptimizationLevel: false });
    // The plan's rule for --max-model-len auto is the same boundary.
    for (const v of ["0.11.2", "0.12.0", "0.29.0"]) expect(rulesFor(v)?.features.maxModelLenAuto).toBe(argRules(v).maxModelLenAuto);
  });
  it("the reader follows them: 'auto' refused by 0.11, image=2 read by 0.9 and refused by 0.10, -O3 by release", () => {
    expect(() => engineFlagsFromArgv(["m", "--max-model-len", "auto", "--vllm-version", "0.11.0"], { vramPlanFlags: true })).toThrow("'auto' is read from vLLM 0.12.0 (PR #29431); vLLM 0.11.0 expects an integer");
    expect(engineFlagsFromArgv(["m", "--max-model-len", "auto", "--vllm-version", "0.12.0"], { vramPlanFlags: true }).flags.maxModelLenAuto).toBe(true);
    expect(engineFlagsFromArgv(["m", "--limit-mm-per-prompt", "image=2", "--vllm-version", "0.9.2"], { vramPlanFlags: true }).flags.limitMmPerPrompt).toEqual({ image: 2 });
    expect(() => engineFlagsFromArgv(["m", "--limit-mm-per-prompt", "image=2", "--vllm-version", "0.10.0"], { vramPlanFlags: true })).toThrow("reads JSON");
    const read = (v: string): string[] => engineFlagsFromArgv(["m", "-O3", "--vllm-version", v], { vramPlanFlags: true }).understood.map((u) => u.name);
    expect(read("0.11.0")).toContain("compilation-config");
    expect(read("0.12.0")).toContain("optimization-level");
  });
});

describe("the default engine of a release (engineOf: the rules and the log reader ask it)", () => {
  it("V0 up to 0.7, V1 from 0.8 (PR #13726), releases older than modeled included", () => {
    expect([engineOf("0.5.4"), engineOf("0.7.3"), engineOf("0.8.0"), engineOf("v0.10.1.1")]).toEqual(["v0", "v0", "v1", "v1"]);
    expect(rulesFor("0.7.3")?.engine).toBe("v0");
    expect(rulesFor("0.8.0")?.engine).toBe("v1");
  });
});

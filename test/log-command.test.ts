// vram-plan log: the CLI over real raw logs (fixtures/vllm-logs/raw/). Logged figures are the
// log's own; planned ones come from planDeployment with the log's release rules; exit 0 when the
// logged start-up succeeded, 1 when it failed, 2 when the input is not a vLLM log.
import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { runCli, unwrapped } from "./helpers/cli.js";
import { RAW_LOG_DIR, bytesOfPrintedGiB as G, rawLog as raw, type LogDifference as Diff } from "./helpers/vllm-logs.js";
import { run } from "../src/cli/run.js";
import { logCauseText } from "../src/render/messages.js";


describe("vram-plan log", () => {
  it("re-plans a successful V0 start-up whose log names model and GPU, with the stable JSON names", async () => {
    const result = await runCli(["log", raw("vllm-10517-llama3.1-8b-20k.md"), "--json"]);
    expect(result.code).toBe(0);
    const j = JSON.parse(result.out) as { logged: Record<string, unknown>; plan: { model: { id: string }; gpu: { id: string }; engine: { vllmVersion: string; maxModelLen: number } } | null; differences: Diff[] };
    expect(j.logged).toMatchObject({ vllmVersion: "0.6.4", model: "meta-llama/Llama-3.1-8B-Instruct", weightsBytes: G("14.9888"), availableKvBytes: G("3.81"), kvTokens: null, maxConcurrency: 1.56, numGpuBlocks: 1952, errorCode: null });
    expect(j.plan?.model.id).toBe("meta-llama/Llama-3.1-8B-Instruct");
    expect(j.plan?.gpu.id).toBe("rtx3090");
    // The log's release rules and the max-model-len its concurrency line states.
    expect(j.plan?.engine.vllmVersion).toBe("0.6.4");
    expect(j.plan?.engine.maxModelLen).toBe(20000);
    const weights = j.differences.find((d) => d.what === "weights");
    expect(weights?.logged).toBe(G("14.9888"));
    expect(weights?.agrees).toBe(true);
    expect(j.differences.find((d) => d.what === "outcome")).toMatchObject({ logged: "starts", planned: "starts", agrees: true });
    // vLLM's 0.35 GiB non-torch against the modeled increase: a difference with its cause.
    expect(j.differences.find((d) => d.what === "nonTorch")).toMatchObject({ logged: G("0.35"), agrees: false, whyCode: "NON_TORCH" });
    for (const d of j.differences) expect(Object.keys(d)).toEqual(expect.arrayContaining(["what", "logged", "planned", "why"]));
  });

  it("the user's --model that resolves to nothing is bad input naming it (exit 2), not a re-plan left undone with exit 0", async () => {
    const unknown = await runCli(["log", raw("vllm-10517-llama3.1-8b-20k.md"), "--model", "nosuchmodel-xyz", "--offline"]);
    expect(unknown.code).toBe(2);
    expect(unwrapped(unknown.err)).toMatch(/^vram-plan: --model nosuchmodel-xyz: unknown model/);
    expect(unknown.out).toBe("");
    // A local directory of the user's is read as plan reads it, not cut to its last part ('tiny-llama').
    const dir = await runCli(["log", raw("vllm-10517-llama3.1-8b-20k.md"), "--model", "fixtures/hub/acme", "--offline"]);
    expect(dir.code).toBe(2);
    expect(unwrapped(dir.err)).toBe("vram-plan: fixtures/hub/acme: no config.json\n");
  });

  it("a failed start-up: exit 1, the failure's code, and the cheapest fix from the lever search", async () => {
    const result = await runCli(["log", raw("vllm-10517-llama3.1-8b-29k-fails.md"), "--model", "llama3.1-8b", "--json"]);
    expect(result.code).toBe(1);
    const j = JSON.parse(result.out) as { logged: { errorCode: string; kvTokens: number }; fix: { code: string; fix: { flag: string; value: string }[] } | null; differences: Diff[] };
    expect(j.logged.errorCode).toBe("KV_CACHE_BELOW_MAX_MODEL_LEN");
    expect(j.logged.kvTokens).toBe(23648);
    expect(j.fix?.code).toBe("KV_CACHE_BELOW_MAX_MODEL_LEN");
    expect(j.fix?.fix[0]?.flag).toBe("--max-model-len");
    expect(j.differences.find((d) => d.what === "outcome")).toMatchObject({ logged: "KV_CACHE_BELOW_MAX_MODEL_LEN", planned: "KV_CACHE_BELOW_MAX_MODEL_LEN", agrees: true });
    // The token count moves with the KV memory: its difference is attributed to that line.
    const tokens = j.differences.find((d) => d.what === "kvTokens");
    expect(tokens?.logged).toBe(23648);
    if (tokens && !tokens.agrees) expect(tokens.whyCode).toBe("FOLLOWS");
  });

  it("says which input is missing and how to give it, and still reads the log (exit from the logged outcome)", async () => {
    const result = await runCli(["log", raw("vllm-25837-free-memory-4gb.log")]);
    expect(result.code).toBe(1);
    expect(result.out).toContain("FAILED: FREE_MEMORY_BELOW_BUDGET");
    expect(result.out).toContain("model: give --model");
    // What was free at start-up: 3.22 of 4.0 GiB → 0.80.
    expect(result.out).toContain("--gpu-memory-utilization 0.80");
    // vLLM's own bound when nothing can be re-planned: one Mamba block per sequence (969 of them).
    const mamba = await runCli(["log", raw("vllm-49064-mamba-h100-v0.28.md"), "--json"]);
    expect(mamba.code).toBe(1);
    expect((JSON.parse(mamba.out) as { fixFromLog: { flag: string; value: string }[] }).fixFromLog[0]).toMatchObject({ flag: "--max-num-seqs", value: "969" });
    // The largest TP size dividing 64 heads below 3.
    const heads = await runCli(["log", raw("vllm-52435-heads-not-divisible-tp3.md")]);
    expect(heads.out).toContain("--tensor-parallel-size 2");
    const j = JSON.parse((await runCli(["log", raw("vllm-25837-free-memory-4gb.log"), "--json"])).out) as { plan: unknown; missing: { input: string }[]; logged: { errorCode: string; gpuTotalBytes: number } };
    expect(j.plan).toBeNull();
    expect(j.missing.map((m) => m.input)).toEqual(["model"]);
    expect(j.logged.gpuTotalBytes).toBe(G("4.0"));
  });

  it("a difference that follows from another line carries that line's difference signed as the table's column is", () => {
    // 0.35 − 0.20 GiB of non-torch memory (the 29k log's figures): −161,061,273 B = −0.15 GiB, with the table's '−'.
    expect(logCauseText({ code: "FOLLOWS", args: { from: "nonTorch", bytes: -161_061_273 } })).toBe("follows from the non-torch memory line (−0.15 GiB of it)");
    expect(logCauseText({ code: "FOLLOWS", args: { from: "nonTorch", bytes: 2 ** 30 } })).toBe("follows from the non-torch memory line (+1.00 GiB of it)");
  });

  it("a failed start-up's table keeps the figures' columns: the outcome's codes go on a line of their own", async () => {
    const result = await runCli(["log", raw("vllm-10517-llama3.1-8b-29k-fails.md"), "--model", "llama3.1-8b"], { COLUMNS: "80" });
    const lines = result.out.split("\n");
    // The label column is as wide as 'activation peak (torch peak increase)' (37 cells), each figure as
    // its widest (9, 9 and 19 cells with their headers): 37 + 2 + 9 + 2 + 9 + 2 + 19 = 80 cells.
    expect(lines).toContain("GPU blocks                                 1,478      1,559                  +81");
    expect(lines).toContain("start-up: logged KV_CACHE_BELOW_MAX_MODEL_LEN, planned");
    expect(lines).toContain("    KV_CACHE_BELOW_MAX_MODEL_LEN (agrees)");
    expect(lines.filter((line) => line.length > 80)).toEqual([]);
    // The fixes break between fixes, each line ending with its "  or", never with a space.
    expect(result.out).toMatch(/^fix \(re-planned, cheapest first\): --max-model-len \d+  or$/m);
    expect(lines.filter((line) => line.endsWith(" "))).toEqual([]);
  });

  it("re-plans a free-memory failure with the memory other processes held, and agrees on the verdict", async () => {
    const result = await runCli(["log", raw("vllm-25837-free-memory-4gb.log"), "--model", "qwen2.5-1.5b", "--json"]);
    const j = JSON.parse(result.out) as { differences: Diff[] };
    expect(result.code).toBe(1);
    expect(j.differences.find((d) => d.what === "outcome")).toMatchObject({ logged: "FREE_MEMORY_BELOW_BUDGET", planned: "FREE_MEMORY_BELOW_BUDGET", agrees: true });
  });

  it("uses what the log's messages state (utilization 0.9, memory other processes held) unless a flag after -- says otherwise", async () => {
    type Planned = { plan: { engine: { gpuMemoryUtilization: number }; perGpu: { otherProcessBytes: number }[] } };
    const planned = async (...extra: string[]): Promise<Planned["plan"]> =>
      (JSON.parse((await runCli(["log", raw("vllm-25837-free-memory-4gb.log"), "--model", "qwen2.5-1.5b", "--json", ...extra])).out) as Planned).plan;
    // "Free memory on device (3.22/4.0 GiB) ... (0.9, 3.6 GiB)": the log has no flags, only this message.
    const fromLog = await planned();
    expect(fromLog.engine.gpuMemoryUtilization).toBe(0.9);
    // Other processes held what the GPU had less what vLLM found free, less vLLM's own CUDA context
    // (src/core/non-torch.ts CUDA_CONTEXT_BYTES): 4,294,967,296 − 3,457,448,673 − 650,969,088 = 186,549,535 B.
    expect(fromLog.perGpu[0]!.otherProcessBytes).toBe(G("4.0") - G("3.22") - 650_969_088);
    const overridden = await planned("--", "--gpu-memory-utilization", "0.7", "--other-process-memory", "0");
    expect(overridden.engine.gpuMemoryUtilization).toBe(0.7);
    expect(overridden.perGpu[0]!.otherProcessBytes).toBe(0);
  });

  it("takes flags the log does not show after --", async () => {
    const result = await runCli(["log", raw("vllm-10517-llama3.1-8b-20k.md"), "--json", "--", "--kv-cache-dtype", "fp8"]);
    const j = JSON.parse(result.out) as { plan: { engine: { kvCacheDtype: string } }; inputs: { flags: { value: string; from: string } } };
    expect(j.plan.engine.kvCacheDtype).toBe("fp8");
    expect(j.inputs.flags.from).toContain("after --");
  });

  it("writes a markdown table to paste into an issue", async () => {
    const r = await runCli(["log", raw("vllm-10517-llama3.1-8b-20k.md"), "--format", "markdown"]);
    expect(r.out).toContain("| | logged | planned | difference | likely cause |");
    expect(r.out).toContain("| weights | 14.99 GiB |");
  });

  it("reads standard input with -, and refuses what is not a vLLM log with exit 2 and one line", async () => {
    let out = "";
    let err = "";
    const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s), isTTY: false, env: { HF_HUB_OFFLINE: "1" }, stdin: () => "INFO 02-19 23:56:55 kv_cache_utils.py:524] GPU KV cache size: 2,042,016 tokens\n" };
    expect(await run(["log", "-"], io)).toBe(0);
    expect(out).toContain("2,042,016");
    out = "";
    const bad = { ...io, stdin: () => "just some text\n" };
    expect(await run(["log", "-"], bad)).toBe(2);
    expect(unwrapped(err).trim().split("\n")).toHaveLength(1);
    expect(unwrapped(err)).toContain("not a vLLM log");
    const missing = await runCli(["log", "/nonexistent/vllm.log"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("cannot read");
    // A directory is refused before it is opened.
    const folder = await runCli(["log", RAW_LOG_DIR]);
    expect(folder.code).toBe(2);
    expect(folder.err).toContain("a directory, not a regular file");
  });
  it("a markdown table quoting log lines in its cells (the raw fixtures' SOURCES.md) is not a vLLM log: exit 2, one line", async () => {
    const result = await runCli(["log", raw("SOURCES.md")]);
    expect(result.code).toBe(2);
    expect(result.out).toBe("");
    expect(unwrapped(result.err).trim().split("\n")).toHaveLength(1);
    expect(unwrapped(result.err)).toContain("SOURCES.md: not a vLLM log");
  });
});

describe("vram-plan log text output width", () => {
  const logs = readdirSync(RAW_LOG_DIR).filter((f) => f !== "SOURCES.md");
  it("every line of every raw log's text output fits COLUMNS=80 (and a wider terminal is used when COLUMNS says so)", async () => {
    expect(logs.length).toBeGreaterThanOrEqual(30);
    const over: string[] = [];
    for (const f of logs) {
      const r = await runCli(["log", raw(f)], { COLUMNS: "80" });
      for (const l of r.out.split("\n")) if (l.length > 80) over.push(`${f}: ${l.length}: ${l.slice(0, 60)}`);
    }
    expect(over).toEqual([]);
    const wide = await runCli(["log", raw("vllm-52435-heads-not-divisible-tp3.md")], { COLUMNS: "200" });
    const widths = wide.out.split("\n").map((l) => l.length);
    expect(Math.max(...widths)).toBeLessThanOrEqual(200);
    expect(Math.max(...widths)).toBeGreaterThan(80);
  });
  it("markdown and JSON are not wrapped", async () => {
    const md = await runCli(["log", raw("vllm-52435-heads-not-divisible-tp3.md"), "--format", "markdown"], { COLUMNS: "80" });
    expect(Math.max(...md.out.split("\n").map((l) => l.length))).toBeGreaterThan(80);
    const js = await runCli(["log", raw("vllm-52435-heads-not-divisible-tp3.md"), "--json"], { COLUMNS: "80" });
    expect(() => JSON.parse(js.out) as unknown).not.toThrow();
  });
});

describe("vram-plan log differences that round to zero", () => {
  it("print 0.00 without a sign: weights 14.9888 GB logged vs the catalog's llama3.1-8b differ by under 0.005 GiB", async () => {
    for (const fmt of [["--format", "markdown"], []]) {
      const result = await runCli(["log", raw("vllm-10517-llama3.1-8b-20k.md"), "--model", "llama3.1-8b", ...fmt], { COLUMNS: "250" });
      const weights = result.out.split("\n").find((l) => /^\|? ?weights\b/.test(l)) ?? "";
      expect(weights).toMatch(/ 0\.00 GiB \(0\.0 %\)/);
      // No signed zero anywhere: −0.00, +0.00, ±0.00, −0.0 %.
      expect(result.out).not.toMatch(/[−+±]0\.0+(?!\d*[1-9])(?![\d])/);
      // A real difference keeps its sign.
      expect(result.out).toMatch(/−0\.15 GiB \(−42\.9 %\)/);
    }
  });
});

describe("vram-plan log when it cannot re-plan", () => {
  it("says once that it did not re-plan, and what a re-plan would use: never 'Not re-planned' beside 'planned with'", async () => {
    const result = await runCli(["log", raw("vllm-pr13596-v1-kv-tokens.md")]);
    expect(result.out).toContain("Not re-planned: the log does not determine");
    expect(result.out).not.toMatch(/\bplanned with\b/);
    expect(result.out.replace(/\n\s+/g, " ")).toContain("note: the log shows no vLLM flags: a re-plan would use vLLM's defaults");
    // Over every raw log: a note saying how it was planned only where there is a plan.
    const logs = readdirSync(RAW_LOG_DIR).filter((f) => f !== "SOURCES.md");
    let unplanned = 0;
    for (const f of logs) {
      const j = JSON.parse((await runCli(["log", raw(f), "--json", "--offline"])).out) as { plan: unknown; notes: string[] };
      if (j.plan === null) {
        unplanned++;
        expect({ f, notes: j.notes.filter((n) => /\bplanned with\b/.test(n)) }).toEqual({ f, notes: [] });
      }
    }
    expect(unplanned).toBeGreaterThan(0);
    // With the model given, the same log is planned and says how.
    const planned = await runCli(["log", raw("vllm-10517-llama3.1-8b-20k.md"), "--model", "llama3.1-8b"], { COLUMNS: "250" });
    expect(planned.out).toContain("planned with vLLM's defaults");
    expect(planned.out).not.toContain("Not re-planned");
  });
});

describe("a figure of the log that vLLM's flag would refuse", () => {
  it("is dropped and said, as a refused flag of the log is (a log cut inside 'gpu_memory_utilization 0.90')", async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    // fixtures/vllm-logs/raw/vllm-pr10511-llama3-8b-tp1.md line 6 prints 'gpu_memory_utilization       0.90';
    // cut after its '0' the log states a utilization of 0, outside vLLM's (0, 1] (CacheConfig gt=0, le=1).
    const text = readFileSync(raw("vllm-pr10511-llama3-8b-tp1.md"), "utf8");
    const cut = text.slice(0, text.indexOf("gpu_memory_utilization       0.90") + "gpu_memory_utilization       0".length);
    const file = join(mkdtempSync(join(tmpdir(), "vram-plan-cut-log-")), "cut.log");
    writeFileSync(file, cut);
    const result = await runCli(["log", file, "--json", "--offline"]);
    const j = JSON.parse(result.out) as { notes: string[] };
    // At 423508f the note was there; 22e0ce2 (the log's figures as numbers) dropped the range check with it.
    expect(j.notes).toContain("ignored --gpu-memory-utilization 0 from the log (--gpu-memory-utilization: expected a fraction in (0, 1], got '0')");
  });
});

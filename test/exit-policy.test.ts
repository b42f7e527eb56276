// Every command's exit code comes from the one policy (core/exit.ts exitCodeFor): run() is watched
// calling it, and the code it returns is the policy's answer for the outcome the command reported.
// The core's two internal invariants throw InternalError, which the policy counts as a bug (3), and
// no input reaches them.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { Outcome } from "../src/core/exit.js";

const seen: Outcome[] = [];
vi.mock("../src/core/exit.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/core/exit.js")>();
  return {
    ...real,
    exitCodeFor: (outcome: Outcome) => {
      seen.push(outcome);
      return real.exitCodeFor(outcome);
    },
  };
});

const { runCli } = await import("./helpers/cli.js");
const { exitCodeFor } = await import("../src/core/exit.js");
const { failureOf } = await import("../src/cli/run.js");
const { ConfigError, InternalError, ResizeError, VersionError } = await import("../src/core/errors.js");
const { InputError } = await import("../src/errors.js");
const { runSweep } = await import("../src/core/sweep.js");
const { hybridKvPlan } = await import("../src/core/hybrid-kv.js");
const { planDeployment } = await import("../src/core/plan.js");
const { catalog, loadCatalogFiles } = await import("../src/sources/catalog.js");
const { modelArchFromConfig } = await import("../src/core/architecture.js");
const { flags, gpu, model } = await import("./helpers/models.js");
const { rawLog: raw } = await import("./helpers/vllm-logs.js");


/** A stand-in nvidia-smi: two H100s (fixtures/nvidia-smi's figures) with 1 GiB used and no process. */
function nvidiaSmiDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "vram-plan-exit-"));
  const gpus = "0, GPU-5f1c2a0e-1111-2222-3333-444455556666, NVIDIA H100 80GB HBM3, 81559, 480, 1024, Disabled, 9.0\n";
  writeFileSync(join(dir, "nvidia-smi"), `#!/bin/sh\ncase "$1" in\n  --query-gpu=*) printf '${gpus}';;\n  --query-compute-apps=*) ;;\n  *) exit 3;;\nesac\n`);
  chmodSync(join(dir, "nvidia-smi"), 0o755);
  return dir;
}

/** Runs argv and returns the code with the outcome the command handed to the policy. */
async function outcomeOf(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; outcome: Outcome | undefined; err: string }> {
  seen.length = 0;
  const ran = await runCli(argv, env);
  const outcome = seen.at(-1);
  return { code: ran.code, outcome, err: ran.err };
}

describe("every command's exit goes through exitCodeFor", () => {
  const out = mkdtempSync(join(tmpdir(), "vram-plan-web-"));
  // [argv, the outcome's command (or error), the code]
  const cases: [string, string[], string, number, Record<string, string>?][] = [
    ["plan (starts)", ["plan", "--model", "qwen3-8b", "--gpu", "h100", "--offline"], "plan", 0],
    ["plan (would not start)", ["plan", "--model", "qwen2.5-vl-7b", "--gpu", "rtx4090", "--offline"], "plan", 1],
    ["plan --sweep", ["plan", "--model", "qwen3-8b", "--gpu", "h100", "--sweep", "max-model-len=8k,16k", "--offline"], "sweep", 0],
    ["check", ["check", "fixtures/ci/deploy/k8s.yaml", "--gpu", "h100", "--offline"], "check", 0],
    ["solve", ["solve", "--model", "qwen3-8b", "--gpu", "h100", "--offline"], "solve", 0],
    ["compare", ["compare", "--model", "qwen3-8b", "--gpu", "h100", "--prompt-tokens", "1000", "--offline"], "compare", 0],
    ["log (a failed start-up)", ["log", raw("vllm-25837-free-memory-4gb.log"), "--offline"], "log", 1],
    ["watch", ["watch", "--model", "Qwen/Qwen3-8B", "--max-model-len", "8192", "--interval", "0", "--count", "1", "--offline"], "watch", 1, { PATH: `${nvidiaSmiDir()}:/usr/bin:/bin` }],
    ["tokens", ["tokens", "--model", "qwen2.5-vl-7b", "--image", "1024x768", "--offline"], "info", 0],
    ["models", ["models"], "info", 0],
    ["gpus", ["gpus"], "info", 0],
    ["schema", ["schema"], "info", 0],
    ["web", ["web", "--out", join(out, "site")], "info", 0],
    ["--help", ["--help"], "info", 0],
    ["bad input", ["plan", "--model", "qwen3-8b", "--gpu", "h100", "--gpu-memory-utilization", "1.5", "--offline"], "input", 2],
  ];
  for (const [name, argv, kind, code, env] of cases) {
    it(`${name}: ${kind} → ${code}`, async () => {
      const r = await outcomeOf(argv, env);
      expect(r.outcome, r.err).toBeDefined();
      const o = r.outcome as Outcome;
      expect("error" in o ? o.error : o.command).toBe(kind);
      expect(r.code, r.err).toBe(code);
      expect(r.code).toBe(exitCodeFor(o));
    });
  }
});

describe("the core's internal invariants: typed, a bug (exit 3), unreachable from input", () => {
  it("failureOf: InternalError and any untyped error are bugs; typed input errors are bad input", () => {
    expect(exitCodeFor(failureOf(new InternalError("x")))).toBe(3);
    expect(exitCodeFor(failureOf(new Error("x")))).toBe(3);
    expect(exitCodeFor(failureOf(new ConfigError("x")))).toBe(2);
    expect(exitCodeFor(failureOf(new ResizeError("x")))).toBe(2);
    // Every edge refuses an unreadable release first (checkedRelease, exit 2 naming the flag): one reaching the core is a bug.
    expect(exitCodeFor(failureOf(new VersionError("x")))).toBe(3);
    expect(exitCodeFor(failureOf(new InputError("--gpu", "x")))).toBe(2);
  });
  it("runSweep without a GPU and hybridKvPlan with a page smaller than a Mamba state throw InternalError", () => {
    expect(() => runSweep({ model: model("qwen3-8b"), gpu: null, base: flags(), axes: [{ key: "max-model-len", values: [8192] }] })).toThrow(InternalError);
    // 16 tokens × 4096 B = 65,536 B of attention page < a 1 MiB Mamba state: a block hybridAlignBlockSize never returns.
    expect(() => hybridKvPlan({ attentionLayers: 1, mambaLayers: 1, attnBytesPerTokenPerLayer: 4096, mambaPageBytes: 2 ** 20, blockSize: 16, availableBytes: 2 ** 30, maxModelLen: 4096, maxNumSeqs: 1 })).toThrow(InternalError);
  });
  it("no hybrid model of the catalog reaches the page invariant at any --block-size vLLM takes, tensor-parallel 1-4, any release", () => {
    const hybrids = catalog()
      .map((e) => modelArchFromConfig(e.hfId, loadCatalogFiles(e)))
      .filter((m) => m.hybrid);
    expect(hybrids.length).toBeGreaterThan(3);
    let plans = 0;
    for (const model of hybrids) {
      for (const blockSize of [1, 8, 16, 32, 64, 128, 256, 528]) {
        for (const tp of [1, 2, 4]) {
          for (const vllmVersion of ["0.10.2", "0.14.0", "0.29.0"]) {
            expect(() => planDeployment({ model, gpu: gpu("h200"), flags: flags({ blockSize, tensorParallelSize: tp, vllmVersion }) }), `${model.id} block ${blockSize} tp ${tp} v${vllmVersion}`).not.toThrow(InternalError);
            plans++;
          }
        }
      }
    }
    expect(plans).toBe(hybrids.length * 8 * 3 * 3);
  });
});

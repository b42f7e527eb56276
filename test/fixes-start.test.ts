// Every fix printed, applied as a user would, makes the plan start (issue #12, "how it is judged"):
// the fixes of `plan --json` over a grid of catalog models, GPUs and flags, each applied to the argv
// (the flag replaced where given, else appended, with its companions) and planned again through the
// CLI, so the printed values themselves (rounded lengths, JSON limits, utilizations) are what is tried.
// scripts/fixes-start.mjs runs the same over the whole catalog, every GPU and more flags (npm run build first).
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

const MODELS = ["qwen2.5-vl-7b", "llama3.1-70b", "phi-4", "gpt-oss-20b", "qwen3-30b-a3b", "gemma-3-27b", "nemotron-h-56b-base-8k"];
const GPUS = ["t4", "l4", "rtx4090", "a100-40g", "h100"];
const VARIANTS: string[][] = [[], ["--max-model-len", "32768"], ["-tp", "2"], ["--kv-cache-dtype", "fp8"]];
const SHORT: Record<string, string> = { "--tensor-parallel-size": "-tp", "--pipeline-parallel-size": "-pp" };

function withFlag(argv: string[], flag: string, value: string): string[] {
  const out = [...argv];
  const i = out.findIndex((a) => a === flag || a === SHORT[flag]);
  if (i >= 0) out.splice(i, 2, flag, value);
  else out.push(flag, value);
  return out;
}

interface Fix {
  flag: string;
  value: string;
  with?: { flag: string; value: string }[];
}

describe("every fix printed starts the plan (CLI, as printed)", () => {
  it(`${MODELS.length} models × ${GPUS.length} GPUs × ${VARIANTS.length} flag sets`, async () => {
    let failing = 0;
    let tried = 0;
    const bad: string[] = [];
    for (const m of MODELS) {
      for (const g of GPUS) {
        for (const v of VARIANTS) {
          const argv = ["--model", m, "--gpu", g, ...v, "--json"];
          const result = await runCli(argv);
          if (result.code !== 1) continue;
          failing++;
          const plan = JSON.parse(result.out) as { diagnostics: { code: string; fix?: Fix[] }[] };
          for (const d of plan.diagnostics) {
            for (const f of d.fix ?? []) {
              let again = argv;
              for (const c of [f, ...(f.with ?? [])]) again = withFlag(again, c.flag, c.value);
              tried++;
              if ((await runCli(again)).code !== 0) bad.push(`${d.code}: ${again.join(" ")}`);
            }
          }
        }
      }
    }
    expect(bad).toEqual([]);
    // The grid must exercise failing plans and their fixes, not only plans that start.
    expect(failing).toBeGreaterThan(40);
    expect(tried).toBeGreaterThan(100);
  }, 120_000);
});

// vram-plan check: run in-process with a fake Io; exact exit codes, messages and numbers.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { type Ran, runCli, unwrapped } from "./helpers/cli.js";
import { logicalCheckText } from "./helpers/check-text.js";
import { describe, expect, it } from "vitest";
import { flagsOfDeployment } from "../src/commands/check.js";
import { splitShellWords } from "../src/sources/vllm-argv.js";
/** The check command through the CLI body (src/cli/run.ts run()). */
async function check(argv: string[]): Promise<Ran> {
  const r = await runCli(["check", ...argv]);
  return { ...r, out: logicalCheckText(argv, r.out) };
}

const D = "fixtures/deployments/";
const CI = "fixtures/ci/";

describe("check: exit 2 only for files that cannot be read or parsed, or no deployment anywhere", () => {
  it("YAML syntax error: the file and line on stderr; the other files are still checked", async () => {
    const result = await check([`${D}broken-yaml.yaml`, "--offline"]);
    expect(result.code).toBe(2);
    expect(result.out).toBe("No vLLM deployment in the files given. 1 file could not be read or parsed.\n");
    expect(unwrapped(result.err)).toBe(`vram-plan: ${D}broken-yaml.yaml:4: YAML syntax error: Nested mappings are not allowed in compact mappings\n`);
    const both = await check([`${D}broken-yaml.yaml`, `${CI}deploy/k8s.yaml`, "--offline"]);
    expect(both.code).toBe(2);
    expect(both.out).toMatch(/^ok {3}fixtures\/ci\/deploy\/k8s\.yaml:19 llama-8b\/vllm — meta-llama\/Llama-3\.1-8B-Instruct on 1× l4, vLLM 0\.11\.0: /);
  });
  it("a .json file cut short: where it stops being JSON (as --model's config.json), not the YAML parser's 'Flow map must end with a }'", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "vram-plan-check-")), "vram-plan.json");
    writeFileSync(file, '{"deployments": [\n  {"name": "chat",\n');
    const result = await check([file, "--offline"]);
    expect(result.code).toBe(2);
    // Line 3, column 1: the end of the text, where a property name or '}' was still owed.
    expect(unwrapped(result.err)).toBe(`vram-plan: ${file}:3:1: not valid JSON (unexpected end of file, expected a property name in double quotes; cut short?)\n`);
  });
  it("schema violation in vram-plan's own file", async () => {
    const r = await check([`${D}vram-plan-invalid.yaml`, "--offline"]);
    expect(r.code).toBe(2);
    expect(unwrapped(r.err)).toBe(`vram-plan: ${D}vram-plan-invalid.yaml:7: deployments[0].require.maxUtilization: expected a fraction in (0, 1]\n`);
  });
  it("a flag without its value: that deployment's finding (exit 1), with its line", async () => {
    const result = await check([`${D}missing-value.sh`, "--gpu", "h100", "--offline"]);
    expect(result.code).toBe(1);
    expect(result.err).toBe("");
    expect(result.out).toContain(`NEED ${D}missing-value.sh:3 script line 3: line 5: --tensor-parallel-size needs a value\n`);
  });
  it("a file without vLLM is skipped with a note; none anywhere, or a missing file, is exit 2", async () => {
    const none = await check([`${D}no-vllm.yaml`]);
    expect(none.code).toBe(2);
    expect(none.out).toBe(`note ${D}no-vllm.yaml: skipped: no vLLM deployment\nNo vLLM deployment in the files given. 1 file skipped (no vLLM deployment).\n`);
    expect(none.err).toBe("vram-plan: no vLLM deployment in any file given\n");
    const mixed = await check([`${D}no-vllm.yaml`, `${CI}deploy/k8s.yaml`, "--offline"]);
    expect(mixed.code).toBe(0);
    expect(mixed.out).toContain(`note ${D}no-vllm.yaml: skipped: no vLLM deployment\n`);
    const result = await check(["fixtures/ci/nope.yaml"]);
    expect(result.code).toBe(2);
    expect(result.err).toBe("vram-plan: fixtures/ci/nope.yaml: cannot read (no such file)\n");
  });
  it("a model that cannot be resolved offline: one line on that deployment, the others still planned (exit 1)", async () => {
    const result = await check([`${D}k8s-deployment.yaml`, "--offline"]);
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      `NEED ${D}k8s-deployment.yaml:75 qwen-coder/server: model Qwen/Qwen2.5-Coder-32B-Instruct: not in the catalog or the Hugging Face cache, and offline mode (--offline / HF_HUB_OFFLINE=1) forbids the Hub\n`,
    );
    expect(result.out).toMatch(/^ok {3}fixtures\/deployments\/k8s-deployment\.yaml:31 llama-8b\/vllm — meta-llama\/Llama-3\.1-8B-Instruct on 1× a100-80g, vLLM 0\.10\.1: /m);
  });
  it("no GPU type anywhere (a finding), an unknown --gpu and a bad constraint (exit 2)", async () => {
    const none = await check([`${CI}deploy/docker-compose.yaml`, "--offline"]);
    expect(none.code).toBe(1);
    expect(none.out).toContain(
      `NEED ${CI}deploy/docker-compose.yaml:4 vllm: GPU type unknown: pass --gpu <id> (vram-plan gpus lists them) or --gpu-memory <size>, or give the pod a node selector vram-plan recognizes\n`,
    );
    const result = await check([`${CI}deploy/docker-compose.yaml`, "--gpu", "h1000", "--offline"]);
    expect(result.code).toBe(2);
    expect(unwrapped(result.err)).toMatch(/^vram-plan: --gpu h1000: unknown GPU; did you mean h100-sxm, /);
    const outcome = await check([`${CI}deploy/k8s.yaml`, "--require-concurrency", "lots", "--offline"]);
    expect(outcome.code).toBe(2);
    expect(unwrapped(outcome.err)).toBe("vram-plan: --require-concurrency: expected N or N@LEN such as 32 or 32@8k, got 'lots'\n");
    // check's constraint flags are read by the same readers as solve's (sources/flag-values.ts), bounds and words alike.
    const ctx = await check([`${CI}deploy/k8s.yaml`, "--require-context", "1e30", "--offline"]);
    expect(ctx.code).toBe(2);
    expect(unwrapped(ctx.err)).toBe("vram-plan: --require-context: expected a token count from 1 to 2147483648 such as 32768, 32k (32000) or 32K (32768), got '1e30'\n");
    const u = await check([`${CI}deploy/k8s.yaml`, "--max-utilization", "1.5", "--offline"]);
    expect(u.code).toBe(2);
    expect(unwrapped(u.err)).toBe("vram-plan: --max-utilization: expected a fraction in (0, 1], got '1.5'\n");
  });
  it("an invalid flag value in a file names the file, line and flag", async () => {
    await expect(flagsOfDeployment({ "enforce-eager": "maybe" }, "x.yaml:3: chat")).rejects.toThrow("x.yaml:3: chat: --enforce-eager: expected true or false, got 'maybe'");
    await expect(flagsOfDeployment({ "gpu-memory-utilisation": "0.5" }, "x.yaml:3: chat")).rejects.toThrow(
      "x.yaml:3: chat: --gpu-memory-utilisation: unrecognized vLLM argument (did you mean --gpu-memory-utilization?)",
    );
  });
});

describe("check: verdicts", () => {
  it("the GitHub Actions example: its exact command passes on the CI fixtures (exit 0, markdown summary)", async () => {
    const wf = parse(readFileSync(`${CI}github-actions.yml`, "utf8")) as { jobs: Record<string, { steps: { run?: string; shell?: string }[] }> };
    const step = Object.values(wf.jobs).flatMap((j) => j.steps).find((s) => s.run?.includes("vram-plan check"));
    expect(step?.shell).toBe("bash"); // pipefail keeps the exit code through tee
    const cmd = (step?.run ?? "").replace(/\\\n/g, " ").split("|")[0] ?? "";
    const words = splitShellWords(cmd);
    const args = words.slice(words.indexOf("check") + 1);
    // The shell expands deploy/*.yaml in the repository; here the repository is fixtures/ci.
    const files = args.flatMap((a) => {
      const glob = /^(.*)\/\*(\.\w+)$/.exec(a);
      if (!glob) return a.startsWith("-") || /^\d|^l40s$|^markdown$|GiB$/.test(a) ? [a] : [CI + a];
      return readdirSync(CI + glob[1]).filter((f) => f.endsWith(glob[2] ?? "")).sort().map((f) => `${CI}${glob[1]}/${f}`);
    });
    expect(files).toEqual([`${CI}deploy/docker-compose.yaml`, `${CI}deploy/k8s.yaml`, `${CI}deploy/vram-plan.yaml`, "--gpu", "l40s", "--require-context", "8k", "--headroom", "1GiB", "--format", "markdown"]);
    const result = await check([...files, "--offline"]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    const lines = result.out.split("\n");
    expect(lines[0]).toBe("### ✅ vram-plan check");
    expect(lines[2]).toBe("| | deployment | model | GPUs | vLLM | KV cache | concurrency | result |");
    // Qwen3-32B, TP 2: 64 layers × 2 (K, V) × 4 KV heads per rank × 128 × 2 B = 131,072 B per token per GPU;
    // 312,032 tokens = 19,502 blocks of 16; a 32,768-token request needs 2,048 blocks → 19,502 / 2,048 = 9.52.
    expect(result.out).toContain("| ✅ | `fixtures/ci/deploy/vram-plan.yaml:4` coder | Qwen/Qwen3-32B | 2 × h100-sxm | 0.29.0 | 38.09 GiB, 312,032 tokens | 9.52x at 32,768 | starts; constraints met |");
    expect(result.out).toContain("| ✅ | `fixtures/ci/deploy/k8s.yaml:19` llama-8b/vllm | meta-llama/Llama-3.1-8B-Instruct | 1 × l4 | 0.11.0 |");
    expect(result.out).toContain("**3 deployments checked: all start and meet their constraints.**");
  });

  it("a deployment that would not start: exit 1, reason and fix on its line", async () => {
    const result = await check([`${CI}oversized/k8s-70b.yaml`, "--offline"]);
    expect(result.code).toBe(1);
    // The file pins vllm/vllm-openai:v0.11.0, so v0.11's rules apply: default utilization 0.90 and the
    // native top-k/top-p sampler (256 rows × 128,256 vocab × 38 B = 1.16 GiB, plus hidden states).
    // Llama-3.1-70B: 70.6 B parameters × 2 B = 131.45 GiB of weights > 0.90 × 79.15 GiB = 71.24 GiB budget.
    // TP 2: 71.24 − 65.73 (weights) − 1.20 (activations) − 0.20 (non-torch) ≈ 4.1 GiB < 5 GiB that one
    // 32,768-token request needs (32,768 × 160 KiB: 80 layers × 2 × 4 heads × 128 × 2 B), so TP 4.
    expect(result.out).toBe(
      "FAIL fixtures/ci/oversized/k8s-70b.yaml:18 llama-70b/vllm — meta-llama/Llama-3.1-70B-Instruct on 1× a100-80g, vLLM 0.11.0: does not start: no memory left for the KV cache (weights 131.45 GiB + activations 1.20 GiB vs a budget of 71.24 GiB at utilization 0.9) — fix: --tensor-parallel-size 4 (needs 4 GPUs)\n" +
        "1 deployment checked: 1 fails, 0 pass.\n",
    );
  });

  it("vram-plan's own file: constraints from the file; KV below max-model-len", async () => {
    const result = await check([`${D}vram-plan.yaml`, "--offline"]);
    expect(result.code).toBe(1);
    // Each deployment's notes follow its line (asserted in test/text-width.test.ts).
    const lines = result.out.trimEnd().split("\n").filter((l) => !l.startsWith("     note: "));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^ok   fixtures\/deployments\/vram-plan\.yaml:3 chat — Qwen\/Qwen3-32B on 2× h100-sxm, vLLM 0\.29\.0: /);
    expect(lines[1]).toMatch(/^ok   fixtures\/deployments\/vram-plan\.yaml:18 vision — /);
    // Llama-3.2-3B: 28 layers × 2 × 8 KV heads × 128 × 2 B = 114,688 B per token; 131,072 tokens = 14.00 GiB exactly.
    expect(lines[2]).toContain("FAIL fixtures/deployments/vram-plan.yaml:28 small — meta-llama/Llama-3.2-3B-Instruct on 1× l4, vLLM 0.29.0: does not start: KV cache 13.37 GiB < 14.00 GiB for one 131,072-token request");
    expect(lines[2]).toContain("— fix: --max-model-len 15360");
    expect(lines[3]).toBe("3 deployments checked: 1 fails, 2 pass.");
  });

  it("command-line constraints: concurrency at a length, utilization, context, headroom", async () => {
    // Llama-3.1-8B on L4 under the file's v0.11.0: 35,184 KV tokens = 2,199 blocks; 8,000 tokens = 500 blocks → 4.40 requests.
    const result = await check([`${CI}deploy/k8s.yaml`, "--require-concurrency", "64@8k", "--offline"]);
    expect(result.code).toBe(1);
    expect(result.out).toContain(": 4.40 concurrent requests of 8,000 tokens < 64 required — fix: --tensor-parallel-size 8 (needs 8 GPUs)\n");
    const ok = await check([`${CI}deploy/k8s.yaml`, "--require-concurrency", "4@8k", "--offline"]);
    expect(ok.code).toBe(0);
    const outcome = await check([`${CI}deploy/docker-compose.yaml`, "--gpu", "l40s", "--max-utilization", "0.85", "--offline"]);
    expect(outcome.code).toBe(1);
    expect(outcome.out).toContain("--gpu-memory-utilization 0.9 > 0.85 allowed — fix: --gpu-memory-utilization 0.85");
    const ctx = await check([`${CI}deploy/docker-compose.yaml`, "--gpu", "l40s", "--require-context", "32k", "--offline"]);
    expect(ctx.out).toContain("max-model-len 16,384 < required context 32,000 — fix: --max-model-len 32000");
    const h = await check([`${CI}deploy/docker-compose.yaml`, "--gpu", "l40s", "--headroom", "6GiB", "--offline"]);
    expect(h.code).toBe(1);
    expect(h.out).toMatch(/GiB left free per GPU < 6\.00 GiB headroom required — fix: --gpu-memory-utilization 0\.\d\d/);
  });

  it("--json: the verdict, the failures and the fixes as data", async () => {
    const result = await check([`${CI}oversized/k8s-70b.yaml`, `${CI}deploy/k8s.yaml`, "--json", "--offline"]);
    expect(result.code).toBe(1);
    const j = JSON.parse(result.out) as { ok: boolean; summary: object; deployments: { ok: boolean; failures: { kind: string; code?: string }[]; fixes: { text: string }[]; gpusUsed: number }[] };
    expect(j.ok).toBe(false);
    expect(j.summary).toEqual({ deployments: 2, passing: 1, failing: 1, notPlanned: 0 });
    expect(j.deployments[0]?.failures.map((f) => f.code)).toEqual(["NO_KV_CACHE_MEMORY"]);
    expect(j.deployments[0]?.fixes.map((f) => f.text)).toEqual(["--tensor-parallel-size 4 (needs 4 GPUs)"]);
    expect(j.deployments[1]?.ok).toBe(true);
  });
});

describe("flagsOfDeployment (the argument table)", () => {
  it("maps the modeled flags, merges dotted JSON keys, notes the rest", async () => {
    const parsed = await flagsOfDeployment(
      { "tensor-parallel-size": "2", "enforce-eager": "false", "limit-mm-per-prompt.image": "2", "kv-cache-memory-bytes": "20G", "enable-prefix-caching": true, "cpu-offload-gb": "4", "num-gpu-blocks-override": "512" },
      "f:1",
    );
    expect(parsed.flags.tensorParallelSize).toBe(2);
    expect(parsed.flags.enforceEager).toBe(false);
    expect(parsed.flags.limitMmPerPrompt).toEqual({ image: 2 });
    expect(parsed.flags.kvCacheMemoryBytes).toBe(20 * 2 ** 30); // human_readable_int: 20G = 20 × 2^30
    expect(parsed.flags.cpuOffloadBytes).toBe(4 * 2 ** 30); // --cpu-offload-gb is GiB
    expect(parsed.flags.notModeledFlags).toEqual(["--num-gpu-blocks-override"]);
  });
});

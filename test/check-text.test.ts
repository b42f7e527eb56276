// `vram-plan check` and `tokens` text fit the terminal (issue #12.13) and every planned deployment's
// line names the vLLM release it was planned with (issue #10.4), with every note of the deployment.
// Run over the real deployment files in fixtures/deployments/real and fixtures/ci.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { logicalCheckText } from "./helpers/check-text.js";

const visible = (l: string): number => [...l.replace(/\x1b\[[0-9;]*m/g, "")].length;
const widest = (s: string): number => Math.max(...s.split("\n").map(visible));

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : n.endsWith(".md") ? [] : [join(dir, n)]));
}
const FILES = [...filesUnder("fixtures/deployments/real"), ...filesUnder("fixtures/ci")];
const ARGS = ["check", ...FILES, "--gpu", "h100", "--offline", "--no-config"];

interface JsonDeployment {
  file: string;
  line: number;
  name: string;
  model: string;
  vllmVersion: string | null;
  gpu: string | null;
  gpusUsed?: number;
  problem: string | null;
  notes: string[];
}

describe("check text over the real deployment files", () => {
  it("every line within 80 columns (COLUMNS=80, and with colors on a terminal)", async () => {
    const plain = await runCli(ARGS, { COLUMNS: "80" });
    expect(plain.out.split("\n").length).toBeGreaterThan(100);
    expect(widest(plain.out)).toBeLessThanOrEqual(80);
    const tty = await runCli(ARGS, { COLUMNS: "80" }, true);
    expect(tty.out).toContain("\x1b[");
    expect(widest(tty.out)).toBeLessThanOrEqual(80);
    // No COLUMNS (not a terminal): 80 too; a wider terminal gets longer lines, still within it.
    expect(widest((await runCli(ARGS)).out)).toBeLessThanOrEqual(80);
    const wide = await runCli(ARGS, { COLUMNS: "160" });
    expect(widest(wide.out)).toBeGreaterThan(80);
    expect(widest(wide.out)).toBeLessThanOrEqual(160);
  });

  it("each planned deployment's first line names the release; every note of every deployment shows, FAIL lines included", async () => {
    const json = JSON.parse((await runCli([...ARGS, "--json"])).out) as { deployments: JsonDeployment[] };
    const text = logicalCheckText([], (await runCli(ARGS, { COLUMNS: "80" })).out);
    const planned = json.deployments.filter((d) => d.problem === null);
    expect(planned.length).toBeGreaterThanOrEqual(20);
    for (const d of planned) expect(text).toContain(`${d.file}:${d.line} ${d.name} — ${d.model} on ${d.gpusUsed}× ${d.gpu}, vLLM ${d.vllmVersion}: `);
    const notes = json.deployments.flatMap((d) => d.notes);
    expect(notes.length).toBeGreaterThan(40);
    // A word wider than the line (an image digest) is cut, so notes are compared without white space.
    const squeezed = text.replace(/\s+/g, "");
    for (const n of notes) expect(squeezed).toContain(`note:${n.replace(/\s+/g, "")}`);
    // The -Instruct warning was in the JSON only; it now follows its FAIL line.
    expect(text).toMatch(/^FAIL fixtures\/deployments\/real\/lws-vllm-gpu\.yaml:16 .*\n {5}note: meta-llama\/Llama-3\.1-405B-Instruct is not in the catalog and the Hub is off \(offline\): planned with the cataloged base config meta-llama\/Meta-Llama-3\.1-405B /m);
  });

  it("exact lines for two known files", async () => {
    // Llama-3.1-70B in bf16 on one A100 80GB (the file's GPU and v0.11.0 image): 131.45 GiB of weights
    // against a 0.9 budget; the fix search finds TP 4 (render/check.ts: verdict on the status line,
    // fix and notes on their own lines).
    const oversized = await runCli(["check", "fixtures/ci/oversized/k8s-70b.yaml", "--offline", "--no-config"], { COLUMNS: "80" });
    expect(oversized.code).toBe(1);
    expect(oversized.out).toBe(
      [
        "FAIL fixtures/ci/oversized/k8s-70b.yaml:18 llama-70b/vllm —",
        "     meta-llama/Llama-3.1-70B-Instruct on 1× a100-80g, vLLM 0.11.0: does not",
        "     start: no memory left for the KV cache (weights 131.45 GiB + activations",
        "     1.20 GiB vs a budget of 71.24 GiB at utilization 0.9)",
        "     fix: --tensor-parallel-size 4 (needs 4 GPUs)",
        "1 deployment checked: 1 fails, 0 pass.",
        "",
      ].join("\n"),
    );
    // The LeaderWorkerSet: TP 8 × PP 2 = 16 GPUs, 8 per pod; v0.8.5 from the image tag.
    const lws = await runCli(["check", "fixtures/deployments/real/gke-lws-llama3-405b.yaml", "--gpu", "h100", "--offline", "--no-config"], { COLUMNS: "80" });
    expect(lws.out.split("\n").slice(0, 9)).toEqual([
      "FAIL fixtures/deployments/real/gke-lws-llama3-405b.yaml:34 vllm/vllm-leader —",
      "     meta-llama/Meta-Llama-3.1-405B-Instruct on 16× h100-sxm, vLLM 0.8.5: needs",
      "     16 GPUs (tensor × pipeline × data parallel), the deployment has 8",
      "     fix: give it 16 GPUs",
      "     note: meta-llama/Meta-Llama-3.1-405B-Instruct is not in the catalog and the",
      "       Hub is off (offline): planned with the cataloged base config",
      "       meta-llama/Meta-Llama-3.1-405B (same layers and weight shapes; its",
      "       max_position_embeddings is 131072, which the -Instruct release may not",
      "       share: pass --max-model-len to pin the context)",
    ]);
  });

  it("markdown (CI job summaries) is not wrapped", async () => {
    const md = await runCli([...ARGS, "--format", "markdown"], { COLUMNS: "80" });
    expect(widest(md.out)).toBeGreaterThan(200);
    expect(md.out).toMatch(/^\| ❌ \| `fixtures\/ci\/oversized\/k8s-70b\.yaml:18` llama-70b\/vllm \| meta-llama\/Llama-3\.1-70B-Instruct \| 1 × a100-80g \| 0\.11\.0 \|.*\*\*Fix:\*\* `--tensor-parallel-size 4` \(needs 4 GPUs\) \|$/m);
  });
});

describe("tokens text", () => {
  it.each([
    ["qwen2.5-vl-7b", "--video", "30s@2fps"],
    ["qwen3-vl-8b", "--video", "30s@2fps"],
    ["qwen2-vl-2b", "--video", "64f"],
    ["gemma-3-27b", "--image", "800x600"],
  ])("%s fits 80 columns", async (model, flag, value) => {
    const result = await runCli(["tokens", "--model", model, "--image", "1920x1080", "--image", "640x480", flag, value, "--offline"], { COLUMNS: "80" });
    expect(result.code).toBe(0);
    expect(widest(result.out)).toBeLessThanOrEqual(80);
    expect(result.out).toMatch(/\ntotal: \d+ LLM tokens\n$/);
  });

  it("exact lines: Qwen2.5-VL-7B, 1920x1080", async () => {
    // smart_resize to multiples of 28 (patch 14 × merge 2): 1080 → 1092, 1920 → 1932; 78 × 138 patches
    // = 10,764, merged 2×2 → 2,691 tokens.
    const result = await runCli(["tokens", "--model", "qwen2.5-vl-7b", "--image", "1920x1080", "--offline"], { COLUMNS: "80" });
    expect(result.out).toBe(
      [
        "Qwen/Qwen2.5-VL-7B-Instruct: patch 14, merge 2×2, temporal patch 2;",
        "  images 3136–12845056 pixels, video frames 100352–602112 pixels each",
        "1920x1080: image resized to 1932x1092:",
        "  10764 patches (78×138 per frame) → 2691 LLM tokens",
        "",
      ].join("\n"),
    );
  });
});

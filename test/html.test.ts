// --format html (render/html.ts, render/svg.ts): the report carries the plan's own numbers (the same
// KV tokens and GiB figures as --json), loads nothing from anywhere, and escapes every string a user
// or a file supplies.
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import type { Plan } from "../src/core/types.js";
import type { CheckReport } from "../src/core/check.js";
import { renderCheckHtml, renderPlanHtml } from "../src/render/html.js";
import { esc } from "../src/render/svg.js";
import { whatIfGain } from "../src/render/table.js";

const GIB = 2 ** 30;

/** Every external reference an HTML file could load: src/href/url()/@import to http(s) or protocol-relative. */
function externalLoads(html: string): string[] {
  return [...html.matchAll(/(?:src|href|xlink:href|action|poster)\s*=\s*["']?\s*(?:https?:)?\/\/[^"'\s>]*|url\(\s*["']?(?:https?:)?\/\/[^)]*\)|@import[^;]*/gi)].map((m) => m[0]);
}

function selfContained(html: string): void {
  expect(html.startsWith("<!doctype html>")).toBe(true);
  expect(externalLoads(html)).toEqual([]);
  expect(html).not.toMatch(/<script|<link|<iframe|<object|<embed|<img/i);
  // The page forbids loads even if a future change adds one.
  expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
}

/** data-value of the first element with `cls`. */
function dataValue(html: string, cls: string): number {
  const m = new RegExp(`class="[^"]*\\b${cls}\\b[^"]*" data-value="([0-9.]+)"`).exec(html);
  if (!m) throw new Error(`no ${cls} in the HTML`);
  return Number(m[1]);
}

/** The cells of the budget table that carry a field: [field, bytes, text]. */
function budgetCells(html: string): [string, number, string][] {
  return [...html.matchAll(/<td class="num" data-field="(\w+)" data-bytes="(-?\d+)">(?:<strong>)?(-?[0-9.]+)/g)].map((m) => [m[1] ?? "", Number(m[2]), m[3] ?? ""]);
}

describe("plan --format html", () => {
  it.each([
    // A vision model on one GPU (encoder phase, what-ifs), a pipeline of two stages with their own numbers,
    // and one that does not start (a diagnostic with its fixes).
    ["qwen2.5-vl-7b", ["--gpu", "a100-80g"]],
    ["llama-3.1-8b", ["--gpu", "l4", "-tp", "2", "-pp", "2", "--max-model-len", "16384"]],
    ["qwen2.5-32b", ["--gpu", "l4"]],
  ])("%s %j: the JSON's KV tokens and GiB figures, self-contained", async (model, args) => {
    const json = await runCli(["--model", model, ...args, "--json"]);
    const html = await runCli(["--model", model, ...args, "--format", "html"]);
    expect(html.code).toBe(json.code);
    expect(html.err).toBe("");
    const plan = JSON.parse(json.out) as Plan;
    const h = html.out;
    selfContained(h);
    expect(dataValue(h, "kv-tokens")).toBe(plan.kvCache.tokens);
    expect(h).toContain(`${plan.kvCache.tokens.toLocaleString("en-US")}</span> tokens`);
    expect(dataValue(h, "max-concurrency")).toBe(plan.kvCache.maxConcurrency);
    // Each budget cell: its bytes are the plan's, its text those bytes in GiB to two decimals.
    const cells = budgetCells(h);
    // 10 rows carry a field; a plan with no KV cache writes that one as 'none (X short)'.
    expect(cells.length).toBeGreaterThanOrEqual(plan.fits ? 9 : 8);
    const perGpu = plan.perGpu as unknown as Record<string, number>[];
    for (const [field, bytes, text] of cells) {
      expect(perGpu.some((g) => g[field] === bytes), field).toBe(true);
      if (field === "kvCacheBytes" && bytes === 0) continue;
      expect(text, field).toBe((bytes / GIB).toFixed(2));
    }
    // One stacked bar per group of identical stages; the KV segment's bytes are the plan's.
    const bars = h.match(/<svg class="stacked-bar"/g) ?? [];
    expect(bars.length).toBeGreaterThanOrEqual(1);
    const kvSeg = /data-segment="kv-cache" data-bytes="(\d+)"/.exec(h);
    if (plan.perGpu[0]!.kvCacheBytes > 0) expect(Number(kvSeg?.[1])).toBe(plan.perGpu[0]!.kvCacheBytes);
    // The report always carries the --explain lines.
    expect(h).toContain("How the numbers were computed");
    for (const l of plan.explain.length ? plan.explain : []) expect(h).toContain(esc(l.source));
    for (const d of plan.diagnostics) expect(h).toContain(`data-code="${d.code}"`);
  });

  it("a pipeline plan has a bar per stage whose numbers differ (stage 0 holds the embedding, the last the lm_head)", async () => {
    const h = (await runCli(["--model", "llama-3.1-8b", "--gpu", "l4", "-tp", "2", "-pp", "2", "--max-model-len", "16384", "--format", "html"])).out;
    expect(h.match(/<div class="gpu-bar"/g)?.length).toBe(2);
    expect(h).toContain("GPUs 0–1 (stage 0)");
    expect(h).toContain("GPUs 2–3 (stage 1)");
  });

  it("what-ifs are a bar chart of KV gained, one bar per lever with the table's gain", async () => {
    const plan = JSON.parse((await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--json"])).out) as Plan;
    const h = (await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--format", "html"])).out;
    const chart = /<svg class="bar-chart"[\s\S]*?<\/svg>/.exec(h)?.[0] ?? "";
    // Levers that move the KV cache by less than 0.01 GiB are left out (as in the table).
    const shown = plan.whatIf.filter((w) => Math.abs(w.kvGainBytes) >= 0.005 * GIB);
    expect(shown.length).toBeGreaterThan(0);
    expect(chart.match(/<rect /g)?.length).toBe(shown.length);
    for (const w of shown) expect(chart).toContain(`+${(w.kvGainBytes / GIB).toFixed(2)} GiB`);
  });

  it("a lever that costs KV cache is signed as log's differences and watch's drift are (format.ts signed)", () => {
    // Only the sign is read: ±0.5 GiB of KV cache per GPU.
    const whatIf = (kvGainBytes: number) => ({ kvGainBytes }) as Plan["whatIf"][number];
    expect([whatIfGain(whatIf(-0.5 * GIB)), whatIfGain(whatIf(0.5 * GIB))]).toEqual(["−0.50", "+0.50"]);
  });
});

describe("the budget table: one list of rows (render/table.ts budgetRows) in every format", () => {
  /** [label, first figure] of each budget row: HTML's <th>/<td>, markdown's | cells |. */
  const htmlRows = (html: string): string[][] => {
    const table = /<table class="budget">.*?<\/table>/s.exec(html)?.[0] ?? "";
    return [...table.matchAll(/<tr><th>([^<]*)<\/th><td[^>]*>(.*?)<\/td>/g)].map((m) => [m[1] ?? "", (m[2] ?? "").replace(/<[^>]+>/g, "")]);
  };
  /** The labels of markdown's budget table (its first table; "**" of the KV row dropped). */
  const mdLabels = (md: string): string[] => {
    const table = md.split("\n\n").find((block) => block.startsWith("| GiB |")) ?? "";
    return table.split("\n").slice(2).map((l) => (l.split(" | ")[0] ?? "").replace(/^\| /, "").replace(/\*\*/g, ""));
  };

  it("other processes on the GPU: HTML showed vLLM's 73.45 GiB as 'nvidia-smi will show', the terminal and markdown '– (out of memory)' with the others' 10 GiB", async () => {
    // H100: 79.18 GiB CUDA total; vLLM expects 73.45 GiB used, with the others' 10.00 GiB 83.45 > 79.18.
    const argv = ["--model", "qwen2.5-7b", "--gpu", "h100", "--other-process-memory", "10GiB", "--offline"];
    const html = htmlRows((await runCli([...argv, "--format", "html"])).out);
    const md = (await runCli([...argv, "--format", "markdown"])).out;
    const table = (await runCli(argv)).out;
    expect(html.slice(-3)).toEqual([
      ["CUDA context + NCCL", "0.61"],
      ["other processes", "10.00"],
      ["nvidia-smi will show ≈ (all)", "– (out of memory)"],
    ]);
    expect(md).toContain("| nvidia-smi will show ≈ (all) | – (out of memory) |\n");
    expect(table).toMatch(/│ nvidia-smi will show ≈ \(all\) +│ +– \(out of memory\) │/);
    // The same labels in the same order in HTML and markdown (markdown bolds the KV cache row).
    expect(html.map((r) => r[0])).toEqual(mdLabels(md));
    // GPU total, budget, weights, activation, non-torch, graphs (estimate), KV, outside, context, others, nvidia-smi.
    expect(html).toHaveLength(11);
  });

  it("the settings line lists what the terminal's does: the quantization (fp8) and eager mode were left out of markdown and HTML", async () => {
    const argv = ["--model", "qwen3-30b-a3b-fp8", "--gpu", "l4", "-tp", "2", "-pp", "2", "--enforce-eager", "--offline"];
    const settings = "utilization 0.92 · max-model-len 40,960 · max-num-seqs 256 · max-num-batched-tokens 2,048 · bfloat16 · fp8 · KV auto · eager";
    expect((await runCli(argv, { COLUMNS: "200" })).out.split("\n")).toContain(settings);
    expect((await runCli([...argv, "--format", "markdown"])).out.split("\n")).toContain(settings.replace(/ · /g, ", "));
    expect((await runCli([...argv, "--format", "html"])).out).toContain(`<span class="verdict ok" data-fits="true">✔ starts</span> · ${settings}</p>`);
  });

  it("--enforce-eager: no CUDA graphs is '–' in every format (markdown and HTML wrote 0.00)", async () => {
    const argv = ["--model", "qwen2.5-7b", "--gpu", "l4", "--enforce-eager", "--offline"];
    expect((await runCli([...argv, "--format", "markdown"])).out).toContain("| CUDA graphs | – |\n");
    expect(htmlRows((await runCli([...argv, "--format", "html"])).out)).toContainEqual(["CUDA graphs", "–"]);
    expect((await runCli(argv)).out).toMatch(/│ {3}CUDA graphs +│ +– │/);
  });
});

describe("escaping", () => {
  const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&`;
  const inert = esc(hostile);

  it("esc makes markup inert", () => {
    expect(inert).toBe("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;");
  });

  it("a model id and GPU name with markup stay text in a plan report", async () => {
    const plan = JSON.parse((await runCli(["--model", "qwen2.5-7b", "--gpu", "h100", "--json"])).out) as Plan;
    plan.model.id = hostile;
    plan.gpu.name = hostile;
    const html = renderPlanHtml(plan);
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain(inert);
    selfContained(html);
  });

  it("file names, deployment names, models, notes and file errors stay text in a check report", () => {
    const report: CheckReport = {
      entries: [{ file: `deploy/${hostile}.yaml`, line: 3, name: hostile, model: hostile, gpu: null, gpuCount: null, release: null, target: {}, targetText: {}, evaluation: null, problem: hostile, fixes: [], args: {}, notes: [hostile] }],
      fileNotes: [{ file: hostile, line: 1, text: hostile }],
      fileErrors: [hostile],
    };
    const html = renderCheckHtml(report);
    expect(html).not.toMatch(/<script>alert|<img src=x/);
    expect(html.split(inert).length - 1).toBeGreaterThanOrEqual(6);
    selfContained(html);
  });
});

describe("check, sweep and compare --format html", () => {
  it("check: every deployment of a real file, with the JSON's KV tokens", async () => {
    // A GKE Deployment (its node selector names an L4) and a docker run line (planned on --gpu a10g); both fail.
    const files = ["fixtures/deployments/real/gke-adk-deploy-llm.yaml", "fixtures/deployments/real/dagnaputra-docker-run.sh", "--gpu", "a10g"];
    const json = await runCli(["check", ...files, "--offline", "--no-config", "--json"]);
    const html = await runCli(["check", ...files, "--offline", "--no-config", "--format", "html"]);
    expect(html.code).toBe(1);
    expect(html.out).toContain("--max-model-len 28000");
    expect(html.code).toBe(json.code);
    const report = JSON.parse(json.out) as { deployments: { plan?: { kvCache: { tokens: number } } }[] };
    selfContained(html.out);
    const tokens = [...html.out.matchAll(/class="kv-tokens" data-value="(\d+)"/g)].map((m) => Number(m[1]));
    const planned = report.deployments.flatMap((d) => (d.plan ? [d.plan.kvCache.tokens] : []));
    expect(planned.length).toBe(2);
    // The summary table and each deployment's plan section both show them.
    expect(tokens.filter((t) => planned.includes(t)).length).toBe(4);
    expect(html.out.match(/<section class="check-entry"/g)?.length).toBe(2);
  });

  it("check --format html is accepted, a misspelled format names the choices", async () => {
    const bad = await runCli(["check", "fixtures/deployments/docker-compose.yaml", "--format", "htm"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("table, markdown, json, html");
  });

  it("sweep: line charts of KV tokens and concurrency against max-model-len, one line per utilization, the JSON's rows", async () => {
    const argv = ["--model", "qwen2.5-7b", "--gpu", "l4", "--sweep", "max-model-len=4K..32K", "--sweep", "gpu-memory-utilization=0.8,0.9"];
    const json = JSON.parse((await runCli([...argv, "--json"])).out) as { rows: { kvTokens: number }[] };
    const html = (await runCli([...argv, "--format", "html"])).out;
    selfContained(html);
    expect(html.match(/<figure class="line-chart"/g)?.length).toBe(2);
    // Two lines (one per utilization) in each chart, four points each.
    expect(html.match(/<polyline /g)?.length).toBe(4);
    expect(html).toContain("gpu-memory-utilization 0.80");
    expect(html).toContain("--max-model-len (tokens)");
    const rows = [...html.matchAll(/kv-tokens" data-value="(\d+)"/g)].map((m) => Number(m[1]));
    expect(rows).toEqual(json.rows.map((r) => r.kvTokens));
  });

  it("sweep of a category alone (kv-cache-dtype): one point per value, each at its own x", async () => {
    const h = (await runCli(["--model", "qwen2.5-7b", "--gpu", "l4", "--sweep", "kv-cache-dtype=auto,fp8", "--format", "html"])).out;
    const chart = /<figure class="line-chart">[\s\S]*?<\/figure>/.exec(h)?.[0] ?? "";
    const xs = new Set([...chart.matchAll(/<circle cx="([0-9.]+)"/g)].map((m) => m[1]));
    expect(xs.size).toBe(2);
    expect(chart).toContain(">fp8</text>");
  });

  it("compare: the offline and vLLM device figures of the JSON, and vLLM's plan", async () => {
    const argv = ["compare", "--model", "llama-3.1-8b", "--gpu", "h100", "--prompt-tokens", "4k"];
    const json = JSON.parse((await runCli([...argv, "--json"])).out) as { vllmUsedBytes: number; offline: { deviceBytes: number }; vllm: Plan };
    const html = (await runCli([...argv, "--format", "html"])).out;
    selfContained(html);
    expect(html).toContain(`vLLM shows <strong>${(json.vllmUsedBytes / GIB).toFixed(2)} GiB</strong>`);
    expect(html).toContain(`offline generate() <strong>${(json.offline.deviceBytes / GIB).toFixed(2)} GiB</strong>`);
    expect(dataValue(html, "kv-tokens")).toBe(json.vllm.kvCache.tokens);
  });
});

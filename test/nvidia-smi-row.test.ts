// The "nvidia-smi will show" row when start-up fails allocating: never a figure above the GPU's total.
import { describe, expect, it } from "vitest";
import { Chalk } from "chalk";
import { planDeployment } from "../src/core/plan.js";
import { renderTable } from "../src/render/table.js";
import { renderMarkdown } from "../src/render/markdown.js";
import { budgetTableHtml } from "../src/render/html.js";
import { flags, gpu, model, GiB } from "./helpers/models.js";

describe("nvidia-smi row", () => {
  it("--kv-cache-memory 80GiB on an L4 (21.99 GiB): '– (out of memory)' in table, markdown and HTML, not ≈ 96", () => {
    const plan = planDeployment({ model: model("qwen2.5-7b"), gpu: gpu("l4"), flags: flags({ kvCacheMemoryBytes: 80 * GiB }) });
    expect(plan.fits).toBe(false);
    expect(plan.diagnostics.map((d) => d.code)).toContain("KV_CACHE_MEMORY_ABOVE_FREE");
    const budget = plan.perGpu[0]!;
    // 80 GiB of KV + 14.19 GiB of weights alone exceed the 21.99 GiB total; JSON keeps the exact bytes.
    expect(budget.expectedUsedBytes).toBeGreaterThan(budget.totalBytes);
    const table = renderTable(plan, { chalk: new Chalk({ level: 0 }) });
    const md = renderMarkdown(plan);
    const html = budgetTableHtml(plan);
    for (const text of [table, md, html]) expect(text).toContain("– (out of memory)");
    expect(table.split("\n").find((l) => l.includes("nvidia-smi"))).not.toMatch(/\d+\.\d\d/);
    expect(md.split("\n").find((l) => l.includes("nvidia-smi"))).toBe("| nvidia-smi will show ≈ | – (out of memory) |");
  });

  it("a plan that starts keeps its figure", () => {
    const p = planDeployment({ model: model("qwen2.5-7b"), gpu: gpu("l4"), flags: flags({ maxModelLen: 4096 }) });
    expect(renderMarkdown(p)).not.toContain("out of memory");
  });
});

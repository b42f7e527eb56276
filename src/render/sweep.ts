// Sweep results as a plain column table (fast for many rows) or JSON.
import type { SweepResult, SweepRow } from "../core/sweep.js";
import { gib, thousands, wrapLine, concurrencyText, plural } from "./format.js";

const SHORT: Record<string, string> = {
  KV_CACHE_BELOW_MAX_MODEL_LEN: "KV cache < one max-model-len request",
  NO_KV_CACHE_MEMORY: "no memory for the KV cache",
  FREE_MEMORY_BELOW_BUDGET: "free memory < budget",
  HEADS_NOT_DIVISIBLE_BY_TP: "heads not divisible by TP",
  KV_HEADS_NOT_DIVISIBLE: "KV heads not divisible by TP",
  MAX_MODEL_LEN_ABOVE_DERIVED: "max-model-len > model maximum",
  LAYERS_FEWER_THAN_PP: "fewer layers than PP",
  MAX_NUM_SEQS_ABOVE_BATCHED_TOKENS: "max-num-seqs > max-num-batched-tokens",
  BF16_UNSUPPORTED: "no bf16 on this GPU",
  KV_CACHE_DTYPE_UNSUPPORTED: "KV cache dtype not usable here",
};

export interface SweepMeta {
  model: string;
  /** The GPU when not swept. */
  gpu: string | null;
  /** Whether each row's tensor-parallel size was searched (smallest that starts). */
  searchedTp: boolean;
}

function cells(row: SweepRow, res: SweepResult, meta: SweepMeta): string[] {
  const out: string[] = [];
  for (const axis of res.axes) {
    if (axis === "gpu") out.push(row.gpu);
    else if (axis === "max-model-len") out.push(thousands(row.maxModelLen));
    else if (axis === "gpu-memory-utilization") out.push(row.gpuMemoryUtilization.toFixed(2));
    else if (axis === "tensor-parallel-size") out.push(String(row.tensorParallelSize));
    else if (axis === "max-num-seqs") out.push(String(row.maxNumSeqs));
    else out.push(row.kvCacheDtype);
  }
  if (meta.searchedTp) out.push(row.fits ? String(row.gpus) : `> ${row.gpus}`);
  out.push(row.fits ? "yes" : "no");
  out.push(gib(row.kvCacheBytes));
  out.push(thousands(row.kvTokens));
  out.push(`${concurrencyText(row.maxConcurrency)}`);
  out.push(row.fits ? "" : row.error === "KV_CACHE_BELOW_MAX_MODEL_LEN" ? `KV cache holds ${thousands(row.estimatedMaxModelLen)} tokens` : (SHORT[row.error ?? ""] ?? row.error ?? ""));
  return out;
}

/** Column titles: the swept flag's vLLM name, shortened where the full name alone would crowd 80 columns. */
const TITLE: Record<string, string> = { "gpu-memory-utilization": "utilization", "tensor-parallel-size": "TP", "kv-cache-dtype": "KV dtype" };

/**
 * The table within `columns` (outputColumns: at least 80): the title wrapped, no "why not" column when
 * every row starts, and a row whose reason would pass the edge gets it on the next line, indented.
 */
export function renderSweepTable(res: SweepResult, meta: SweepMeta, columns = 80): string {
  const head: string[] = res.axes.map((a) => TITLE[a] ?? a);
  if (meta.searchedTp) head.push("GPUs");
  head.push("starts", "KV GiB/GPU", "KV tokens", "concurrency");
  const all = res.rows.map((r) => cells(r, res, meta));
  const rows = all.map((r) => r.slice(0, -1));
  const reasons = all.map((r) => r[r.length - 1] ?? "");
  const width = head.map((h, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? "").length), h.length));
  const numeric = head.map((h, i) => (i < res.axes.length ? res.axes[i] !== "gpu" && res.axes[i] !== "kv-cache-dtype" : h !== "starts"));
  const line = (r: readonly string[]): string => r.map((c, i) => (numeric[i] ? c.padStart(width[i] ?? 0) : c.padEnd(width[i] ?? 0))).join("  ").trimEnd();
  // "why not" is a column when the longest reason fits beside the figures, else a line under its row.
  const tableWidth = width.reduce((a, b) => a + b, 0) + 2 * (width.length - 1);
  const longest = Math.max(0, ...reasons.map((x) => x.length));
  const inline = longest > 0 && tableWidth + 2 + Math.max(longest, 7) <= columns;
  const out: string[] = [];
  const fits = res.rows.filter((r) => r.fits).length;
  out.push(...wrapLine(`${meta.model}${meta.gpu ? ` on ${meta.gpu}` : ""}: ${thousands(res.configurations)} ${plural(res.configurations, "configuration")}, ${thousands(fits)} start${meta.searchedTp ? " (GPUs: smallest tensor-parallel size that starts, of 1, 2, 4, 8)" : ""}`, columns));
  out.push(inline ? `${line(head)}  why not` : line(head));
  rows.forEach((row, index) => {
    const why = reasons[index] ?? "";
    if (!why) out.push(line(row));
    else if (inline) out.push(`${line(row).padEnd(tableWidth)}  ${why}`);
    else out.push(line(row), ...wrapLine(`    why not: ${why}`, columns));
  });
  return out.join("\n") + "\n";
}

export function sweepToJsonObject(res: SweepResult, meta: SweepMeta): object {
  return {
    model: meta.model,
    gpu: meta.gpu,
    axes: res.axes,
    searchedTensorParallel: meta.searchedTp,
    configurations: res.configurations,
    plans: res.plans,
    starting: res.rows.filter((r) => r.fits).length,
    rows: res.rows,
  };
}

export function renderSweepJson(res: SweepResult, meta: SweepMeta): string {
  return JSON.stringify(sweepToJsonObject(res, meta), null, 2) + "\n";
}

/** Markdown: the same table as a fenced block (its columns are aligned for a fixed-width font). */
export function renderSweepMarkdown(res: SweepResult, meta: SweepMeta): string {
  return "```text\n" + renderSweepTable(res, meta, 400) + "```\n";
}

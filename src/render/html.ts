// --format html: one self-contained HTML file per result (plan, compare, check, sweep). Inline CSS and
// SVG only (render/svg.ts): no script, no external font, image or style sheet, and a Content-Security-
// Policy that forbids every network load, so the file opens the same offline, in CI artifacts and on
// paper. Light and dark follow prefers-color-scheme. Every user-derived string (model ids, file names,
// GPU names, flag values) goes through `esc`. The numbers are the renderers' own (gib, thousands), the
// same figures as the table and markdown; each key figure also carries its exact value in a data-*
// attribute (bytes, tokens) for tools and tests.
import type { Plan } from "../core/types.js";
import type { Comparison } from "../core/compare.js";
import type { CheckEntry, CheckReport } from "../core/check.js";
import type { SweepResult, SweepRow } from "../core/sweep.js";
import { gib, gpuLayout, thousands, concurrencyText, gibText, plural } from "./format.js";
import { fixEntries, flagsText, messageFor } from "./messages.js";
import { explainValueText } from "./explain.js";
import { PHASE_LABELS, WHAT_IF_ALONE_FAILS, WHAT_IF_LABELS, budgetRows, planSettings, whatIfGain, hostText, plannedWith, shownWhatIfs, stageColumns, stageHeader, stageLabel, type BudgetCell } from "./table.js";
import { barChartSvg, barLegendHtml, esc, lineChartSvg, shortCount, stackedBarSvg, type Series } from "./svg.js";
import { compareHeader, compareRows, leverText, whyMessage } from "./compare.js";
import { checkPassed, checkSummary, failureText, fixesText, kvShown, solveCommand } from "./check.js";
import type { SweepMeta } from "./sweep.js";

export { esc };

/** The page's style: system fonts, light and dark schemes, print without backgrounds. */
export const HTML_STYLE = `
:root{color-scheme:light dark;--link:#0969da;--fg:#1b1f24;--bg:#fff;--muted:#57606a;--line:#d0d7de;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--card:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--link:#4493f8;--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#3d444d;--ok:#3fb950;--bad:#f85149;--warn:#d29922;--card:#161b22}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:980px;padding:24px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:14px;margin:16px 0 6px}
.muted{color:var(--muted)}.ok{color:var(--ok)}.bad{color:var(--bad)}.warn{color:var(--warn)}
.verdict{font-weight:700}
table{border-collapse:collapse;margin:8px 0;font-variant-numeric:tabular-nums}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
td.num,th.num{text-align:right}.num{font-variant-numeric:tabular-nums}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{background:var(--card);border:1px solid var(--line);padding:8px;overflow-x:auto;white-space:pre-wrap}
.legend{list-style:none;padding:0;margin:4px 0 12px;display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12.5px}
.legend li{display:flex;align-items:center;gap:5px}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin:8px 0}
.diag{margin:6px 0}.diag .code{font-family:ui-monospace,monospace;font-size:12px;color:var(--muted)}
.explain li{margin:2px 0}.explain .src{color:var(--muted);font-size:12.5px}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
svg{color:var(--fg)}
details>summary{cursor:pointer}
a{color:var(--link)}
.scroll{overflow-x:auto;max-width:100%}
table.check{font-size:13px}table.check td{overflow-wrap:anywhere}table.check td:first-child{overflow-wrap:normal;white-space:nowrap}table.check code{font-size:12px}
footer{margin-top:32px;font-size:12px;color:var(--muted)}
@media print{body{max-width:none;padding:0;color:#000;background:#fff}:root{--fg:#000;--bg:#fff;--muted:#444;--line:#999;--card:#fff}details{display:block}details>summary{list-style:none}.no-print{display:none}section{break-inside:avoid}}
`;

/** A whole document: the CSP forbids any load (no network, no file), styles are inline. */
export function htmlDocument(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="vram-plan">
<title>${esc(title)}</title>
<style>${HTML_STYLE}</style>
</head>
<body>
${body}
<footer>Made by vram-plan. GiB = 2<sup>30</sup> bytes, as vLLM prints them. Exact byte counts: <code>--json</code>.</footer>
</body>
</html>
`;
}

/** The per-GPU stacked bars, one per column of identical stages (as the terminal table groups them). */
export function gpuBarsHtml(plan: Plan): string {
  const out: string[] = [];
  for (const col of stageColumns(plan)) {
    const phase = PHASE_LABELS[col.g.activationPhase];
    out.push(`<div class="gpu-bar" data-stage="${col.firstStage}"><h3>${esc(stageHeader(plan, col))} <span class="muted">· ${esc(plan.gpu.name)}, ${gibText(col.g.totalBytes)}</span></h3>${stackedBarSvg(col.g, phase)}${barLegendHtml(col.g, phase)}</div>`);
  }
  return out.join("\n");
}

/** The budget table (render/table.ts budgetRows, as the terminal and markdown show it), one column per group of identical stages. */
export function budgetTableHtml(plan: Plan): string {
  const groups = stageColumns(plan);
  const rows = budgetRows(plan).map((row) => {
    const figure = (cell: BudgetCell): string => {
      const text = cell.bad ? `<span class="bad">${esc(cell.text)}</span>` : esc(cell.text);
      const shown = cell.note === undefined ? text : `${text} <span class="muted">(${esc(cell.note)})</span>`;
      return row.kind === "kv" ? `<strong>${shown}</strong>` : shown;
    };
    const field = row.field;
    const cells = groups.map((col) => `<td class="num"${field ? ` data-field="${field}" data-bytes="${String(col.g[field])}"` : ""}>${figure(row.cell(col.g))}</td>`).join("");
    return `<tr><th>${esc(row.label)}</th>${cells}</tr>`;
  });
  return `<table class="budget"><thead><tr><th>GiB</th>${groups.map((col) => `<th class="num">${esc(stageLabel(plan, col))}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** The KV-cache arithmetic in one sentence, each figure marked for tools (data-value: exact). */
export function kvLineHtml(plan: Plan): string {
  const kv = plan.kvCache;
  const engine = plan.engine;
  return `<p class="kv-line">KV cache: <span class="kv-blocks" data-value="${kv.numGpuBlocks}">${thousands(kv.numGpuBlocks)}</span> blocks of ${kv.blockSize} tokens, <strong><span class="kv-tokens" data-value="${kv.tokens}">${thousands(kv.tokens)}</span> tokens</strong>, maximum concurrency <strong><span class="max-concurrency" data-value="${kv.maxConcurrency}">${concurrencyText(kv.maxConcurrency)}</span></strong> at ${thousands(engine.maxModelLen)} tokens.</p>`;
}

/** Diagnostics with their fixes, cheapest first. */
export function diagnosticsHtml(plan: Plan): string {
  if (plan.diagnostics.length === 0) return "";
  const items = plan.diagnostics.map((diagnostic) => {
    const cls = diagnostic.severity === "error" ? "bad" : diagnostic.severity === "warning" ? "warn" : "muted";
    const fixes = fixEntries(diagnostic);
    const fix = fixes.length === 0 ? "" : fixes.length === 1 ? `<div>fix: <code>${esc(fixes[0] ?? "")}</code></div>` : `<div>fix (any one; cheapest first):<ul>${fixes.map((f) => `<li><code>${esc(f)}</code></li>`).join("")}</ul></div>`;
    return `<div class="diag" data-code="${esc(diagnostic.code)}"><strong class="${cls}">${esc(diagnostic.severity)}</strong> <span class="code">${esc(diagnostic.code)}</span>: ${esc(messageFor(diagnostic, plan))}${fix}</div>`;
  });
  return `<h2>Diagnostics</h2>${items.join("")}`;
}

/** What-ifs as a bar chart of KV cache gained per GPU, with their flags. */
export function whatIfsHtml(plan: Plan): string {
  const shown = shownWhatIfs(plan);
  if (shown.length === 0) return "";
  const chart = barChartSvg(shown.map((x) => ({ label: WHAT_IF_LABELS[x.code], value: x.kvGainBytes, text: `${whatIfGain(x)} GiB` })));
  const rows = shown.map((x) => `<tr><td>${esc(WHAT_IF_LABELS[x.code])}</td><td class="num">${gib(x.kvCacheBytes)}</td><td class="num">${whatIfGain(x)}</td><td class="num">${thousands(x.kvTokens)}</td><td class="num">${concurrencyText(x.maxConcurrency)}</td><td><code>${esc(flagsText(x.flags))}</code>${x.fits ? "" : ` <span class="bad">${esc(WHAT_IF_ALONE_FAILS)}</span>`}</td></tr>`);
  return `<h2>What if</h2><p class="muted">KV cache gained per GPU by each lever, re-planned.</p>${chart}<div class="scroll"><table class="what-if"><thead><tr><th>what if</th><th class="num">KV cache GiB</th><th class="num">gain GiB</th><th class="num">KV tokens</th><th class="num">concurrency</th><th>flags</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

/** The --explain lines, each with its source. */
export function explainHtml(plan: Plan, title = "How the numbers were computed"): string {
  if (plan.explain.length === 0) return "";
  const items = plan.explain.map((line) => {
    return `<li><strong>${esc(line.what)}</strong>: ${esc(line.formula)}${esc(explainValueText(line))}<br><span class="src">source: ${esc(line.source)}</span></li>`;
  });
  return `<details class="explain-block" open><summary><h2 style="display:inline">${esc(title)}</h2></summary><ul class="explain">${items.join("")}</ul></details>`;
}

/** The heading, verdict and settings of a plan. */
export function planHeaderHtml(plan: Plan, level: "h1" | "h3" = "h1"): string {
  const engine = plan.engine;
  const verdict = plan.fits ? `<span class="verdict ok" data-fits="true">✔ starts</span>` : `<span class="verdict bad" data-fits="false">✘ would not start</span>`;
  return `<${level}>${esc(plan.model.id)} on ${plan.gpu.count} × ${esc(plan.gpu.name)}${esc(gpuLayout(plan))} <span class="muted">(vLLM ${esc(engine.vllmVersion + plannedWith(plan))})</span></${level}>
<p>${[verdict, ...planSettings(plan).map(esc)].join(" · ")}</p>`;
}

/** Everything about one plan (also the web page's body): bars, table, KV line, host, what-ifs, diagnostics, explain. */
export function planSectionHtml(plan: Plan, opts: { level?: "h1" | "h3"; explain?: boolean } = {}): string {
  const parts = [planHeaderHtml(plan, opts.level ?? "h1"), gpuBarsHtml(plan), kvLineHtml(plan), budgetTableHtml(plan)];
  if (plan.host) parts.push(`<p>Host memory: ${esc(hostText(plan.host))}.</p>`);
  parts.push(whatIfsHtml(plan), diagnosticsHtml(plan));
  if (opts.explain !== false) parts.push(explainHtml(plan));
  return `<section class="plan" data-kv-tokens="${plan.kvCache.tokens}" data-fits="${plan.fits}">${parts.filter((p) => p !== "").join("\n")}</section>`;
}

export function renderPlanHtml(plan: Plan): string {
  return htmlDocument(`vram-plan: ${plan.model.id} on ${plan.gpu.count} × ${plan.gpu.name}`, planSectionHtml(plan));
}

export function renderCompareHtml(comparison: Comparison): string {
  const rows = compareRows(comparison).map(([a, b, d]) => `<tr><th>${esc(a.trim())}</th><td class="num">${esc(b)}</td><td class="num">${esc(d)}</td></tr>`);
  const diff = comparison.differenceBytes;
  const body = [
    `<h1>${esc(compareHeader(comparison))}</h1>`,
    `<p>vLLM shows <strong>${gibText(comparison.vllmUsedBytes)}</strong>, offline generate() <strong>${gibText(comparison.offline.deviceBytes)}</strong>: ${diff >= 0 ? `${gibText(diff)} more` : `${gibText(-diff)} less`} with vLLM.${comparison.offlineFits ? "" : ' <span class="bad">Offline generate() would not fit this GPU.</span>'}${comparison.vllm.fits ? "" : ' <span class="bad">vLLM would not start with these flags.</span>'}</p>`,
    barChartSvg([
      { label: "offline generate() (device)", value: comparison.offline.deviceBytes, text: `${gibText(comparison.offline.deviceBytes)}` },
      { label: `vLLM ${comparison.vllm.engine.vllmVersion} (device)`, value: comparison.vllmUsedBytes, text: `${gibText(comparison.vllmUsedBytes)}` },
      ...(comparison.levers.length ? [{ label: "vLLM with every lever", value: comparison.closest.vllmUsedBytes, text: `${gibText(comparison.closest.vllmUsedBytes)}` }] : []),
    ]),
    `<table class="compare"><thead><tr><th>GiB</th><th class="num">offline (transformers, ${esc(comparison.offline.attn)})</th><th class="num">vLLM ${esc(comparison.vllm.engine.vllmVersion)}</th></tr></thead><tbody>${rows.join("")}</tbody></table>`,
    `<h2>Why they differ</h2><ul>${comparison.why.map((w) => `<li>${esc(whyMessage(w, comparison))}</li>`).join("")}</ul>`,
    comparison.levers.length ? `<h2>Levers</h2><p class="muted">Each on top of the ones above.</p><ul>${comparison.levers.map((l) => `<li>${esc(leverText(l))}</li>`).join("")}</ul>` : "<p>No vLLM flag brings it closer for this workload.</p>",
    ...comparison.offline.notes.map((n) => `<p class="muted">note: ${esc(n)}</p>`),
    `<h2>vLLM's plan</h2>`,
    planSectionHtml(comparison.vllm, { level: "h3" }),
  ];
  return htmlDocument(`vram-plan compare: ${comparison.vllm.model.id}`, body.join("\n"));
}

function checkEntryHtml(entry: CheckEntry, index: number): string {
  const ev = entry.evaluation;
  const where = `${entry.file}:${entry.line}`;
  if (ev === null) {
    return `<section class="check-entry" data-ok="false"><h2><span class="warn">NEED</span> <code>${esc(where)}</code> ${esc(entry.name)}</h2><p>${esc(entry.model)}: ${esc(entry.problem ?? "not planned")}</p>${entry.notes.map((n) => `<p class="muted">${esc(n)}</p>`).join("")}</section>`;
  }
  const plan = ev.plan;
  const status = ev.ok ? `<span class="ok">ok</span>` : `<span class="bad">FAIL</span>`;
  const failures = ev.failures.length ? `<ul>${ev.failures.map((f) => `<li class="bad">${esc(failureText(f, plan))}</li>`).join("")}</ul>` : "";
  const fixes = ev.ok ? "" : entry.fixes.length ? `<p>fix (any one): ${entry.fixes.map((f) => `<code>${esc(fixesText([f]))}</code>`).join(" or ")}</p>` : `<p>${entry.orderFix ? esc(entry.orderFix) : `try <code>${esc(solveCommand(entry))}</code>`}</p>`;
  const notes = entry.notes.length ? `<ul class="muted">${entry.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : "";
  return `<section class="check-entry" id="d${index}" data-ok="${ev.ok}"><h2>${status} <code>${esc(where)}</code> ${esc(entry.name)}</h2><p>${esc(entry.model)} on ${ev.gpusUsed} × ${esc(entry.gpu?.id ?? "?")}, vLLM ${esc(entry.release ?? "?")}: concurrency ${concurrencyText(ev.concurrency)} at ${thousands(ev.concurrencyLen)} tokens, ${gibText(ev.minFreeBytes)} left free per GPU</p>${failures}${fixes}${notes}<details${ev.ok ? "" : " open"}><summary>the plan</summary>${planSectionHtml(plan, { level: "h3", explain: false })}</details></section>`;
}

export function renderCheckHtml(report: CheckReport): string {
  const ok = checkPassed(report);
  const rows = report.entries.map((entry, index) => {
    const ev = entry.evaluation;
    const res = ev === null ? `<span class="warn">not planned</span>` : ev.ok ? `<span class="ok">ok</span>` : `<span class="bad">fails</span>`;
    const kv = ev ? `${kvShown(ev.plan)} GiB, <span class="kv-tokens" data-value="${ev.plan.kvCache.tokens}">${thousands(ev.plan.kvCache.tokens)}</span> tokens` : "";
    const on = `<br><span class="muted">${ev ? `${ev.gpusUsed} × ${esc(entry.gpu?.id ?? "?")}, vLLM ${esc(entry.release ?? "?")}` : esc(entry.problem ?? "not planned")}</span>`;
    return `<tr><td>${res}</td><td><a href="#d${index}"><code>${esc(`${entry.file}:${entry.line}`)}</code></a><br>${esc(entry.name)}</td><td>${esc(entry.model)}${on}</td><td class="num">${kv}</td><td class="num">${ev ? `${concurrencyText(ev.concurrency)} at ${thousands(ev.concurrencyLen)}` : ""}</td></tr>`;
  });
  const files = [...report.fileNotes.map((f) => `<li>${esc(`${f.file}${f.line ? `:${f.line}` : ""}`)}: ${esc(f.text)}</li>`), ...report.fileErrors.map((f) => `<li class="bad">${esc(f)}</li>`)];
  const body = [
    `<h1>${ok ? '<span class="ok">✔</span>' : '<span class="bad">✘</span>'} vram-plan check</h1>`,
    `<p><strong>${esc(checkSummary(report))}</strong></p>`,
    `<div class="scroll"><table class="check"><thead><tr><th></th><th>deployment</th><th>model, GPUs, vLLM</th><th class="num">KV cache</th><th class="num">concurrency</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`,
    files.length ? `<h2>Files</h2><ul>${files.join("")}</ul>` : "",
    ...report.entries.map(checkEntryHtml),
  ];
  return htmlDocument("vram-plan check", body.join("\n"));
}

const AXIS_TITLE: Record<string, string> = {
  gpu: "GPU",
  "max-model-len": "--max-model-len (tokens)",
  "gpu-memory-utilization": "--gpu-memory-utilization",
  "tensor-parallel-size": "--tensor-parallel-size",
  "max-num-seqs": "--max-num-seqs",
  "kv-cache-dtype": "--kv-cache-dtype",
};

function axisValue(row: SweepRow, key: string): string {
  switch (key) {
    case "gpu":
      return row.gpu;
    case "max-model-len":
      return thousands(row.maxModelLen);
    case "gpu-memory-utilization":
      return row.gpuMemoryUtilization.toFixed(2);
    case "tensor-parallel-size":
      return String(row.tensorParallelSize);
    case "max-num-seqs":
      return String(row.maxNumSeqs);
    default:
      return row.kvCacheDtype;
  }
}

/** The sweep's charts: KV tokens and maximum concurrency against the first of max-model-len, utilization, GPU (or the first axis); the other axes make the lines. */
export function sweepChartsHtml(res: SweepResult): string {
  if (res.rows.length === 0) return "";
  // The x axis: of max-model-len, utilization and GPU (in that order of preference), the swept one with
  // the most values, so the fewest lines are drawn (27 GPUs × 2 lengths: 2 lines across the GPUs).
  const distinct = (k: string): number => new Set(res.rows.map((r) => axisValue(r, k))).size;
  const preferred = (["max-model-len", "gpu-memory-utilization", "gpu"] as const).filter((k) => res.axes.includes(k));
  const xKey = preferred.reduce<string | undefined>((best, k) => (best === undefined || distinct(k) > distinct(best) ? k : best), undefined) ?? res.axes[0] ?? "gpu";
  const others = res.axes.filter((k) => k !== xKey);
  // Categories (GPUs, KV dtypes) are placed by their order in the sweep.
  const categories = [...new Set(res.rows.map((r) => axisValue(r, xKey)))];
  const xOf = (r: SweepRow): number => (xKey === "max-model-len" ? r.maxModelLen : xKey === "gpu-memory-utilization" ? r.gpuMemoryUtilization : xKey === "tensor-parallel-size" ? r.tensorParallelSize : xKey === "max-num-seqs" ? r.maxNumSeqs : categories.indexOf(axisValue(r, xKey)));
  const numericLabels = new Map(res.rows.map((r) => [xOf(r), axisValue(r, xKey)]));
  const groups = new Map<string, SweepRow[]>();
  for (const row of res.rows) {
    const name = others.map((k) => `${k} ${axisValue(row, k)}`).join(", ") || "plan";
    groups.set(name, [...(groups.get(name) ?? []), row]);
  }
  // At most 8 lines: a chart with more is unreadable (the table below has every row).
  const named = [...groups.entries()].slice(0, 8);
  const series = (y: (r: SweepRow) => number): Series[] => named.map(([name, rows]) => ({ name, points: rows.map((r) => ({ x: xOf(r), y: r.fits || r.kvCacheBytes > 0 ? y(r) : 0, hollow: !r.fits })) }));
  const xScale = xKey === "gpu" || xKey === "kv-cache-dtype" ? "category" : xKey === "max-model-len" || xKey === "max-num-seqs" || xKey === "tensor-parallel-size" ? "log" : "linear";
  const common = { xTitle: AXIS_TITLE[xKey] ?? xKey, xScale, xLabel: (x: number) => numericLabels.get(x) ?? String(x) } as const;
  const more = groups.size > named.length ? `<p class="muted">The charts show the first ${named.length} of ${groups.size} lines; the table has every configuration.</p>` : "";
  return [
    lineChartSvg({ ...common, title: "KV cache tokens", yTitle: "tokens", yLabel: shortCount, series: series((r) => r.kvTokens) }),
    lineChartSvg({ ...common, title: "Maximum concurrency (requests of max-model-len tokens)", yTitle: "requests", yLabel: (y) => (y >= 10 ? y.toFixed(0) : y.toFixed(1)), series: series((r) => r.maxConcurrency) }),
    `${res.rows.some((r) => !r.fits) ? '<p class="muted">Hollow points: configurations that would not start.</p>' : ""}${more}`,
  ].join("\n");
}

/** A sweep: its charts and every row. */
export function renderSweepHtml(res: SweepResult, meta: SweepMeta): string {
  const head = [...res.axes.map((a) => AXIS_TITLE[a] ?? a), ...(meta.searchedTp ? ["GPUs"] : []), "starts", "KV GiB/GPU", "KV tokens", "concurrency"];
  const rows = res.rows.map((row) => {
    const cells = res.axes.map((k) => `<td class="${k === "gpu" || k === "kv-cache-dtype" ? "" : "num"}">${esc(axisValue(row, k))}</td>`);
    if (meta.searchedTp) cells.push(`<td class="num">${row.fits ? row.gpus : `&gt; ${row.gpus}`}</td>`);
    cells.push(`<td class="${row.fits ? "ok" : "bad"}">${row.fits ? "yes" : esc(`no${row.error ? ` (${row.error})` : ""}`)}</td>`, `<td class="num">${gib(row.kvCacheBytes)}</td>`, `<td class="num kv-tokens" data-value="${row.kvTokens}">${thousands(row.kvTokens)}</td>`, `<td class="num">${concurrencyText(row.maxConcurrency)}</td>`);
    return `<tr>${cells.join("")}</tr>`;
  });
  const fits = res.rows.filter((r) => r.fits).length;
  const body = [
    `<h1>${esc(meta.model)}${meta.gpu ? ` on ${esc(meta.gpu)}` : ""}: sweep</h1>`,
    `<p>${thousands(res.configurations)} ${plural(res.configurations, "configuration")}, ${thousands(fits)} start${meta.searchedTp ? " (GPUs: the smallest tensor-parallel size that starts, of 1, 2, 4, 8)" : ""}.</p>`,
    sweepChartsHtml(res),
    `<div class="scroll"><table class="sweep"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table></div>`,
  ];
  return htmlDocument(`vram-plan sweep: ${meta.model}`, body.join("\n"));
}

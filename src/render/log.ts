// `vram-plan log` output: the logged start-up beside the re-plan, one line per figure the log states,
// as a terminal table, a markdown table (to paste back into an issue) or JSON (stable names).
import type { ChalkInstance } from "chalk";
import { fixFromLog, type LogDifference, type LogReport } from "../core/startup-log.js";
import { gib, thousands, wrapLine } from "./format.js";
import { logCauseText, logLineName, messageFor, fixText } from "./messages.js";
import { fixesToJson, planToJsonObject } from "./json.js";

function value(d: LogDifference, v: number | string | null): string {
  if (v === null) return "–";
  if (typeof v === "string") return v;
  switch (d.unit) {
    case "bytes":
      return `${gib(v)} GiB`;
    case "x":
      return `${v.toFixed(2)}x`;
    default:
      return thousands(v);
  }
}

/** A signed figure, or the bare figure when it rounds to zero ("0.00", never "−0.00" or "±0.00"). */
function signed(diff: number, printed: string): string {
  if (!/[1-9]/.test(printed)) return printed;
  return `${diff > 0 ? "+" : "−"}${printed}`;
}

function delta(d: LogDifference): string {
  if (d.difference === null) return d.agrees ? "same" : "differs";
  const abs = Math.abs(d.difference);
  const num = d.unit === "bytes" ? `${gib(abs)} GiB` : d.unit === "x" ? `${abs.toFixed(2)}x` : thousands(abs);
  const pct = typeof d.logged === "number" && d.logged !== 0 ? ` (${signed(d.difference, ((abs / Math.abs(d.logged)) * 100).toFixed(1))} %)` : "";
  return `${signed(d.difference, num)}${d.unit === "bytes" || d.unit === "tokens" ? pct : ""}`;
}

function headline(r: LogReport): string {
  const l = r.logged;
  const v = l.vllmVersion === null ? "vLLM release not shown" : `vLLM ${l.vllmVersion} (${l.versionSource === "inferred" ? `inferred: ${l.versionEvidence}` : l.versionSource === "text" ? `named in the paste: "${l.versionEvidence}"` : "banner"})`;
  const outcome =
    l.outcome === "failed"
      ? `FAILED${l.error?.code ? `: ${l.error.code}` : " (the error message is not in the log)"}`
      : l.outcome === "started"
        ? "started (KV cache sized)"
        : "the log ends before the KV cache was sized";
  return `${r.file === "-" ? "standard input" : r.file}: ${v}${l.engine ? `, ${l.engine.toUpperCase()} engine` : ""} — ${outcome}`;
}

function inputLines(r: LogReport): string[] {
  const out: string[] = [];
  const i = r.inputs;
  if (i.model) out.push(`model: ${i.model.value} — ${i.model.from}`);
  if (i.gpu) out.push(`GPU: ${i.gpu.value} — ${i.gpu.from}${r.plan ? ` (${gib(r.plan.perGpu[0]?.totalBytes ?? 0)} GiB)` : ""}`);
  if (i.flags) out.push(`flags: ${i.flags.value || "(none)"} — ${i.flags.from}`);
  return out;
}

function loggedOnly(r: LogReport): [string, string][] {
  const l = r.logged;
  const rows: [string, string][] = [];
  const b = (label: string, v: number | null): void => {
    if (v !== null) rows.push([label, `${gib(v)} GiB`]);
  };
  b("GPU memory (CUDA total)", l.gpuTotalBytes);
  b("vLLM budget", l.requestedBytes);
  b("weights", l.weightsBytes);
  b("activation peak (torch peak increase)", l.torchPeakBytes);
  b("non-torch memory", l.nonTorchBytes);
  b("CUDA graphs (estimate)", l.cudaGraphEstimateBytes);
  b("CUDA graphs (actual)", l.cudaGraphActualBytes);
  b("available KV cache memory", l.availableKvBytes);
  if (l.numGpuBlocks !== null) rows.push(["GPU blocks", thousands(l.numGpuBlocks)]);
  if (l.kvTokens !== null) rows.push(["KV cache tokens", thousands(l.kvTokens)]);
  if (l.maxConcurrency !== null) rows.push([`maximum concurrency${l.concurrencyTokens !== null ? ` (${thousands(l.concurrencyTokens)} tokens)` : ""}`, `${l.maxConcurrency.toFixed(2)}x`]);
  return rows;
}

function failureLine(r: LogReport): string | null {
  const e = r.logged.error;
  if (!e) return null;
  return `vLLM said: ${e.line.length > 300 ? `${e.line.slice(0, 300)}…` : e.line}`;
}

function fixLine(r: LogReport): string | null {
  if (r.fix && r.plan) {
    const d = r.plan.diagnostics.find((x) => x.code === r.fix?.code);
    if (d) return `fix (re-planned, cheapest first): ${fixText(d)}`;
  }
  const own = fixFromLog(r.logged);
  if (own.length) return `fix from vLLM's own message: ${own.map((f) => `${f.flag} ${f.value} (${f.note})`).join("  or  ")}`;
  return null;
}

function rowsOf(r: LogReport): string[][] {
  return r.differences.map((d) => [logLineName(d.what), value(d, d.logged), value(d, d.planned), delta(d), d.cause ? logCauseText(d.cause) : d.agrees ? "agrees" : ""]);
}

/**
 * Terminal text, every line within `columns` (render/format.ts outputColumns): each line is wrapped
 * before it is colored, so a color never spans a break.
 */
export function renderLogTable(r: LogReport, c: ChalkInstance, columns = 80): string {
  const lines: string[] = [];
  const add = (text: string, paint: (s: string) => string = (s) => s, indent?: string): void => {
    for (const piece of wrapLine(text, columns, [" "], indent)) lines.push(paint(piece));
  };
  add(headline(r), c.bold, "  ");
  const f = failureLine(r);
  if (f) add(f, c.red, "  ");
  if (r.plan) {
    for (const x of inputLines(r)) add(x, c.dim, "  ");
    const head = ["", "logged", "planned", "difference", "likely cause"];
    const rows = rowsOf(r);
    const widths = head.slice(0, 4).map((h, k) => Math.max(h.length, ...rows.map((row) => (row[k] ?? "").length)));
    const cells = (row: string[]): string => row
      .slice(0, 4)
      .map((cell, k) => (k === 0 ? cell.padEnd(widths[k] ?? 0) : cell.padStart(widths[k] ?? 0)))
      .join("  ");
    // The likely cause beside each row when every row fits the terminal, else on its own line under the row.
    const inline = [head, ...rows].every((row) => `${cells(row)}  ${row[4] ?? ""}`.trimEnd().length <= columns);
    lines.push("");
    add(inline ? `${cells(head)}  ${head[4]}` : cells(head), c.bold, "    ");
    for (let k = 0; k < rows.length; k++) {
      const paint = r.differences[k]!.agrees ? undefined : c.yellow;
      const row = rows[k]!;
      if (inline) add(`${cells(row)}  ${row[4] ?? ""}`.trimEnd(), paint, "    ");
      else {
        add(cells(row), paint, "    ");
        if (row[4]) add(`    ${row[4]}`, paint, "    ");
      }
    }
    const plannedErr = r.plan.diagnostics.find((d) => d.severity === "error");
    if (plannedErr) {
      lines.push("");
      add(`planned: ${messageFor(plannedErr, r.plan)}`, undefined, "  ");
    }
  } else {
    lines.push("", c.bold("What the log states"));
    for (const [k, v] of loggedOnly(r)) add(`  ${k.padEnd(40)} ${v}`);
    lines.push("");
    add("Not re-planned: the log does not determine", c.bold);
    for (const m of r.missing) add(`  ${m.input}: give ${m.how}`, undefined, "    ");
  }
  const fix = fixLine(r);
  if (fix) {
    lines.push("");
    add(fix, c.green, "  ");
  }
  for (const n of r.notes) add(`note: ${n}`, c.dim, "  ");
  return lines.join("\n") + "\n";
}

export function renderLogMarkdown(r: LogReport): string {
  const lines: string[] = [`**vram-plan log** — ${headline(r)}`, ""];
  const f = failureLine(r);
  if (f) lines.push(`> ${f}`, "");
  const esc = (s: string): string => s.replace(/\|/g, "\\|");
  if (r.plan) {
    for (const x of inputLines(r)) lines.push(`- ${esc(x)}`);
    lines.push("", "| | logged | planned | difference | likely cause |", "|---|---:|---:|---:|---|");
    for (const row of rowsOf(r)) lines.push(`| ${row.map(esc).join(" | ")} |`);
  } else {
    lines.push("| what the log states | |", "|---|---:|");
    for (const [k, v] of loggedOnly(r)) lines.push(`| ${esc(k)} | ${v} |`);
    lines.push("", "Not re-planned: the log does not determine");
    for (const m of r.missing) lines.push(`- ${m.input}: give ${esc(m.how)}`);
  }
  const fix = fixLine(r);
  if (fix) lines.push("", `**${fix}**`);
  for (const n of r.notes) lines.push("", `_note: ${n}_`);
  return lines.join("\n") + "\n";
}

/** JSON with the stable names of issue #14: logged.*, plan, differences[] {what, logged, planned, why}. */
export function logToJsonObject(r: LogReport): object {
  const l = r.logged;
  return {
    file: r.file,
    logged: {
      vllmVersion: l.vllmVersion,
      versionSource: l.versionSource,
      versionEvidence: l.versionEvidence,
      engine: l.engine,
      model: l.model,
      args: l.args,
      argsSource: l.argsSource,
      gpuName: l.gpuName,
      gpuTotalBytes: l.gpuTotalBytes,
      gpuMemoryUtilization: l.gpuMemoryUtilization,
      maxModelLen: l.maxModelLen,
      weightsBytes: l.weightsBytes,
      torchPeakBytes: l.torchPeakBytes,
      nonTorchBytes: l.nonTorchBytes,
      cudaGraphEstimateBytes: l.cudaGraphEstimateBytes,
      cudaGraphActualBytes: l.cudaGraphActualBytes,
      availableKvBytes: l.availableKvBytes,
      requestedBytes: l.requestedBytes,
      kvTokens: l.kvTokens,
      maxConcurrency: l.maxConcurrency,
      concurrencyTokens: l.concurrencyTokens,
      numGpuBlocks: l.numGpuBlocks,
      outcome: l.outcome,
      errorCode: l.outcome === "failed" ? (l.error?.code ?? null) : null,
      error: l.error,
      ranks: l.ranks,
    },
    plan: r.plan ? planToJsonObject(r.plan) : null,
    differences: r.differences.map((d) => ({ what: d.what, unit: d.unit, logged: d.logged, planned: d.planned, difference: d.difference, agrees: d.agrees, why: d.cause ? logCauseText(d.cause) : null, whyCode: d.cause?.code ?? null })),
    fix: r.fix ? { code: r.fix.code, fix: fixesToJson(r.fix.fix) } : null,
    fixFromLog: fixFromLog(r.logged),
    missing: r.missing,
    inputs: r.inputs,
    notes: r.notes,
  };
}

export function renderLogJson(r: LogReport): string {
  return JSON.stringify(logToJsonObject(r), null, 2) + "\n";
}

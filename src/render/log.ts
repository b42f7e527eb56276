// `vram-plan log` output: the logged start-up beside the re-plan, one line per figure the log states,
// as a terminal table, a markdown table (to paste back into an issue) or JSON (stable names).
import type { ChalkInstance } from "chalk";
import { fixFromLog, type LogDifference, type LogReport } from "../core/startup-log.js";
import { mdCell, thousands, wrapLine, concurrencyText, gibText, signed } from "./format.js";
import { logCauseText, logLineName, messageFor, fixText } from "./messages.js";
import { fixesToJson, planToJsonObject } from "./json.js";

function value(difference: LogDifference, shown: number | string | null): string {
  if (shown === null) return "–";
  if (typeof shown === "string") return shown;
  switch (difference.unit) {
    case "bytes":
      return `${gibText(shown)}`;
    case "x":
      return `${concurrencyText(shown)}`;
    default:
      return thousands(shown);
  }
}

function delta(row: LogDifference): string {
  if (row.difference === null) return row.agrees ? "same" : "differs";
  const abs = Math.abs(row.difference);
  const num = row.unit === "bytes" ? `${gibText(abs)}` : row.unit === "x" ? `${concurrencyText(abs)}` : thousands(abs);
  const pct = typeof row.logged === "number" && row.logged !== 0 ? ` (${signed(row.difference, ((abs / Math.abs(row.logged)) * 100).toFixed(1))} %)` : "";
  return `${signed(row.difference, num)}${row.unit === "bytes" || row.unit === "tokens" ? pct : ""}`;
}

function headline(report: LogReport): string {
  const logged = report.logged;
  const version = logged.vllmVersion === null ? "vLLM release not shown" : `vLLM ${logged.vllmVersion} (${logged.versionSource === "inferred" ? `inferred: ${logged.versionEvidence}` : logged.versionSource === "text" ? `named in the paste: "${logged.versionEvidence}"` : "banner"})`;
  const outcome =
    logged.outcome === "failed"
      ? `FAILED${logged.error?.code ? `: ${logged.error.code}` : " (the error message is not in the log)"}`
      : logged.outcome === "started"
        ? "started (KV cache sized)"
        : "the log ends before the KV cache was sized";
  return `${report.file === "-" ? "standard input" : report.file}: ${version}${logged.engine ? `, ${logged.engine.toUpperCase()} engine` : ""} — ${outcome}`;
}

function inputLines(report: LogReport): string[] {
  const out: string[] = [];
  const inputs = report.inputs;
  if (inputs.model) out.push(`model: ${inputs.model.value} — ${inputs.model.from}`);
  if (inputs.gpu) out.push(`GPU: ${inputs.gpu.value} — ${inputs.gpu.from}${report.plan ? ` (${gibText(report.plan.perGpu[0]?.totalBytes ?? 0)})` : ""}`);
  if (inputs.flags) out.push(`flags: ${inputs.flags.value || "(none)"} — ${inputs.flags.from}`);
  return out;
}

function loggedOnly(report: LogReport): [string, string][] {
  const logged = report.logged;
  const rows: [string, string][] = [];
  const addRow = (label: string, bytes: number | null): void => {
    if (bytes !== null) rows.push([label, `${gibText(bytes)}`]);
  };
  addRow("GPU memory (CUDA total)", logged.gpuTotalBytes);
  addRow("vLLM budget", logged.requestedBytes);
  addRow("weights", logged.weightsBytes);
  addRow(logged.torchPeakFromSummary ? "peak activation (summary)" : "activation peak (torch peak increase)", logged.torchPeakBytes);
  addRow("non-torch memory", logged.nonTorchBytes);
  addRow("CUDA graphs (estimate)", logged.cudaGraphEstimateBytes);
  addRow("CUDA graphs (actual)", logged.cudaGraphActualBytes);
  addRow("available KV cache memory", logged.availableKvBytes);
  if (logged.numGpuBlocks !== null) rows.push(["GPU blocks", thousands(logged.numGpuBlocks)]);
  if (logged.kvTokens !== null) rows.push(["KV cache tokens", thousands(logged.kvTokens)]);
  if (logged.maxConcurrency !== null) rows.push([`maximum concurrency${logged.concurrencyTokens !== null ? ` (${thousands(logged.concurrencyTokens)} tokens)` : ""}`, `${concurrencyText(logged.maxConcurrency)}`]);
  return rows;
}

function failureLine(report: LogReport): string | null {
  const error = report.logged.error;
  if (!error) return null;
  return `vLLM said: ${error.line.length > 300 ? `${error.line.slice(0, 300)}…` : error.line}`;
}

function fixLine(report: LogReport): string | null {
  if (report.fix && report.plan) {
    const diagnostic = report.plan.diagnostics.find((x) => x.code === report.fix?.code);
    if (diagnostic) return `fix (re-planned, cheapest first): ${fixText(diagnostic)}`;
  }
  const own = fixFromLog(report.logged);
  if (own.length) return `fix from vLLM's own message: ${own.map((f) => `${f.flag} ${f.value} (${f.note})`).join("  or  ")}`;
  return null;
}

function rowsOf(report: LogReport): string[][] {
  return report.differences.map((d) => [logLineName(d.what), value(d, d.logged), value(d, d.planned), delta(d), d.cause ? logCauseText(d.cause) : d.agrees ? "agrees" : ""]);
}

/**
 * Terminal text, every line within `columns` (render/format.ts outputColumns): each line is wrapped
 * before it is colored, so a color never spans a break.
 */
export function renderLogTable(report: LogReport, chalk: ChalkInstance, columns = 80): string {
  const lines: string[] = [];
  const add = (text: string, paint: (s: string) => string = (s) => s, indent?: string, seps: readonly string[] = [" "]): void => {
    for (const piece of wrapLine(text, columns, seps, indent)) lines.push(paint(piece));
  };
  add(headline(report), chalk.bold, "  ");
  const failure = failureLine(report);
  if (failure) add(failure, chalk.red, "  ");
  if (report.plan) {
    for (const x of inputLines(report)) add(x, chalk.dim, "  ");
    const head = ["", "logged", "planned", "difference", "likely cause"];
    const rows = rowsOf(report);
    // The columns are as wide as the figures: a failed start-up's outcome row holds error codes
    // (KV_CACHE_BELOW_MAX_MODEL_LEN, 28 cells) that would push every row past 80 cells and wrap it.
    const figures = rows.filter((_row, k) => report.differences[k]!.unit !== "outcome");
    const widths = head.slice(0, 4).map((h, k) => Math.max(h.length, ...figures.map((row) => (row[k] ?? "").length)));
    const cells = (row: string[]): string => row
      .slice(0, 4)
      .map((cell, k) => (k === 0 ? cell.padEnd(widths[k] ?? 0) : cell.padStart(widths[k] ?? 0)))
      .join("  ");
    // The likely cause beside each row when every row fits the terminal, else on its own line under the row.
    const inline = [head, ...figures].every((row) => `${cells(row)}  ${row[4] ?? ""}`.trimEnd().length <= columns);
    lines.push("");
    add(inline ? `${cells(head)}  ${head[4]}` : cells(head), chalk.bold, "    ");
    for (let k = 0; k < rows.length; k++) {
      const paint = report.differences[k]!.agrees ? undefined : chalk.yellow;
      const row = rows[k]!;
      if (report.differences[k]!.unit === "outcome" && cells(row).length > columns) {
        // Codes too wide for the columns: the outcome on lines of its own, as a sentence.
        add(`${row[0]}: logged ${row[1]}, planned ${row[2]}${row[4] ? ` (${row[4]})` : ""}`, paint, "    ");
      } else if (inline) add(`${cells(row)}  ${row[4] ?? ""}`.trimEnd(), paint, "    ");
      else {
        add(cells(row), paint, "    ");
        if (row[4]) add(`    ${row[4]}`, paint, "    ");
      }
    }
    const plannedErr = report.plan.diagnostics.find((d) => d.severity === "error");
    if (plannedErr) {
      lines.push("");
      add(`planned: ${messageFor(plannedErr, report.plan)}`, undefined, "  ");
    }
  } else {
    lines.push("", chalk.bold("What the log states"));
    for (const [k, v] of loggedOnly(report)) add(`  ${k.padEnd(40)} ${v}`);
    lines.push("");
    add("Not re-planned: the log does not determine", chalk.bold);
    for (const m of report.missing) add(`  ${m.input}: give ${m.how}`, undefined, "    ");
  }
  const fix = fixLine(report);
  if (fix) {
    lines.push("");
    // Broken between fixes (each line ends with its "  or"), not inside one; a plain space
    // between the two of "  or  " left a line ending in a space.
    add(fix, chalk.green, "  ", ["  or  ", " "]);
  }
  for (const n of report.notes) add(`note: ${n}`, chalk.dim, "  ");
  return lines.join("\n") + "\n";
}

export function renderLogMarkdown(report: LogReport): string {
  const lines: string[] = [`**vram-plan log** — ${headline(report)}`, ""];
  const failure = failureLine(report);
  if (failure) lines.push(`> ${failure}`, "");
  if (report.plan) {
    for (const x of inputLines(report)) lines.push(`- ${mdCell(x)}`);
    lines.push("", "| | logged | planned | difference | likely cause |", "|---|---:|---:|---:|---|");
    for (const row of rowsOf(report)) lines.push(`| ${row.map(mdCell).join(" | ")} |`);
  } else {
    lines.push("| what the log states | |", "|---|---:|");
    for (const [k, v] of loggedOnly(report)) lines.push(`| ${mdCell(k)} | ${v} |`);
    lines.push("", "Not re-planned: the log does not determine");
    for (const m of report.missing) lines.push(`- ${m.input}: give ${mdCell(m.how)}`);
  }
  const fix = fixLine(report);
  if (fix) lines.push("", `**${fix}**`);
  for (const n of report.notes) lines.push("", `_note: ${n}_`);
  return lines.join("\n") + "\n";
}

/** JSON with the stable names of issue #14: logged.*, plan, differences[] {what, logged, planned, why}. */
export function logToJsonObject(report: LogReport): object {
  const logged = report.logged;
  return {
    file: report.file,
    logged: {
      vllmVersion: logged.vllmVersion,
      versionSource: logged.versionSource,
      versionEvidence: logged.versionEvidence,
      engine: logged.engine,
      model: logged.model,
      args: logged.args,
      argsSource: logged.argsSource,
      gpuName: logged.gpuName,
      gpuTotalBytes: logged.gpuTotalBytes,
      gpuMemoryUtilization: logged.gpuMemoryUtilization,
      maxModelLen: logged.maxModelLen,
      weightsBytes: logged.weightsBytes,
      torchPeakBytes: logged.torchPeakBytes,
      torchPeakFromSummary: logged.torchPeakFromSummary,
      nonTorchBytes: logged.nonTorchBytes,
      cudaGraphEstimateBytes: logged.cudaGraphEstimateBytes,
      cudaGraphActualBytes: logged.cudaGraphActualBytes,
      availableKvBytes: logged.availableKvBytes,
      requestedBytes: logged.requestedBytes,
      kvTokens: logged.kvTokens,
      maxConcurrency: logged.maxConcurrency,
      concurrencyTokens: logged.concurrencyTokens,
      numGpuBlocks: logged.numGpuBlocks,
      outcome: logged.outcome,
      errorCode: logged.outcome === "failed" ? (logged.error?.code ?? null) : null,
      error: logged.error,
      ranks: logged.ranks,
    },
    plan: report.plan ? planToJsonObject(report.plan) : null,
    differences: report.differences.map((d) => ({ what: d.what, unit: d.unit, logged: d.logged, planned: d.planned, difference: d.difference, agrees: d.agrees, why: d.cause ? logCauseText(d.cause) : null, whyCode: d.cause?.code ?? null })),
    fix: report.fix ? { code: report.fix.code, fix: fixesToJson(report.fix.fix) } : null,
    fixFromLog: fixFromLog(report.logged),
    missing: report.missing,
    inputs: report.inputs,
    notes: report.notes,
  };
}

export function renderLogJson(report: LogReport): string {
  return JSON.stringify(logToJsonObject(report), null, 2) + "\n";
}

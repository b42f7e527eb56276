// `vram-plan check` output: one line per deployment and a summary (terminal), a table for a CI
// job summary (markdown), or JSON. Reasons are short; vLLM's own wording is in JSON and markdown.
import type { ChalkInstance } from "chalk";
import type { CheckEntry, CheckReport } from "../core/check.js";
import type { Evaluation, Failure, FixOption } from "../core/solve.js";
import type { Plan } from "../core/types.js";
import { fitBytes } from "../core/host-limits.js";
import { checkOutcome, exitCodeFor } from "../core/exit.js";
import { GIB, gib, mdCell as md, thousands, wrapLine, concurrencyText, gibText, plural } from "./format.js";
import { flagsText, hostFindingText, hostFixText, messageFor, shellWord } from "./messages.js";
import { planToJsonObject } from "./json.js";

/** One failure in a few words (the numbers that matter). */
/** "12.34": the KV cache of the GPU with the least, in GiB (none below 0): what a check line shows. */
export function kvShown(plan: Plan): string {
  return gib(Math.max(0, Math.min(...plan.perGpu.map((g) => g.kvCacheBytes))));
}

export function failureText(failure: Failure, plan: Plan): string {
  switch (failure.kind) {
    case "start": {
      const diagnostic = failure.diagnostic;
      const args = diagnostic.args;
      const num = (k: string): number => Number(args[k] ?? 0);
      switch (diagnostic.code) {
        case "KV_CACHE_BELOW_MAX_MODEL_LEN":
          return `does not start: KV cache ${gibText(num("available"))} < ${gibText(num("needed"))} for one ${thousands(num("maxModelLen"))}-token request (vLLM's estimated maximum model length: ${thousands(num("estimatedMaxModelLen"))})`;
        case "NO_KV_CACHE_MEMORY": {
          const first = plan.perGpu[0];
          const taken = first ? `weights ${gibText(first.weightsBytes)} + activations ${gibText(first.activationPeakBytes)}` : "weights and activations";
          return `does not start: no memory left for the KV cache (${taken} vs a budget of ${first ? gib(first.requestedBytes) : "?"} GiB at utilization ${plan.engine.gpuMemoryUtilization})`;
        }
        case "FREE_MEMORY_BELOW_BUDGET":
          return `does not start: ${gibText(num("free"))} free at start-up < ${gibText(num("requested"))} asked for (utilization ${args["util"]})`;
        default:
          return `does not start: ${messageFor(diagnostic, plan)}`;
      }
    }
    case "gpus":
      return `needs ${failure.need} ${plural(failure.need, "GPU")} (tensor × pipeline × data parallel), the deployment has ${failure.have}`;
    case "context":
      return `max-model-len ${thousands(failure.have)} < required context ${thousands(failure.need)}`;
    case "concurrency":
      return `${failure.have.toFixed(2)} concurrent requests of ${thousands(failure.len)} tokens < ${failure.need} required${failure.limitedBy === "max-num-seqs" ? " (capped by max-num-seqs)" : ""}`;
    case "utilization":
      return `--gpu-memory-utilization ${failure.have} > ${failure.max} allowed`;
    case "headroom":
      // need 0: servers sharing the GPU, which together ask for more than it has once all are up.
      if (failure.need === 0 && failure.have < 0) return `the GPU it shares is over-committed: ${gibText(-failure.have)} more than it has once every server on it is up`;
      return `${gibText(failure.have)} left free per GPU < ${gibText(failure.need)} headroom required`;
    case "host":
      return hostFindingText(failure.finding);
  }
}

/** "--kv-cache-dtype fp8 or --tensor-parallel-size 2 (needs 2 GPUs)". */
export function fixesText(fixes: readonly FixOption[]): string {
  return fixes
    .map((fix) => {
      const flags = flagsText(fix.changes);
      return fix.note ? `${flags} (${fix.note})` : flags;
    })
    .join(" or ");
}

/** The `vram-plan solve` command that searches for a layout meeting every requirement of this entry. */
export function solveCommand(entry: CheckEntry): string {
  const parts = ["vram-plan solve", "--model", shellWord(entry.model)];
  if (entry.gpu) parts.push(...(entry.gpu.id === "custom" ? ["--gpu-memory", `${entry.gpu.cudaTotalBytes}B`] : ["--gpu", entry.gpu.id]));
  if (entry.release) parts.push("--vllm-version", entry.release);
  const target = entry.target;
  const maxLen = entry.evaluation?.plan.engine.maxModelLen;
  const context = target.context ?? target.concurrency?.len ?? (target.concurrency && maxLen !== undefined ? maxLen : undefined);
  if (context !== undefined) parts.push("--context", String(Math.max(context, target.context ?? 0)));
  if (target.concurrency) parts.push("--concurrency", String(target.concurrency.n));
  if (target.maxUtilization !== undefined) parts.push("--max-utilization", String(target.maxUtilization));
  // Memory that must stay free for others is memory another process holds, as far as vLLM's budget goes.
  if (target.headroomBytes !== undefined) parts.push("--other-process-memory", `${target.headroomBytes}B`);
  // No GPU visible (CUDA_VISIBLE_DEVICES=-1) is no --max-gpus: solve takes 1 or more.
  if (entry.gpuCount !== null && entry.gpuCount > 0) parts.push("--max-gpus", String(entry.gpuCount));
  for (const flag of ["dtype", "quantization", "kv-cache-dtype", "max-num-batched-tokens", "limit-mm-per-prompt", "mm-processor-kwargs"]) {
    const value = entry.args[flag];
    if (typeof value === "string") parts.push(`--${flag}`, shellWord(value));
  }
  if (entry.args["enforce-eager"] === true) parts.push("--enforce-eager");
  return parts.join(" ");
}

/** The fix part of a failing line: flag fixes for the GPU side, the settings that fit for the host side. */
function fixPart(entry: CheckEntry): string {
  const failures = entry.evaluation?.failures ?? [];
  const host = failures.flatMap((f) => (f.kind === "host" ? [hostFixText(f.finding)] : []));
  const gpuSide = failures.some((f) => f.kind !== "host");
  const flags = gpuSide ? (entry.fixes.length ? fixesText(entry.fixes) : noFix(entry)) : null;
  return [flags, host.length ? host.join(" and ") : null].filter((s): s is string => s !== null).join("; and ");
}

function noFix(entry: CheckEntry): string {
  if (entry.orderFix) return entry.orderFix;
  const failures = (entry.evaluation?.failures ?? []).filter((f) => f.kind !== "host");
  const onlyGpus = failures.length > 0 && failures.every((f) => f.kind === "gpus");
  if (onlyGpus) {
    const gpus = failures[0];
    return gpus && gpus.kind === "gpus" ? `give it ${gpus.need} ${plural(gpus.need, "GPU")}` : "give it more GPUs";
  }
  return `no single flag change is enough; try ${solveCommand(entry)}`;
}

function what(entry: CheckEntry, ev: Evaluation): string {
  const plan = ev.plan;
  const parts = [
    `KV ${kvShown(plan)} GiB`,
    `${thousands(plan.kvCache.tokens)} tokens`,
    `${concurrencyText(plan.kvCache.maxConcurrency)} at ${thousands(plan.engine.maxModelLen)}`,
  ];
  if (entry.target.concurrency && ev.concurrencyLen !== plan.engine.maxModelLen) parts.push(`${concurrencyText(ev.concurrency)} at ${thousands(ev.concurrencyLen)}`);
  parts.push(`util ${plan.engine.gpuMemoryUtilization}`, `${gibText(ev.minFreeBytes)} free`);
  return parts.join(", ");
}

/** The verdict every format shows: the exit policy's (core/exit.ts), so a ✅ or "ok": true means exit 0. */
export function checkPassed(report: CheckReport): boolean {
  return exitCodeFor(checkOutcome(report)) === 0;
}

function counts(entries: readonly CheckEntry[]): { n: number; bad: number; missing: number } {
  return {
    n: entries.length,
    bad: entries.filter((e) => e.evaluation !== null && !e.evaluation.ok).length,
    missing: entries.filter((e) => e.evaluation === null).length,
  };
}

export function checkSummary(report: CheckReport): string {
  const { n: count, bad, missing } = counts(report.entries);
  const pass = count - bad - missing;
  const skipped = report.fileNotes.filter((f) => f.kind === "skipped").length;
  const tail = `${skipped ? ` ${skipped} ${plural(skipped, "file")} skipped (no vLLM deployment).` : ""}${report.fileErrors.length ? ` ${report.fileErrors.length} ${plural(report.fileErrors.length, "file")} could not be read or parsed.` : ""}`;
  const cpu = report.fileNotes.filter((f) => f.kind === "cpu").length;
  if (count === 0 && cpu > 0) return `No GPU deployment in the files given: ${cpu} run${cpu === 1 ? "s" : ""} vLLM on the CPU.${tail}`;
  if (count === 0) return `No vLLM deployment in the files given.${tail}`;
  if (bad === 0 && missing === 0) return `${count} ${plural(count, "deployment")} checked: all start and meet their constraints.${tail}`;
  const parts = [`${bad} ${bad === 1 ? "fails" : "fail"}`, `${pass} ${pass === 1 ? "passes" : "pass"}`];
  if (missing) parts.push(`${missing} could not be planned (what is missing is on ${missing === 1 ? "its line" : "their lines"})`);
  return `${count} ${plural(count, "deployment")} checked: ${parts.join(", ")}.${tail}`;
}

function head(entry: CheckEntry, ev: Evaluation): string {
  return `${entry.file}:${entry.line} ${entry.name} — ${entry.model} on ${ev.gpusUsed}× ${entry.gpu?.id ?? "?"}, vLLM ${entry.release ?? "?"}`;
}

/** Every note of a deployment, each once, in the order the readers and the planner gave them. */
function notesOf(entry: CheckEntry): string[] {
  return [...new Set(entry.notes)];
}

/**
 * Terminal text, every line within `columns` (render/format.ts outputColumns): one block per
 * deployment. Its first line starts with the status and file:line, then the model, GPUs, the vLLM
 * release planned with and the verdict (figures or why it fails), wrapped under a 5-space indent;
 * the fix and every note follow as their own indented lines, so a CI log greps by status or file.
 */
export function renderCheckTable(report: CheckReport, chalk: ChalkInstance, columns = 80): string {
  const out: string[] = [];
  const status = (word: string, text: string, color: (s: string) => string): void => {
    const lines = wrapLine(`${word} ${text}`, columns, [" — "], INDENT);
    out.push(color(word) + (lines[0] ?? "").slice(word.length), ...lines.slice(1));
  };
  const item = (text: string, seps: readonly string[], color: (s: string) => string = (s) => s): void => {
    out.push(...wrapLine(`${INDENT}${text}`, columns, seps, `${INDENT}  `).map((l) => INDENT + color(l.slice(INDENT.length))));
  };
  for (const entry of report.entries) {
    const ev = entry.evaluation;
    if (ev === null) status("NEED", `${entry.file}:${entry.line} ${entry.name}: ${entry.problem ?? "not planned"}`, chalk.yellow);
    else if (ev.ok) status("ok  ", `${head(entry, ev)}: ${what(entry, ev)}`, chalk.green);
    else {
      status("FAIL", `${head(entry, ev)}: ${ev.failures.map((f) => failureText(f, ev.plan)).join("; ")}`, chalk.red);
      item(`fix: ${fixPart(entry)}`, [" or ", "; and "]);
    }
    for (const n of notesOf(entry)) item(`note: ${n}`, [" "], chalk.dim);
  }
  for (const fileNote of report.fileNotes) {
    const lines = wrapLine(`note ${fileNote.file}${fileNote.line ? `:${fileNote.line}` : ""}: ${fileNote.text}`, columns, [" "], INDENT);
    out.push(chalk.dim("note") + (lines[0] ?? "").slice(4), ...lines.slice(1));
  }
  out.push(...wrapLine(checkSummary(report), columns, [" "], "  "));
  return out.join("\n") + "\n";
}

/** Continuation lines of a deployment start under its file name (after "FAIL "). */
const INDENT = "     ";

export function renderCheckMarkdown(report: CheckReport): string {
  const out: string[] = [];
  out.push(`### ${checkPassed(report) ? "✅" : "❌"} vram-plan check`);
  out.push("");
  out.push("| | deployment | model | GPUs | vLLM | KV cache | concurrency | result |");
  out.push("|---|---|---|---|---|---:|---:|---|");
  for (const entry of report.entries) {
    const ev = entry.evaluation;
    if (ev === null) {
      out.push(`| ❔ | \`${md(entry.file)}:${entry.line}\` ${md(entry.name)} | ${md(entry.model)} | | | | | ${md(entry.problem ?? "not planned")} |`);
      continue;
    }
    const plan = ev.plan;
    const kv = `${kvShown(plan)} GiB, ${thousands(plan.kvCache.tokens)} tokens`;
    const conc = `${concurrencyText(ev.concurrency)} at ${thousands(ev.concurrencyLen)}`;
    const result = ev.ok
      ? "starts; constraints met"
      : `${ev.failures.map((f) => failureText(f, plan)).join("; ")}. **Fix:** ${ev.failures.some((f) => f.kind !== "host") ? (entry.fixes.length ? entry.fixes.map((f) => `\`${fixesText([{ changes: f.changes }])}\`${f.note ? ` (${f.note})` : ""}`).join(" or ") : noFix(entry)) : ""}${ev.failures.some((f) => f.kind === "host") ? `${ev.failures.some((f) => f.kind !== "host") ? "; and " : ""}${ev.failures.flatMap((f) => (f.kind === "host" ? [`\`${hostFixText(f.finding)}\``] : [])).join(" and ")}` : ""}`;
    out.push(`| ${ev.ok ? "✅" : "❌"} | \`${md(entry.file)}:${entry.line}\` ${md(entry.name)} | ${md(entry.model)} | ${ev.gpusUsed} × ${md(entry.gpu?.id ?? "?")} | ${entry.release ?? ""} | ${kv} | ${conc} | ${md(result)} |`);
  }
  out.push("");
  out.push(`**${checkSummary(report)}**`);
  const withNotes = report.entries.filter((e) => e.notes.length > 0 || (e.evaluation?.failures ?? []).some((f) => f.kind === "start"));
  if (withNotes.length || report.fileNotes.length || report.fileErrors.length) {
    out.push("");
    out.push("<details><summary>Details</summary>");
    out.push("");
    for (const entry of withNotes) {
      const ev = entry.evaluation;
      if (ev) for (const f of ev.failures) if (f.kind === "start") out.push(`- \`${md(entry.file)}:${entry.line}\` ${md(entry.name)}: vLLM: ${md(messageFor(f.diagnostic, ev.plan))}`);
      for (const n of entry.notes) out.push(`- \`${md(entry.file)}:${entry.line}\` ${md(entry.name)}: ${md(n)}`);
    }
    for (const f of report.fileNotes) out.push(`- \`${md(f.file)}${f.line ? `:${f.line}` : ""}\`: ${md(f.text)}`);
    for (const f of report.fileErrors) out.push(`- ${md(f)}`);
    out.push("");
    out.push("</details>");
  }
  out.push(...suggestedResources(report.entries));
  return out.join("\n") + "\n";
}

export function checkToJsonObject(report: CheckReport): object {
  const { n: count, bad, missing } = counts(report.entries);
  return {
    ok: checkPassed(report),
    summary: { deployments: count, passing: count - bad - missing, failing: bad, notPlanned: missing },
    deployments: report.entries.map((entry) => {
      const ev = entry.evaluation;
      const base = { file: entry.file, line: entry.line, name: entry.name, model: entry.model, vllmVersion: entry.release, gpu: entry.gpu?.id ?? null, gpuName: entry.gpu?.name ?? null, gpuCount: entry.gpuCount };
      if (ev === null) return { ...base, ok: false, problem: entry.problem, args: entry.args, notes: entry.notes };
      const { explain: _explain, ...plan } = planToJsonObject(ev.plan) as Record<string, unknown>;
      return {
        ...base,
        gpusUsed: ev.gpusUsed,
        ok: ev.ok,
        problem: null,
        constraints: entry.targetText,
        concurrency: { requests: ev.concurrency, tokensPerRequest: ev.concurrencyLen },
        minFreeBytes: ev.minFreeBytes,
        failures: ev.failures.map((failure) => ({
          kind: failure.kind,
          message: failureText(failure, ev.plan),
          ...(failure.kind === "start" ? { code: failure.diagnostic.code, vllmMessage: messageFor(failure.diagnostic, ev.plan) } : {}),
          ...(failure.kind === "host" ? { code: failure.finding.code, needBytes: failure.finding.need, haveBytes: failure.finding.have, fitBytes: failure.finding.fitBytes, setting: failure.finding.where, fix: hostFixText(failure.finding) } : {}),
        })),
        fixes: entry.fixes.map((f) => ({ flags: f.changes, ...(f.note ? { note: f.note } : {}), text: fixesText([f]) })),
        ...(entry.orderFix ? { orderFix: entry.orderFix } : {}),
        ...(ev.ok ? {} : { solve: solveCommand(entry) }),
        args: entry.args,
        notes: entry.notes,
        plan,
      };
    }),
    files: { notes: report.fileNotes, errors: report.fileErrors },
  };
}

export function renderCheckJson(report: CheckReport): string {
  return JSON.stringify(checkToJsonObject(report), null, 2) + "\n";
}

/**
 * Kubernetes deployments whose memory limit or /dev/shm is below what vLLM needs: the container's
 * resources and /dev/shm volume that fit, as YAML to paste (requests = limits: the pod is scheduled
 * only where the memory is).
 */
function suggestedResources(entries: readonly CheckEntry[]): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    const ev = entry.evaluation;
    const host = ev?.plan.host;
    if (!ev || !host) continue;
    const findings = ev.failures.flatMap((f) => (f.kind === "host" && f.finding.runtime === "kubernetes" ? [f.finding] : []));
    if (findings.length === 0) continue;
    const gibCeil = (b: number): number => fitBytes(b) / GIB;
    const mem = gibCeil(host.memoryBytes);
    out.push("", `Suggested for \`${md(entry.file)}:${entry.line}\` ${md(entry.name)} (host memory ${gibText(host.memoryBytes)}, /dev/shm ${gibText(host.shmBytes)}; an estimate):`, "", "```yaml");
    out.push("# the container", "resources:", "  requests:", `    memory: ${mem}Gi`, "  limits:", `    memory: ${mem}Gi`);
    if (host.shmBytes > 0) {
      out.push("volumeMounts:", "  - name: dshm", "    mountPath: /dev/shm", "# the pod spec", "volumes:", "  - name: dshm", "    emptyDir:", "      medium: Memory", `      sizeLimit: ${gibCeil(host.shmBytes)}Gi`);
    }
    out.push("```");
  }
  return out;
}

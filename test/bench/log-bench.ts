// npm run bench, the published validation table (issue #14.5): every vLLM log in fixtures/vllm-logs/
// (raw/ files, the .log files, and the log lines kept in calibration.jsonl / extra.jsonl) read through
// `vram-plan log` (in-process, --json), re-planned where the log or validation.json determines model and
// GPU, and the planned figures set against the logged ones per vLLM release.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/run.js";
import { readVllmLog } from "../../src/sources/vllm-log.js";
import type { LogDifference as Diff } from "../helpers/vllm-logs.js";

const GIB = 2 ** 30;

interface ValidationEntry {
  log: string;
  case?: string;
  model?: string;
  gpu?: string;
  flags?: string[];
  why: string;
}
interface CaseFlags {
  [k: string]: string | boolean | undefined;
}
interface Case {
  name: string;
  /** Inputs beyond the KV arithmetic (GPU, utilization) are assumed: only the KV arithmetic is compared. */
  kvOnly?: boolean;
  /** Only the weights are compared (the rest of the start-up is not known). */
  weightsOnly?: boolean;
  model: string;
  gpu: string;
  gpuMemory?: string;
  flags: CaseFlags;
}
interface LogJson {
  logged: { vllmVersion: string | null; versionSource: string | null; outcome: string; errorCode: string | null; weightsBytes: number | null; availableKvBytes: number | null; kvTokens: number | null; numGpuBlocks: number | null; maxConcurrency: number | null };
  plan: { engine: { vllmVersion: string }; kvCache: { tokens: number; numGpuBlocks: number; blockSize: number; maxConcurrency: number } } | null;
  differences: Diff[];
}

const kebab = (camel: string): string => camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** A case's flags (camelCase, as cases.json keeps them) → vLLM words; the release is the log's own. */
function caseArgv(flags: CaseFlags): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined || v === false || k === "vllmVersion" || k === "kvCacheMemory") continue;
    out.push(`--${kebab(k)}`);
    if (v !== true) out.push(String(v));
  }
  return out;
}

async function logJson(text: string, args: string[]): Promise<{ code: number; json: LogJson | null; err: string }> {
  let out = "";
  let err = "";
  const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s), isTTY: false, env: { HF_HUB_OFFLINE: "1" }, stdin: () => text };
  const code = await run(["log", "-", "--json", "--offline", ...args], io);
  return { code, json: code === 2 ? null : (JSON.parse(out) as LogJson), err };
}

function median(xs: number[]): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

interface Row {
  release: string;
  log: string;
  replanned: boolean;
  weights: { l: number; p: number } | null;
  kv: { l: number; p: number } | null;
  kvExact: boolean | null;
  kvWhat: string;
  verdict: { l: string; p: string } | null;
  named: boolean;
}

export async function logBenchLines(root: string): Promise<string[]> {
  const dir = join(root, "fixtures", "vllm-logs");
  const cases = new Map((JSON.parse(readFileSync(join(dir, "cases.json"), "utf8")) as { cases: Case[] }).cases.map((c) => [c.name, c]));
  const validation = new Map((JSON.parse(readFileSync(join(dir, "validation.json"), "utf8")) as { logs: ValidationEntry[] }).logs.map((e) => [e.log, e]));

  // Every log in fixtures/vllm-logs: raw/ files, *.log, and each JSONL entry's log lines.
  const logs: { key: string; text: string }[] = [];
  for (const f of readdirSync(join(dir, "raw")).sort()) if (f !== "SOURCES.md") logs.push({ key: `raw/${f}`, text: readFileSync(join(dir, "raw", f), "utf8") });
  for (const f of readdirSync(dir).sort()) if (f.endsWith(".log")) logs.push({ key: f, text: readFileSync(join(dir, f), "utf8") });
  for (const f of ["calibration.jsonl", "extra.jsonl"]) {
    readFileSync(join(dir, f), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .forEach((l, i) => logs.push({ key: `${f}#${i + 1}`, text: ((JSON.parse(l) as { raw: string[] }).raw ?? []).join("\n") }));
  }

  const rows: Row[] = [];
  let notLogs = 0;
  let read = 0;
  let failedLogs = 0;
  let failuresNamed = 0;
  for (const { key, text } of logs) {
    const logged = readVllmLog(text);
    if (!logged) {
      notLogs++;
      continue;
    }
    read++;
    if (logged.outcome === "failed") {
      failedLogs++;
      if (logged.error?.code) failuresNamed++;
    }
    const v = validation.get(key);
    const c = v?.case ? cases.get(v.case) : undefined;
    const args: string[] = [];
    const model = v?.model ?? c?.model;
    const gpu = v?.gpu ?? c?.gpu;
    if (model) args.push("--model", model);
    if (gpu) args.push("--gpu", gpu);
    if (c?.gpuMemory && logged.gpuTotalBytes === null) args.push("--gpu-memory", c.gpuMemory);
    const after = [...(v?.flags ?? []), ...(c ? caseArgv(c.flags) : [])];
    const r = await logJson(text, after.length ? [...args, "--", ...after] : args);
    const j = r.json;
    if (!j) continue;
    const row: Row = {
      release: (j.plan?.engine.vllmVersion ?? logged.vllmVersion ?? "?").replace(/^(\d+\.\d+\.\d+).*$/, "$1"),
      log: key,
      replanned: j.plan !== null,
      weights: null,
      kv: null,
      kvExact: null,
      kvWhat: "",
      verdict: null,
      named: logged.outcome !== "failed" || logged.error?.code != null,
    };
    const d = (what: string): Diff | undefined => j.differences.find((x) => x.what === what);
    const diff = d("weights");
    if (diff && typeof diff.logged === "number" && typeof diff.planned === "number" && !c?.kvOnly) row.weights = { l: diff.logged, p: diff.planned };
    const kv = d("availableKv");
    const endToEnd = !c?.kvOnly && !c?.weightsOnly;
    if (endToEnd && kv && typeof kv.logged === "number" && typeof kv.planned === "number") row.kv = { l: kv.logged, p: kv.planned };
    const o = d("outcome");
    if (endToEnd && o && typeof o.logged === "string" && typeof o.planned === "string") row.verdict = { l: o.logged, p: o.planned };
    // KV arithmetic given vLLM's own KV memory (vram-plan's --kv-cache-memory: every release, unlike vLLM's --kv-cache-memory-bytes
    // of v0.10.1+): the printed GiB is rounded to 0.01, so re-plan at both
    // ends of its rounding window; exact = the logged count within one block of that range.
    const lk = j.logged.availableKvBytes;
    if (j.plan && !c?.weightsOnly && lk !== null && lk > 0 && (j.logged.kvTokens !== null || j.logged.numGpuBlocks !== null)) {
      const at = async (bytes: number): Promise<LogJson["plan"]> => (await logJson(text, [...args, "--", ...after, "--kv-cache-memory", String(Math.round(bytes))])).json?.plan ?? null;
      const lo = await at(lk - 0.005 * GIB);
      const hi = await at(lk + 0.005 * GIB);
      if (lo && hi) {
        const perBlock = hi.kvCache.numGpuBlocks > 0 ? Math.ceil(hi.kvCache.tokens / hi.kvCache.numGpuBlocks) : hi.kvCache.blockSize;
        const parts: string[] = [];
        let ok = true;
        if (j.logged.kvTokens !== null) {
          ok &&= j.logged.kvTokens >= lo.kvCache.tokens - perBlock && j.logged.kvTokens <= hi.kvCache.tokens + perBlock;
          parts.push(`tokens ${j.logged.kvTokens} in [${lo.kvCache.tokens}, ${hi.kvCache.tokens}]±${perBlock}`);
        }
        if (j.logged.numGpuBlocks !== null) {
          ok &&= j.logged.numGpuBlocks >= lo.kvCache.numGpuBlocks - 1 && j.logged.numGpuBlocks <= hi.kvCache.numGpuBlocks + 1;
          parts.push(`blocks ${j.logged.numGpuBlocks} in [${lo.kvCache.numGpuBlocks}, ${hi.kvCache.numGpuBlocks}]±1`);
        }
        row.kvExact = ok;
        row.kvWhat = parts.join(", ");
      }
    }
    rows.push(row);
  }

  const out: string[] = [];
  const g = (b: number): string => (b / GIB).toFixed(2);
  out.push("");
  out.push("== vram-plan log: per-release validation (every log in fixtures/vllm-logs read through `vram-plan log`) ==");
  out.push(
    `Logs: ${logs.length} (${logs.filter((l) => l.key.startsWith("raw/")).length} raw files); read as vLLM logs: ${read}; not vLLM logs: ${notLogs}; failed start-ups ${failedLogs}, failure named with a code in ${failuresNamed}; re-planned (model and GPU known): ${rows.filter((r) => r.replanned).length}`,
  );
  out.push("(– = not printed by the log, or an input assumed by the case: then only what the log and the stated inputs determine is compared)");
  out.push("release  log                                               weights logged → planned      available KV logged → planned   KV arithmetic given the logged KV memory                 start-up logged / planned");
  const byRelease = [...new Set(rows.map((r) => r.release))].sort((a, b) => {
    const pa = a.split(".").map(Number);
    const pb = b.split(".").map(Number);
    return (pa[0] ?? 0) - (pb[0] ?? 0) || (pa[1] ?? 0) - (pb[1] ?? 0) || (pa[2] ?? 0) - (pb[2] ?? 0);
  });
  for (const rel of byRelease) {
    for (const r of rows.filter((x) => x.release === rel && x.replanned)) {
      const w = r.weights ? `${g(r.weights.l)} → ${g(r.weights.p)} GiB (${((Math.abs(r.weights.p - r.weights.l) / r.weights.l) * 100).toFixed(2)} %)` : "–";
      const kv = r.kv ? `${g(r.kv.l)} → ${g(r.kv.p)} GiB (Δ ${g(r.kv.p - r.kv.l)})` : "–";
      const ar = r.kvExact === null ? "–" : `${r.kvExact ? "exact" : "MISMATCH"}: ${r.kvWhat}`;
      const vd = r.verdict ? `${r.verdict.l} / ${r.verdict.p}${r.verdict.l === r.verdict.p ? "" : "  ≠"}` : "–";
      out.push(`${rel.padEnd(8)} ${r.log.padEnd(49)} ${w.padEnd(29)} ${kv.padEnd(31)} ${ar.padEnd(56)} ${vd}`);
    }
  }
  out.push("Per release (re-planned logs):");
  out.push("release  logs read  re-planned  weights median err  available KV median |Δ|  KV arithmetic exact  start-up verdict right");
  for (const rel of byRelease) {
    const rs = rows.filter((x) => x.release === rel);
    const rp = rs.filter((x) => x.replanned);
    const we = rp.filter((x) => x.weights).map((x) => Math.abs(x.weights!.p - x.weights!.l) / x.weights!.l);
    const ke = rp.filter((x) => x.kv).map((x) => Math.abs(x.kv!.p - x.kv!.l));
    const ka = rp.filter((x) => x.kvExact !== null);
    const vd = rp.filter((x) => x.verdict);
    out.push(
      `${rel.padEnd(8)} ${String(rs.length).padStart(9)}  ${String(rp.length).padStart(10)}  ${(we.length ? `${(median(we) * 100).toFixed(2)} % (${we.length})` : "–").padStart(18)}  ${(ke.length ? `${g(median(ke))} GiB (${ke.length})` : "–").padStart(23)}  ${(ka.length ? `${ka.filter((x) => x.kvExact).length}/${ka.length}` : "–").padStart(19)}  ${(vd.length ? `${vd.filter((x) => x.verdict!.l === x.verdict!.p).length}/${vd.length}` : "–").padStart(22)}`,
    );
  }
  const all = rows.filter((x) => x.replanned);
  const we = all.filter((x) => x.weights).map((x) => Math.abs(x.weights!.p - x.weights!.l) / x.weights!.l);
  const ke = all.filter((x) => x.kv).map((x) => Math.abs(x.kv!.p - x.kv!.l));
  const ka = all.filter((x) => x.kvExact !== null);
  const vd = all.filter((x) => x.verdict);
  out.push(
    `All re-planned logs: weights median ${(median(we) * 100).toFixed(2)} % (worst ${(Math.max(...we) * 100).toFixed(2)} %, ${we.length} logs); available KV median |Δ| ${g(median(ke))} GiB (${ke.length}); KV arithmetic exact ${ka.filter((x) => x.kvExact).length}/${ka.length}; start-up verdict right ${vd.filter((x) => x.verdict!.l === x.verdict!.p).length}/${vd.length}`,
  );
  return out;
}

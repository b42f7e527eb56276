// `vram-plan solve --model M --gpu G [--context LEN] [--concurrency N] [--images-per-prompt K]`:
// the flags that make a model fit, found by planning candidates (src/core/solve.ts), printed as a
// `vllm serve` command line ready to paste. Exit 0 when found, 1 when nothing fits, 2 on bad input.
import type { Io } from "./io.js";
import type { RawEngineFlags } from "../sources/engine-flags.js";
import type { SolveResult } from "../core/solve.js";
import type { GpuProfile } from "../core/types.js";
import { InputError } from "../errors.js";

export interface SolveOptions extends RawEngineFlags {
  model?: string;
  gpu?: string;
  gpuMemory?: string;
  context?: string;
  concurrency?: string;
  imagesPerPrompt?: string;
  maxGpus?: string;
  maxUtilization?: string;
  offline?: boolean;
  format?: string;
  json?: boolean;
}

/** POSIX-shell quoting: bare when safe, else single quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}

function intOpt(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new InputError(flag, `${flag}: expected an integer >= ${min}, got '${v}'`);
  return n;
}

export interface SolveOutcome {
  result: SolveResult;
  model: string;
  modelId: string;
  gpu: GpuProfile;
  /** The `vllm serve` words (null when nothing fits). */
  argv: string[] | null;
  command: string | null;
}

export async function solveFrom(o: SolveOptions, io: Pick<Io, "env" | "stderr">): Promise<SolveOutcome> {
  if (!o.model) throw new InputError("--model", "--model: required, e.g. --model qwen2.5-7b (vram-plan models lists the catalogue)");
  const { parseTokens } = await import("../units.js");
  const { engineFlagsFrom } = await import("../sources/engine-flags.js");
  const { gpuFrom } = await import("../sources/gpus.js");
  const { resolveModel } = await import("../sources/resolve-model.js");
  const { solve, serveArgv } = await import("../core/solve.js");
  let context: number | undefined;
  if (o.context !== undefined) {
    const c = parseTokens(o.context);
    if (c === null || c < 1) throw new InputError("--context", `--context: expected a token count such as 32768, 32k (32000) or 32K (32768), got '${o.context}'`);
    context = c;
  }
  const concurrency = intOpt("--concurrency", o.concurrency, 1);
  const images = intOpt("--images-per-prompt", o.imagesPerPrompt, 0);
  const maxGpus = intOpt("--max-gpus", o.maxGpus, 1);
  let maxUtilization: number | undefined;
  if (o.maxUtilization !== undefined) {
    const u = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(o.maxUtilization) ? Number(o.maxUtilization) : Number.NaN;
    if (!(u > 0 && u <= 1)) throw new InputError("--max-utilization", `--max-utilization: expected a fraction in (0, 1], got '${o.maxUtilization}'`);
    maxUtilization = u;
  }
  const base = engineFlagsFrom(o);
  const gpu = gpuFrom(o);
  const resolved = await resolveModel(o.model, { offline: o.offline === true, env: io.env });
  for (const w of resolved.warnings) io.stderr(`vram-plan: warning: ${w}\n`);
  const arch = resolved.arch;
  if (images !== undefined && images > 0 && !arch.vision) throw new InputError("--images-per-prompt", `--images-per-prompt: ${arch.id} takes no images (it has no vision encoder)`);
  if (context !== undefined && context > arch.derivedMaxModelLen) {
    throw new InputError("--context", `--context ${o.context}: longer than ${arch.id}'s maximum context (${arch.derivedMaxModelLen} tokens, from its config.json)`);
  }
  const result = solve({
    model: arch,
    gpu,
    base,
    ...(context !== undefined ? { context } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(images !== undefined ? { imagesPerPrompt: images } : {}),
    ...(maxGpus !== undefined ? { maxGpus } : {}),
    ...(maxUtilization !== undefined ? { maxUtilization } : {}),
  });
  const modelName = resolved.source === "catalogue" ? arch.id : o.model;
  const argv = result.found ? serveArgv(modelName, result.flags) : null;
  return { result, model: modelName, modelId: arch.id, gpu, argv, command: argv ? commandLine(argv) : null };
}

function fmtInt(n: number): string {
  const s = String(Math.trunc(n));
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export function renderSolveText(s: SolveOutcome, markdown = false): string {
  const r = s.result;
  const out: string[] = [];
  const gibs = (b: number): string => (b / 2 ** 30).toFixed(2);
  const targetText = `${r.concurrency > 1 ? `${r.concurrency} concurrent requests of ` : "one request of "}${fmtInt(r.context)} tokens`;
  const vllm = r.plan?.engine.vllmVersion ?? r.flags.vllmVersion;
  out.push(`${markdown ? "### " : ""}vram-plan solve: ${s.modelId} on ${s.gpu.name} (${gibs(s.gpu.cudaTotalBytes)} GiB)${vllm ? `, vLLM ${vllm}` : ""}`);
  out.push(`${markdown ? "\n" : ""}target: ${targetText}${r.flags.limitMmPerPrompt?.["image"] !== undefined ? `, ${r.flags.limitMmPerPrompt["image"]} image(s) per prompt` : ""}`);
  out.push("");
  if (!r.found || !r.layout || !r.plan) {
    out.push(`Nothing fits: ${r.reason ?? "no configuration meets the target"}.`);
    return out.join("\n") + "\n";
  }
  const l = r.layout;
  const rows: [string, string, string][] = [
    ["tensor-parallel-size", String(l.tensorParallelSize), `smallest that starts and meets the target${l.pipelineParallelSize > 1 ? ` (with pipeline-parallel-size ${l.pipelineParallelSize}: ${l.gpus} GPUs)` : ""}`],
    ["gpu-memory-utilization", r.gpuMemoryUtilization.toFixed(2), "smallest that meets the target"],
    ["max-model-len", fmtInt(r.maxModelLen), `largest that fits at ${r.gpuMemoryUtilization.toFixed(2)}`],
    ["max-num-seqs", fmtInt(r.maxNumSeqs), `largest that fits at ${r.gpuMemoryUtilization.toFixed(2)} and max-model-len ${fmtInt(r.maxModelLen)}`],
    ["kv-cache-dtype", l.kvCacheDtype, r.fp8KvCacheNeeded ? "fp8 KV cache needed" : "fp8 KV cache not needed"],
    ["quantization", l.quantization ?? "as the checkpoint", r.quantizationNeeded ? "a quantized checkpoint (or --quantization fp8) needed" : "no quantization needed"],
  ];
  if (markdown) {
    out.push("| flag | value | why |");
    out.push("|---|---:|---|");
    for (const [a, b, c] of rows) out.push(`| \`--${a}\` | ${b} | ${c} |`);
  } else {
    for (const [a, b, c] of rows) out.push(`  ${a.padEnd(24)} ${b.padEnd(18)} ${c}`);
  }
  for (const alt of r.alternatives) out.push(`${markdown ? "\n" : ""}  alternative: with ${alt.precision}, ${alt.gpus} GPU${alt.gpus > 1 ? "s" : ""} (tensor-parallel-size ${alt.tensorParallelSize}${alt.pipelineParallelSize > 1 ? `, pipeline-parallel-size ${alt.pipelineParallelSize}` : ""})`);
  const kvMin = Math.min(...r.plan.perGpu.map((g) => g.kvCacheBytes));
  out.push("");
  out.push(`KV cache ${gibs(kvMin)} GiB per GPU, ${fmtInt(r.plan.kvCache.tokens)} tokens: ${r.concurrencyAtContext.toFixed(2)} concurrent requests of ${fmtInt(r.context)} tokens (${r.plans} configurations planned).`);
  out.push("");
  if (markdown) out.push("```sh", s.command ?? "", "```");
  else out.push(s.command ?? "");
  return out.join("\n") + "\n";
}

export function solveToJsonObject(s: SolveOutcome): object {
  const r = s.result;
  return {
    found: r.found,
    model: s.model,
    gpu: s.gpu.id,
    target: { context: r.context, concurrency: r.concurrency, imagesPerPrompt: r.flags.limitMmPerPrompt?.["image"] ?? null },
    tensorParallelSize: r.layout?.tensorParallelSize ?? null,
    pipelineParallelSize: r.layout?.pipelineParallelSize ?? null,
    gpus: r.layout?.gpus ?? null,
    gpuMemoryUtilization: r.found ? r.gpuMemoryUtilization : null,
    maxModelLen: r.found ? r.maxModelLen : null,
    maxNumSeqs: r.found ? r.maxNumSeqs : null,
    kvCacheDtype: r.layout?.kvCacheDtype ?? null,
    quantization: r.layout?.quantization ?? null,
    fp8KvCacheNeeded: r.fp8KvCacheNeeded,
    quantizationNeeded: r.quantizationNeeded,
    alternatives: r.alternatives,
    concurrencyAtContext: r.found ? r.concurrencyAtContext : null,
    kvCacheTokens: r.plan?.kvCache.tokens ?? null,
    argv: s.argv,
    command: s.command,
    reason: r.reason,
    plans: r.plans,
  };
}

/** The solve command: finds the flags, renders them in the chosen format, returns the exit code. */
export async function solveCommand(o: SolveOptions, io: Io): Promise<number> {
  const fmt = o.json ? "json" : (o.format ?? "table");
  if (!["table", "markdown", "json"].includes(fmt)) throw new InputError("--format", `--format: '${fmt}' is not one of table, markdown, json`);
  const s = await solveFrom(o, io);
  io.stdout(fmt === "json" ? JSON.stringify(solveToJsonObject(s), null, 2) + "\n" : renderSolveText(s, fmt === "markdown"));
  return s.result.found ? 0 : 1;
}

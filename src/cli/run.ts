// The CLI's body: run(argv, io) parses, plans and renders, and returns the exit code.
// Exit policy: 0 it starts, 1 it would not start, 2 bad input (one line on stderr), 3 a bug.
import { Command, CommanderError, Option } from "commander";
import { InputError } from "../errors.js";
import { engineFlagsFrom, normaliseArgv, FORMATS, type RawEngineFlags } from "./engine-flags.js";
import type { GpuProfile, Plan } from "../core/types.js";
import { planDeployment } from "../core/plan.js";
import { exitCodeFor } from "../core/exit.js";
import { parseSize } from "../units.js";
import { registerTokens } from "../commands/tokens.js";
import { registerCompare } from "../commands/compare.js";
import { registerCheck } from "../commands/check.js";
import { registerSolve } from "../commands/solve.js";
import { addSweepOption } from "../commands/sweep.js";

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Whether stdout is a terminal (colour only then, and never with NO_COLOR). */
  isTTY: boolean;
  env: Record<string, string | undefined>;
}

export interface CommonOpts extends RawEngineFlags {
  model?: string;
  gpu?: string;
  gpuMemory?: string;
  format?: string;
  json?: boolean;
  explain?: boolean;
  color?: boolean;
  offline?: boolean;
}

/**
 * vLLM flags that do not change start-up memory: accepted (hidden, ignored) so a pasted `vllm serve`
 * line works, while a typo still fails as an unknown option.
 */
const IGNORED_VLLM_BOOLEANS = ["trust-remote-code", "enable-prefix-caching", "no-enable-prefix-caching", "disable-log-requests", "disable-log-stats", "enable-chunked-prefill", "enable-auto-tool-choice", "disable-custom-all-reduce", "enable-log-requests"];
const IGNORED_VLLM_VALUES = ["served-model-name", "host", "port", "seed", "tokenizer", "revision", "download-dir", "load-format", "api-key", "chat-template", "tool-call-parser", "reasoning-parser", "swap-space", "distributed-executor-backend", "uvicorn-log-level", "max-log-len", "tokenizer-mode", "config-format"];

function addIgnoredVllmOptions(cmd: Command): Command {
  for (const f of IGNORED_VLLM_BOOLEANS) cmd.addOption(new Option(`--${f}`).hideHelp());
  for (const f of IGNORED_VLLM_VALUES) cmd.addOption(new Option(`--${f} <value>`).hideHelp());
  return cmd;
}

/** The plan command's options (model, GPU, vLLM engine flags, output), shared by other commands. */
export function addEngineOptions(cmd: Command): Command {
  addIgnoredVllmOptions(cmd);
  return cmd
    .optionsGroup("Model:")
    .option("-m, --model <name|path>", "catalogue name (qwen2.5-vl-7b), Hugging Face id, or a local directory / config.json")
    .option("--offline", "never contact the Hugging Face Hub (also HF_HUB_OFFLINE=1)")
    .optionsGroup("GPU:")
    .option("-g, --gpu <id>", "GPU profile (vram-plan gpus lists them), e.g. a100-80g, h100, l40s")
    .option("--gpu-memory <size>", "CUDA-visible memory per GPU (e.g. 79.18GiB, 85GB, 81079MiB); overrides --gpu's total, or alone describes another GPU (Hopper-class compute capability assumed)")
    .option("--other-process-memory <size>", "memory other processes already hold on each GPU at start-up")
    .optionsGroup("vLLM engine (same names and meanings as vllm serve):")
    .option("--tensor-parallel-size <n>", "tensor-parallel GPUs (also -tp)")
    .option("--pipeline-parallel-size <n>", "pipeline stages (also -pp)")
    .option("--data-parallel-size <n>", "data-parallel replicas, with --enable-expert-parallel (also -dp)")
    .option("--gpu-memory-utilization <fraction>", "share of each GPU's memory vLLM may use (default 0.9; 0.92 from v0.21)")
    .option("--max-model-len <tokens>", "context length (32k = 32000, 32K = 32768, as vLLM reads it)")
    .option("--max-num-seqs <n>", "sequences per iteration")
    .option("--max-num-batched-tokens <n>", "tokens per iteration (sizes the profile run)")
    .addOption(new Option("--dtype <dtype>", "model dtype").choices(["auto", "bfloat16", "float16", "half", "float32", "float"]))
    .addOption(new Option("--kv-cache-dtype <dtype>", "KV cache dtype").choices(["auto", "fp8", "fp8_e4m3", "fp8_e5m2", "bfloat16", "float16"]))
    .option("--block-size <tokens>", "KV cache block size")
    .option("--enforce-eager", "no CUDA graphs, no torch.compile")
    .option("--kv-cache-memory <size>", "KV cache size per GPU, bypassing --gpu-memory-utilization")
    .option("--limit-mm-per-prompt <json>", "multimodal items per prompt, e.g. '{\"image\":1,\"video\":0}'")
    .option("--mm-processor-kwargs <json>", "processor overrides, e.g. '{\"max_pixels\":1003520}'")
    .option("--mm-encoder-tp-mode <mode>", "weights (shard the vision tower) or data (replicate it)")
    .option("--skip-mm-profiling", "skip the multimodal encoder in the profile run")
    .option("--quantization, -q <method>", "quantization method (fp8 quantizes a 16-bit checkpoint online)")
    .option("--enable-expert-parallel", "place whole experts on ranks")
    .option("--disable-hybrid-kv-cache-manager", "store every token in every layer (sliding-window models)")
    .option("--vllm-version <version>", "vLLM release whose accounting to model (default: newest modelled)")
    .addOption(new Option("--usage-context <ctx>", "server (vllm serve) or offline (the LLM class): they have different defaults").choices(["server", "offline"]))
    .optionsGroup("Output:")
    .addOption(new Option("--format <format>", "output format").choices([...FORMATS]))
    .option("--json", "same as --format json")
    .option("--explain", "print the arithmetic line by line with sources")
    .option("--no-color", "no colours (also NO_COLOR, or when output is not a terminal)");
}

/** --gpu / --gpu-memory → a GPU profile (InputError naming the flag when unknown). */
export async function gpuFrom(o: { gpu?: string; gpuMemory?: string }): Promise<GpuProfile> {
  const mem = o.gpuMemory !== undefined ? parseSize(o.gpuMemory) : undefined;
  if (o.gpuMemory !== undefined && (mem === null || mem === undefined || mem <= 0)) {
    throw new InputError("--gpu-memory", `--gpu-memory: expected a size such as 79.18GiB, 85GB or 81079MiB, got '${o.gpuMemory}'`);
  }
  const { findGpu, gpuCatalogue } = await import("../sources/gpus.js");
  if (o.gpu === undefined) {
    if (!mem) throw new InputError("--gpu", "--gpu: required (vram-plan gpus lists the profiles), or give --gpu-memory <size>");
    // Memory alone: the rest (compute capability, SM count) is taken from the H100 SXM profile, and said.
    const h = findGpu("h100-sxm");
    const cc = h?.computeCapability ?? "9.0";
    return { id: "custom", name: `custom GPU (${o.gpuMemory}; compute capability ${cc} assumed)`, cudaTotalBytes: mem, computeCapability: cc, smCount: h?.smCount ?? 132, source: "--gpu-memory (other properties from the h100-sxm profile)" };
  }
  const g = findGpu(o.gpu);
  if (!g) throw new InputError("--gpu", `--gpu ${o.gpu}: unknown GPU; known: ${gpuCatalogue().map((x) => x.id).join(", ")}`);
  const profile: GpuProfile = { id: g.id, name: g.name, cudaTotalBytes: g.cudaTotalBytes, computeCapability: g.computeCapability, smCount: g.smCount, source: g.source };
  if (mem) profile.cudaTotalBytes = mem;
  return profile;
}

function formatOf(o: CommonOpts): "table" | "json" | "markdown" {
  if (o.json) return "json";
  return (o.format as "table" | "json" | "markdown" | undefined) ?? "table";
}

async function render(plan: Plan, o: CommonOpts, io: Io): Promise<string> {
  const fmt = formatOf(o);
  if (fmt === "json") return (await import("../render/json.js")).renderJson(plan);
  let out: string;
  if (fmt === "markdown") out = (await import("../render/markdown.js")).renderMarkdown(plan);
  else {
    const useColor = o.color !== false && io.isTTY && !io.env["NO_COLOR"];
    const { renderTable } = await import("../render/table.js");
    const { colours } = await import("../render/colours.js");
    out = renderTable(plan, { chalk: await colours(useColor) });
  }
  if (o.explain) out += (await import("../render/explain.js")).renderExplain(plan);
  return out;
}

async function planCommand(o: CommonOpts, io: Io): Promise<number> {
  if (!o.model) throw new InputError("--model", "--model: required, e.g. --model qwen2.5-vl-7b (vram-plan models lists the catalogue)");
  const flags = engineFlagsFrom(o);
  const gpu = await gpuFrom(o);
  const { resolveModel } = await import("../sources/resolve-model.js");
  const model = await resolveModel(o.model, { offline: o.offline === true, env: io.env });
  for (const w of model.warnings) io.stderr(`vram-plan: warning: ${w}\n`);
  const plan = planDeployment({ model: model.arch, gpu, flags }, { explain: o.explain === true, whatIf: true });
  io.stdout(await render(plan, o, io));
  return exitCodeFor(plan);
}

export function buildProgram(io: Io, setCode: (c: number) => void): Command {
  const program = new Command("vram-plan")
    .description("How will vLLM use GPU memory? Plan the start-up budget per GPU before you launch.")
    .version("0.1.0")
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => undefined });

  addSweepOption(
    addEngineOptions(
      program
        .command("plan", { isDefault: true })
        .description("vLLM's start-up memory budget per GPU (the default command)")
        .exitOverride()
        .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => undefined }),
    ),
  ).action(async (o: CommonOpts & { sweep?: string[] }) =>
    setCode(o.sweep?.length ? await (await import("../commands/sweep.js")).runSweepCommand(o, io) : await planCommand(o, io)),
  );

  registerTokens(program, io, setCode);
  registerCompare(program, io, setCode);
  registerCheck(program, io, setCode);
  registerSolve(program, io, setCode);

  program
    .command("models")
    .description("list the built-in model catalogue")
    .option("--json", "as JSON")
    .action(async (o: { json?: boolean }) => {
      const { catalogue } = await import("../sources/catalogue.js");
      const list = catalogue();
      io.stdout(o.json ? JSON.stringify(list.map((e) => ({ id: e.hfId, short: e.short, aliases: e.aliases.slice(1) })), null, 2) + "\n" : list.map((e) => `${e.short.padEnd(40)} ${e.hfId}`).join("\n") + "\n");
      setCode(0);
    });

  program
    .command("gpus")
    .description("list the GPU profiles (CUDA-visible memory, compute capability, source)")
    .option("--json", "as JSON")
    .action(async (o: { json?: boolean }) => {
      const { gpuCatalogue } = await import("../sources/gpus.js");
      const list = gpuCatalogue();
      if (o.json) io.stdout(JSON.stringify(list, null, 2) + "\n");
      else {
        const { gib } = await import("../render/format.js");
        io.stdout(list.map((g) => `${g.id.padEnd(14)} ${g.name.padEnd(46)} ${gib(g.cudaTotalBytes).padStart(7)} GiB  cc ${g.computeCapability}${g.cudaTotalExact ? "" : "  (estimated total)"}`).join("\n") + "\n");
      }
      setCode(0);
    });

  return program;
}

export async function run(argv: string[], io: Io): Promise<number> {
  let code = 0;
  try {
    const program = buildProgram(io, (c) => (code = c));
    // A bare `vram-plan` shows what it can do instead of an error about --model.
    if (argv.length === 0) {
      io.stdout(program.helpInformation());
      return 0;
    }
    await program.parseAsync(normaliseArgv(argv), { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr(`vram-plan: ${e.message}\n`);
      return 2;
    }
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      io.stderr(`vram-plan: ${e.message.replace(/^error: /, "")}\n`);
      return 2;
    }
    io.stderr(`vram-plan: internal error (please report): ${(e as Error).stack ?? String(e)}\n`);
    return 3;
  }
}

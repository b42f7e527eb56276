// Commander wiring of every command except plan (src/cli/run.ts): names, options, help. Light on
// purpose: each action imports its command module (src/commands/<name>.ts) only when it runs.
import { Option, type Command } from "commander";
import type { Io } from "../commands/io.js";
import type { Outcome } from "../core/exit.js";
import type { CheckOptions } from "../commands/check.js";
import type { CompareOpts } from "../commands/compare.js";
import type { SolveOptions } from "../commands/solve.js";
import type { TokensOpts } from "../commands/tokens.js";
import type { LogOptions } from "../commands/log.js";
import { ATTN_IMPLEMENTATIONS } from "../core/attn-implementations.js";
import { addEngineOptions, addVllmOptions, formatOption } from "./engine-options.js";

type SetCode = (outcome: Outcome) => void;

/**
 * Adds one command to the program. `forHelp`: the program may print help (or commander may judge a word),
 * so the vLLM flags of the argument table are listed too; otherwise they are left out, since their words
 * never reach commander (splitEngineArgv reads them with the table).
 */
export type RegisterCommand = (program: Command, io: Io, setCode: SetCode, forHelp: boolean) => void;

/** Each command reports errors through run()'s policy, and writes help to the given streams. */
function routed(cmd: Command, io: Io): Command {
  return cmd.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => undefined });
}

export const SWEEP_FLAGS = "--sweep <key=values>";
export const SWEEP_HELP =
  "plan many configurations: gpu=all|ID,ID  max-model-len=8k..128k  gpu-memory-utilization=0.5..0.95[:0.01]  tensor-parallel-size=1,2,4,8  max-num-seqs=..  kv-cache-dtype=auto,fp8 (repeatable: the product)";

/** commander collector: every value of a repeatable option, in order. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Adds --sweep to a command (the plan command). */
export function addSweepOption(cmd: Command): Command {
  return cmd.option(SWEEP_FLAGS, SWEEP_HELP, collect);
}

export function registerTokens(program: Command, io: Io, setCode: SetCode): void {
  routed(program.command("tokens"), io)
    .description("tokens per image or video, by the model's image processor rules (smart_resize)")
    .option("-m, --model <name|path>", "a vision model (Qwen2-VL, Qwen2.5-VL, Qwen3-VL)")
    .option("--image <WxH...>", "image size(s) in pixels, WIDTHxHEIGHT")
    .option("--video <duration@fps|frames>", "a video: 30s@2fps, or a frame count such as 64f")
    .option("--video-size <WxH>", "video frame size in pixels (default 1280x720)")
    .option("--mm-processor-kwargs <json>", "processor overrides, e.g. '{\"max_pixels\":1003520}' (images)")
    .option("--offline", "never contact the Hugging Face Hub")
    .option("--json", "as JSON")
    .action(async (o: TokensOpts) => setCode(await (await import("../commands/tokens.js")).tokensCommand(o, io)));
}

/** Adds `vram-plan compare` to the program, with the plan command's options. */
export function registerCompare(program: Command, io: Io, setCode: SetCode, forHelp: boolean): void {
  const cmd = routed(program.command("compare"), io).description(
    "offline transformers generate() memory beside vLLM's for one workload: why they differ, and the flags that close the gap",
  );
  addEngineOptions(cmd, forHelp)
    .optionsGroup("Workload:")
    .option("--prompt-tokens <n>", "text tokens of one prompt (image tokens are added)")
    .option("--image <WxH>", "an image of the prompt in pixels, e.g. 1792x1792 (repeatable)", collect)
    .option("--images <n>", "number of images per prompt (with --image-size)")
    .option("--image-size <WxH>", "size of each of --images")
    .option("--batch <n>", "prompts generated together (default 1)")
    .option("--new-tokens <n>", "tokens generated per prompt (default 256)")
    .addOption(new Option("--attn <impl>", "transformers attn_implementation (default sdpa)").choices([...ATTN_IMPLEMENTATIONS]))
    .action(async (o: CompareOpts) => setCode(await (await import("../commands/compare.js")).compareCommand(o, io)));
}

export function registerCheck(program: Command, io: Io, setCode: SetCode): void {
  routed(program.command("check"), io)
    .description("check vLLM deployments in files (compose, Kubernetes, KServe, vLLM --config, shell, Dockerfile, vram-plan file): exit 0 all fit, 1 some do not or cannot be planned, 2 a file is unreadable or no file holds a deployment")
    .argument("[file...]", "files with vLLM deployments (- reads standard input; none: files: of .vram-plan.yaml)")
    .option("-g, --gpu <id>", "GPU for deployments whose file names none (a node selector or gpu: in the file wins)")
    .option("--gpu-memory <size>", "CUDA-visible memory per GPU, overriding the GPU profile's (alone: a custom GPU)")
    .option("--set <NAME=VALUE>", "value of a variable set only at run time, e.g. --set LLM_MODEL_ID=Qwen/Qwen3-8B (repeatable)", collect)
    .option("--model-map <PATH=ID>", "a local model path as written in a file → the model it holds (repeatable)", collect)
    .option("--one-host", "every shell script and compose file given runs on one machine (their GPUs are shared)")
    .option("--config <path>", "repository config to use instead of the nearest .vram-plan.yaml")
    .option("--no-config", "ignore .vram-plan.yaml")
    .option("--require-concurrency <N|N@LEN>", "N concurrent requests of LEN tokens (default: max-model-len) must fit")
    .option("--require-context <tokens>", "max-model-len must be at least this (32k = 32000, 32K = 32768)")
    .option("--max-utilization <fraction>", "highest acceptable --gpu-memory-utilization")
    .option("--headroom <size>", "memory that must stay free on each GPU for other processes (e.g. 2GiB)")
    .option("--vllm-version <version>", "vLLM release to model for deployments that do not say")
    .option("--offline", "never contact the Hugging Face Hub (also HF_HUB_OFFLINE=1)")
    .addOption(formatOption(["table", "markdown", "json", "html"], "table, markdown (CI job summaries), json or html (a self-contained report of every deployment, e.g. a CI artifact)"))
    .option("--json", "same as --format json")
    .option("--no-color", "no colors")
    .action(async (files: string[], opts: CheckOptions) => {
      setCode(await (await import("../commands/check.js")).checkCommand(files, opts, io));
    });
}

export function registerSolve(program: Command, io: Io, setCode: SetCode, forHelp: boolean): void {
  const cmd = routed(program.command("solve"), io)
    .description("find the flags that make a model fit a GPU (tensor-parallel size, utilization, max-model-len, max-num-seqs, fp8) and print the vllm serve command")
    .option("-m, --model <name|path>", "catalog name, Hugging Face id, or a local directory / config.json")
    .option("-g, --gpu <id>", "GPU profile (vram-plan gpus lists them), or auto (nvidia-smi)")
    .option("--gpu-memory <size>", "CUDA-visible memory per GPU, overriding --gpu")
    .option("--context <tokens>", "context every request must be allowed (default: the model's maximum)")
    .option("--concurrency <n>", "concurrent requests of --context tokens the KV cache must hold (default 1)")
    .option("--images-per-prompt <k>", "images per prompt for vision models (sets --limit-mm-per-prompt, video off)")
    .option("--max-gpus <n>", "most GPUs to consider (default 8)")
    .option("--max-utilization <fraction>", "highest --gpu-memory-utilization to consider (default 0.95)")
    .option("--margin <size>", "KV cache per GPU kept spare beyond the target, for the planner's own error (default 0.5GiB; 0 for none)")
    .option("--offline", "never contact the Hugging Face Hub (also HF_HUB_OFFLINE=1)")
    .addOption(formatOption(["table", "markdown", "json"], "table, markdown or json"))
    .option("--json", "same as --format json")
    .option("--no-color", "no colors");
  // vLLM's flags from the argument table: the search starts from them (read by splitEngineArgv).
  (forHelp ? addVllmOptions(cmd) : cmd).action(async (o: SolveOptions) => setCode(await (await import("../commands/solve.js")).solveCommand(o, io)));
}

export function registerModels(program: Command, io: Io, setCode: SetCode): void {
  program
    .command("models")
    .description("list the built-in model catalog")
    .option("--json", "as JSON")
    .action(async (o: { json?: boolean }) => setCode((await import("../commands/models.js")).modelsCommand(o, io)));
}

export function registerGpus(program: Command, io: Io, setCode: SetCode): void {
  program
    .command("gpus")
    .description("list the GPU profiles (CUDA-visible memory, compute capability, source); --detect: this machine's GPUs as nvidia-smi reports them")
    .option("--json", "as JSON")
    .option("--detect", "list this machine's GPUs (nvidia-smi), the profile each resolves to, and what other processes hold")
    .action(async (o: { json?: boolean; detect?: boolean }) => setCode(await (await import("../commands/gpus.js")).gpusCommand(o, io)));
}

export function registerSchema(program: Command, io: Io, setCode: SetCode): void {
  program
    .command("schema")
    .description("print the JSON Schema of plan --json (also exported as vram-plan/schema.json)")
    .action(async () => setCode((await import("../commands/schema.js")).schemaCommand(io)));
}

export function registerWeb(program: Command, io: Io, setCode: SetCode): void {
  routed(program.command("web"), io)
    .description("write a static web page (index.html + app.js) that plans in the browser with the same numbers: model and GPU pickers, vLLM's flags, the state in the link, copy as vllm serve; works from file:// and any static host")
    .option("--out <dir>", "directory to write (new, empty, or a previous vram-plan web output; nothing else is overwritten)")
    .action(async (o: { out?: string }) => setCode((await import("../commands/web.js")).webCommand(o, io)));
}

export function registerLog(program: Command, io: Io, setCode: SetCode): void {
  routed(program.command("log"), io)
    .description("read a vLLM start-up log (a file, or - for standard input): what each figure means, the same configuration re-planned beside it, why they differ, and the fix for a failed start-up; exit 0 it started, 1 it failed, 2 not a vLLM log")
    .argument("<file>", "the log file, or - to read standard input")
    .argument("[vllm-flags...]", "vLLM flags the log does not show, after --, e.g. -- --max-model-len 32768 --kv-cache-dtype fp8")
    .option("-m, --model <name|path>", "the model, when the log does not name it (or names a path on another machine)")
    .option("-g, --gpu <id>", "the GPU profile, when the log does not name it (vram-plan gpus lists them)")
    .option("--gpu-memory <size>", "CUDA-visible memory per GPU, overriding the log's and --gpu's")
    .option("--vllm-version <version>", "the vLLM release, when the log does not print it")
    .option("--offline", "never contact the Hugging Face Hub (also HF_HUB_OFFLINE=1)")
    .addOption(formatOption(["table", "markdown", "json"], "table, markdown (to paste into an issue) or json"))
    .option("--json", "same as --format json")
    .option("--no-color", "no colors")
    .action(async (file: string, flags: string[], opts: LogOptions) => {
      setCode(await (await import("../commands/log.js")).logCommand(file, flags, opts, io));
    });
}

/** `vram-plan watch`, with the plan command's options (flags, a pasted command) or --file. */
export function registerWatch(program: Command, io: Io, setCode: SetCode, forHelp: boolean): void {
  const cmd = routed(program.command("watch"), io).description(
    "sample nvidia-smi every --interval seconds and put each GPU's used memory beside the plan's expected figure; report drift (above/below the plan, another process, a GPU near full); exit 1 when a sample drifts past --tolerance",
  );
  addEngineOptions(cmd, forHelp)
    .optionsGroup("Watch:")
    .option("--file <path>", "a deployment file (compose, Kubernetes, script, vLLM config): its first vLLM deployment")
    .option("--interval <seconds>", "seconds between samples (default 5; 0: back to back)")
    .option("--count <n>", "samples to take (default: until stopped)")
    .option("--tolerance <size>", "drift from the plan that fails (default 1GiB)")
    .option("--near-full <size>", "free memory below which a GPU is nearly full (default 1GiB)")
    .action(async (o: import("../commands/watch.js").WatchOpts) => setCode(await (await import("../commands/watch.js")).watchCommand(o, io)));
}

// The CLI's body: run(argv, io) wires the commands (plan here, the others in subcommands.ts), runs the
// one the argv names (src/commands/<name>.ts, imported only then) and returns the exit code.
// The exit code comes from one place, src/core/exit.ts exitCodeFor: 0 it starts, 1 it would not start,
// 2 bad input (one line on stderr), 3 a bug (stack on stderr).
import { Command, CommanderError } from "commander";
import { InputError } from "../errors.js";
import { CPU_DEPLOYMENT_NOTE, errorLines, outputColumns } from "../render/format.js";
import type { Io } from "../commands/io.js";
import { exitCodeFor, type Outcome } from "../core/exit.js";
import { ConfigError, InternalError, ResizeError } from "../core/errors.js";
import type { CommonOpts } from "../commands/plan.js";
import { addEngineOptions, splitEngineArgv } from "./engine-options.js";
import { addSweepOption, registerCheck, registerCompare, registerGpus, registerLog, registerModels, registerSchema, registerSolve, registerTokens, registerWatch, registerWeb, type RegisterCommand } from "./subcommands.js";

/** Adds the plan command, the default one. */
function registerPlan(program: Command, io: Io, setCode: (outcome: Outcome) => void, forHelp: boolean): void {
  addSweepOption(
    addEngineOptions(
      program
        .command("plan", { isDefault: true })
        .description("vLLM's start-up memory budget per GPU (the default command)")
        .exitOverride()
        .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => undefined }),
      forHelp,
    ),
  ).action(async (o: CommonOpts & { sweep?: string[] }) =>
    setCode(o.sweep?.length ? await (await import("../commands/sweep.js")).runSweepCommand(o, io) : await (await import("../commands/plan.js")).planCommand(o, io)),
  );
}

/** Every command, in the order --help lists them: the one place a command is added to the CLI. */
const COMMANDS: Readonly<Record<string, RegisterCommand>> = {
  plan: registerPlan,
  tokens: registerTokens,
  compare: registerCompare,
  check: registerCheck,
  solve: registerSolve,
  log: registerLog,
  watch: registerWatch,
  web: registerWeb,
  models: registerModels,
  gpus: registerGpus,
  schema: registerSchema,
};

/**
 * The one command commander needs to parse `argv`, or null for all of them: help, the version, an
 * empty argv and a first word that names no command (commander's "unknown command" and its
 * suggestion) need every command and every listed flag. Building all eleven, with the vLLM flags
 * listed for help, was ≈2 ms of each start-up (--cpu-prof, Node 20).
 */
export function commandToBuild(argv: readonly string[]): string | null {
  const first = argv[0];
  if (first === undefined || argv.some((word) => word === "--help" || word === "-h" || word === "--version" || word === "-V")) return null;
  if (Object.hasOwn(COMMANDS, first)) return first;
  return first.startsWith("-") ? "plan" : null;
}

/** The program: every command (`only` null), or the one `argv` runs. */
export function buildProgram(io: Io, setCode: (outcome: Outcome) => void, only: string | null = null): Command {
  const program = new Command("vram-plan")
    .description("How will vLLM use GPU memory? Plan the start-up budget per GPU before you launch.")
    .version("0.1.0")
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => undefined })
    // --help fits COLUMNS like every other text output (#12.13): commander reads only a TTY's width, and
    // leaves a description unwrapped when under 40 cells are left beside the flags (39 cells of them here).
    .configureHelp({ helpWidth: outputColumns(io.env), minWidthToWrap: 20 });
  for (const [name, register] of Object.entries(COMMANDS)) if (only === null || name === only) register(program, io, setCode, only === null);
  return program;
}

/** Where a failure goes: bad input (a typed InputError or core error, or commander's usage errors) or a bug. */
export function failureOf(err: unknown): Outcome {
  // The core's broken invariant (core/errors.ts InternalError) is a bug, whatever else it resembles.
  if (err instanceof InternalError) return { error: "bug" };
  // The core's typed errors (core/errors.ts) are input the core refuses, like InputError.
  if (err instanceof InputError || err instanceof ConfigError || err instanceof ResizeError) return { error: "input" };
  if (err instanceof CommanderError) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return { command: "info" };
    return { error: "input" };
  }
  return { error: "bug" };
}

export async function run(argv: string[], io: Io): Promise<number> {
  let outcome: Outcome = { command: "info" };
  try {
    const program = buildProgram(io, (reported) => (outcome = reported), commandToBuild(argv));
    // A bare `vram-plan` shows what it can do instead of an error about --model.
    if (argv.length === 0) {
      io.stdout(program.helpInformation());
      return exitCodeFor(outcome);
    }
    // vLLM's words (and a pasted command line) are read with the argument table, not by commander.
    const split = await splitEngineArgv(program, argv, io.env, ["plan", "compare", "solve", "watch"]);
    const vllm = split.vllm;
    if (vllm?.device === "cpu") {
      io.stdout(`${CPU_DEPLOYMENT_NOTE}.\n`);
      return exitCodeFor({ command: "info" });
    }
    if (vllm) {
      program.hook("preAction", (_program, action) => {
        action.setOptionValue("vllmArgs", vllm);
        const given: unknown = action.getOptionValue("model");
        if (given === undefined && vllm.model !== null) action.setOptionValue("model", vllm.model);
        else if (typeof given === "string" && vllm.model !== null && given !== vllm.model) {
          throw new InputError("--model", `--model ${given}: the vLLM command serves ${vllm.model}; give one model`);
        }
      });
    }
    await program.parseAsync(split.commander, { from: "user" });
  } catch (err) {
    outcome = failureOf(err);
    if ("error" in outcome) {
      if (outcome.error === "bug") io.stderr(`vram-plan: internal error (please report): ${(err as Error).stack ?? String(err)}\n`);
      else io.stderr(`${errorLines((err as Error).message.replace(/^error: /, ""), err instanceof InputError ? err.hint : undefined, outputColumns(io.env)).join("\n")}\n`);
    }
  }
  return exitCodeFor(outcome);
}

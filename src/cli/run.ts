// The CLI's body: run(argv, io) wires the commands (plan here, the others in subcommands.ts), runs the
// one the argv names (src/commands/<name>.ts, imported only then) and returns the exit code.
// Exit policy: 0 it starts, 1 it would not start, 2 bad input (one line on stderr), 3 a bug.
import { Command, CommanderError } from "commander";
import { InputError } from "../errors.js";
import { normaliseArgv } from "../sources/engine-flags.js";
import type { Io } from "../commands/io.js";
import type { CommonOpts } from "../commands/plan.js";
import { addEngineOptions } from "./engine-options.js";
import { addSweepOption, registerCatalogues, registerCheck, registerCompare, registerSolve, registerTokens } from "./subcommands.js";

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
    setCode(o.sweep?.length ? await (await import("../commands/sweep.js")).runSweepCommand(o, io) : await (await import("../commands/plan.js")).planCommand(o, io)),
  );

  registerTokens(program, io, setCode);
  registerCompare(program, io, setCode);
  registerCheck(program, io, setCode);
  registerSolve(program, io, setCode);

  registerCatalogues(program, io, setCode);

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

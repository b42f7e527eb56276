// The plan command's options: vram-plan's own (model, GPU, output, a pasted command) and vLLM's, the
// latter generated from the one argument table (core/vllm-args.ts) for --help. vLLM's words never
// reach commander: splitEngineArgv takes them out of argv (with a pasted `vllm serve` line) and reads
// them with sources/vllm-flags.ts, so abbreviations, dotted keys, -tp, --no-<flag> and the release's
// removed flags behave exactly as in vLLM; the command receives the result as `vllmArgs`.
import { Option, type Command } from "commander";
import { VLLM_ARGS } from "../core/vllm-args.js";
import { FORMATS } from "../sources/engine-flags.js";
import { VllmFlagError, editDistance, engineFlagsFromArgv, type VllmArgs } from "../sources/vllm-flags.js";
import { splitShellWords, vllmArgvOfCommand } from "../sources/vllm-argv.js";
import { InputError } from "../errors.js";
import { excerpt } from "../limits.js";

/**
 * The plan command's options (model, GPU, vLLM engine flags, output), shared by other commands. The
 * vLLM flags are listed only `forHelp` (their words never reach commander).
 */
export function addEngineOptions(cmd: Command, forHelp: boolean): Command {
  cmd
    .optionsGroup("Model:")
    .option("-m, --model <name|path>", "catalog name (qwen2.5-vl-7b), Hugging Face id, or a local directory / config.json")
    .option("--offline", "never contact the Hugging Face Hub (also HF_HUB_OFFLINE=1)")
    .option("--command <line>", "a whole vllm serve / python -m vllm.entrypoints.openai.api_server / docker run vllm/vllm-openai command line (also: -- vllm serve ...)")
    .optionsGroup("GPU:")
    .option("-g, --gpu <id>", "GPU profile (vram-plan gpus lists them), e.g. a100-80g, h100, l40s; auto: this machine's GPUs via nvidia-smi")
    .option("--gpu-memory <size>", "CUDA-visible memory per GPU (e.g. 79.18GiB, 85GB, 81079MiB); overrides --gpu's total, or alone describes another GPU (Hopper-class compute capability assumed)")
  if (forHelp) addVllmOptions(cmd);
  return cmd
    .optionsGroup("Output:")
    .addOption(formatOption(FORMATS, "output format"))
    .option("--json", "same as --format json")
    .option("--explain", "print the arithmetic line by line with sources")
    .option("--no-color", "no colors (also NO_COLOR, or when output is not a terminal)");
}

/**
 * --format with the formats a command renders: commander refuses any other, so every command says so
 * with the same words (check, log and solve each had a message of their own).
 */
export function formatOption(formats: readonly string[], help: string): Option {
  return new Option("--format <format>", help).choices([...formats]);
}

/**
 * The vLLM flags that change the plan, listed for --help from the argument table (every other vLLM
 * argument is accepted too; splitEngineArgv reads them all with the table before commander runs).
 */
export function addVllmOptions(cmd: Command): Command {
  cmd.optionsGroup("vLLM engine flags that change the plan (every vllm serve flag is accepted):");
  for (const arg of VLLM_ARGS) {
    if (arg.help === undefined) continue;
    const short = arg.short?.length === 1 && arg.short[0]!.length === 1 ? `-${arg.short[0]}, ` : "";
    const value = arg.kind === "bool" ? "" : arg.kind === "list" ? " <values...>" : arg.kind === "json" ? " <json>" : " <value>";
    const option = new Option(`${short}--${arg.name}${value}`, arg.help);
    fromTable.add(option);
    cmd.addOption(option);
  }
  return cmd;
}

/** The options addVllmOptions listed for --help: their words go to the table's parser, not commander. */
const fromTable = new WeakSet<Option>();

/** Words that start a pasted vLLM command when they appear where an option was expected. */
const PASTE_START = /^(vllm|python[0-9.]*|docker|podman|sudo|env|[A-Z_][A-Z0-9_]*=.*|.*\/vllm)$/;

export interface SplitArgv {
  /** What commander parses: the command name and vram-plan's own options. */
  commander: string[];
  /** The vLLM arguments read with the table, or null when the command takes none. */
  vllm: VllmArgs | null;
}

/**
 * Takes vLLM's words (and a pasted command line) out of argv for commands whose options include the
 * engine flags (`engineCommands`), reads them for the release asked (--vllm-version, else the pasted
 * image's tag, else the newest modeled) and leaves vram-plan's own options to commander.
 */
export async function splitEngineArgv(program: Command, argv: readonly string[], env: Readonly<Record<string, string | undefined>>, engineCommands: readonly string[]): Promise<SplitArgv> {
  const named = program.commands.find((c) => c.name() === argv[0]);
  const cmd = named ?? program.commands.find((c) => c.name() === "plan");
  if (!cmd || !engineCommands.includes(cmd.name())) return { commander: [...argv], vllm: null };
  const own = new Map<string, boolean>();
  for (const option of [...cmd.options, ...program.options]) {
    if (fromTable.has(option)) continue; // listed for --help; read by the table's parser
    for (const f of [option.long, option.short]) if (f) own.set(f, option.required || option.optional);
  }
  // commander's own help and version switches.
  for (const f of ["--help", "-h", "--version", "-V"]) own.set(f, false);
  const commander: string[] = named ? [argv[0]!] : [];
  const direct: string[] = [];
  let pasted: string[] | null = null;
  let commandLine: string | null = null;
  for (let i = named ? 1 : 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") {
      pasted = argv.slice(i + 1);
      break;
    }
    const name = word.split("=")[0]!;
    if (name === "--command") {
      commandLine = word.includes("=") ? word.slice(word.indexOf("=") + 1) : (argv[++i] ?? "");
      continue;
    }
    if (own.has(name)) {
      commander.push(word);
      if (own.get(name) && !word.includes("=") && i + 1 < argv.length) commander.push(argv[++i]!);
      continue;
    }
    if (word.startsWith("-") && word !== "-") {
      // A vLLM flag: it and the words that are its value(s) (anything up to the next flag).
      direct.push(word);
      while (i + 1 < argv.length && !(argv[i + 1]!.startsWith("-") && !/^-\.?\d/.test(argv[i + 1]!)) && !PASTE_START.test(argv[i + 1]!)) direct.push(argv[++i]!);
      continue;
    }
    if (PASTE_START.test(word)) {
      pasted = argv.slice(i);
      break;
    }
    throw new InputError(word, `unexpected argument '${excerpt(word)}' (paste a vLLM command after --, e.g. vram-plan plan --gpu h100 -- vllm serve MODEL ...)`);
  }
  if (pasted !== null && commandLine !== null) throw new InputError("--command", "--command: give the vLLM command either with --command or after --, not both");
  let fromCommand: { argv: string[]; release: string | null } | null = null;
  if (commandLine !== null) fromCommand = vllmArgvOfCommand(splitShellWords(commandLine), env, "--command");
  else if (pasted !== null) fromCommand = vllmArgvOfCommand(pasted, env, "the pasted command");
  const words = [...(fromCommand?.argv ?? []), ...direct];
  const release = fromCommand?.release;
  try {
    const opts = { vramPlanFlags: true, positionalModel: fromCommand !== null, ...(release ? { vllmVersion: release } : {}) };
    let vllm = engineFlagsFromArgv(words, opts);
    if (vllm.configFile !== null) {
      // The config file's flags come first, so the command line's own win (vLLM's precedence).
      // The YAML reader is loaded only here (start-up stays light for every other command line).
      const { vllmConfigFileArgv } = await import("../sources/vllm-config-file.js");
      const config = vllmConfigFileArgv(vllm.configFile);
      const at = words.findIndex((w) => /^--config(=|$)/.test(w));
      const rest = words[at]!.includes("=") ? [...words.slice(0, at), ...words.slice(at + 1)] : [...words.slice(0, at), ...words.slice(at + 2)];
      vllm = engineFlagsFromArgv([...config, ...rest], opts);
    }
    return { commander, vllm };
  } catch (err) {
    // An unknown word is neither vram-plan's option nor vLLM's: say so as commander does for every
    // command, with the nearest of both.
    if (err instanceof VllmFlagError && err.kind === "unknown") {
      const name = err.flag.replace(/^-+/, "");
      const near = [...own.keys()].filter((f) => f.startsWith("--")).map((f) => ({ f, d: editDistance(name, f.slice(2)) })).sort((a, b) => a.d - b.d)[0];
      // vram-plan's own option after a pasted command belongs to vLLM's words there, and vLLM has no such flag.
      if (own.has(err.flag) && (pasted !== null || commandLine !== null)) {
        throw new InputError(err.flag, `${err.flag} is vram-plan's option, not vLLM's: give it outside the vLLM command (vram-plan plan ${err.flag} ... -- vllm serve ...)`);
      }
      const guess = near && near.d <= Math.max(2, Math.floor(name.length / 4)) ? near.f : err.suggestion;
      throw new InputError(err.flag, `unknown option '${err.flag}'${guess ? ` (did you mean ${guess}?)` : ""}`);
    }
    throw err;
  }
}

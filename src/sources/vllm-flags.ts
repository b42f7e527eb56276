// vLLM's command-line arguments → the core's EngineFlags, read with the one argument table
// (core/vllm-args.ts) the way vLLM's FlexibleArgumentParser reads them
// (vllm/utils/argparse_utils.py): --snake_case names, dotted JSON keys (--limit-mm-per-prompt.image 1,
// `+` to append to a list), -O<n>, single-dash aliases (-tp), BooleanOptionalAction's --no-<flag>,
// and argparse's unique-prefix abbreviations (FlexibleArgumentParser leaves allow_abbrev at Python's
// default True, so `--max-num-seq 8` is --max-num-seqs; an ambiguous prefix is an error). Unknown
// flags, flags removed in the planned release and values vLLM would refuse are a VllmFlagError
// naming the flag. Used by plan/solve/compare (cli/), the pasted-command reader and check's
// deployment readers alike: `engineFlagsFromArgv(argv)`.
import { isObj } from "../core/config-json.js";
import { KV_DTYPE_FACTS } from "../core/kv-dtypes.js";
import type { CompilationFlags, EngineFlags, KvCacheDtype, LoraFlags, QuantMethod, SpeculativeFlags, TorchDtype } from "../core/types.js";
import { FIRST_AFTER_V11_0, VLLM_ARGS, vllmArg, vllmShortArg, type VllmArg } from "../core/vllm-args.js";
import { MAX_MODEL_LEN_AUTO, NEWEST_MODELED, OLDEST_MODELED, argRules, compareVersions, parseVersion, rulesFor } from "../core/vllm-versions.js";
import { InputError } from "../errors.js";
import { MAX_BYTES, MAX_PARALLEL, MAX_TOKENS, excerpt } from "../limits.js";
import { parseSize, parseTokens } from "../units.js";
import { blockSizeProblem, modalityProblem, utilizationProblem } from "./vllm-values.js";
import { integerOf, integerProblem, sizeProblem } from "./flag-values.js";

export type VllmFlagErrorKind = "unknown" | "ambiguous" | "removed" | "not-yet" | "missing-value" | "bad-value" | "unexpected-value" | "extra-argument";

/** A flag vLLM's parser would refuse: check turns it into a finding of that deployment, the CLI into exit 2. */
export class VllmFlagError extends InputError {
  readonly kind: VllmFlagErrorKind;
  /** The flag as written (e.g. --gpu-memory-utilisation). */
  readonly flag: string;
  /** The closest flag of the release ("did you mean"), when there is one. */
  readonly suggestion: string | null;
  /** Index of the offending word in the argv given (-1 for options given as a record). */
  readonly index: number;
  constructor(kind: VllmFlagErrorKind, flag: string, message: string, index: number, suggestion: string | null = null) {
    super(flag, message);
    this.name = "VllmFlagError";
    this.kind = kind;
    this.flag = flag;
    this.suggestion = suggestion;
    this.index = index;
  }
}

/** What one argv says, read for one vLLM release. */
export interface VllmArgs {
  flags: EngineFlags;
  /** The positional model (vllm serve MODEL) or --model; null when neither. */
  model: string | null;
  /** The release the flags were read for (--vllm-version, the caller's, or the newest modeled). */
  release: string;
  /** --device cpu (older releases): not a GPU deployment. */
  device: string | null;
  /** --config FILE: a vLLM YAML whose keys are more flags (the caller reads it). */
  configFile: string | null;
  /** --revision: the model's branch, tag or commit (the Hub reader fetches that revision). */
  revision: string | null;
  /** Every flag given, as the table understood it (long name and memory effect). */
  understood: { flag: string; name: string; effect: VllmArg["effect"] }[];
}

export interface ReadOptions {
  /** The release to read for when the args do not say (--vllm-version); default the newest modeled. */
  vllmVersion?: string;
  /** Whether a bare word is the model (vllm serve MODEL); otherwise it is an unrecognized argument. */
  positionalModel?: boolean;
  /** Accept vram-plan's own flags (--vllm-version, --usage-context, ...): true on vram-plan's command line. */
  vramPlanFlags?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Releases
// ---------------------------------------------------------------------------------------------

/** Whether the flag exists in `release` (removed ones raise, legacy ones stay accepted). */
function inRelease(arg: VllmArg, release: string): boolean {
  return (arg.removedIn === undefined || compareVersions(release, arg.removedIn) < 0) && (arg.since === undefined || compareVersions(release, arg.since) >= 0);
}

/** A --vllm-version as given, checked: unreadable or older than modeled is an InputError naming the flag (exit 2). */
export function checkedRelease(version: string): string {
  if (version.length > 40 || !parseVersion(version)) throw new InputError("--vllm-version", `--vllm-version: expected a version such as 0.11.0, got '${excerpt(version)}'`);
  if (!rulesFor(version)) throw new InputError("--vllm-version", `--vllm-version: ${excerpt(version)} is older than the oldest release modeled (${OLDEST_MODELED}); newest modeled: ${NEWEST_MODELED}`);
  return version.replace(/^v/, "");
}

// ---------------------------------------------------------------------------------------------
// Resolving a flag word
// ---------------------------------------------------------------------------------------------

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, k) => k);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** Option strings argparse knows in a release: --name, and --no-name for BooleanOptionalAction. */
function optionStrings(release: string, vramPlan: boolean): Map<string, { arg: VllmArg; negated: boolean }> {
  const out = new Map<string, { arg: VllmArg; negated: boolean }>();
  for (const vllmArg of VLLM_ARGS) {
    if (!inRelease(vllmArg, release) || (vllmArg.vramPlan && !vramPlan)) continue;
    out.set(vllmArg.name, { arg: vllmArg, negated: false });
    if (vllmArg.negatable) out.set(`no-${vllmArg.name}`, { arg: vllmArg, negated: true });
  }
  return out;
}

/** The closest known long flag to a misspelled one, or null when nothing is near. */
export function closestVllmFlag(name: string, release = NEWEST_MODELED, vramPlan = false): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const candidate of optionStrings(release, vramPlan).keys()) {
    const distance = editDistance(name, candidate);
    if (distance < bestD) {
      bestD = distance;
      best = candidate;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(name.length / 4)) ? `--${best}` : null;
}

interface Resolved {
  arg: VllmArg;
  negated: boolean;
  /** Dotted sub-keys after the flag name (--limit-mm-per-prompt.image → ["image"]). */
  path: string[];
  /** --x.key+ : append to a list. */
  append: boolean;
  inline: string | null;
}

/** FlexibleArgumentParser: underscores become dashes between "--" and the first "." only. */
export function normalizeFlagName(body: string): string {
  const dot = body.indexOf(".");
  return dot < 0 ? body.replace(/_/g, "-") : body.slice(0, dot).replace(/_/g, "-") + body.slice(dot);
}

function looksLikeFlag(word: string): boolean {
  // argparse treats "-1" and "-.5" as values (no option of vLLM looks like a negative number).
  return word.startsWith("-") && word !== "-" && !/^-\.?\d/.test(word);
}

function resolveWord(word: string, index: number, release: string, vramPlan: boolean): Resolved {
  const removedError = (arg: VllmArg): never => {
    if (arg.since !== undefined && compareVersions(release, arg.since) < 0) {
      const when = arg.since === FIRST_AFTER_V11_0 ? "added after vLLM 0.11.0" : `added in vLLM ${arg.since}`;
      throw new VllmFlagError("not-yet", excerpt(word.split("=")[0]!), `--${arg.name}: not in vLLM ${release} (${when})`, index);
    }
    const instead = arg.replacedBy ? `; use ${arg.replacedBy}` : "";
    throw new VllmFlagError("removed", excerpt(word.split("=")[0]!), `--${arg.name}: removed in vLLM ${arg.removedIn} (planning for vLLM ${release})${instead}`, index, arg.replacedBy ?? null);
  };
  if (word.startsWith("--")) {
    const eq = word.indexOf("=");
    const rawKey = eq < 0 ? word.slice(2) : word.slice(2, eq);
    const inline = eq < 0 ? null : word.slice(eq + 1);
    let key = normalizeFlagName(rawKey);
    let append = false;
    if (key.includes(".") && key.endsWith("+")) {
      append = true;
      key = key.slice(0, -1);
    }
    const [head = "", ...path] = key.split(".");
    const known = optionStrings(release, vramPlan);
    const exact = known.get(head);
    if (exact) return { arg: exact.arg, negated: exact.negated, path, append, inline };
    // argparse's allow_abbrev: a unique prefix of one option string (before anything else is tried).
    const matches = [...known.keys()].filter((k) => k.startsWith(head));
    const distinct = new Set(matches.map((k) => known.get(k)!.arg.name + (known.get(k)!.negated ? "!" : "")));
    if (head.length > 0 && distinct.size === 1) {
      const hit = known.get(matches[0]!)!;
      return { arg: hit.arg, negated: hit.negated, path, append, inline };
    }
    if (distinct.size > 1) {
      throw new VllmFlagError("ambiguous", `--${excerpt(head)}`, `--${excerpt(head)}: ambiguous option: could match ${matches.map((k) => `--${k}`).sort().join(", ")}`, index);
    }
    // A flag of another release, or vram-plan's own where only vLLM's are read.
    const other = vllmArg(head.startsWith("no-") ? head.slice(3) : head);
    if (other && !inRelease(other, release)) removedError(other);
    if (other?.vramPlan) throw new VllmFlagError("unknown", `--${head}`, `--${head}: a vram-plan option, not a vLLM argument (give it on vram-plan's command line)`, index);
    const guess = closestVllmFlag(head, release, vramPlan);
    throw new VllmFlagError("unknown", `--${excerpt(head)}`, `--${excerpt(head)}: unrecognized vLLM argument${guess ? ` (did you mean ${guess}?)` : ""}`, index, guess);
  }
  // Single dash: -tp 2, -tp=2, -q fp8, -O3 / -O 3 / -O=3.
  const body = word.slice(1);
  if (body.startsWith("O") && !vllmShortArg(body.split("=")[0]!)) {
    const level = body === "O" ? null : body[1] === "=" ? body.slice(2) : body.slice(1);
    // -O<n>: --optimization-level <n>, or --compilation-config in older releases (core/vllm-versions.ts ArgRules).
    const target = vllmArg(argRules(release).dashOIsOptimizationLevel ? "optimization-level" : "compilation-config")!;
    return { arg: target, negated: false, path: [], append: false, inline: level };
  }
  const eq = body.indexOf("=");
  const name = eq < 0 ? body : body.slice(0, eq);
  const [head = "", ...path] = name.split(".");
  const shortArg = vllmShortArg(head);
  if (!shortArg) {
    throw new VllmFlagError("unknown", `-${excerpt(head)}`, `-${excerpt(head)}: unrecognized vLLM argument`, index);
  }
  if (!inRelease(shortArg, release)) removedError(shortArg);
  return { arg: shortArg, negated: false, path, append: false, inline: eq < 0 ? null : body.slice(eq + 1) };
}

// ---------------------------------------------------------------------------------------------
// Reading values
// ---------------------------------------------------------------------------------------------

/** One flag occurrence with its value as written (string) or as a file gave it (typed). */
interface Item {
  arg: VllmArg;
  /** The flag as the user wrote it, for messages. */
  flag: string;
  value: unknown;
  /** Dotted sub-keys: the value goes to this path of the flag's JSON object. */
  path: string[];
  append: boolean;
  index: number;
}

function jsonOrScalar(text: string): unknown {
  // argparse_utils.py: a dotted value is json.loads'd, else human_readable_int, else the string.
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const tokens = parseTokens(text);
    return tokens !== null && /^\s*\d/.test(text) ? tokens : text;
  }
}

/** Splits argv into flag items and positionals; throws VllmFlagError as vLLM's parser would. */
function itemsOf(argv: readonly string[], release: string, opts: ReadOptions): { items: Item[]; positionals: { word: string; index: number }[] } {
  const items: Item[] = [];
  const positionals: { word: string; index: number }[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") {
      for (let j = i + 1; j < argv.length; j++) positionals.push({ word: argv[j]!, index: j });
      break;
    }
    if (!looksLikeFlag(word)) {
      positionals.push({ word, index: i });
      continue;
    }
    const resolved = resolveWord(word, i, release, opts.vramPlanFlags === true);
    const flag = excerpt(word.split("=")[0]!);
    const nextIsValue = (): boolean => i + 1 < argv.length && !looksLikeFlag(argv[i + 1]!) && argv[i + 1] !== "--";
    if (resolved.path.length > 0) {
      // Dotted keys are merged into the flag's JSON object (FlexibleArgumentParser.parse_args).
      if (resolved.arg.kind !== "json") throw new VllmFlagError("bad-value", flag, `${flag}: --${resolved.arg.name} takes no dotted keys (it is not a JSON argument)`, i);
      let text = resolved.inline;
      if (text === null) {
        if (i + 1 >= argv.length) throw new VllmFlagError("missing-value", flag, `${flag}: expected one argument`, i);
        text = argv[++i]!;
      }
      const value = resolved.append ? text.split(",") : jsonOrScalar(text);
      items.push({ arg: resolved.arg, flag, value, path: resolved.path, append: resolved.append, index: i });
      continue;
    }
    switch (resolved.arg.kind) {
      case "bool":
        if (resolved.inline !== null) throw new VllmFlagError("unexpected-value", flag, `${flag}: ignored explicit argument '${resolved.inline}' (a switch takes no value)`, i);
        items.push({ arg: resolved.arg, flag, value: !resolved.negated, path: [], append: false, index: i });
        break;
      case "optional":
        if (resolved.inline !== null) items.push({ arg: resolved.arg, flag, value: resolved.inline, path: [], append: false, index: i });
        else if (nextIsValue()) items.push({ arg: resolved.arg, flag, value: argv[++i], path: [], append: false, index: i });
        else items.push({ arg: resolved.arg, flag, value: true, path: [], append: false, index: i });
        break;
      case "list": {
        const values: string[] = [];
        if (resolved.inline !== null) values.push(resolved.inline);
        else while (nextIsValue()) values.push(argv[++i]!);
        if (values.length === 0) throw new VllmFlagError("missing-value", flag, `${flag}: expected at least one argument`, i);
        items.push({ arg: resolved.arg, flag, value: values, path: [], append: false, index: i });
        break;
      }
      default: {
        let text = resolved.inline;
        if (text === null) {
          // -O alone takes the next word only when it is a level (argparse_utils.py).
          if (resolved.arg.name === "optimization-level" && flag === "-O" && !/^[0-3]$/.test(argv[i + 1] ?? "")) {
            throw new VllmFlagError("missing-value", flag, `-O: expected an optimization level 0-3`, i);
          }
          if (!nextIsValue()) throw new VllmFlagError("missing-value", flag, `${flag}: expected one argument`, i);
          text = argv[++i]!;
        }
        items.push({ arg: resolved.arg, flag, value: text, path: [], append: false, index: i });
      }
    }
  }
  return { items, positionals };
}

// ---------------------------------------------------------------------------------------------
// Values → EngineFlags
// ---------------------------------------------------------------------------------------------

/** A value vLLM would refuse: the message names the flag by its long name, as argparse does. */
function bad(it: Item, what: string): never {
  throw new VllmFlagError("bad-value", it.flag, `--${it.arg.name}: ${what}`, it.index);
}

/** A short excerpt of the value for an error line (src/limits.ts). */
function show(value: unknown): string {
  return excerpt(value);
}

/** An integer in [min, max] (the bounds of src/limits.ts: nothing real is outside them). */
function intOf(it: Item, min = 1, value: unknown = it.value, max = MAX_TOKENS): number {
  const parsed = typeof value === "number" ? value : typeof value === "string" ? integerOf(value, true) : Number.NaN;
  const problem = integerProblem(parsed, min, max);
  if (problem) bad(it, `${problem}, got '${show(value)}'`);
  return parsed;
}

/** human_readable_int (argparse_utils.py): `what` and `examples` name what the flag counts (tokens, sequences, bytes). */
function humanInt(it: Item, value: unknown = it.value, max = MAX_TOKENS, what = "a token count", examples = "32768, 32k (32000) or 32K (32768)"): number {
  const dec = typeof value === "string" ? /^\s*(\d+\.\d+)([KMGT])\s*$/.exec(value) : null;
  if (dec) bad(it, `decimals are not allowed with binary suffixes like ${dec[2]}; did you mean ${dec[1]}${dec[2]!.toLowerCase()}?`);
  const tokens = typeof value === "number" ? value : typeof value === "string" ? parseTokens(value) : null;
  if (tokens === null || !Number.isSafeInteger(tokens) || tokens < 1 || tokens > max) bad(it, `expected ${what} from 1 to ${max} such as ${examples}, got '${show(value)}'`);
  return tokens;
}

function floatOf(it: Item, value: unknown = it.value): number {
  const parsed = typeof value === "number" ? value : typeof value === "string" && /^\s*(\d{1,20}(\.\d{0,20})?|\.\d{1,20})([eE][-+]?\d{1,3})?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(parsed) || parsed < 0) bad(it, `expected a number, got '${show(value)}'`);
  return parsed;
}

/** A flag vLLM takes in GiB (a float: --cpu-offload-gb 4.5) as whole bytes, capped at MAX_BYTES. */
function gibOf(it: Item): number {
  return Math.min(MAX_BYTES, Math.round(floatOf(it) * 2 ** 30));
}

/** vram-plan's own size flags (--kv-cache-memory, --other-process-memory): a size such as 20GiB or a byte count. */
function sizeOf(it: Item): number {
  const bytes = typeof it.value === "number" ? it.value : parseSize(String(it.value));
  const problem = sizeProblem(bytes);
  if (problem || bytes === null) bad(it, `${problem ?? ""}, got '${show(it.value)}'`);
  return bytes;
}

function boolOf(it: Item): boolean {
  const value = it.value;
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "True") return true;
  if (value === "false" || value === "False") return false;
  return bad(it, `expected true or false, got '${show(value)}'`);
}

function choiceOf(it: Item, release?: string): string {
  const value = typeof it.value === "number" ? String(it.value) : it.value;
  if (typeof value !== "string") bad(it, `expected one value, got '${show(value)}'`);
  const older = it.arg.olderChoices;
  const choices = older && release !== undefined && compareVersions(release, older.until) < 0 ? older.choices : it.arg.choices;
  if (choices && !choices.includes(value)) {
    let best: string | null = null;
    let bestD = Infinity;
    for (const choice of choices) {
      const distance = editDistance(value.toLowerCase(), choice);
      if (distance < bestD) [best, bestD] = [choice, distance];
    }
    const hint = best !== null && bestD <= Math.max(2, Math.floor(value.length / 3)) ? ` (did you mean ${best}?)` : "";
    // A long list (--kv-cache-dtype has 20+ values) is shortened at a comma, so the error stays one whole line
    // instead of being cut mid-word at the 300-character limit.
    const all = choices.join(", ");
    const list = all.length <= 150 ? all : `${all.slice(0, all.lastIndexOf(", ", 150))}, … (${choices.length} in all)`;
    throw new VllmFlagError("bad-value", it.flag, `--${it.arg.name}: invalid choice '${show(value)}'${hint}; choose from ${list}`, it.index, best);
  }
  return value;
}

function objectOf(it: Item): Record<string, unknown> {
  let value = it.value;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      bad(it, `expected JSON such as '{"key": 1}', got '${show(value)}'`);
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) bad(it, `expected a JSON object, got '${show(value)}'`);
  return value as Record<string, unknown>;
}

/** FlexibleArgumentParser.recursive_dict_update: later keys win, lists given with `+` extend. */
function mergeInto(target: Record<string, unknown>, path: string[], value: unknown, append: boolean): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  const prev = node[last];
  node[last] = append && Array.isArray(prev) && Array.isArray(value) ? [...(prev as unknown[]), ...value] : value;
}

/** --limit-mm-per-prompt: JSON ({"image": 2} or {"image": {"count": 2, ...}}) or, before v0.10, image=2,video=1. */
function limitsOf(it: Item, release: string): Record<string, number> {
  let obj: Record<string, unknown>;
  if (typeof it.value === "string" && !it.value.trim().startsWith("{")) {
    // arg_utils.py nullable_kvs: KEY=VALUE items, comma-separated, lower-cased, until the flag became
    // JSON-only (core/vllm-versions.ts ArgRules.limitMmJsonOnly).
    if (argRules(release).limitMmJsonOnly) bad(it, `vLLM ${release} reads JSON such as '{"image": 2, "video": 1}' (the image=2,video=1 form was read until v0.9)`);
    obj = {};
    for (const part of it.value.split(",")) {
      const kv = part.split("=").map((s) => s.trim().toLowerCase());
      if (kv.length !== 2 || !/^\d+$/.test(kv[1]!)) bad(it, `each item should be in the form KEY=VALUE, got '${show(part)}'`);
      obj[kv[0]!] = Number(kv[1]);
    }
  } else obj = objectOf(it);
  const out: Record<string, number> = {};
  for (const [modality, entry] of Object.entries(obj)) {
    const count = isObj(entry) ? entry["count"] : entry;
    if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) bad(it, `'${modality}' must be a count >= 0 (or {"count": N}), got '${show(entry)}'`);
    const problem = modalityProblem(modality);
    if (problem) bad(it, problem);
    out[modality] = count;
  }
  return out;
}

const QUANT_METHOD: Readonly<Record<string, QuantMethod>> = {
  // How the weights are laid out (core/weights.ts); the kernel choice does not change their bytes.
  awq: "awq", auto_awq: "awq", awq_marlin: "awq", cpu_awq: "awq",
  gptq: "gptq", auto_gptq: "gptq", gptq_marlin: "gptq", gptq_bitblas: "gptq", gptq_marlin_24: "gptq", marlin: "gptq",
  fp8: "fp8", fbgemm_fp8: "fp8", ptpc_fp8: "fp8", deepgemm_fp8: "fp8", modelopt: "fp8", fp8_per_tensor: "fp8", fp8_per_block: "fp8", fp8_per_channel: "fp8",
  modelopt_fp4: "nvfp4", petit_nvfp4: "nvfp4",
  mxfp4: "mxfp4", gpt_oss_mxfp4: "mxfp4",
  bitsandbytes: "bitsandbytes",
  "compressed-tensors": "compressed-tensors",
};

/** KV cache dtypes the core sizes exactly; the others are sized as 1-byte fp8 with a NOT_EXACT warning. */

function dtypeOf(dtype: string): TorchDtype | undefined {
  if (dtype === "auto") return undefined;
  if (dtype === "half") return "float16";
  if (dtype === "float") return "float32";
  return dtype as TorchDtype;
}

/** LoRAConfig.max_lora_rank choices (vllm/config/lora.py MaxLoRARanks). */
const LORA_RANKS = [1, 8, 16, 32, 64, 128, 256, 320, 512];

function speculativeOf(obj: Record<string, unknown>, it: Item): SpeculativeFlags {
  const spec: SpeculativeFlags = { raw: obj };
  const method = obj["method"];
  const model = obj["model"];
  if (method !== undefined) spec.method = String(method);
  if (model !== undefined && model !== null) spec.model = String(model);
  if (obj["num_speculative_tokens"] !== undefined) spec.numSpeculativeTokens = intOf(it, 1, obj["num_speculative_tokens"]);
  if (obj["draft_tensor_parallel_size"] !== undefined) spec.draftTensorParallelSize = intOf(it, 1, obj["draft_tensor_parallel_size"]);
  if (spec.method === undefined && spec.model === undefined) bad(it, `needs "method" or "model" (vllm/config/speculative.py SpeculativeConfig)`);
  return spec;
}

function compilationOf(obj: Record<string, unknown>, it: Item, into: CompilationFlags): void {
  const sizes = obj["cudagraph_capture_sizes"];
  if (sizes !== undefined && sizes !== null) {
    if (!Array.isArray(sizes)) bad(it, `cudagraph_capture_sizes must be a list of integers`);
    into.cudagraphCaptureSizes = sizes.map((s) => intOf(it, 1, s));
  }
  if (obj["max_cudagraph_capture_size"] !== undefined && obj["max_cudagraph_capture_size"] !== null) into.maxCudagraphCaptureSize = intOf(it, 0, obj["max_cudagraph_capture_size"]);
  if (obj["cudagraph_mode"] !== undefined && obj["cudagraph_mode"] !== null) into.cudagraphMode = String(obj["cudagraph_mode"]).toUpperCase();
  const level = obj["level"] ?? obj["mode"];
  if (typeof level === "number") into.level = level;
}

/**
 * Dotted keys merged as FlexibleArgumentParser.parse_args merges them: all `--flag.key value` of one
 * flag become one JSON object, appended after every other word "as if they were originally passed as
 * JSON" — so with argparse's last-wins it replaces a whole `--flag '{...}'` given anywhere.
 */
function collect(items: Item[]): Item[] {
  const out: Item[] = [];
  const dotted = new Map<string, Item>();
  for (const it of items) {
    if (it.path.length === 0) {
      out.push(it);
      continue;
    }
    let target = dotted.get(it.arg.name);
    if (!target) {
      target = { ...it, value: {}, path: [] };
      dotted.set(it.arg.name, target);
    }
    mergeInto(target.value as Record<string, unknown>, it.path, it.value, it.append);
  }
  return [...out, ...dotted.values()];
}

function itemsToArgs(itemsIn: Item[], positionals: { word: string; index: number }[], release: string, opts: ReadOptions): VllmArgs {
  const items = collect(itemsIn);
  const notModeled: string[] = [];
  const noteNotModeled = (what: string): void => {
    if (!notModeled.includes(what)) notModeled.push(what);
  };
  let model: string | null = null;
  if (positionals.length > 0) {
    const first = positionals[0]!;
    if (opts.positionalModel === false) throw new VllmFlagError("extra-argument", first.word, `unrecognized argument '${excerpt(first.word)}'`, first.index);
    model = first.word;
    const extra = positionals[1];
    if (extra) throw new VllmFlagError("extra-argument", extra.word, `unrecognized argument '${excerpt(extra.word)}' (vllm serve takes one model)`, extra.index);
  }
  // One object literal with every key: a stable shape keeps the core's property accesses
  // monomorphic (sweeps plan ~5× faster, measured with test/bench).
  const flags: EngineFlags = {
    tensorParallelSize: 1,
    pipelineParallelSize: 1,
    dataParallelSize: 1,
    gpuMemoryUtilization: undefined,
    maxModelLen: undefined,
    maxNumSeqs: undefined,
    maxNumBatchedTokens: undefined,
    dtype: undefined,
    kvCacheDtype: "auto",
    blockSize: undefined,
    enforceEager: false,
    kvCacheMemoryBytes: undefined,
    limitMmPerPrompt: undefined,
    mmProcessorKwargs: undefined,
    quantization: undefined,
    vllmVersion: undefined,
    usageContext: "server",
    otherProcessBytes: 0,
    enableExpertParallel: false,
    mmEncoderTpMode: "weights",
    skipMmProfiling: false,
    disableHybridKvCacheManager: false,
  };
  let device: string | null = null;
  let configFile: string | null = null;
  let revision: string | null = null;
  let lora: LoraFlags | undefined;
  let loraEnabled = false;
  const loraParts: Partial<LoraFlags> = {};
  let compilation: CompilationFlags | undefined;
  const comp = (): CompilationFlags => (compilation ??= {});
  const understood: VllmArgs["understood"] = [];

  for (const it of items) {
    const arg = it.arg;
    understood.push({ flag: it.flag, name: arg.name, effect: arg.effect });
    if (arg.effect === "not-modeled") noteNotModeled(`--${arg.name}`);
    switch (arg.name) {
      case "model":
        model = choiceOf(it);
        break;
      case "config":
        configFile = choiceOf(it);
        break;
      case "revision":
        revision = choiceOf(it);
        break;
      case "tensor-parallel-size":
        flags.tensorParallelSize = intOf(it, 1, it.value, MAX_PARALLEL);
        break;
      case "pipeline-parallel-size":
        flags.pipelineParallelSize = intOf(it, 1, it.value, MAX_PARALLEL);
        break;
      case "data-parallel-size":
        flags.dataParallelSize = intOf(it, 1, it.value, MAX_PARALLEL);
        break;
      case "gpu-memory-utilization": {
        const utilization = floatOf(it);
        const problem = utilizationProblem(utilization);
        if (problem) bad(it, `${problem}, got '${show(it.value)}'`);
        flags.gpuMemoryUtilization = utilization;
        break;
      }
      case "max-model-len": {
        // human_readable_int_or_auto: -1 and "auto" ask vLLM for the largest length that fits.
        const auto = typeof it.value === "string" && it.value.trim().toLowerCase() === "auto";
        // human_readable_int_or_auto (argparse_utils.py) reads "auto" from the release MAX_MODEL_LEN_AUTO names; before, it is not an int.
        if (auto && !argRules(release).maxModelLenAuto) bad(it, `'auto' is read from vLLM 0.${MAX_MODEL_LEN_AUTO.sinceMinor}.0 (${MAX_MODEL_LEN_AUTO.source}); vLLM ${release} expects an integer`);
        if (auto || it.value === -1 || (typeof it.value === "string" && it.value.trim() === "-1")) {
          flags.maxModelLenAuto = true;
          flags.maxModelLen = undefined;
        } else {
          flags.maxModelLen = humanInt(it);
          flags.maxModelLenAuto = undefined;
        }
        break;
      }
      case "max-num-seqs":
        flags.maxNumSeqs = humanInt(it, it.value, MAX_TOKENS, "a number of sequences", "256 or 1k (1000)");
        break;
      case "max-num-batched-tokens":
        flags.maxNumBatchedTokens = humanInt(it);
        break;
      case "dtype":
        flags.dtype = dtypeOf(choiceOf(it));
        break;
      case "kv-cache-dtype": {
        // Every CacheDType value is sized by the core (core/kv-dtypes.ts); choiceOf has refused the rest.
        const kvDtype = choiceOf(it, release) as KvCacheDtype;
        // Values whose first release was verified (core/kv-dtypes.ts KV_DTYPE_FACTS.since): older releases refuse them.
        const since = KV_DTYPE_FACTS[kvDtype].since;
        if (since !== undefined && release !== undefined && compareVersions(release, since) < 0) bad(it, `${kvDtype} arrived in vLLM ${since} (${KV_DTYPE_FACTS[kvDtype].added}); vLLM ${release} refuses it`);
        flags.kvCacheDtype = kvDtype;
        break;
      }
      case "block-size": {
        const blockSize = intOf(it);
        const problem = blockSizeProblem(blockSize);
        if (problem) bad(it, problem);
        flags.blockSize = blockSize;
        break;
      }
      case "enforce-eager":
        flags.enforceEager = boolOf(it);
        break;
      case "kv-cache-memory-bytes":
        flags.kvCacheMemoryBytes = humanInt(it, it.value, MAX_BYTES, "a byte count", "21474836480, 20g (20×10^9) or 20G (20×2^30)");
        break;
      case "kv-cache-memory":
        flags.kvCacheMemoryBytes = sizeOf(it);
        break;
      case "other-process-memory":
        flags.otherProcessBytes = sizeOf(it);
        break;
      case "limit-mm-per-prompt":
        flags.limitMmPerPrompt = limitsOf(it, release);
        break;
      case "mm-processor-kwargs": {
        const obj = objectOf(it);
        const kw: NonNullable<EngineFlags["mmProcessorKwargs"]> = {};
        for (const key of ["max_pixels", "min_pixels"] as const) {
          if (obj[key] === undefined) continue;
          const pixels = obj[key];
          if (typeof pixels !== "number" || !Number.isSafeInteger(pixels) || pixels < 1) bad(it, `max_pixels and min_pixels must be positive integers`);
          kw[key] = pixels;
        }
        flags.mmProcessorKwargs = kw;
        break;
      }
      case "quantization": {
        const method = choiceOf(it);
        const modeled = QUANT_METHOD[method];
        flags.quantization = modeled;
        if (modeled === undefined) noteNotModeled(`--quantization ${method} (weights sized from the checkpoint's own quantization_config)`);
        break;
      }
      case "vllm-version":
        flags.vllmVersion = release;
        break;
      case "usage-context":
        flags.usageContext = choiceOf(it) as EngineFlags["usageContext"];
        break;
      case "enable-expert-parallel":
        flags.enableExpertParallel = boolOf(it);
        break;
      case "mm-encoder-tp-mode":
        flags.mmEncoderTpMode = choiceOf(it) as EngineFlags["mmEncoderTpMode"];
        break;
      case "enable-multimodal-encoder-data-parallel":
        if (boolOf(it)) flags.mmEncoderTpMode = "data";
        break;
      case "skip-mm-profiling":
        flags.skipMmProfiling = boolOf(it);
        break;
      case "disable-hybrid-kv-cache-manager":
        flags.disableHybridKvCacheManager = boolOf(it);
        break;
      case "speculative-config":
        flags.speculative = speculativeOf(objectOf(it), it);
        break;
      case "enable-lora":
        loraEnabled = boolOf(it);
        break;
      case "max-loras":
        loraParts.maxLoras = intOf(it);
        break;
      case "max-lora-rank": {
        const rank = intOf(it);
        if (!LORA_RANKS.includes(rank)) bad(it, `invalid choice ${rank}; choose from ${LORA_RANKS.join(", ")}`);
        loraParts.maxLoraRank = rank;
        break;
      }
      case "max-cpu-loras":
        loraParts.maxCpuLoras = intOf(it);
        break;
      case "fully-sharded-loras":
        loraParts.fullyShardedLoras = boolOf(it);
        break;
      case "lora-dtype": {
        const dtype = choiceOf(it);
        if (!["auto", "float16", "bfloat16", "half"].includes(dtype)) bad(it, `expected auto, float16 or bfloat16, got '${show(dtype)}'`);
        loraParts.loraDtype = dtype === "half" ? "float16" : (dtype as LoraFlags["loraDtype"]);
        break;
      }
      case "cpu-offload-gb":
        flags.cpuOffloadBytes = gibOf(it); // CacheConfig.cpu_offload_gb
        break;
      case "kv-offloading-size":
        flags.kvOffloadingBytes = gibOf(it); // summed over TP ranks (CacheConfig.kv_offloading_size)
        break;
      case "kv-offloading-backend":
        flags.kvOffloadingBackend = choiceOf(it);
        break;
      case "mamba-ssm-cache-dtype":
        flags.mambaSsmCacheDtype = choiceOf(it);
        break;
      case "enable-sleep-mode":
        flags.enableSleepMode = boolOf(it);
        break;
      // Host memory only (core/host-memory.ts): no effect on the GPU budget.
      case "mm-processor-cache-gb":
        flags.mmProcessorCacheBytes = gibOf(it); // MultiModalConfig.mm_processor_cache_gb
        break;
      case "disable-mm-preprocessor-cache":
        if (boolOf(it)) flags.mmProcessorCacheBytes = 0;
        break;
      case "mm-processor-cache-type":
        flags.mmProcessorCacheType = choiceOf(it);
        break;
      case "api-server-count":
        flags.apiServerCount = intOf(it, 1);
        break;
      case "safetensors-load-strategy":
        flags.safetensorsLoadStrategy = choiceOf(it);
        break;
      case "language-model-only":
        flags.languageModelOnly = boolOf(it);
        break;
      case "compilation-config": {
        // Older releases took a bare level (-O3 → --compilation-config 3).
        if (typeof it.value === "number" || (typeof it.value === "string" && /^\s*\d+\s*$/.test(it.value))) comp().level = intOf(it, 0);
        else compilationOf(objectOf(it), it, comp());
        break;
      }
      case "optimization-level": {
        const level = choiceOf(it);
        if (!/^[0-3]$/.test(level)) bad(it, `expected an optimization level 0-3, got '${show(level)}'`);
        comp().level = Number(level);
        break;
      }
      case "cudagraph-capture-sizes":
      case "cuda-graph-sizes":
        comp().cudagraphCaptureSizes = (it.value as unknown[]).flatMap((s) => String(s).split(/[\s,]+/).filter((x) => x !== "")).map((s) => intOf(it, 1, s));
        break;
      case "max-cudagraph-capture-size":
        comp().maxCudagraphCaptureSize = intOf(it, 0);
        break;
      case "device": {
        device = choiceOf(it);
        break;
      }
      default:
        // Memory-neutral or not-modeled flags: their values are read only as their kind requires.
        if (arg.kind === "int") intOf(it, Number.MIN_SAFE_INTEGER);
        else if (arg.kind === "float") floatOf(it);
        else if (arg.choices) choiceOf(it);
        else if (arg.kind === "json" && !(typeof it.value === "string" && !it.value.trim().startsWith("{"))) objectOf(it);
    }
  }
  if (loraEnabled) {
    // LoRAConfig defaults (vllm/config/lora.py): max_loras 1, max_lora_rank 16.
    lora = { maxLoras: loraParts.maxLoras ?? 1, maxLoraRank: loraParts.maxLoraRank ?? 16, fullyShardedLoras: loraParts.fullyShardedLoras ?? false };
    if (loraParts.maxCpuLoras !== undefined) lora.maxCpuLoras = loraParts.maxCpuLoras;
    if (loraParts.loraDtype !== undefined) lora.loraDtype = loraParts.loraDtype;
    flags.lora = lora;
  }
  if (compilation) flags.compilation = compilation;
  if (notModeled.length > 0) flags.notModeledFlags = notModeled;
  if (flags.vllmVersion === undefined && opts.vllmVersion !== undefined) flags.vllmVersion = release;
  return { flags, model, release, device, configFile, revision, understood };
}

/** The release argv asks for (--vllm-version / --vllm_version), else the caller's, else the newest modeled. */
function releaseOf(argv: readonly string[], opts: ReadOptions): string {
  if (opts.vramPlanFlags) {
    for (let i = 0; i < argv.length; i++) {
      const match = /^--vllm[-_]version(?:=(.*))?$/.exec(argv[i]!);
      if (match) return checkedRelease(match[1] ?? argv[i + 1] ?? "");
    }
  }
  return opts.vllmVersion !== undefined ? checkedRelease(opts.vllmVersion) : NEWEST_MODELED;
}

/**
 * A vLLM argv (the words after `vllm serve` / the api_server module / the image name: a positional
 * model and flags, in any order) → validated EngineFlags, the model, the release read for, and what
 * each flag meant. Throws VllmFlagError for what vLLM's parser would refuse, InputError for a bad
 * --vllm-version.
 */
export function engineFlagsFromArgv(argv: readonly string[], opts: ReadOptions = {}): VllmArgs {
  const release = releaseOf(argv, opts);
  const { items, positionals } = itemsOf(argv, release, opts);
  return itemsToArgs(items, positionals, release, opts);
}

/**
 * Options given as a record (vram-plan's `flags:` block, a vLLM --config YAML): keys are flag names
 * (kebab- or snake_case, no dashes, dotted allowed), values typed as YAML/JSON gives them. Read like
 * vLLM's load_config_file reads them (true → the switch, false → --no-<flag> or nothing).
 */
export function engineFlagsFromOptions(options: Readonly<Record<string, unknown>>, opts: ReadOptions = {}): VllmArgs {
  const vv = options["vllm-version"] ?? options["vllm_version"];
  const release = opts.vramPlanFlags && vv !== undefined ? checkedRelease(String(vv)) : opts.vllmVersion !== undefined ? checkedRelease(opts.vllmVersion) : NEWEST_MODELED;
  const items: Item[] = [];
  for (const [key, value] of Object.entries(options)) {
    const resolved = resolveWord(`--${key}`, -1, release, opts.vramPlanFlags === true);
    const flag = `--${key}`;
    if (value === false && resolved.arg.kind === "bool") {
      items.push({ arg: resolved.arg, flag, value: resolved.negated, path: [], append: false, index: -1 });
      continue;
    }
    if (value === null || value === undefined) continue;
    // Dotted values written as text read as vLLM reads them (JSON, else human-readable int, else text).
    const parsedValue = resolved.path.length > 0 && typeof value === "string" ? jsonOrScalar(value) : resolved.arg.kind === "list" && !Array.isArray(value) ? [value] : resolved.arg.kind === "bool" && value === true ? !resolved.negated : value;
    items.push({ arg: resolved.arg, flag, value: parsedValue, path: resolved.path, append: resolved.append, index: -1 });
  }
  return itemsToArgs(items, [], release, { ...opts, positionalModel: false });
}

/** Whether a table flag takes no value (a switch), for readers that must know how many words follow. */
export function isVllmSwitch(name: string): boolean {
  const key = normalizeFlagName(name);
  const arg = vllmArg(key.startsWith("no-") && vllmArg(key.slice(3))?.negatable ? key.slice(3) : key);
  return arg?.kind === "bool";
}

/** Whether a name (kebab or snake, no dashes) is a vLLM argument of any modeled release. */
export function isVllmArgName(name: string): boolean {
  const key = normalizeFlagName(name).split(".")[0]!;
  const arg = vllmArg(key) ?? (key.startsWith("no-") ? vllmArg(key.slice(3)) : undefined);
  return arg !== undefined && !arg.vramPlan;
}

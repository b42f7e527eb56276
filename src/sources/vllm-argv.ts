// Shell word splitting and vLLM command-line recognition, shared by every deployment reader.
//
// Nothing here runs a shell: `$VAR`, `${VAR}`, `$(cmd)` and backticks are kept verbatim, globs are
// not expanded, and heredocs are not understood. That is enough for the commands people write in
// scripts, Dockerfiles, compose files and Kubernetes manifests.

import { InputError } from "../errors.js";
import { excerpt } from "../limits.js";
import { newlinesIn } from "./text-position.js";
import { isVllmArgName, isVllmSwitch, normalizeFlagName } from "./vllm-flags.js";
import { vllmShortArg } from "../core/vllm-args.js";

// ---------------------------------------------------------------------------------------------
// Shell tokenizer
// ---------------------------------------------------------------------------------------------

/** A word (or operator) with the 1-based line it starts on. */
export interface ShellToken {
  text: string;
  line: number;
  /** "word": an argument; "sep": ; && || | & ( ) or a newline; "redir": < > >> 2> 2>& &> ... */
  kind: "word" | "sep" | "redir";
  /** A word written with quotes ("$ARGS", '…'): the shell does not split what it expands to. */
  quoted?: true;
}

/** One simple command: its words (redirections removed) and the line its first word is on. */
export interface ShellCommand {
  words: string[];
  /** The line of each word (same length as `words`). */
  lines: number[];
  /** Whether each word was written with quotes (same length as `words`; expansionFields). */
  quoted: boolean[];
  line: number;
}

const OPERATOR_CHARS = new Set([";", "&", "|", "<", ">", "(", ")"]);

/** Characters of a `\`+newline line continuation at `position` (a CRLF file's `\`+`\r\n` too), 0 when there is none. */
function continuationAt(text: string, position: number): number {
  if (text[position] !== "\\") return 0;
  if (text[position + 1] === "\n") return 2;
  return text[position + 1] === "\r" && text[position + 2] === "\n" ? 3 : 0;
}

/**
 * Tokenize POSIX-ish shell text: single and double quotes, backslash escapes, `\`+newline line
 * continuations, comments from an unquoted `#` at the start of a word, control operators and
 * redirections. `firstLine` is the line number of the first character of `text`.
 */
export function tokenizeShell(text: string, firstLine = 1): ShellToken[] {
  const out: ShellToken[] = [];
  let pos = 0;
  let line = firstLine;
  const length = text.length;

  while (pos < length) {
    const char = text[pos]!;
    // Blanks.
    if (char === " " || char === "\t" || char === "\r") {
      pos++;
      continue;
    }
    // Line continuation between words.
    const between = continuationAt(text, pos);
    if (between > 0) {
      pos += between;
      line++;
      continue;
    }
    if (char === "\n") {
      out.push({ text: "\n", line, kind: "sep" });
      pos++;
      line++;
      continue;
    }
    // Comment: runs to the end of the line (the newline itself is kept as a separator).
    if (char === "#") {
      while (pos < length && text[pos] !== "\n") pos++;
      continue;
    }
    // Redirections with an fd number in front: 2>, 2>>, 2>&, 1<.
    const fdRedir = /^\d+(>>|>&|<&|>|<)/.exec(text.slice(pos, pos + 6));
    if (fdRedir) {
      out.push({ text: fdRedir[0], line, kind: "redir" });
      pos += fdRedir[0].length;
      continue;
    }
    if (OPERATOR_CHARS.has(char)) {
      const two = text.slice(pos, pos + 2);
      const three = text.slice(pos, pos + 3);
      if (three === "&>>") {
        out.push({ text: three, line, kind: "redir" });
        pos += 3;
      } else if (two === "&&" || two === "||" || two === ";;") {
        out.push({ text: two, line, kind: "sep" });
        pos += 2;
      } else if (two === "&>" || two === ">>" || two === ">&" || two === "<&" || two === "<<" || two === ">|") {
        out.push({ text: two, line, kind: "redir" });
        pos += 2;
      } else if (char === "<" || char === ">") {
        out.push({ text: char, line, kind: "redir" });
        pos++;
      } else {
        out.push({ text: char, line, kind: "sep" });
        pos++;
      }
      continue;
    }

    // A word.
    let dangling = false;
    let quoted = false;
    const startLine = line;
    let word = "";
    // $( … ) and ${ … } stay whole in the word (in or out of double quotes), their newlines counted.
    const takeSubstitution = (): boolean => {
      if (text[pos] !== "$" || (text[pos + 1] !== "(" && text[pos + 1] !== "{")) return false;
      const end = matchingClose(text, pos + 1);
      const chunk = text.slice(pos, end);
      line += newlinesIn(chunk);
      word += chunk;
      pos = end;
      return true;
    };
    while (pos < length) {
      const ch = text[pos]!;
      if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r" || OPERATOR_CHARS.has(ch)) break;
      if (ch === "\\") {
        const next = text[pos + 1];
        if (next === undefined) {
          // A line continuation on the file's last line continues nothing: no word of its own.
          pos++;
          if (word === "") dangling = true;
          break;
        }
        const joined = continuationAt(text, pos);
        if (joined > 0) {
          pos += joined;
          line++;
          continue;
        }
        word += next;
        pos += 2;
        continue;
      }
      if (ch === "'") {
        quoted = true;
        pos++;
        while (pos < length && text[pos] !== "'") {
          if (text[pos] === "\n") line++;
          word += text[pos];
          pos++;
        }
        if (pos >= length) throw new ShellSyntaxError(`unterminated single quote (the quote opened on line ${startLine} never closes)`, startLine);
        pos++; // closing quote
        continue;
      }
      if (ch === '"') {
        quoted = true;
        pos++;
        while (pos < length && text[pos] !== '"') {
          const quote = text[pos]!;
          if (quote === "\\") {
            const next = text[pos + 1];
            const joined = continuationAt(text, pos);
            if (joined > 0) {
              pos += joined;
              line++;
              continue;
            }
            if (next === "$" || next === "`" || next === '"' || next === "\\") {
              word += next;
              pos += 2;
              continue;
            }
            word += quote;
            pos++;
            continue;
          }
          if (takeSubstitution()) continue;
          if (quote === "\n") line++;
          word += quote;
          pos++;
        }
        if (pos >= length) throw new ShellSyntaxError(`unterminated double quote (the quote opened on line ${startLine} never closes)`, startLine);
        pos++;
        continue;
      }
      if (takeSubstitution()) continue;
      if (ch === "`") {
        let end = text.indexOf("`", pos + 1);
        end = end < 0 ? length : end + 1;
        const chunk = text.slice(pos, end);
        line += newlinesIn(chunk);
        word += chunk;
        pos = end;
        continue;
      }
      word += ch;
      pos++;
    }
    if (!dangling) out.push(quoted ? { text: word, line: startLine, kind: "word", quoted } : { text: word, line: startLine, kind: "word" });
  }
  return out;
}


/** Index just past the bracket that closes the `(` or `{` at `open`. */
function matchingClose(text: string, open: number): number {
  const opener = text[open];
  const close = opener === "(" ? ")" : "}";
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    const ch = text[j];
    if (ch === "\\") {
      j++;
      continue;
    }
    if (ch === opener) depth++;
    else if (ch === close) {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return text.length;
}

/**
 * Split shell text into words. Quotes are removed, escapes resolved, line continuations joined,
 * comments dropped, `$VAR`/`${VAR}`/`$(...)` kept verbatim. Redirections (`> log 2>&1`) are dropped
 * with their targets. Control operators (`&&`, `||`, `;`, `|`, `&`, a newline) come back as the
 * words "&&", "||", ";", "|", "&" (a newline as ";"), so extractVllmArgs can stop at them; use
 * splitShellCommands to get the commands apart without that ambiguity.
 */
export function splitShellWords(cmd: string): string[] {
  const out: string[] = [];
  const tokens = tokenizeShell(cmd);
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k]!;
    if (token.kind === "word") out.push(token.text);
    else if (token.kind === "redir") {
      if (tokens[k + 1]?.kind === "word") k++;
    } else {
      const sep = token.text === "\n" ? ";" : token.text;
      if (out.length > 0 && out[out.length - 1] !== ";") out.push(sep);
    }
  }
  while (out.length > 0 && isSeparatorWord(out[out.length - 1]!)) out.pop();
  return out;
}

const SEPARATOR_WORDS = new Set([";", "&&", "||", "|", "&", ";;", "(", ")"]);
function isSeparatorWord(word: string): boolean {
  return SEPARATOR_WORDS.has(word);
}

/** Split shell text into simple commands (redirections removed), each with its starting line. */
export function splitShellCommands(text: string, firstLine = 1): ShellCommand[] {
  const tokens = tokenizeShell(text, firstLine);
  const out: ShellCommand[] = [];
  let cur: ShellCommand = { words: [], lines: [], quoted: [], line: firstLine };
  const flush = (): void => {
    if (cur.words.length > 0) out.push(cur);
    cur = { words: [], lines: [], quoted: [], line: firstLine };
  };
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k]!;
    if (token.kind === "sep") flush();
    else if (token.kind === "redir") {
      if (tokens[k + 1]?.kind === "word") k++;
    } else {
      if (cur.words.length === 0) cur.line = token.line;
      cur.words.push(token.text);
      cur.lines.push(token.line);
      cur.quoted.push(token.quoted === true);
    }
  }
  flush();
  return out;
}

// ---------------------------------------------------------------------------------------------
// vLLM flags
// ---------------------------------------------------------------------------------------------

/** A vLLM switch (no value) by the argument table (core/vllm-args.ts), --no-<flag> included. */
function isSwitch(key: string): boolean {
  return isVllmSwitch(key);
}

/** A vLLM flag that takes a value, by the argument table. */
function takesValue(key: string): boolean {
  return isVllmArgName(key) && !isVllmSwitch(key);
}


function isFlagToken(token: string): boolean {
  return token.startsWith("-") && token !== "-" && !/^-\d/.test(token) && !/^-\.\d/.test(token);
}

/** Split a flag token into its key and inline value (`--a=b`, `-tp=2`, `-O3`), or null if not a flag. */
function flagKey(text: string): { key: string; inline: string | null } | null {
  if (!isFlagToken(text) || text === "--") return null;
  if (text.startsWith("--")) {
    const body = text.slice(2);
    const eq = body.indexOf("=");
    return eq < 0
      ? { key: normalizeFlagName(body), inline: null }
      : { key: normalizeFlagName(body.slice(0, eq)), inline: body.slice(eq + 1) };
  }
  const body = text.slice(1);
  // -O3, -O.level=3, -O 3
  if (body.startsWith("O") && body !== "O") {
    const rest = body.slice(1);
    if (rest.startsWith(".")) {
      const eq = rest.indexOf("=");
      return eq < 0
        ? { key: "compilation-config" + rest, inline: null }
        : { key: "compilation-config" + rest.slice(0, eq), inline: rest.slice(eq + 1) };
    }
    return { key: "compilation-config", inline: rest.startsWith("=") ? rest.slice(1) : rest };
  }
  const eq = body.indexOf("=");
  const name = eq < 0 ? body : body.slice(0, eq);
  // vLLM's single-dash aliases (-tp, -q, -ep, ...) from the argument table.
  const key = vllmShortArg(name)?.name ?? normalizeFlagName(name);
  return { key, inline: eq < 0 ? null : body.slice(eq + 1) };
}

/** Thrown by parseVllmArgs; `index` is the position of the offending token in the args list. */
/**
 * Shell text a shell would refuse (bash: "unexpected EOF while looking for matching quote"); `line`
 * is where the offending quote opened. Deployment readers put the file and line in front.
 */
export class ShellSyntaxError extends InputError {
  readonly line: number;
  constructor(message: string, line: number) {
    super("shell", message);
    this.name = "ShellSyntaxError";
    this.line = line;
  }
}

export class VllmArgError extends InputError {
  readonly index: number;
  constructor(flag: string, message: string, index: number) {
    super(flag, message);
    this.name = "VllmArgError";
    this.index = index;
  }
}

/**
 * A light standalone parser for vLLM flags. Keys are kebab-case (`--max_num_seqs` →
 * `max-num-seqs`, `-tp` → `tensor-parallel-size`, `-O3` → `compilation-config: "3"`), dotted forms
 * are kept as keys (`--limit-mm-per-prompt.image 1` → `limit-mm-per-prompt.image: "1"`), values stay
 * strings (JSON too), known boolean flags become `true`, `--no-<boolean flag>` becomes `"false"`,
 * and a flag repeated later wins. Extra positionals right after a value are appended to it with a
 * space (nargs="+" flags such as `--cuda-graph-sizes 1 2 4`). Throws VllmArgError for a known
 * value-taking flag without a value.
 */
export function parseVllmArgs(args: readonly string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  let lastValueKey: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") break;
    const flag = flagKey(arg);
    if (!flag) {
      // A positional: continues the previous flag's value list, otherwise it is ignored.
      if (lastValueKey !== null) {
        const prev = out[lastValueKey];
        out[lastValueKey] = typeof prev === "string" && prev !== "" ? `${prev} ${arg}` : arg;
      }
      continue;
    }
    lastValueKey = null;
    const { key, inline } = flag;
    if (inline !== null) {
      out[key] = inline;
      lastValueKey = key;
      continue;
    }
    if (key.startsWith("no-") && isSwitch(key.slice(3))) {
      out[key.slice(3)] = "false";
      continue;
    }
    if (isSwitch(key)) {
      out[key] = true;
      continue;
    }
    const next = args[i + 1];
    if (next !== undefined && next !== "--" && !isFlagToken(next)) {
      out[key] = next;
      lastValueKey = key;
      i++;
      continue;
    }
    if (takesValue(key) || takesValue(key.split(".")[0]!)) {
      throw new VllmArgError(arg, `${arg} needs a value`, i);
    }
    out[key] = true;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Finding the vLLM invocation in a command
// ---------------------------------------------------------------------------------------------

const API_SERVER_MODULES = new Set(["vllm.entrypoints.openai.api_server", "vllm.entrypoints.api_server"]);
const SHELLS = new Set(["sh", "bash", "zsh", "dash", "ash", "ksh"]);

/** The last part of a path or command word (`/usr/bin/docker` → docker, `C:\\deploy\\a.yaml` → a.yaml). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/** Index of `run` / `create` after a container CLI (docker, podman, nerdctl; `docker container run` too), or -1. */
export function containerRunIndex(words: readonly string[]): number {
  const cli = (w: string | undefined): boolean => w !== undefined && /^(docker|podman|nerdctl)$/.test(baseName(w));
  return words.findIndex((w, i) => (w === "run" || w === "create") && (cli(words[i - 1]) || (words[i - 1] === "container" && cli(words[i - 2]))));
}

/**
 * What a container run's own options (words `from` up to the image at `to`) give the container: the
 * environment (-e / --env VAR=value, --env=VAR=value) and the --gpus value. Assignments before
 * `docker` itself set the docker client's environment, not the container's, so they are not read.
 */
export function containerRunOptions(words: readonly string[], from: number, to: number): { env: Record<string, string>; gpus: string | null } {
  const env: Record<string, string> = {};
  let gpus: string | null = null;
  for (let i = Math.max(0, from); i < to; i++) {
    const word = words[i]!;
    const assignment = word === "-e" || word === "--env" ? (i + 1 < to ? words[++i]! : "") : word.startsWith("--env=") ? word.slice("--env=".length) : null;
    if (assignment !== null) {
      const assignmentMatch = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(assignment);
      if (assignmentMatch) env[assignmentMatch[1]!] = assignmentMatch[2]!;
    } else if (word === "--gpus" && i + 1 < to) gpus = words[++i]!;
    else if (word.startsWith("--gpus=")) gpus = word.slice("--gpus=".length);
  }
  return { env, gpus };
}

/** Whether an image reference is the official vLLM OpenAI-server image (any registry, tag or digest). */
export function isVllmOpenAiImage(image: string): boolean {
  return /(^|\/)vllm-openai(:[^/]*|@sha256:[0-9a-f]+)?$/i.test(image.trim());
}

/** Where a vLLM invocation sits in a word list (indices into that list). */
export interface VllmInvocation {
  /** How it was recognized. */
  via: "vllm serve" | "api_server" | "docker image" | "flags";
  model: string | null;
  /** Index of the positional model word, if there is one. */
  modelIndex: number | null;
  /** Indices of the argv words after the entrypoint (the positional model excluded). */
  argIndices: number[];
  /** Index of the first word of the invocation (the word that names vLLM, or 0 for bare flags). */
  start: number;
  /** VAR=value words before the invocation (command prefix, `env`, `docker run -e`). */
  env: Record<string, string>;
  /** `docker run --gpus` value, when the invocation is a `docker run` of the vLLM image. */
  dockerGpus: string | null;
}

export interface LocateOptions {
  /**
   * The words are the arguments of the vLLM image's entrypoint (compose `command:` or k8s `args:`
   * for image vllm/vllm-openai): bare flags, or a positional model then flags (the image's
   * entrypoint is `vllm serve` in recent releases and the api_server module in older ones).
   */
  entrypointIsVllm?: boolean;
}

/** The `sh -c SCRIPT` script index in a simple command, or null. */
export function shellScriptIndex(words: readonly string[]): number | null {
  let i = 0;
  while (i < words.length && (words[i] === "exec" || words[i] === "env" || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!))) i++;
  const word = words[i];
  if (word === undefined || !SHELLS.has(baseName(word))) return null;
  for (let j = i + 1; j < words.length; j++) {
    const argument = words[j]!;
    if (/^-[A-Za-z]*c[A-Za-z]*$/.test(argument)) return j + 1 < words.length ? j + 1 : null;
    if (!argument.startsWith("-")) return null;
  }
  return null;
}

/**
 * Find a vLLM server invocation in one simple command (no separators; sh -c is NOT unwrapped here,
 * see shellScriptIndex). Recognizes `vllm serve MODEL`, `python[3] -m vllm.entrypoints.openai.api_server`
 * / `vllm.entrypoints.api_server`, `-m vllm.entrypoints.cli.main serve`, `docker run ... vllm/vllm-openai[:tag] ...`,
 * and bare flags containing `--model` (or any words with `entrypointIsVllm`).
 */
export function locateVllmInvocation(words: readonly string[], opts: LocateOptions = {}): VllmInvocation | null {
  if (words.length === 0) return null;
  const first = words[0]!;
  if (first === "echo" || first === "printf" || first === ":" || first === "#") return null;

  let via: VllmInvocation["via"] | null = null;
  let start = 0;
  let rest = 0;
  for (let i = 0; i < words.length && via === null; i++) {
    const word = words[i]!;
    if (baseName(word) === "vllm" && words[i + 1] === "serve") {
      via = "vllm serve";
      start = i;
      rest = i + 2;
    } else if (word === "-m" && API_SERVER_MODULES.has(words[i + 1] ?? "")) {
      via = "api_server";
      start = i > 0 ? i - 1 : i;
      rest = i + 2;
    } else if (word === "-m" && words[i + 1] === "vllm.entrypoints.cli.main" && words[i + 2] === "serve") {
      via = "vllm serve";
      start = i > 0 ? i - 1 : i;
      rest = i + 3;
    } else if (i > 0 && isVllmOpenAiImage(word) && containerRunIndex(words.slice(0, i)) >= 0) {
      via = "docker image";
      start = i;
      rest = i + 1;
    }
  }
  if (via === null) {
    const hasModelFlag = words.some((w) => w === "--model" || w.startsWith("--model="));
    if (opts.entrypointIsVllm || (isFlagToken(first) && hasModelFlag)) {
      via = "flags";
      start = 0;
      rest = 0;
    } else {
      return null;
    }
  }

  // Words before the invocation: VAR=value assignments (`env`, a command prefix), or for a container
  // the run's own -e and --gpus.
  let env: Record<string, string> = {};
  let dockerGpus: string | null = null;
  if (via === "docker image") ({ env, gpus: dockerGpus } = containerRunOptions(words, containerRunIndex(words) + 1, start));
  else {
    for (let i = 0; i < start; i++) {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(words[i]!);
      if (match) env[match[1]!] = match[2]!;
    }
  }

  // Walk the flags to find the positional model (the first word not consumed as a flag value).
  let modelIndex: number | null = null;
  const positionalModel = via !== "api_server";
  for (let i = rest; i < words.length; i++) {
    const arg = words[i]!;
    if (arg === "--") break;
    const flag = flagKey(arg);
    if (!flag) {
      if (positionalModel && modelIndex === null) modelIndex = i;
      continue;
    }
    if (flag.inline !== null) continue;
    if (isSwitch(flag.key)) continue;
    const next = words[i + 1];
    if (next !== undefined && !isFlagToken(next)) i++;
  }
  const argIndices: number[] = [];
  for (let i = rest; i < words.length; i++) if (i !== modelIndex) argIndices.push(i);

  let model: string | null = modelIndex === null ? null : words[modelIndex]!;
  if (model === null) {
    for (let k = 0; k < argIndices.length; k++) {
      const word = words[argIndices[k]!]!;
      if (word === "--model") {
        const nextWord = words[argIndices[k + 1] ?? -1];
        if (nextWord !== undefined && !isFlagToken(nextWord)) model = nextWord;
      } else if (word.startsWith("--model=")) model = word.slice("--model=".length);
    }
  }
  return { via, model, modelIndex, argIndices, start, env, dockerGpus };
}

/**
 * Find a vLLM server invocation in a word list (as from splitShellWords) and return the model and
 * the raw argv after the entrypoint, in order (the positional model removed; `--model X` kept when
 * it is written as a flag). Stops at a control operator word (";", "&&", "||", "|", "&"), unwraps
 * `sh -c "..."`, and returns the first invocation found, or null.
 */
export function extractVllmArgs(words: readonly string[], opts: LocateOptions = {}): { model: string | null; args: string[] } | null {
  let seg: string[] = [];
  const segments: string[][] = [];
  for (const word of words) {
    if (isSeparatorWord(word)) {
      segments.push(seg);
      seg = [];
    } else seg.push(word);
  }
  segments.push(seg);
  for (const segment of segments) {
    const script = shellScriptIndex(segment);
    if (script !== null) {
      for (const cmd of splitShellCommands(segment[script]!)) {
        const found = extractVllmArgs(cmd.words);
        if (found) return found;
      }
      continue;
    }
    const inv = locateVllmInvocation(segment, opts);
    if (inv) return { model: inv.model, args: inv.argIndices.map((k) => segment[k]!) };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// A pasted command line (vram-plan plan -- vllm serve ..., --command "...")
// ---------------------------------------------------------------------------------------------

/**
 * The shell's parameter expansion (POSIX sh, "Parameter Expansion") of $VAR, ${VAR}, ${VAR:-word},
 * ${VAR-word}, ${VAR:+word} and ${VAR+word} in `text`, from `env` (own keys only: $constructor is
 * no variable). `unset(name, written)` is what a variable that is unset, with no word to fall back
 * on, becomes; `substituted` sees each value put in (a reader's budget). The one expander for a
 * pasted command (expandShellVariables) and for deployment files (deployments/common.ts expandShell).
 */
export function expandParameters(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  unset: (name: string, written: string) => string,
  substituted: (value: string) => string = (value) => value,
): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (written, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? "";
      const value = Object.hasOwn(env, name) ? env[name] : undefined;
      if (op === ":+") return value !== undefined && value !== "" ? expandParameters(word ?? "", env, unset, substituted) : "";
      if (op === "+") return value !== undefined ? expandParameters(word ?? "", env, unset, substituted) : "";
      if (op !== undefined) return substituted(value !== undefined && (op === "-" || value !== "") ? value : (word ?? ""));
      return value !== undefined ? substituted(value) : unset(name, written);
    },
  );
}

/**
 * The words one written word becomes once expanded. A word that is one parameter expansion alone
 * ($VAR, ${VAR…}) written without quotes is split into words as the shell splits an unquoted
 * expansion: empty, it is no word at all; `${REVISION:+--revision "$REVISION"}` gives two (the quotes
 * of its own word count). Written in quotes ("$ARGS": `quoted`, as the tokenizer saw it) it stays one
 * word, as does any other word. A pasted command's words come from the user's shell, quotes already
 * gone: taken as unquoted.
 */
export function expansionFields(written: string, expanded: string, quoted = false): string[] {
  if (quoted || expanded === written || !/^\$(?:\{[A-Za-z_][A-Za-z0-9_]*[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)$/.test(written)) return [expanded];
  return splitShellCommands(expanded).flatMap((c) => c.words);
}

/**
 * Expands the variables of one word of a pasted command from `env`, as a shell would
 * (expandParameters); an unset variable without a default is an InputError naming it (`subject` says where).
 */
export function expandShellVariables(word: string, env: Readonly<Record<string, string | undefined>>, subject: string): string {
  return expandParameters(word, env, (name) => {
    throw new InputError(subject, `${subject}: $${excerpt(name)} is not set (set it, or write \${${name}:-default})`);
  });
}

export interface ImageRelease {
  /** "X.Y.Z" the tag pins, or null. */
  version: string | null;
  /** latest / nightly / no tag of a vLLM image. */
  latest: boolean;
  /** The image is a vLLM server image (its name says vllm). */
  vllm: boolean;
  tag: string | null;
}

/**
 * What an image reference says about its vLLM release: vllm/vllm-openai:v0.11.0 (any registry), a
 * `vllm` image tagged with a version, `v0.7.0-cuda…` tags; latest / nightly / untagged vLLM images.
 */
export function imageRelease(image: string | null | undefined): ImageRelease {
  const none: ImageRelease = { version: null, latest: false, vllm: false, tag: null };
  if (!image) return none;
  const imageMatch = /^(.*?)(?::([^:@/]+))?(?:@sha256:[0-9a-f]+)?$/i.exec(image.trim());
  const repo = imageMatch?.[1] ?? image;
  const tag = imageMatch?.[2] ?? null;
  const last = repo.split("/").pop() ?? repo;
  const vllm = /vllm/i.test(last);
  if (!vllm) return { ...none, tag };
  if (tag === null && /@sha256:/i.test(image)) return { version: null, latest: false, vllm, tag }; // pinned by digest: release unknown
  if (tag === null || /^(latest|nightly|main)$/i.test(tag)) return { version: null, latest: true, vllm, tag };
  const versionMatch = /^v(\d+)\.(\d+)(?:\.(\d+))?/.exec(tag) ?? (/^(vllm-openai|vllm)$/i.test(last) ? /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(tag) : null);
  return versionMatch ? { version: `${versionMatch[1]}.${versionMatch[2]}.${versionMatch[3] ?? "0"}`, latest: false, vllm, tag } : { version: null, latest: false, vllm, tag };
}

/**
 * A whole vLLM command line as words (`vllm serve M ...`, `python -m vllm.entrypoints.openai.api_server
 * ...`, `docker run ... vllm/vllm-openai:TAG [args]`, with `sh -c` and `&&` around it): the vLLM argv
 * (positional model first), and the release the image tag pins. Variables are expanded from `env`
 * first. InputError when no vLLM invocation is in it.
 */
export function vllmArgvOfCommand(words: readonly string[], env: Readonly<Record<string, string | undefined>>, subject: string): { argv: string[]; release: string | null } {
  const expanded = words.flatMap((w) => expansionFields(w, expandShellVariables(w, env, subject)));
  let release: string | null = null;
  for (const w of expanded) if (isVllmOpenAiImage(w)) release ??= imageRelease(w).version;
  const found = extractVllmArgs(expanded);
  if (!found) throw new InputError(subject, `${subject}: no vLLM server command in '${excerpt(words.join(" "))}' (expected vllm serve, python -m vllm.entrypoints.openai.api_server or docker run vllm/vllm-openai)`);
  const modelAsFlag = found.args.some((a) => a === "--model" || a.startsWith("--model="));
  return { argv: found.model !== null && !modelAsFlag ? [found.model, ...found.args] : found.args, release };
}

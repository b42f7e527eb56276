// YAML plumbing for the compose, Kubernetes, vLLM --config and vram-plan readers: parse with line
// numbers, find the line of a key, and read a command (list or string) as words with their lines.
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document } from "yaml";
import { MAX_NESTING, MAX_YAML_ALIASES, MAX_YAML_BYTES } from "../../limits.js";
import { splitShellCommands } from "../vllm-argv.js";
import { limitSizeText } from "../read-file.js";
import type { Ctx, Json, Word } from "./common.js";

export interface YamlFile {
  docs: Document.Parsed[];
  lc: LineCounter;
}

// Limits (one place for every deployment format): aliases are expanded at most MAX_YAML_ALIASES
// times per document (an alias bomb is refused, not expanded into gigabytes), nesting is bounded,
// and the library's own warnings never reach stderr (logLevel "error": problems are reported by
// vram-plan, once, with the file and line).

export const YAML_PARSE_OPTIONS = { merge: true, logLevel: "error", maxAliasCount: MAX_YAML_ALIASES } as const;
export const YAML_TO_JS_OPTIONS = { maxAliasCount: MAX_YAML_ALIASES } as const;

export interface YamlLimitProblem {
  /** Offset in the text of the node at fault (for a line number), or 0. */
  offset: number;
  message: string;
}

/** Parses every document of `text`; syntax errors stay on each document's `errors`. */
/** Whether `text` is over the YAML size limit (checked before the parser builds its tree). */
export function yamlTooLarge(text: string): boolean {
  return text.length > MAX_YAML_BYTES;
}

/** The line refusing a YAML text over the limit. */
export function yamlTooLargeMessage(text: string): string {
  return `YAML of ${limitSizeText(text.length)} is over the ${limitSizeText(MAX_YAML_BYTES)} limit for a YAML file`;
}

export function parseYamlDocuments(text: string, lineCounter: LineCounter = new LineCounter()): Document.Parsed[] {
  const parsed = parseAllDocuments(text, { ...YAML_PARSE_OPTIONS, lineCounter });
  return Array.isArray(parsed) ? parsed : [];
}

/** A document's plain value with the alias limit (the only way deployment readers call toJS). */
export function yamlValue(doc: Document.Parsed): unknown {
  return doc.toJS(YAML_TO_JS_OPTIONS);
}

/** Nesting depth of a YAML value, or Infinity when an alias makes it contain itself (x: &a [*a]). */
function depthOf(value: unknown): number {
  let max = 0;
  const onPath = new Set<unknown>();
  const done = new Set<unknown>();
  // Iterative depth-first walk: [value, depth, leaving]; a value met again while still on the path is a cycle.
  const stack: [unknown, number, boolean][] = [[value, 0, false]];
  while (stack.length > 0) {
    const [value, depth, leaving] = stack.pop() as [unknown, number, boolean];
    if (leaving) {
      onPath.delete(value);
      done.add(value);
      continue;
    }
    if (typeof value !== "object" || value === null || done.has(value)) continue;
    if (onPath.has(value)) return Number.POSITIVE_INFINITY;
    onPath.add(value);
    if (depth + 1 > max) max = depth + 1;
    if (max > MAX_NESTING) return max;
    stack.push([value, depth, true]);
    const children = value instanceof Map ? [...value.values()] : Array.isArray(value) ? value : Object.values(value);
    for (const c of children) if (typeof c === "object" && c !== null) stack.push([c, depth + 1, false]);
  }
  return max;
}

/**
 * The first limit a parsed file breaks (too many alias expansions, nesting too deep), or null.
 * Call once after parsing; later yamlValue calls then cannot throw.
 */
export function yamlLimitProblem(docs: readonly Document.Parsed[]): YamlLimitProblem | null {
  for (const doc of docs) {
    if (doc.errors.length > 0) continue;
    let value: unknown;
    try {
      value = yamlValue(doc);
    } catch (err) {
      // The yaml library throws for an alias bomb ('Excessive alias count …', nodes/Alias.js) and for an
      // alias whose anchor is not set before it; only the first is the limit.
      const text = err instanceof Error ? err.message : "";
      const msg = /excessive alias/i.test(text)
        ? `more than ${MAX_YAML_ALIASES} alias expansions (an alias bomb?)`
        : /unresolved alias/i.test(text)
          ? "alias with no anchor (&name) set before it"
          : "cannot be read as data";
      return { offset: doc.range[0], message: msg };
    }
    const depth = depthOf(value);
    if (depth === Number.POSITIVE_INFINITY) return { offset: doc.range[0], message: "alias that contains itself (a cycle)" };
    if (depth > MAX_NESTING) return { offset: doc.range[0], message: `nested more than ${MAX_NESTING} levels deep` };
  }
  return null;
}

export function parseYaml(ctx: Ctx, text: string): YamlFile {
  if (yamlTooLarge(text)) ctx.fail(null, yamlTooLargeMessage(text));
  const lc = new LineCounter();
  const docs = parseYamlDocuments(text, lc);
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const line = lc.linePos(err.pos[0]).line;
      const msg = (err.message.split("\n")[0] ?? err.code).replace(/ at line \d+, column \d+:?\s*$/, "");
      ctx.fail(line, `YAML syntax error: ${oneShortLine(msg)}`);
    }
  }
  const limit = yamlLimitProblem(docs);
  if (limit) ctx.fail(lc.linePos(limit.offset).line, `YAML ${limit.message}`);
  return { docs, lc };
}

/** One line of a library message, at most 120 characters (it may quote the file). */
function oneShortLine(text: string): string {
  const one = text.replace(/[\u0000-\u001f]+/g, " ");
  return one.length > 120 ? `${one.slice(0, 117)}...` : one;
}

export type PathSeg = string | number;

/** The AST node at `path` (or null) and the line of the deepest key/item reached on the way. */
export function walk(doc: Document.Parsed, lc: LineCounter, path: readonly PathSeg[]): { node: unknown; line: number; found: boolean } {
  let node: unknown = doc.contents;
  let line = 1;
  const lineOf = (node: unknown): number | null => {
    if (typeof node === "object" && node !== null && "range" in node) {
      const nodeRange = (node as { range?: [number, number, number] | null }).range;
      if (nodeRange) return lc.linePos(nodeRange[0]).line;
    }
    return null;
  };
  line = lineOf(node) ?? 1;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) === String(seg) : p.key === seg));
      if (!pair) return { node: null, line, found: false };
      line = lineOf(pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg];
      if (item === undefined) return { node: null, line, found: false };
      line = lineOf(item) ?? line;
      node = item;
    } else {
      return { node: null, line, found: false };
    }
  }
  if (isAlias(node)) node = node.resolve(doc);
  return { node, line, found: true };
}

export function lineAt(file: YamlFile, doc: Document.Parsed, path: readonly PathSeg[]): number {
  return walk(doc, file.lc, path).line;
}

export function scalarText(node: unknown): string | null {
  if (!isScalar(node)) return null;
  const value = node.value;
  if (typeof value === "string") return value;
  if (value === null) return null;
  const src = (node as { source?: unknown }).source;
  return typeof src === "string" ? src : String(value);
}

/** Line where a scalar's text starts (block scalars start on the next line). */
export function scalarContentLine(file: YamlFile, node: unknown, fallback: number): number {
  if (!isScalar(node) || !node.range) return fallback;
  const line = file.lc.linePos(node.range[0]).line;
  return node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED" ? line + 1 : line;
}

/**
 * The words of a `command:` / `args:` / `entrypoint:` value: a list gives one word per item, a
 * string is split like a shell would (compose's rule for string commands). Falls back to the JS
 * value (e.g. when it came through a `<<` merge) with every word on `fallbackLine`.
 */
export function wordsAt(yaml: YamlFile, doc: Document.Parsed, path: readonly PathSeg[], js: Json, fallbackLine: number): Word[] | null {
  if (js === undefined || js === null) return null;
  const { node, line, found } = walk(doc, yaml.lc, path);
  if (found && isSeq(node)) {
    const out: Word[] = [];
    for (const item of node.items) {
      const text = scalarText(isAlias(item) ? item.resolve(doc) : item);
      if (text === null) continue;
      out.push({ text, line: scalarContentLine(yaml, item, line) });
    }
    return out;
  }
  if (found && isScalar(node)) {
    const text = scalarText(node);
    if (text === null) return null;
    return shellWords(text, scalarContentLine(yaml, node, line));
  }
  if (Array.isArray(js)) return js.filter((x) => x !== null && typeof x !== "object").map((x) => ({ text: String(x), line: fallbackLine }));
  if (typeof js === "string") return shellWords(js, fallbackLine);
  return null;
}

export function shellWords(text: string, firstLine: number): Word[] {
  const out: Word[] = [];
  for (const cmd of splitShellCommands(text, firstLine)) cmd.words.forEach((w, k) => out.push({ text: w, line: cmd.lines[k] ?? cmd.line }));
  return out;
}

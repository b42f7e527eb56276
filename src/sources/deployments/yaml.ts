// YAML plumbing for the compose, Kubernetes, vLLM --config and vram-plan readers: parse with line
// numbers, find the line of a key, and read a command (list or string) as words with their lines.
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document } from "yaml";
import { splitShellCommands } from "../vllm-argv.js";
import type { Ctx, Json, Word } from "./common.js";

export interface YamlFile {
  docs: Document.Parsed[];
  lc: LineCounter;
}

export function parseYaml(ctx: Ctx, text: string): YamlFile {
  const lc = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lc, merge: true });
  const docs: Document.Parsed[] = Array.isArray(parsed) ? parsed : [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const line = lc.linePos(err.pos[0]).line;
      const msg = (err.message.split("\n")[0] ?? err.code).replace(/ at line \d+, column \d+:?\s*$/, "");
      ctx.fail(line, `YAML syntax error: ${msg}`);
    }
  }
  return { docs, lc };
}

export type PathSeg = string | number;

/** The AST node at `path` (or null) and the line of the deepest key/item reached on the way. */
export function walk(doc: Document.Parsed, lc: LineCounter, path: readonly PathSeg[]): { node: unknown; line: number; found: boolean } {
  let node: unknown = doc.contents;
  let line = 1;
  const lineOf = (n: unknown): number | null => {
    if (typeof n === "object" && n !== null && "range" in n) {
      const r = (n as { range?: [number, number, number] | null }).range;
      if (r) return lc.linePos(r[0]).line;
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

export function lineAt(f: YamlFile, doc: Document.Parsed, path: readonly PathSeg[]): number {
  return walk(doc, f.lc, path).line;
}

export function scalarText(node: unknown): string | null {
  if (!isScalar(node)) return null;
  const v = node.value;
  if (typeof v === "string") return v;
  if (v === null) return null;
  const src = (node as { source?: unknown }).source;
  return typeof src === "string" ? src : String(v);
}

/** Line where a scalar's text starts (block scalars start on the next line). */
export function scalarContentLine(f: YamlFile, node: unknown, fallback: number): number {
  if (!isScalar(node) || !node.range) return fallback;
  const line = f.lc.linePos(node.range[0]).line;
  return node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED" ? line + 1 : line;
}

/**
 * The words of a `command:` / `args:` / `entrypoint:` value: a list gives one word per item, a
 * string is split like a shell would (compose's rule for string commands). Falls back to the JS
 * value (e.g. when it came through a `<<` merge) with every word on `fallbackLine`.
 */
export function wordsAt(f: YamlFile, doc: Document.Parsed, path: readonly PathSeg[], js: Json, fallbackLine: number): Word[] | null {
  if (js === undefined || js === null) return null;
  const { node, line, found } = walk(doc, f.lc, path);
  if (found && isSeq(node)) {
    const out: Word[] = [];
    for (const item of node.items) {
      const text = scalarText(isAlias(item) ? item.resolve(doc) : item);
      if (text === null) continue;
      out.push({ text, line: scalarContentLine(f, item, line) });
    }
    return out;
  }
  if (found && isScalar(node)) {
    const text = scalarText(node);
    if (text === null) return null;
    return shellWords(text, scalarContentLine(f, node, line));
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

// JSON as Python's json module writes it: config.json files may hold Infinity, -Infinity and NaN
// (e.g. Nemotron-H's time_step_limit), which JSON.parse rejects. Those tokens, outside strings,
// become null; everything else must be strict JSON.
//
// A file that is not JSON throws JsonSyntaxError with the line and column of the first fault and
// what was expected there, never the file's text: V8's message quotes the text (a symlink to a
// secret would leak it) and gives no position for some faults ("Unexpected token '}', ... is not
// valid JSON"), so the position comes from jsonFault, run only once JSON.parse has failed.
import type { Json } from "../core/architecture.js";
import { positionAt } from "./text-position.js";

export class JsonSyntaxError extends Error {
  constructor(
    /** UTF-16 offset into the text. */
    readonly offset: number,
    /** 1-based. */
    readonly line: number,
    /** 1-based, in characters from the start of the line. */
    readonly column: number,
    readonly reason: string,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
    this.name = "JsonSyntaxError";
  }
}

export function parsePythonJson(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    let out = "";
    let inString = false;
    for (let i = 0; i < text.length; i++) {
      const char = text[i] as string;
      if (inString) {
        out += char;
        if (char === "\\") out += text[++i] ?? "";
        else if (char === '"') inString = false;
        continue;
      }
      if (char === '"') {
        inString = true;
        out += char;
        continue;
      }
      const rest = text.slice(i, i + 9);
      const match = /^(-?Infinity|NaN)/.exec(rest);
      if (match) {
        out += "null";
        i += (match[1] as string).length - 1;
        continue;
      }
      out += char;
    }
    if (out !== text) {
      try {
        return JSON.parse(out) as Json;
      } catch {
        // the fault is found in the text as written, below
      }
    }
    throw jsonSyntaxError(text);
  }
}

/** `path:line:column: not valid JSON (why)`, the one-line error for a file (the position as compilers write it). */
export function notJsonMessage(path: string, err: JsonSyntaxError): string {
  return `${path}:${err.line}:${err.column}: not valid JSON (${err.reason})`;
}

/** The error for a text JSON.parse refused: the first fault jsonFault finds (the end of the text if it finds none). */
export function jsonSyntaxError(text: string): JsonSyntaxError {
  const fault = jsonFault(text) ?? { offset: text.length, reason: "not JSON" };
  const { line, column } = positionAt(text, fault.offset);
  return new JsonSyntaxError(fault.offset, line, column, fault.reason);
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ["true", "false", "null", "NaN", "Infinity", "-Infinity"] as const;

/** A character named in a reason: JSON's own punctuation as itself, anything else only by kind (no text of the file). */
function named(ch: string): string {
  if ("{}[],:\"".includes(ch)) return `'${ch}'`;
  if (ch === "\ufeff") return "byte order mark (U+FEFF)";
  if (ch === "\n" || ch === "\r") return "line break";
  return /[\u0000-\u001f]/.test(ch) ? `control character U+${ch.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}` : "character";
}

/**
 * Where `text` first stops being JSON (RFC 8259, plus Python's NaN/Infinity/-Infinity) and what was
 * expected there; null when it is JSON. Iterative, so deep nesting cannot overflow the stack.
 */
export function jsonFault(text: string): { offset: number; reason: string } | null {
  const length = text.length;
  const open: string[] = [];
  let pos = 0;
  let state: "value" | "key" | "after" = "value";
  const skipSpace = (): void => {
    while (pos < length && (text[pos] === " " || text[pos] === "\t" || text[pos] === "\n" || text[pos] === "\r")) pos++;
  };
  const at = (reason: string): { offset: number; reason: string } => ({ offset: pos, reason });
  const endOrChar = (expected: string): { offset: number; reason: string } =>
    at(pos >= length ? `unexpected end of file, expected ${expected}; cut short?` : `unexpected ${named(text[pos]!)}, expected ${expected}`);
  /** Past a string starting at pos; a fault, or null. */
  const string = (): { offset: number; reason: string } | null => {
    pos++;
    for (;;) {
      if (pos >= length) return at("end of file inside a string; cut short?");
      const ch = text[pos]!;
      if (ch === '"') {
        pos++;
        return null;
      }
      if (ch < " ") return at(`${named(ch)} inside a string; a closing '"' missing?`);
      if (ch === "\\") {
        const esc = text[pos + 1];
        if (esc !== undefined && '"\\/bfnrt'.includes(esc)) pos += 2;
        else if (esc === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) pos += 6;
        else return at(esc === undefined ? "end of file inside a string; cut short?" : "bad escape in a string");
        continue;
      }
      pos++;
    }
  };
  for (;;) {
    skipSpace();
    if (state === "value") {
      const ch = text[pos];
      if (ch === undefined) return endOrChar("a value");
      if (ch === "{" || ch === "[") {
        open.push(ch);
        pos++;
        skipSpace();
        if (text[pos] === (ch === "{" ? "}" : "]")) {
          open.pop();
          pos++;
          state = "after";
        } else state = ch === "{" ? "key" : "value";
        continue;
      }
      if (ch === '"') {
        const fault = string();
        if (fault) return fault;
        state = "after";
        continue;
      }
      const word = LITERALS.find((w) => text.startsWith(w, pos));
      if (word) {
        pos += word.length;
        state = "after";
        continue;
      }
      NUMBER.lastIndex = pos;
      if ((ch === "-" || (ch >= "0" && ch <= "9")) && NUMBER.test(text)) {
        pos = NUMBER.lastIndex;
        if (pos < length && /[0-9.eE+-]/.test(text[pos]!)) return at("malformed number");
        state = "after";
        continue;
      }
      return endOrChar("a value");
    }
    if (state === "key") {
      if (text[pos] !== '"') return endOrChar("a property name in double quotes");
      const fault = string();
      if (fault) return fault;
      skipSpace();
      if (text[pos] !== ":") return endOrChar("':' after the property name");
      pos++;
      state = "value";
      continue;
    }
    // after a value
    const top = open[open.length - 1];
    if (top === undefined) return pos >= length ? null : at(`unexpected ${named(text[pos]!)} after the end of the JSON value`);
    const close = top === "{" ? "}" : "]";
    if (text[pos] === close) {
      open.pop();
      pos++;
      continue;
    }
    if (text[pos] !== ",") return endOrChar(`',' or '${close}'`);
    pos++;
    skipSpace();
    if (text[pos] === close) return at(`'${close}' after a trailing ',', which JSON does not allow`);
    state = top === "{" ? "key" : "value";
  }
}

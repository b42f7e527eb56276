// Values of a parsed deployment file (YAML or JSON, read as unknown): an object's fields, a string.
// A leaf module: common.ts re-exports these, and limits.ts (which common.ts imports) uses them directly.
import { isObj } from "../../core/config-json.js";

export type Json = unknown;

/** The value as an object whose fields can be read, or null (a list, a scalar, null). */
export function rec(value: Json): Record<string, Json> | null {
  return isObj(value) ? value : null;
}

export function str(value: Json): string | null {
  return typeof value === "string" ? value : null;
}

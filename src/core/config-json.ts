// Typed readers for parsed config.json values, shared by architecture.ts and the vision family readers
// (src/core/vision/<family>.ts). A key of the wrong type reads as absent.
import { ConfigError } from "./errors.js";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = { [k: string]: Json };

/** A JSON object (not null, not a list): the one such test, for the core and every reader in src/sources. */
export function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
export function num(obj: Obj, key: string): number | undefined {
  const value = obj[key];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
/** A required positive number: absent, of the wrong type, zero or negative is a ConfigError naming `where` and the key. */
export function need(obj: Obj, key: string, where: string): number {
  const value = num(obj, key);
  if (value === undefined || value <= 0) throw new ConfigError(`${where}: missing or invalid "${key}"`);
  return value;
}
export function str(obj: Obj, key: string): string | undefined {
  const value = obj[key];
  return typeof value === "string" ? value : undefined;
}
export function bool(obj: Obj, key: string): boolean | undefined {
  const value = obj[key];
  return typeof value === "boolean" ? value : undefined;
}

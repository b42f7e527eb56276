// Shared readers for flag values that are numbers: every one a safe integer or a finite float in a
// range (src/limits.ts), refused with one line naming the flag and the rule, echoing at most a
// short excerpt of the value. Used by engine-flags.ts, the commands and the deployment readers.
import { InputError } from "../errors.js";
import { MAX_BYTES, MAX_TOKENS, excerpt } from "../limits.js";
import { parseSize, parseTokens } from "../units.js";

function fail(flag: string, rule: string, value: unknown): never {
  throw new InputError(flag, `${flag}: ${rule}, got '${excerpt(value)}'`);
}

/** A plain decimal integer in [min, max]. */
export function integerFlag(flag: string, v: string, min: number, max: number): number {
  const n = /^\s*\d{1,16}\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) fail(flag, `expected an integer from ${min} to ${max}`, v);
  return n;
}

/** A token count as vLLM's human_readable_int reads it (32k = 32000, 32K = 32768), in [min, max]. */
export function tokensFlag(flag: string, v: string, min = 1, max = MAX_TOKENS): number {
  const n = parseTokens(v);
  if (n === null || n < min || n > max) fail(flag, `expected a token count from ${min} to ${max} such as 32768, 32k (32000) or 32K (32768)`, v);
  return n;
}

/** A memory size ("20GiB", "85GB", a byte count) in [min, MAX_BYTES]. */
export function sizeFlag(flag: string, v: string, min = 0): number {
  const n = parseSize(v);
  if (n === null || n < min || n > MAX_BYTES) fail(flag, `expected a size${min > 0 ? " above 0" : ""} up to 1 PiB such as 20GiB, 20GB, 512MiB or a byte count`, v);
  return n;
}

/** A fraction in (0, 1]. */
export function fractionFlag(flag: string, v: string): number {
  const u = /^\s*(\d{1,20}(\.\d{0,20})?|\.\d{1,20})\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!(u > 0 && u <= 1)) fail(flag, "expected a fraction in (0, 1]", v);
  return u;
}

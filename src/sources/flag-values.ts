// Shared readers for flag values that are numbers: every one a safe integer or a finite float in a
// range (src/limits.ts), refused with one line naming the flag and the rule, echoing at most a
// short excerpt of the value. Used by engine-flags.ts, the commands and the deployment readers.
import { InputError } from "../errors.js";
import { MAX_BYTES, MAX_IMAGE_SIDE, MAX_TOKENS, MAX_VIDEO_FRAMES, excerpt } from "../limits.js";
import { parseSize, parseTokens } from "../units.js";
import { utilizationProblem } from "./vllm-values.js";

function fail(flag: string, rule: string, value: unknown): never {
  throw new InputError(flag, `${flag}: ${rule}, got '${excerpt(value)}'`);
}

/** A plain decimal integer ("8", " 16 "; "-1" when `signed`) of at most 16 digits, or NaN. */
export function integerOf(text: string, signed = false): number {
  return (signed ? /^\s*-?\d{1,16}\s*$/ : /^\s*\d{1,16}\s*$/).test(text) ? Number(text) : Number.NaN;
}

/** What is wrong with `value` as an integer in [min, max], or null: the rule vram-plan's and vLLM's flags (vllm-flags.ts) both state. */
export function integerProblem(value: number, min: number, max: number): string | null {
  return Number.isSafeInteger(value) && value >= min && value <= max ? null : `expected an integer from ${min} to ${max}`;
}

/** A plain decimal integer in [min, max]. */
export function integerFlag(flag: string, text: string, min: number, max: number): number {
  const value = integerOf(text);
  const problem = integerProblem(value, min, max);
  if (problem) fail(flag, problem, text);
  return value;
}

/** A token count as vLLM's human_readable_int reads it (32k = 32000, 32K = 32768), in [min, max]. */
export function tokensFlag(flag: string, text: string, min = 1, max = MAX_TOKENS, what = "a token count"): number {
  const tokens = parseTokens(text);
  if (tokens === null || tokens < min || tokens > max) fail(flag, `expected ${what} from ${min} to ${max}${what === "a token count" ? " such as 32768, 32k (32000) or 32K (32768)" : ""}`, text);
  return tokens;
}

/** What is wrong with `bytes` (parseSize's bytes, null: unreadable) as a size in [min, MAX_BYTES], or null. */
export function sizeProblem(bytes: number | null, min = 0): string | null {
  return bytes !== null && bytes >= min && bytes <= MAX_BYTES ? null : `expected a size${min > 0 ? " above 0" : ""} up to 1 PiB such as 20GiB, 20GB, 512MiB or a byte count`;
}

/** A memory size ("20GiB", "85GB", a byte count) in [min, MAX_BYTES]. */
export function sizeFlag(flag: string, text: string, min = 0): number {
  const bytes = parseSize(text);
  const problem = sizeProblem(bytes, min);
  if (problem || bytes === null) fail(flag, problem ?? "", text);
  return bytes;
}

/** A plain decimal number ("0.9", ".9", "1"), or NaN. */
export function decimalOf(text: string): number {
  return /^\s*(\d{1,20}(\.\d{0,20})?|\.\d{1,20})\s*$/.test(text) ? Number(text) : Number.NaN;
}

/** A utilization: a fraction in (0, 1] (sources/vllm-values.ts utilizationProblem). */
export function fractionFlag(flag: string, text: string): number {
  const fraction = decimalOf(text);
  const problem = utilizationProblem(fraction);
  if (problem) fail(flag, problem, text);
  return fraction;
}

/** "1792x1008" (also "1792 × 1008") → width and height, each from 1 to MAX_IMAGE_SIDE pixels. */
export function imageSizeFlag(flag: string, text: string): { width: number; height: number } {
  const match = /^\s*(\d{1,10})\s*[xX×]\s*(\d{1,10})\s*$/.exec(text);
  const width = match ? Number(match[1]) : Number.NaN;
  const height = match ? Number(match[2]) : Number.NaN;
  // A 0×0 image has no pixels to resize: the processor rejects it (smart_resize needs height, width ≥ factor after rounding).
  if (!(width >= 1 && height >= 1 && width <= MAX_IMAGE_SIDE && height <= MAX_IMAGE_SIDE)) {
    fail(flag, `expected WIDTHxHEIGHT in pixels, each from 1 to ${MAX_IMAGE_SIDE}, such as 1792x1008`, text);
  }
  return { width, height };
}

/** "30s@2fps" → 60 frames; "64f" or "64" → 64 frames; from 1 to MAX_VIDEO_FRAMES. */
export function videoFramesFlag(flag: string, text: string): number {
  const trimmed = text.trim();
  let frames = Number.NaN;
  const durationMatch = /^(\d{1,12}(?:\.\d{1,12})?)s@(\d{1,12}(?:\.\d{1,12})?)fps$/i.exec(trimmed);
  if (durationMatch) frames = Math.floor(Number(durationMatch[1]) * Number(durationMatch[2]));
  const framesMatch = /^(\d{1,12})f?$/i.exec(trimmed);
  if (framesMatch) frames = Number(framesMatch[1]);
  // A video of no frames has nothing to count (transformers' video processor rejects an empty clip).
  if (!(frames >= 1 && frames <= MAX_VIDEO_FRAMES)) fail(flag, `expected a duration at a frame rate (30s@2fps) or a frame count (64f) of 1 to ${MAX_VIDEO_FRAMES} frames`, text);
  return frames;
}

// Parsing sizes and lengths the user types. Bytes stay integers.
const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
};

/** "80GiB", "80 GB", "512MiB", "12345" (bytes) → integer bytes; null when unreadable. */
export function parseSize(text: string): number | null {
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!match) return null;
  const unit = (match[2] ?? "").toLowerCase();
  const mult = unit === "" ? 1 : UNITS[unit];
  if (mult === undefined) return null;
  const bytes = Math.round(Number(match[1]) * mult);
  // 400 digits read as Infinity, 2^53 + 1 as 2^53: neither is a size the planner can add up exactly.
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/**
 * vLLM's human_readable_int (vllm/engine/arg_utils.py): lowercase k/m/g/t are decimal (32k = 32000,
 * 25.6k = 25600), uppercase K/M/G/T binary and integral only (32K = 32768); null when unreadable.
 */
export function parseTokens(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)([kKmMgGtT]?)\s*$/.exec(text);
  if (!match) return null;
  const num = match[1] ?? "";
  const suffix = match[2] ?? "";
  const dec: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12 };
  const bin: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };
  let tokens: number;
  if (suffix in dec) tokens = Math.trunc(Number(num) * (dec[suffix] ?? 1));
  else if (num.includes(".")) return null;
  else tokens = Number(num) * (bin[suffix] ?? 1);
  // Unsafe (above 2^53, or Infinity from 400 digits) is unreadable, not silently rounded.
  return Number.isSafeInteger(tokens) ? tokens : null;
}

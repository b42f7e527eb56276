// Units appear only when rendering. GiB = 2^30 bytes, as vLLM prints them (format_gib: round to 2 decimals).
export const GIB = 2 ** 30;

export function gib(bytes: number, digits = 2): string {
  return (bytes / GIB).toFixed(digits);
}

/** 1234567 → "1,234,567" without Intl (initialising ICU costs ~15 ms of start-up). */
export function thousands(n: number): string {
  const v = Math.trunc(n);
  const digits = String(Math.abs(v));
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ",";
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out;
}

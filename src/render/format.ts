// Units appear only when rendering. GiB = 2^30 bytes, as vLLM prints them (format_gib: round to 2 decimals).
export const GIB = 2 ** 30;

export function gib(bytes: number, digits = 2): string {
  return (bytes / GIB).toFixed(digits);
}

export function thousands(n: number): string {
  return Math.trunc(n).toLocaleString("en-US");
}

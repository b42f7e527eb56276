// Numbers written into the core's words (reasons, explain formulas). The core cannot import src/units.ts
// (core-is-pure in .dependency-cruiser.cjs), so these mirror it. No Intl: initializing ICU costs ~20 ms of
// start-up on the first toLocaleString, and every plan with CUDA graphs writes an explain line.

/** 131072 → "131,072" (truncated to an integer, like units.ts thousands). */
export function thousandsOf(x: number): string {
  return String(Math.trunc(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Bytes as MiB with at most one decimal and thousands separators: 34603008 → "33", 1572864 → "1.5", 9.5 GiB → "9,728". */
export function mibText(bytes: number): string {
  // bytes / 2^20 is a binary fraction, never exactly on a .x5 tie, and ×10 is exact below 2^49 bytes, so
  // Math.round gives what toLocaleString("en-US", { maximumFractionDigits: 1 }) gave.
  const tenths = Math.round((Math.abs(bytes) / 2 ** 20) * 10);
  const digit = tenths % 10;
  return `${bytes < 0 && tenths > 0 ? "-" : ""}${thousandsOf(Math.floor(tenths / 10))}${digit > 0 ? `.${digit}` : ""} MiB`;
}

/** Bytes as GiB (2^30) with two decimals and the unit, like units.ts gib: 3221225472 → "3.00 GiB". */
export function gibText(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

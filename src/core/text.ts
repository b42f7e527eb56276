// Numbers as every output writes them: the core's words (reasons, explain formulas) and the renderers',
// sources' and commands' (which may all import the core; the core may import nothing outside it, so the
// one copy lives here). No Intl: initializing ICU costs ~20 ms of start-up on the first toLocaleString,
// and every plan with CUDA graphs writes an explain line.

/** 1234567 → "1,234,567" (truncated to an integer). */
export function thousands(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const whole = Math.trunc(n);
  // String() writes 1e+21 and above in exponent notation; BigInt writes every digit.
  const digits = Math.abs(whole) < 1e21 ? String(Math.abs(whole)) : BigInt(Math.abs(whole)).toString();
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ",";
    out += digits[i];
  }
  return (whole < 0 ? "-" : "") + out;
}

/** Bytes as GiB (2^30) with `digits` decimals, without the unit: 3221225472 → "3.00". */
export function gib(bytes: number, digits = 2): string {
  const gibValue = bytes / 2 ** 30;
  // toFixed switches to exponent notation from 1e21; such sizes are written in whole GiB.
  return Math.abs(gibValue) < 1e21 ? gibValue.toFixed(digits) : thousands(gibValue);
}

/** Bytes as MiB with at most one decimal and thousands separators: 34603008 → "33", 1572864 → "1.5", 9.5 GiB → "9,728". */
export function mibText(bytes: number): string {
  // bytes / 2^20 is a binary fraction, never exactly on a .x5 tie, and ×10 is exact below 2^49 bytes, so
  // Math.round gives what toLocaleString("en-US", { maximumFractionDigits: 1 }) gave.
  const tenths = Math.round((Math.abs(bytes) / 2 ** 20) * 10);
  const digit = tenths % 10;
  return `${bytes < 0 && tenths > 0 ? "-" : ""}${thousands(Math.floor(tenths / 10))}${digit > 0 ? `.${digit}` : ""} MiB`;
}

/** Bytes as GiB (2^30) with two decimals and the unit: 3221225472 → "3.00 GiB". */
export function gibText(bytes: number): string {
  return `${gib(bytes)} GiB`;
}

// Units appear only when rendering. GiB = 2^30 bytes, as vLLM prints them (format_gib: round to 2 decimals).
export const GIB = 2 ** 30;

export function gib(bytes: number, digits = 2): string {
  const g = bytes / GIB;
  // toFixed switches to exponent notation from 1e21; such sizes are written in whole GiB.
  return Math.abs(g) < 1e21 ? g.toFixed(digits) : thousands(g);
}

/** 1234567 → "1,234,567" without Intl (initialising ICU costs ~15 ms of start-up). */
export function thousands(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const v = Math.trunc(n);
  // String() writes 1e+21 and above in exponent notation; BigInt writes every digit.
  const digits = Math.abs(v) < 1e21 ? String(Math.abs(v)) : BigInt(Math.abs(v)).toString();
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ",";
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out;
}

/** " (TP 2 × PP 1 × DP 2 GPUs)" when data-parallel replicas multiply the GPUs; "" otherwise (figures are per GPU either way). */
export function gpuLayout(plan: { gpu: { tensorParallelSize: number; pipelineParallelSize: number; dataParallelSize: number } }): string {
  const g = plan.gpu;
  return g.dataParallelSize > 1 ? ` (TP ${g.tensorParallelSize} × PP ${g.pipelineParallelSize} × DP ${g.dataParallelSize}; figures per GPU)` : "";
}

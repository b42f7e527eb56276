// Integer helpers vLLM's own accounting uses (vllm/utils/math_utils.py cdiv, round_up), in one place.

/** vllm/utils/math_utils.py cdiv: ceiling division, -(a // -b). */
export function cdiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

/** vllm/utils/math_utils.py round_up: the smallest multiple of `m` that is ≥ x (cdiv(x, m) × m). */
export function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}

// --explain: the arithmetic line by line, each with where the number comes from.
import type { Plan } from "../core/types.js";
import { gib, thousands } from "./format.js";

export function renderExplain(plan: Plan): string {
  const out: string[] = ["", "How the numbers were computed:"];
  for (const l of plan.explain) {
    const value = l.bytes !== undefined ? ` = ${thousands(l.bytes)} B (${gib(l.bytes)} GiB)` : l.value !== undefined ? ` = ${Number.isInteger(l.value) ? thousands(l.value) : l.value.toFixed(2)}` : "";
    out.push(`  ${l.what}: ${l.formula}${value}`);
    out.push(`      source: ${l.source}`);
  }
  return out.join("\n") + "\n";
}

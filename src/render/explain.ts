// --explain: the arithmetic line by line, each with where the number comes from.
import type { Plan } from "../core/types.js";
import { thousands, wrapLine, gibText } from "./format.js";

/** The explain lines, each with its source; every line within `columns` cells (default 80). */
export function renderExplain(plan: Plan, columns = 80): string {
  const out: string[] = ["", "How the numbers were computed:"];
  for (const l of plan.explain) {
    const value = l.bytes !== undefined ? ` = ${thousands(l.bytes)} B (${gibText(l.bytes)})` : l.value !== undefined ? ` = ${Number.isInteger(l.value) ? thousands(l.value) : l.value.toFixed(2)}` : "";
    out.push(...wrapLine(`  ${l.what}: ${l.formula}${value}`, columns, [" "], "      "));
    out.push(...wrapLine(`      source: ${l.source}`, columns, [" "], "        "));
  }
  return out.join("\n") + "\n";
}

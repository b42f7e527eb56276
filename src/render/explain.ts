// --explain: the arithmetic line by line, each with where the number comes from.
import type { Plan } from "../core/types.js";
import { thousands, wrapLine, gibText } from "./format.js";

/** The explain lines, each with its source; every line within `columns` cells (default 80). */
export function renderExplain(plan: Plan, columns = 80): string {
  const out: string[] = ["", "How the numbers were computed:"];
  for (const line of plan.explain) {
    const value = line.bytes !== undefined ? ` = ${thousands(line.bytes)} B (${gibText(line.bytes)})` : line.value !== undefined ? ` = ${Number.isInteger(line.value) ? thousands(line.value) : line.value.toFixed(2)}` : "";
    out.push(...wrapLine(`  ${line.what}: ${line.formula}${value}`, columns, [" "], "      "));
    out.push(...wrapLine(`      source: ${line.source}`, columns, [" "], "        "));
  }
  return out.join("\n") + "\n";
}

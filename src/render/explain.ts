// --explain: the arithmetic line by line, each with where the number comes from.
import type { Plan } from "../core/types.js";
import { thousands, wrapLine, gibText } from "./format.js";

/** An explain line's result after its formula: " = 1,073,741,824 B (1.00 GiB)" for bytes, " = 2,048" or " = 0.85" for a count or ratio, "" for none (terminal and HTML). */
export function explainValueText(line: Plan["explain"][number]): string {
  if (line.bytes !== undefined) return ` = ${thousands(line.bytes)} B (${gibText(line.bytes)})`;
  if (line.value !== undefined) return ` = ${Number.isInteger(line.value) ? thousands(line.value) : line.value.toFixed(2)}`;
  return "";
}

/** The explain lines, each with its source; every line within `columns` cells (default 80). */
export function renderExplain(plan: Plan, columns = 80): string {
  const out: string[] = ["", "How the numbers were computed:"];
  for (const line of plan.explain) {
    out.push(...wrapLine(`  ${line.what}: ${line.formula}${explainValueText(line)}`, columns, [" "], "      "));
    out.push(...wrapLine(`      source: ${line.source}`, columns, [" "], "        "));
  }
  return out.join("\n") + "\n";
}

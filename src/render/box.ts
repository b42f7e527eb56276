// A boxed table in the layout the plan table has always had (cli-table3's default box-drawing
// characters, one space of padding each side, no line between rows), without cli-table3: it and
// string-width cost ~20 ms of every start-up (npm run bench), for a table of labels and numbers.
// Cell widths are render/'s one width rule (format.ts visibleWidth).
import { visibleWidth } from "./format.js";

/** Rows of cells (the first row is the header) → the boxed table, no trailing newline. */
export function boxTable(rows: readonly (readonly string[])[], align: readonly ("left" | "right")[]): string {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, col) => Math.max(0, ...rows.map((row) => visibleWidth(row[col] ?? ""))));
  const rule = (left: string, mid: string, right: string): string => left + widths.map((width) => "─".repeat(width + 2)).join(mid) + right;
  const line = (row: readonly string[]): string =>
    "│" +
    widths
      .map((width, col) => {
        const cell = row[col] ?? "";
        const pad = " ".repeat(width - visibleWidth(cell));
        return " " + (align[col] === "right" ? pad + cell : cell + pad) + " ";
      })
      .join("│") +
    "│";
  return [rule("┌", "┬", "┐"), ...rows.map(line), rule("└", "┴", "┘")].join("\n");
}

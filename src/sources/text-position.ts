// Where an offset of a text is, as a message names it: the one line and column count for the
// readers (JSON faults, shell words spanning lines, a template action in a YAML file).

/** The newlines in `text`: how many lines a chunk of it spans, less one. */
export function newlinesIn(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) count++;
  return count;
}

/** 1-based line and column of `offset` in `text`; the column counts characters (code points) from the line's start. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: newlinesIn(before) + 1, column: [...before.slice(lineStart)].length + 1 };
}

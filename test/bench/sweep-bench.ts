// Sweep speed lines for npm run bench; filled in by the sweep command (issue #7).
export function sweepBenchLines(): string[] {
  return ["Sweep: not implemented yet (issue #7)"];
}

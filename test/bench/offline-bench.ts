// Offline (transformers) accuracy lines for npm run bench; filled in by the compare command (issue #6).
export function offlineBenchLines(_root: string): string[] {
  return ["", "== Offline (transformers) footprint ==", "not implemented yet (issue #6)"];
}

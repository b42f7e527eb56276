// A Node builtin loaded synchronously when first needed, from an ES module: for the builtins that cost
// start-up to load (node:child_process, node:tty: node:net and streams behind them, ≈4-5 ms, --cpu-prof)
// and that only one feature uses. createRequire is made on first use too, not when the module loads.
import { createRequire } from "node:module";

let requireBuiltin: NodeRequire | null = null;

export function builtin<T>(id: `node:${string}`): T {
  requireBuiltin ??= createRequire(import.meta.url);
  return requireBuiltin(id) as T;
}

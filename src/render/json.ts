import type { Diagnostic, Plan } from "../core/types.js";
import { messageFor } from "./messages.js";

/** A diagnostic's fixes as JSON: flag, value, note, `with` (the engine flags behind them stay in the core). */
export function fixesToJson(fix: Diagnostic["fix"]): object[] {
  return (fix ?? []).map(({ flags: _flags, ...shown }) => shown);
}

/** The plan as JSON with stable names; bytes are integers; each diagnostic carries its message. */
export function planToJsonObject(plan: Plan): object {
  return {
    ...plan,
    diagnostics: plan.diagnostics.map((d) => ({ code: d.code, severity: d.severity, message: messageFor(d, plan), args: d.args, fix: fixesToJson(d.fix) })),
  };
}

export function renderJson(plan: Plan): string {
  return JSON.stringify(planToJsonObject(plan), null, 2) + "\n";
}

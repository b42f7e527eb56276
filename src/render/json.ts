import type { Plan } from "../core/types.js";
import { messageFor } from "./messages.js";

/** The plan as JSON with stable names; bytes are integers; each diagnostic carries its message. */
export function planToJsonObject(plan: Plan): object {
  return {
    ...plan,
    diagnostics: plan.diagnostics.map((d) => ({ code: d.code, severity: d.severity, message: messageFor(d, plan), args: d.args, fix: d.fix ?? [] })),
  };
}

export function renderJson(plan: Plan): string {
  return JSON.stringify(planToJsonObject(plan), null, 2) + "\n";
}

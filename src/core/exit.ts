import type { Plan } from "./types.js";

/** Exit policy as a pure function of the plan: 0 it starts, 1 it would not (bad input is 2, decided by the CLI). */
export function exitCodeFor(plan: Plan): 0 | 1 {
  return plan.fits ? 0 : 1;
}

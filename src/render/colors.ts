// chalk is loaded only when color is on (a terminal without NO_COLOR); otherwise a stand-in whose
// every style is the identity, so renderers take one ChalkInstance either way.
import type { ChalkInstance } from "chalk";

const identity = (s: string): string => s;
// `then` stays undefined so the stand-in is not mistaken for a promise when awaited.
const plain: ChalkInstance = new Proxy(identity, { get: (_t, key) => (key === "then" ? undefined : plain) }) as unknown as ChalkInstance;

export async function colors(on: boolean): Promise<ChalkInstance> {
  if (!on) return plain;
  const { Chalk } = await import("chalk");
  return new Chalk({ level: 1 });
}

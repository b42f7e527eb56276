// `vram-plan models`: the built-in model catalogue.
import type { Io } from "./io.js";
import { catalogue } from "../sources/catalogue.js";

export function modelsCommand(o: { json?: boolean }, io: Io): number {
  const list = catalogue();
  io.stdout(o.json ? JSON.stringify(list.map((e) => ({ id: e.hfId, short: e.short, aliases: e.aliases.slice(1) })), null, 2) + "\n" : list.map((e) => `${e.short.padEnd(40)} ${e.hfId}`).join("\n") + "\n");
  return 0;
}

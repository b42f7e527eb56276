// `vram-plan web --out DIR`: writes the static web page (index.html + app.js) that plans in the browser
// with the same core, catalog and GPU profiles as the CLI. It works from file:// and any static host.
import type { Io } from "./io.js";
import type { Outcome } from "../core/exit.js";
import { InputError } from "../errors.js";
import { writeSite } from "../sources/web-site.js";

export function webCommand(opts: { out?: string }, io: Io): Outcome {
  if (opts.out === undefined || opts.out.trim() === "") throw new InputError("--out", "--out: required, the directory to write the page to, e.g. --out site");
  const written = writeSite(opts.out);
  io.stdout(`wrote ${written.filter((p) => !p.endsWith(".vram-plan-web")).join(", ")}; open ${written[0]} in a browser, or serve ${opts.out} from any static host\n`);
  return { command: "info" };
}

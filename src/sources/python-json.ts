// JSON as Python's json module writes it: config.json files may hold Infinity, -Infinity and NaN
// (e.g. Nemotron-H's time_step_limit), which JSON.parse rejects. Those tokens, outside strings,
// become null; everything else must be strict JSON.
import type { Json } from "../core/architecture.js";

export function parsePythonJson(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (first) {
    let out = "";
    let inString = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (inString) {
        out += c;
        if (c === "\\") out += text[++i] ?? "";
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') {
        inString = true;
        out += c;
        continue;
      }
      const rest = text.slice(i, i + 9);
      const m = /^(-?Infinity|NaN)/.exec(rest);
      if (m) {
        out += "null";
        i += (m[1] as string).length - 1;
        continue;
      }
      out += c;
    }
    if (out === text) throw first;
    return JSON.parse(out) as Json;
  }
}

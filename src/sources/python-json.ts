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
      const char = text[i] as string;
      if (inString) {
        out += char;
        if (char === "\\") out += text[++i] ?? "";
        else if (char === '"') inString = false;
        continue;
      }
      if (char === '"') {
        inString = true;
        out += char;
        continue;
      }
      const rest = text.slice(i, i + 9);
      const match = /^(-?Infinity|NaN)/.exec(rest);
      if (match) {
        out += "null";
        i += (match[1] as string).length - 1;
        continue;
      }
      out += char;
    }
    if (out === text) throw first;
    return JSON.parse(out) as Json;
  }
}

// What dependency-cruiser cannot see (.dependency-cruiser.cjs checks the imports): src/core and
// src/render reach no global that reads or changes the world or makes a result differ between two
// runs of the same input — the `process` object, the clock, random numbers, the console; src/commands
// reach neither the process nor the console (they write to the Io they are given).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const FORBIDDEN: { what: string; re: RegExp }[] = [
  { what: "the process object", re: /\bprocess\s*[.[]/ },
  { what: "the clock", re: /\bDate\.now\b|\bnew Date\(|\bperformance\.now\b/ },
  { what: "random numbers", re: /\bMath\.random\b|\bcrypto\.getRandomValues\b/ },
  { what: "the console", re: /\bconsole\s*\./ },
  { what: "a global reach-around", re: /\bglobalThis\b|\brequire\(/ },
];

/** The code of a TypeScript file without its comments (strings kept: a message may say "process."). */
function codeOf(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

/** "file:line what" for every forbidden global in the files under `dir`. */
function violations(dir: string): string[] {
  const out: string[] = [];
  for (const file of filesUnder(dir)) {
    codeOf(readFileSync(file, "utf8"))
      .split("\n")
      .forEach((line, i) => {
        for (const f of FORBIDDEN) if (f.re.test(line)) out.push(`${file}:${i + 1} ${f.what}: ${line.trim()}`);
      });
  }
  return out;
}

describe("pure layers", () => {
  it("the patterns catch what they are for, and not a comment", () => {
    const hits = (code: string): string[] => FORBIDDEN.filter((f) => f.re.test(codeOf(code))).map((f) => f.what);
    expect(hits("const cols = process.env.COLUMNS;")).toEqual(["the process object"]);
    expect(hits("const t = Date.now();")).toEqual(["the clock"]);
    expect(hits("const pick = Math.random() < 0.5;")).toEqual(["random numbers"]);
    expect(hits("console.log(plan);")).toEqual(["the console"]);
    expect(hits("// the worker process.\nconst x = 1;")).toEqual([]);
    expect(hits("/* Date.now() */ const y = 2;")).toEqual([]);
  });
  it("src/core: no process, clock, randomness or console (same input, same plan)", () => {
    expect(filesUnder("src/core").length).toBeGreaterThan(20);
    expect(violations("src/core")).toEqual([]);
  });
  it("src/render: no process, clock, randomness or console (result in, string out)", () => {
    expect(filesUnder("src/render").length).toBeGreaterThan(10);
    expect(violations("src/render")).toEqual([]);
  });
  it("src/commands: no process object or console either (a command writes to its Io; cli/ owns the process)", () => {
    expect(filesUnder("src/commands").length).toBeGreaterThan(10);
    expect(violations("src/commands").filter((v) => / (the process object|the console):/.test(v))).toEqual([]);
  });
});

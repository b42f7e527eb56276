// A malformed config.json names the file and the line:column of the fault (sources/python-json.ts),
// on real configs broken as real files break (fixtures/json-faults/README.md: each position is the
// one Python's json.load reports for the same file, but for the truncated string, noted there).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { jsonFault, jsonSyntaxError, parsePythonJson } from "../src/sources/python-json.js";
import { errorLinesOf, runCli, unwrapped } from "./helpers/cli.js";

const FIX = "fixtures/json-faults";

describe("--model with a malformed config.json: exit 2, one error naming file:line:column", () => {
  const cases: [string, string][] = [
    // head -c 385: cut inside "num_attenti, line 17 (`  "num_attenti` is 14 characters).
    ["qwen3-8b-truncated", "config.json:17:15: not valid JSON (end of file inside a string; cut short?)"],
    // The last key deleted by hand: the `}` of line 29 follows a trailing comma.
    ["qwen3-8b-trailing-comma", "config.json:29:1: not valid JSON ('}' after a trailing ',', which JSON does not allow)"],
    // head -n 50 keeps line 46's Infinity, which is read as null: the position is in the file as
    // written (the old message counted in the rewritten text, 4 characters short: byte 1484 for 1488).
    ["nemotron-h-56b-truncated", "config.json:51:1: not valid JSON (unexpected end of file, expected a property name in double quotes; cut short?)"],
  ];
  for (const [dir, tail] of cases) {
    it(dir, async () => {
      for (const model of [`${FIX}/${dir}`, `${FIX}/${dir}/config.json`]) {
        const r = await runCli(["--model", model, "--gpu", "h100"]);
        expect(r.code).toBe(2);
        expect(r.out).toBe("");
        expect(unwrapped(r.err)).toBe(`vram-plan: ${FIX}/${dir}/${tail}\n`);
        errorLinesOf(r.err); // every line within 80 columns, no stack
      }
    });
  }
});

describe("jsonFault", () => {
  /** Whether parsePythonJson reads the text, the verdict jsonFault must agree with. */
  const parses = (text: string): boolean => {
    try {
      parsePythonJson(text);
      return true;
    } catch {
      return false;
    }
  };

  it("finds no fault in what parsePythonJson reads, and one in what it refuses", () => {
    const json = fc.json({ maxDepth: 4 });
    fc.assert(
      fc.property(json, fc.nat(), (text, cut) => {
        expect(jsonFault(text)).toBeNull();
        const prefix = text.slice(0, cut % (text.length + 1));
        expect(jsonFault(prefix) === null).toBe(parses(prefix));
      }),
      { numRuns: 300 },
    );
  });

  it("agrees with the parser on JSON with one character changed", () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 3 }), fc.nat(), fc.constantFrom(..."{}[],:\"\\ \n0-.eaNI"), (text, at, ch) => {
        const i = at % (text.length + 1);
        const changed = text.slice(0, i) + ch + text.slice(i + 1);
        expect(jsonFault(changed) === null).toBe(parses(changed));
      }),
      { numRuns: 500 },
    );
  });

  it("counts lines and columns in characters of the text as written", () => {
    const e = jsonSyntaxError('{\n  "a": NaN,\n  "é": [1, 2}\n');
    // Line 3 is `  "é": [1, 2}`: the } is its 13th character.
    expect([e.line, e.column, e.reason]).toEqual([3, 13, "unexpected '}', expected ',' or ']'"]);
  });

  it("never quotes the text (a symlink to a secret must not leak through the message)", () => {
    expect(jsonSyntaxError("root:x:0:0:root:/root:/bin/bash\n").message).toBe("line 1, column 1: unexpected character, expected a value");
  });
});

// Renderers' layouts against the golden files in test/golden/ (table, markdown, JSON, --explain of a
// few plans). A difference fails with the file to look at; `npm run golden:update` rewrites them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { GOLDEN_CASES, GOLDEN_FORMATS } from "./golden/cases.js";

const dir = join(import.meta.dirname, "golden");

describe("golden renderings (npm run golden:update rewrites them; review the diff)", () => {
  for (const testCase of GOLDEN_CASES) {
    for (const [suffix, extra] of Object.entries(GOLDEN_FORMATS)) {
      it(`${testCase.name}.${suffix}`, async () => {
        const ran = await runCli([...testCase.argv, ...extra]);
        expect(ran.err).toBe("");
        const golden = readFileSync(join(dir, `${testCase.name}.${suffix}`), "utf8");
        expect(ran.out, `test/golden/${testCase.name}.${suffix} differs: if the change is intended, run npm run golden:update and review the diff`).toBe(golden);
      });
    }
  }
});

// `npm run golden:update`: rewrites test/golden/<case>.<format> from the current renderers, and the
// exported JSON schema (schema/plan.schema.json). Review the diff before committing it.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../helpers/cli.js";
import { GOLDEN_CASES, GOLDEN_FORMATS } from "./cases.js";
import { renderSchema } from "../../src/render/json-schema.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
for (const testCase of GOLDEN_CASES) {
  for (const [suffix, extra] of Object.entries(GOLDEN_FORMATS)) {
    const ran = await runCli([...testCase.argv, ...extra]);
    if (ran.code > 1 || ran.err !== "") throw new Error(`${testCase.name} ${suffix}: exit ${ran.code}: ${ran.err}`);
    writeFileSync(join(here, `${testCase.name}.${suffix}`), ran.out);
  }
}
mkdirSync(join(root, "schema"), { recursive: true });
writeFileSync(join(root, "schema", "plan.schema.json"), renderSchema());
console.log(`updated ${GOLDEN_CASES.length * Object.keys(GOLDEN_FORMATS).length} golden files and schema/plan.schema.json; review: git diff test/golden schema`);

// README.md's coverage of vLLM's arguments is generated from the table (npm run readme:args): it cannot drift.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ARG_SECTION_BEGIN, renderArgCoverage, withArgCoverage } from "../src/render/arg-coverage.js";
import { argCoverage } from "../src/core/vllm-args.js";

describe("README vLLM arguments section", () => {
  it("is exactly what the table generates (run npm run readme:args after changing src/core/vllm-args.ts)", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(readme).toContain(ARG_SECTION_BEGIN);
    expect(withArgCoverage(readme)).toBe(readme);
  });
  it("states the table's counts", () => {
    const c = argCoverage();
    expect(renderArgCoverage()).toContain(`**${c.modeled} modeled**, **${c.neutral} memory-neutral**, **${c["not-modeled"]} not modeled**`);
  });
});

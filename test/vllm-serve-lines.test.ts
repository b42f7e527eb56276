// Real `vllm serve` lines from public repositories (fixtures/vllm-serve-lines/lines.json, each with its
// repository and path): every flag in them is understood — modeled, memory-neutral, or named in a
// NOT_EXACT warning — or refused exactly as vLLM's parser refuses it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VllmFlagError, engineFlagsFromArgv } from "../src/sources/vllm-flags.js";
import { splitShellWords, vllmArgvOfCommand } from "../src/sources/vllm-argv.js";

interface Line {
  repo: string;
  path: string;
  line: string;
  env?: Record<string, string>;
  release?: string;
  expect: string;
  flag?: string;
}

const lines = (JSON.parse(readFileSync(new URL("../fixtures/vllm-serve-lines/lines.json", import.meta.url), "utf8")) as { lines: Line[] }).lines;

describe("real vllm serve lines", () => {
  it("there are at least 20, from at least 20 files", () => {
    expect(lines.length).toBeGreaterThanOrEqual(20);
    expect(new Set(lines.map((l) => `${l.repo}/${l.path}`)).size).toBeGreaterThanOrEqual(20);
  });
  for (const l of lines) {
    it(`${l.repo}/${l.path}${l.release ? ` (vLLM ${l.release})` : ""}: ${l.expect}`, () => {
      const { argv, release } = vllmArgvOfCommand(splitShellWords(l.line), l.env ?? {}, l.path);
      const read = (): ReturnType<typeof engineFlagsFromArgv> => engineFlagsFromArgv(argv, { ...((l.release ?? release) ? { vllmVersion: (l.release ?? release)! } : {}) });
      if (l.expect === "ok") {
        const parsed = read();
        const flagWords = argv.filter((w) => /^--?[A-Za-z]/.test(w));
        // Every flag word was read as a table entry, and each not-modeled one is named for the warning.
        expect(parsed.understood.length).toBe(flagWords.length);
        for (const u of parsed.understood) if (u.effect === "not-modeled") expect(parsed.flags.notModeledFlags ?? []).toContain(`--${u.name}`);
        expect(parsed.model !== null || parsed.configFile !== null).toBe(true);
      } else {
        let err: unknown = null;
        try {
          read();
        } catch (error) {
          err = error;
        }
        expect(err).toBeInstanceOf(VllmFlagError);
        expect((err as VllmFlagError).kind).toBe(l.expect);
        expect((err as VllmFlagError).flag).toBe(l.flag);
      }
    });
  }
});

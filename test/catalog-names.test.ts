// `vram-plan models`: every short name is unique and plans the model listed beside it; sorted
// case-insensitively (MiniMaxAI between microsoft and mistralai, not before deepseek-ai).
import { describe, expect, it } from "vitest";
import { catalog, findInCatalog } from "../src/sources/catalog.js";
import { runCli } from "./helpers/cli.js";

describe("models", () => {
  it("short names are unique and each resolves to its own entry", () => {
    const list = catalog();
    const shorts = list.map((e) => e.short);
    expect(new Set(shorts).size).toBe(shorts.length);
    for (const e of list) expect(findInCatalog(e.short)?.hfId).toBe(e.hfId);
    // No alias is listed under two models.
    const all = list.flatMap((e) => e.aliases);
    expect(new Set(all).size).toBe(all.length);
  });

  it("base and Instruct releases are told apart: the short name is the Instruct one, the base gets -base", () => {
    expect(findInCatalog("qwen2.5-7b")?.hfId).toBe("Qwen/Qwen2.5-7B-Instruct");
    expect(findInCatalog("qwen2.5-7b-base")?.hfId).toBe("Qwen/Qwen2.5-7B");
    expect(findInCatalog("Qwen/Qwen2.5-7B")?.hfId).toBe("Qwen/Qwen2.5-7B");
    expect(findInCatalog("llama3.1-8b-base")?.hfId).toBe("meta-llama/Meta-Llama-3.1-8B");
    expect(findInCatalog("llama3.1-8b")?.hfId).toBe("meta-llama/Llama-3.1-8B-Instruct");
    expect(findInCatalog("mixtral-8x7b-v0.1-base")?.hfId).toBe("mistralai/Mixtral-8x7B-v0.1");
  });

  it("listed in case-insensitive order of the Hugging Face id", async () => {
    const result = await runCli(["models"]);
    expect(result.code).toBe(0);
    // An entry too long for 80 columns has its id on the next line, indented.
    const ids = result.out.trimEnd().replace(/\n {4}/g, " ").split("\n").map((l) => l.trim().split(/\s+/)[1] ?? "");
    const lower = ids.map((i) => i.toLowerCase());
    expect(lower).toEqual([...lower].sort());
    expect(ids.indexOf("MiniMaxAI/MiniMax-M2.5")).toBeGreaterThan(ids.indexOf("microsoft/phi-4"));
    expect(ids.indexOf("MiniMaxAI/MiniMax-M2.5")).toBeLessThan(ids.indexOf("mistralai/Mistral-7B-v0.1"));
    expect(result.out).toMatch(/^qwen2\.5-7b-base +Qwen\/Qwen2\.5-7B$/m);
    expect(result.out).toMatch(/^qwen2\.5-7b +Qwen\/Qwen2\.5-7B-Instruct$/m);
  });
});

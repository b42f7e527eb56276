// limitSizeText (sources/read-file.ts): the one size formatter of the readers' "over the limit" lines.
import { describe, expect, it } from "vitest";
import { limitSizeText } from "../src/sources/read-file.js";
import { MAX_YAML_BYTES } from "../src/limits.js";

describe("limitSizeText", () => {
  it("reads a limit exactly and a size just over it as more (it said '512 KiB is over the 512 KiB limit')", () => {
    expect(limitSizeText(512 * 1024)).toBe("512 KiB");
    expect(limitSizeText(512 * 1024 + 1)).toBe("513 KiB");
    expect(limitSizeText(32 * 2 ** 20)).toBe("32 MiB");
    expect(limitSizeText(32 * 2 ** 20 + 1)).toBe("33 MiB");
    expect(limitSizeText(MAX_YAML_BYTES)).toBe("256 KiB");
  });
});

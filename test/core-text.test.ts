import { describe, expect, it } from "vitest";
import { gibText, mibText, thousands } from "../src/core/text.js";

// The core's number words, written without Intl (ICU start-up cost); each value worked by hand.
describe("core text", () => {
  it("writes thousands (the one copy: render, sources and commands use it too)", () => {
    expect(thousands(131072)).toBe("131,072");
    expect(thousands(999)).toBe("999");
    expect(thousands(1234567.9)).toBe("1,234,567");
    expect(thousands(-1234)).toBe("-1,234");
    expect(thousands(2e21)).toBe("2,000,000,000,000,000,000,000");
  });
  it("writes MiB with at most one decimal, as toLocaleString en-US did", () => {
    expect(mibText(33 * 2 ** 20)).toBe("33 MiB"); // OBSERVED_MAX_PER_GRAPH_BYTES
    expect(mibText(1572864)).toBe("1.5 MiB"); // 1.5 × 2^20
    expect(mibText(165 * 1024)).toBe("0.2 MiB"); // 168960 / 1048576 = 0.1611… → 0.2
    expect(mibText(9.5 * 2 ** 30)).toBe("9,728 MiB");
    expect(mibText(0)).toBe("0 MiB");
    expect(mibText(52428)).toBe("0 MiB"); // 0.04999… rounds down
    expect(mibText(52429)).toBe("0.1 MiB"); // 0.05000… rounds up
  });
  it("writes GiB with two decimals", () => {
    expect(gibText(3 * 2 ** 30)).toBe("3.00 GiB"); // PROCESS_RSS_BYTES
    expect(gibText(10 * 2 ** 20)).toBe("0.01 GiB"); // 10 MiB = 0.009765… GiB
  });
});

import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { ApiError } from "../../src/http/errors";

describe("loadConfig", () => {
  it("reads the vars of SPEC §9, with the documented defaults for the rest", () => {
    const config = loadConfig({ PULL_RATE_LIMIT: "5", MAX_PULL_LIMIT: "50" });
    expect(config).toMatchObject({
      pullRateLimit: 5,
      maxPullLimit: 50,
      pullTimeoutSeconds: 3600,
      minLeaseSeconds: 30,
      maxLeaseSeconds: 43200,
      defaultPullLimit: 10,
      apiRateLimit: 600,
    });
  });

  for (const [name, value] of [
    ["PULL_RATE_LIMIT", "sixty"],
    ["API_RATE_LIMIT", "0"],
    ["MAX_LEASE_SECONDS", "-1"],
    ["DEFAULT_PULL_LIMIT", "2.5"],
  ]) {
    it(`fails loudly, naming ${name}, for ${JSON.stringify(value)}`, () => {
      expect(() => loadConfig({ [name as string]: value })).toThrowError(name as string);
    });
  }

  it("rejects a default lease outside the allowed lease range", () => {
    const bad = () => loadConfig({ PULL_TIMEOUT_SECONDS: "10", MIN_LEASE_SECONDS: "30" });
    expect(bad).toThrowError(ApiError);
    expect(bad).toThrowError("MIN_LEASE_SECONDS <= PULL_TIMEOUT_SECONDS");
  });

  it("rejects a default pull limit above the maximum", () => {
    expect(() => loadConfig({ DEFAULT_PULL_LIMIT: "20", MAX_PULL_LIMIT: "10" })).toThrowError(
      "DEFAULT_PULL_LIMIT",
    );
  });
});

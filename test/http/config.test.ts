import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { ApiError } from "../../src/http/errors";
import { ADMIN, BASE } from "../helpers";

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

    it(`does not echo the bad value of ${name} in the error`, () => {
      expect(() => loadConfig({ [name as string]: value })).not.toThrowError(value as string);
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

/** One request to a fresh app whose `[vars]` hold `PULL_RATE_LIMIT = "sixty"`. */
async function requestWithBadVar() {
  const res = await createApp().request(
    `${BASE}/projects`,
    { headers: { "X-API-Key": ADMIN } },
    { ...env, PULL_RATE_LIMIT: "sixty" },
  );
  return { status: res.status, body: (await res.json()) as any };
}

/** The JSON log lines `run` wrote at info and error, in the order they were written. */
async function logLines(run: () => Promise<unknown>) {
  const spies = [vi.spyOn(console, "info"), vi.spyOn(console, "error")];
  try {
    await run();
    return spies
      .flatMap((spy) =>
        spy.mock.calls.map((call, i) => ({ call, order: spy.mock.invocationCallOrder[i] ?? 0 })),
      )
      .sort((a, b) => a.order - b.order)
      .map(({ call: [line] }) => JSON.parse(String(line)));
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

describe("a request under a bad configuration", () => {
  it("answers 500 INTERNAL_ERROR naming the variable and the rule, not the value", async () => {
    const res = await requestWithBadVar();

    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe("INTERNAL_ERROR");
    expect(res.body.error.message).toContain("PULL_RATE_LIMIT must be a positive integer");
    expect(res.body.error.message).not.toContain("sixty");
  });

  it("logs the error at error with the request id, code and message", async () => {
    const lines = await logLines(requestWithBadVar);

    const failure = lines.find((line) => line.event === "server_error");
    expect(failure).toMatchObject({ level: "error", code: "INTERNAL_ERROR" });
    expect(failure.message).toContain("PULL_RATE_LIMIT");
    expect(failure.requestId).toEqual(expect.any(String));
  });

  it("logs the request line after the error, at error with status 500", async () => {
    const lines = await logLines(requestWithBadVar);

    expect(lines.map((line) => line.event)).toEqual(["server_error", "request"]);
    expect(lines[1]).toMatchObject({ level: "error", status: 500, requestId: lines[0].requestId });
  });
});

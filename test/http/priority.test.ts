import { describe, expect, it } from "vitest";
import { PriorityQuerySchema, PrioritySchema } from "../../src/schemas/common";

describe("PrioritySchema (JSON bodies)", () => {
  it.each([["high"], ["low"], [1], [10]])("accepts %j as it is", (value) => {
    expect(PrioritySchema.parse(value)).toBe(value);
  });

  it.each([[true], [[7]], ["7"], [null], [7.5], [0], [11], ["urgent"]])("rejects %j", (value) => {
    expect(PrioritySchema.safeParse(value).success).toBe(false);
  });
});

describe("PriorityQuerySchema (query strings)", () => {
  it("reads a number sent as text as that number", () => {
    expect(PriorityQuerySchema.parse("7")).toBe(7);
  });

  it("keeps a priority word as it is", () => {
    expect(PriorityQuerySchema.parse("medium")).toBe("medium");
  });

  it.each([["11"], ["0"], ["2.5"], ["seven"], [""]])("rejects %j", (value) => {
    expect(PriorityQuerySchema.safeParse(value).success).toBe(false);
  });
});

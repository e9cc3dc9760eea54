import { strict as assert } from "assert";
import { matches } from "./support/eventPattern";

describe("event pattern matcher (test support)", () => {
    const pattern = { source: ["aws.ecs"], detail: { eventName: ["ExecuteCommand", "RunTask"], code: [0] } };

    it("matches when every pattern field matches, ignoring fields the pattern does not name", () => {
        assert.equal(matches(pattern, { source: "aws.ecs", extra: 1, detail: { eventName: "RunTask", code: 0, x: "y" } }), true);
    });

    it("matches an array value when any element matches", () => {
        assert.equal(matches(pattern, { source: ["aws.ec2", "aws.ecs"], detail: { eventName: "ExecuteCommand", code: 0 } }), true);
    });

    it("does not match a field with another value, of another type, or missing", () => {
        assert.equal(matches(pattern, { source: "aws.ecs", detail: { eventName: "StopTask", code: 0 } }), false);
        assert.equal(matches(pattern, { source: "aws.ecs", detail: { eventName: "RunTask", code: "0" } }), false);
        assert.equal(matches(pattern, { source: "aws.ecs", detail: { eventName: "RunTask" } }), false);
        assert.equal(matches(pattern, { source: "aws.ecs" }), false);
        assert.equal(matches(pattern, { source: "aws.ecs", detail: "RunTask" }), false);
    });

    it("is case-sensitive, as EventBridge is", () => {
        assert.equal(matches(pattern, { source: "AWS.ECS", detail: { eventName: "RunTask", code: 0 } }), false);
    });

    it("refuses content filters it does not implement", () => {
        assert.throws(
            () => matches({ detail: { errorCode: [{ exists: true }] } } as any, { detail: { errorCode: "x" } }),
            /content filter .* not supported/,
        );
    });
});

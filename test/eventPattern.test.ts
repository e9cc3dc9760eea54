import { strict as assert } from "assert";
import type { EventPattern } from "../components/alerts";
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

    describe("exists (EventBridge User Guide, exists matching)", () => {
        const present = { detail: { errorCode: [{ exists: true }] } };
        const absent = { detail: { errorCode: [{ exists: false }] } };

        it("exists: true matches a leaf whatever its value, null and empty string included", () => {
            for (const value of ["AccessDenied", "", 0, false, null, ["a"]]) {
                assert.equal(matches(present, { detail: { errorCode: value } }), true, JSON.stringify(value));
                assert.equal(matches(absent, { detail: { errorCode: value } }), false, JSON.stringify(value));
            }
        });

        it("exists: false matches a missing field, also when a field on its path is missing or a leaf", () => {
            for (const event of [{ detail: {} }, {}, { detail: null }, { detail: "text" }]) {
                assert.equal(matches(absent, event), true, JSON.stringify(event));
                assert.equal(matches(present, event), false, JSON.stringify(event));
            }
            const deep = { detail: { responseElements: { session: { sessionId: [{ exists: false }] } } } };
            assert.equal(matches(deep, { detail: { responseElements: null } }), true);
            assert.equal(matches(deep, { detail: { responseElements: { session: { sessionId: "s-1" } } } }), false);
        });

        it("works on leaves only: a field holding an object counts as absent, as the guide's example shows", () => {
            const object = { detail: { errorCode: { code: "AccessDenied" } } };
            assert.equal(matches(absent, object), true);
            assert.equal(matches(present, object), false);
            assert.equal(matches(present, { detail: { errorCode: [] } }), false, "an empty array holds no leaf");
        });
    });

    describe("$or", () => {
        const either: EventPattern = { source: ["aws.ecs"], detail: { $or: [{ errorCode: [{ exists: true }] }, { eventName: ["RunTask"] }] } };

        it("matches when any alternative matches, and the fields beside it too", () => {
            assert.equal(matches(either, { source: "aws.ecs", detail: { errorCode: "X", eventName: "StopTask" } }), true);
            assert.equal(matches(either, { source: "aws.ecs", detail: { eventName: "RunTask" } }), true);
            assert.equal(matches(either, { source: "aws.ecs", detail: { eventName: "StopTask" } }), false);
            assert.equal(matches(either, { source: "aws.ec2", detail: { eventName: "RunTask" } }), false);
        });

        it("refuses fewer than two alternatives", () => {
            assert.throws(() => matches({ $or: [{ a: ["x"] }] }, { a: "x" }), /at least two/);
        });
    });

    describe("prefix (EventBridge User Guide, prefix matching)", () => {
        const pattern: EventPattern = { detail: { requestParameters: { target: [{ prefix: "ecs:dev-ecs-exec_" }] } } };
        const target = (value: unknown) => ({ detail: { requestParameters: { target: value } } });

        it("matches a string that begins with it, case-sensitively, also an element of an array", () => {
            assert.equal(matches(pattern, target("ecs:dev-ecs-exec_0f8e_0f8e-1")), true);
            assert.equal(matches(pattern, target(["i-0123", "ecs:dev-ecs-exec_0f8e_0f8e-1"])), true);
            assert.equal(matches(pattern, target("ecs:dev-ecs-exec_")), true, "the prefix alone");
            assert.equal(matches(pattern, target("ECS:dev-ecs-exec_0f8e_0f8e-1")), false);
            assert.equal(matches(pattern, target("ecs:dev-ecs-exec2_0f8e_0f8e-1")), false);
        });

        it("matches no missing field, object, number, boolean or null", () => {
            for (const value of [undefined, { a: "ecs:dev-ecs-exec_" }, 12, true, null]) {
                assert.equal(matches(pattern, target(value)), false, JSON.stringify(value));
            }
            assert.equal(matches({ n: [{ prefix: "1" }] }, { n: 12 }), false, "numbers are not strings");
        });
    });

    it("refuses content filters it does not implement", () => {
        assert.throws(
            () => matches({ detail: { errorCode: [{ "anything-but": "Access" }] } } as any, { detail: { errorCode: "x" } }),
            /content filter .* not supported/,
        );
        assert.throws(
            () => matches({ detail: { errorCode: [{ prefix: { "equals-ignore-case": "access" } }] } } as any, { detail: { errorCode: "x" } }),
            /content filter .* not supported/,
        );
    });
});

import { strict as assert } from "assert";
import type { EventPattern } from "../../components/audit";
import { matches } from "../support/eventPattern";

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

    describe("a field's list of filters (EventBridge User Guide, \"Event patterns\": any of the values may match)", () => {
        const port = { detail: { parameters: { portNumber: [{ "anything-but": ["5432"] }, { exists: false }] } } };
        const parameters = (value: unknown) => ({ detail: { parameters: value } });

        it("matches when any filter does, absence among them, as aws/event-ruler does for [{exists: false}, \"1\"]", () => {
            assert.equal(matches(port, parameters({ portNumber: ["22"] })), true, "another port");
            assert.equal(matches(port, parameters({ host: ["orders-db"] })), true, "no port");
            assert.equal(matches(port, parameters({ portNumber: [] })), true, "an empty list holds no leaf");
            assert.equal(matches(port, { detail: {} }), true, "no parameters at all");
            assert.equal(matches(port, parameters({ portNumber: ["5432"] })), false, "the listed port");
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

        it("refuses a leaf filtered both in an alternative and beside it, which EventBridge would not combine", () => {
            const both: EventPattern = { detail: { subnets: [{ exists: true }], $or: [{ subnets: [{ "anything-but": "subnet-1" }] }, { groups: ["x"] }] } };
            assert.throws(() => matches(both, { detail: { subnets: ["subnet-2"] } }), /subnets is filtered both in \$or and beside it/);
            const nested: EventPattern = { detail: { a: { b: ["x"] }, $or: [{ a: { c: ["y"] } }, { d: ["z"] }] } };
            assert.equal(matches(nested, { detail: { a: { b: "x", c: "y" } } }), true, "other leaves of the same object are fine");
        });

        it("refuses fewer than two alternatives", () => {
            assert.throws(() => matches({ $or: [{ a: ["x"] }] }, { a: "x" }), /at least two/);
        });
    });

    describe("prefix and wildcard (string leaves only)", () => {
        const definition = (filter: any) => ({ detail: { taskDefinition: [filter] } });
        const event = (taskDefinition: unknown) => ({ detail: { taskDefinition } });

        it("prefix matches a string that starts with it, case-sensitively", () => {
            assert.equal(matches(definition({ prefix: "dev-ecs-exec:" }), event("dev-ecs-exec:3")), true);
            assert.equal(matches(definition({ prefix: "dev-ecs-exec:" }), event("dev-ecs-exec-other:3")), false);
            assert.equal(matches(definition({ prefix: "dev-ecs-exec:" }), event("DEV-ecs-exec:3")), false);
            assert.equal(matches(definition({ prefix: "1" }), event(12)), false, "not a number");
        });

        it("wildcard: * any characters (none included), the rest literally, over the whole value", () => {
            const arn = definition({ wildcard: "arn:*:ecs:*:*:task-definition/dev-ecs-exec:*" });
            assert.equal(matches(arn, event("arn:aws:ecs:us-east-1:111122223333:task-definition/dev-ecs-exec:12")), true);
            assert.equal(matches(arn, event("arn:aws-cn:ecs:cn-north-1:111122223333:task-definition/dev-ecs-exec:")), true);
            assert.equal(matches(arn, event("arn:aws:ecs:us-east-1:111122223333:task-definition/dev-ecs-exec-other:1")), false);
            assert.equal(matches(arn, event("arn:aws:ecs:us-east-1:111122223333:task-definition/dev-ecs-exec")), false);
            assert.equal(matches(definition({ wildcard: "a.c" }), event("abc")), false, "a dot is a dot");
        });

        it("wildcard: \\* is a star and \\\\ a backslash; consecutive stars or another escape are refused", () => {
            assert.equal(matches(definition({ wildcard: "a\\*b" }), event("a*b")), true);
            assert.equal(matches(definition({ wildcard: "a\\*b" }), event("axb")), false);
            assert.equal(matches(definition({ wildcard: "a\\\\b" }), event("a\\b")), true);
            assert.throws(() => matches(definition({ wildcard: "a**b" }), event("ab")), /consecutive/);
            assert.throws(() => matches(definition({ wildcard: "a\\b" }), event("ab")), /escapes only/);
        });
    });

    describe("anything-but (EventBridge User Guide, comparison operators; lists as in Arrays in event patterns)", () => {
        const groups = (filter: any) => ({ detail: { securityGroups: [filter] } });
        const event = (securityGroups: unknown) => ({ detail: { securityGroups } });

        it("matches a value that is none of the given ones", () => {
            assert.equal(matches(groups({ "anything-but": "sg-exec" }), event("sg-other")), true);
            assert.equal(matches(groups({ "anything-but": "sg-exec" }), event("sg-exec")), false);
            assert.equal(matches(groups({ "anything-but": ["sg-a", "sg-b"] }), event("sg-b")), false);
            assert.equal(matches(groups({ "anything-but": ["sg-a", "sg-b"] }), event("sg-c")), true);
            assert.equal(matches(groups({ "anything-but": 443 }), event(443)), false);
        });

        it("matches a list in the event when any element is none of them: an extra group counts, the stack's own alone does not", () => {
            assert.equal(matches(groups({ "anything-but": ["sg-exec"] }), event(["sg-exec", "sg-other"])), true);
            assert.equal(matches(groups({ "anything-but": ["sg-exec"] }), event(["sg-exec"])), false);
            assert.equal(matches(groups({ "anything-but": ["sg-a", "sg-b"] }), event(["sg-b", "sg-a"])), false);
        });

        it("needs a value: a missing field or an empty list does not match it (exists: false does)", () => {
            for (const e of [{ detail: {} }, event([]), event({ id: "sg-other" })]) {
                assert.equal(matches(groups({ "anything-but": "sg-exec" }), e), false, JSON.stringify(e));
                assert.equal(matches(groups({ exists: false }), e), true, JSON.stringify(e));
            }
        });

        it("refuses a mixed or empty list", () => {
            assert.throws(() => matches(groups({ "anything-but": ["a", 1] }), event("b")), /only strings or only numbers/);
            assert.throws(() => matches(groups({ "anything-but": [] }), event("b")), /only strings or only numbers/);
        });
    });

    describe("lists of objects (crushed out, as EventBridge matches them)", () => {
        const tags = [{ key: "Owner", value: "AIDAEXAMPLEUSERBOB01" }, { key: "Reason", value: "INC-1" }];

        it("a path through a list reaches every element", () => {
            assert.equal(matches({ detail: { tags: { key: ["Reason"] } } }, { detail: { tags } }), true);
            assert.equal(matches({ detail: { tags: { key: ["CostCenter"] } } }, { detail: { tags } }), false);
            assert.equal(matches({ detail: { tags: { key: [{ exists: true }] } } }, { detail: { tags } }), true);
        });

        it("exists: false holds when no element has the field: no list, an empty list, or elements without it", () => {
            const absent = { detail: { tags: { key: [{ exists: false }] } } };
            for (const event of [{ detail: {} }, { detail: { tags: [] } }, { detail: { tags: [{ value: "x" }] } }]) {
                assert.equal(matches(absent, event), true, JSON.stringify(event));
            }
            assert.equal(matches(absent, { detail: { tags } }), false);
        });

        it("refuses two fields under one list: EventBridge matches them element by element, which it does not model", () => {
            assert.throws(() => matches({ detail: { tags: { key: ["Reason"], value: ["INC-1"] } } }, { detail: { tags } }), /one list of objects/);
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
            () => matches({ detail: { errorCode: [{ suffix: "Denied" }] } } as any, { detail: { errorCode: "x" } }),
            /content filter .* not supported/,
        );
        assert.throws(
            () => matches({ detail: { errorCode: [{ prefix: { "equals-ignore-case": "access" } }] } } as any, { detail: { errorCode: "x" } }),
            /content filter .* not supported/,
        );
    });
});

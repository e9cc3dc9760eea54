import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ABSENT, filterMatches, gapIn, Gap, matchesSome } from "../../policies/lib/eventPatterns";
import { EXECUTE_COMMAND_CALL, selectsExecuteCommand } from "../../policies/lib/alerting";
import { UNKNOWN } from "../../policies/lib/values";
import { EventPattern, executeCommandAlerts } from "../../components/audit";
import { matches } from "../support/eventPattern";

const PROGRAM_PATTERNS = executeCommandAlerts({ clusterName: "dev-ecs-exec", sessionLogGroupName: "/ecs-exec/dev/sessions" }).map((a) => a.eventPattern);

/** The event a gap describes: an ExecuteCommand call with the gap's fields, and no other field. */
function eventOf(gap: Gap): Record<string, unknown> {
    const event: Record<string, unknown> = {};
    const fields: [string, unknown][] = [...Object.entries(EXECUTE_COMMAND_CALL), ...[...gap].filter(([, v]) => v !== ABSENT)];
    for (const [dotted, value] of fields) {
        const parts = dotted.split(".");
        let node = event;
        for (const part of parts.slice(0, -1)) {
            node = (node[part] ??= {}) as Record<string, unknown>;
        }
        node[parts[parts.length - 1]] = value;
    }
    return event;
}

describe("event patterns as sets of ExecuteCommand calls (the pack's model of EventBridge matching)", () => {
    it("finds that this program's alerts together match every ExecuteCommand call", () => {
        assert.equal(gapIn(PROGRAM_PATTERNS, EXECUTE_COMMAND_CALL), undefined);
    });

    for (const [i, removed] of PROGRAM_PATTERNS.entries()) {
        it(`names the calls only alert ${i + 1} of ${PROGRAM_PATTERNS.length} matches, once it is gone: the project's matcher agrees`, () => {
            const rest = PROGRAM_PATTERNS.filter((p) => p !== removed);
            const gap = gapIn(rest, EXECUTE_COMMAND_CALL);
            assert.ok(gap !== undefined && gap !== UNKNOWN, "a gap");
            const event = eventOf(gap as Gap);
            // The project's own EventBridge matcher (test/support/eventPattern.ts), not the pack's model, decides.
            assert.deepEqual(rest.map((p) => matches(p, event)), rest.map(() => false), JSON.stringify(event));
            assert.ok(matches(removed, event), `the removed alert matched ${JSON.stringify(event)}`);
        });
    }

    it("agrees with the project's matcher on the recorded CloudTrail event and on every call that lacks some fields", () => {
        const recorded = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "cloudtrail", "execute-command-success.eventbridge.json"), "utf8"));
        assert.ok(PROGRAM_PATTERNS.some((p) => matches(p, recorded)));
        // Drop every subset of the leaves the patterns read, one at a time and in pairs: some alert still matches.
        const leaves = ["errorCode", "errorMessage", "eventID", "sourceIPAddress", "userAgent", "userIdentity.arn", "userIdentity.principalId", "requestParameters.command", "requestParameters.task", "responseElements.taskArn", "responseElements.session.sessionId"];
        const without = (event: any, dotted: string) => {
            const copy = JSON.parse(JSON.stringify(event));
            const parts = ["detail", ...dotted.split(".")];
            const parent = parts.slice(0, -1).reduce((node, part) => node?.[part], copy);
            if (parent) delete parent[parts[parts.length - 1]];
            return copy;
        };
        for (const a of leaves) {
            for (const b of leaves) {
                const event = without(without(recorded, a), b);
                assert.ok(PROGRAM_PATTERNS.some((p) => matches(p, event)), `without ${a} and ${b}`);
            }
        }
    });

    it("reads content filters as EventBridge documents them, and an unread filter as matching nothing", () => {
        assert.ok(filterMatches({ prefix: "Exec" }, "ExecuteCommand"));
        assert.ok(filterMatches({ prefix: { "equals-ignore-case": "exec" } }, "ExecuteCommand"));
        assert.ok(filterMatches({ suffix: "Command" }, "ExecuteCommand"));
        assert.ok(filterMatches({ "equals-ignore-case": "executecommand" }, "ExecuteCommand"));
        assert.ok(filterMatches({ wildcard: "Exec*Command" }, "ExecuteCommand"));
        assert.ok(filterMatches({ "anything-but": ["RunTask", "StopTask"] }, "ExecuteCommand"));
        assert.ok(!filterMatches({ "anything-but": { prefix: "Exec" } }, "ExecuteCommand"));
        assert.ok(!filterMatches({ "anything-but": "x" }, ABSENT), "anything-but needs the field present");
        assert.ok(filterMatches({ exists: false }, ABSENT));
        assert.ok(!filterMatches({ numeric: [">", 0] }, 5), "numeric is not read: it proves nothing");
        assert.ok(!filterMatches("ExecuteCommand", ABSENT));
    });

    it("finds gaps between prefixes and suffixes, and around anything-but", () => {
        const fixed = { source: "aws.ecs" };
        assert.equal(gapIn([{ source: ["aws.ecs"] }], fixed), undefined);
        assert.ok(gapIn([{ detail: { cluster: [{ prefix: "arn:" }] } }, { detail: { cluster: [{ exists: false }] } }], fixed), "a cluster given by name");
        assert.equal(gapIn([{ detail: { cluster: [{ prefix: "arn:" }] } }, { detail: { cluster: [{ "anything-but": { prefix: "arn:" } }] } }, { detail: { cluster: [{ exists: false }] } }], fixed), undefined);
        assert.ok(gapIn([{ detail: { c: [{ prefix: "a" }] } }, { detail: { c: [{ suffix: "z" }] } }, { detail: { c: [{ exists: false }] } }], fixed));
        assert.equal(gapIn([{ detail: { c: [{ "anything-but": "x" }] } }, { detail: { c: ["x"] } }, { detail: { c: [{ exists: false }] } }], fixed), undefined);
        assert.equal(gapIn([{ $or: [{ detail: { c: [{ exists: true }] } }, { detail: { c: [{ exists: false }] } }] }], fixed), undefined);
    });

    it("selects ExecuteCommand calls: the call or every ECS call; not other calls, other sources or everything", () => {
        for (const pattern of PROGRAM_PATTERNS) {
            assert.equal(selectsExecuteCommand(JSON.stringify(pattern)), true);
        }
        const selects = (pattern: EventPattern | object) => selectsExecuteCommand(JSON.stringify(pattern));
        assert.equal(selects({ source: ["aws.ecs"], "detail-type": ["AWS API Call via CloudTrail"] }), true);
        assert.equal(selects({ source: ["aws.ecs"], detail: { eventName: [{ prefix: "Execute" }] } }), true);
        assert.equal(selects({ source: ["aws.ecs"], account: ["111122223333"], detail: { eventName: ["ExecuteCommand"] } }), true, "its own account");
        assert.equal(selects({ source: ["aws.ecs"], detail: { eventName: ["RunTask"] } }), false);
        assert.equal(selects({ source: ["aws.ssm"], detail: { eventName: ["StartSession"] } }), false);
        assert.equal(selects({ source: ["aws.ec2"] }), false);
        assert.equal(selects({ "detail-type": ["AWS API Call via CloudTrail"] }), false);
        assert.equal(selects({ source: ["aws.ecs"], detail: { eventName: [{ "anything-but": "ExecuteCommand" }] } }), false);
        assert.equal(selectsExecuteCommand(UNKNOWN), UNKNOWN);
        assert.equal(matchesSome(UNKNOWN, EXECUTE_COMMAND_CALL), UNKNOWN);
    });
});

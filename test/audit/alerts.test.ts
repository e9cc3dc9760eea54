import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { AlertDefinition, alertsCovering, EXECUTE_COMMAND_CALLS, executeCommandAlerts } from "../../components/audit";
import { asIamUser, without } from "../support/cloudTrail";
import { matches } from "../support/eventPattern";
import { render, transformerProblems } from "../support/inputTransformer";
import { PROJECT_DIR } from "../../synth/synth";
import { readDoc } from "../support/docs";

const FIXTURE = path.join("cloudtrail", "execute-command-success.eventbridge.json");
const ALERTS = executeCommandAlerts({ clusterName: "dev-ecs-exec", sessionLogGroupName: "/ecs-exec/dev/sessions" });
const byId = (id: string) => ALERTS.find((alert) => alert.id === id)!;

/** The successful ExecuteCommand call of the shared fixture, as EventBridge delivers it (an IAM Identity Center session). */
function succeeded(): any {
    return JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "test", "fixtures", FIXTURE), "utf8"));
}

/** A call refused by IAM, as CloudTrail records one: an error, and no response. */
function refused(event = succeeded()): any {
    event.detail.responseElements = null;
    event.detail.errorCode = "AccessDeniedException";
    event.detail.errorMessage =
        `User: ${event.detail.userIdentity.arn} is not authorized to perform: ecs:ExecuteCommand on resource: ` +
        "arn:aws:ecs:us-east-1:111122223333:task/dev-ecs-exec/0f8e9c1d2b3a4e5f60718293a4b5c6d7 " +
        "because no identity-based policy allows the ecs:ExecuteCommand action";
    return event;
}

/** The same call by an IAM user. */
const byIamUser = (event = succeeded()): any => asIamUser(event);

/** Another ECS call of the same developer. */
function otherEcsCall(eventName: string): any {
    const event = succeeded();
    event.detail.eventName = eventName;
    event.detail.requestParameters = { cluster: "dev-ecs-exec", taskDefinition: "dev-ecs-exec" };
    return event;
}

/**
 * The `detail` fields the templates read, as property paths. The envelope fields are in every event (EventBridge
 * User Guide, "Event structure reference"); what CloudTrail puts under `detail` may vary.
 */
const READ_PATHS = [...new Set(ALERTS.flatMap((alert) => Object.values(alert.inputPaths)))]
    .filter((p) => p.startsWith("$.detail."))
    .map((p) => p.slice(2).split("."));

/** Every ExecuteCommand record these tests know, and each of them lacking any one field a template reads, or a whole part. */
function executeCommandCalls(): [string, any][] {
    const bases: [string, any][] = [
        ["the fixture (an Identity Center session)", succeeded()],
        ["the fixture, refused", refused()],
        ["an IAM user's call", byIamUser()],
        ["an IAM user's call, refused", refused(byIamUser())],
    ];
    const calls: [string, any][] = [...bases];
    for (const [name, event] of bases) {
        for (const parts of READ_PATHS) {
            calls.push([`${name} without ${parts.join(".")}`, without(event, parts)]);
        }
        for (const part of ["userIdentity", "requestParameters", "responseElements"]) {
            calls.push([`${name} without detail.${part}`, without(event, ["detail", part])]);
        }
    }
    return calls;
}

/** The messages SNS e-mails, as README shows them. */
export const RENDERED: Record<string, { event: string; text: string }> = {
    "execute-command": {
        event: "the shared CloudTrail fixture",
        text: `ECS Exec: a session was opened in account 111122223333, us-east-1

Who:        arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com
Principal:  AROAEXAMPLEROLEID123:alice@example.com   (aws:userid: the Owner tag of the tasks it starts)
When:       2026-03-14T09:26:53Z
From:       203.0.113.17
Client:     aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#ecs.execute-command
Cluster:    arn:aws:ecs:us-east-1:111122223333:cluster/dev-ecs-exec
Task:       arn:aws:ecs:us-east-1:111122223333:task/dev-ecs-exec/0f8e9c1d2b3a4e5f60718293a4b5c6d7
Container:  dev-ecs-exec
Command:    /bin/bash
Session id: ecs-execute-command-0a1b2c3d4e5f6a7b8

Keystrokes of a session on dev-ecs-exec: log group /ecs-exec/dev/sessions, log stream ecs-execute-command-0a1b2c3d4e5f6a7b8 (written when the session ends):
  aws logs get-log-events --region us-east-1 --log-group-name /ecs-exec/dev/sessions --log-stream-name ecs-execute-command-0a1b2c3d4e5f6a7b8
CloudTrail event id: a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d`,
    },
    "execute-command-refused": {
        event: "the fixture's call refused by IAM",
        text: `ECS Exec: an ExecuteCommand call was refused in account 111122223333, us-east-1

Who:        arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com
Principal:  AROAEXAMPLEROLEID123:alice@example.com   (aws:userid: the Owner tag of the tasks it starts)
When:       2026-03-14T09:26:53Z
From:       203.0.113.17
Client:     aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#ecs.execute-command
Task:       arn:aws:ecs:us-east-1:111122223333:task/dev-ecs-exec/0f8e9c1d2b3a4e5f60718293a4b5c6d7   (as requested)
Command:    /bin/bash
Refused:    AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com is not authorized to perform: ecs:ExecuteCommand on resource: arn:aws:ecs:us-east-1:111122223333:task/dev-ecs-exec/0f8e9c1d2b3a4e5f60718293a4b5c6d7 because no identity-based policy allows the ecs:ExecuteCommand action

No session was opened. The whole request (cluster, container) is in its CloudTrail record:
  aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=EventId,AttributeValue=a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d`,
    },
    "execute-command-unmatched": {
        event: "the fixture without its response elements",
        text: `ECS Exec: an ExecuteCommand call in account 111122223333, us-east-1 at 2026-03-14T09:26:53Z

Its CloudTrail record lacks a field the session and refusal alerts read (caller, address, client, command,
task, session or error), so this message carries only what every event has. Find the record:
  aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=EventName,AttributeValue=ExecuteCommand --start-time 2026-03-14T09:26:53Z
EventBridge event id: 6a7e8feb-b491-4cf7-a9f1-bf3703467718`,
    },
};

const EXAMPLES: Record<string, () => any> = {
    "execute-command": succeeded,
    "execute-command-refused": () => refused(),
    "execute-command-unmatched": () => without(succeeded(), ["detail", "responseElements"]),
};

const renderAlert = (alert: AlertDefinition, event: unknown) => render(alert.inputPaths, alert.inputTemplate, event);

describe("ExecuteCommand alerts", () => {
    it("are a session alert, a refusal alert and one for records lacking what those two read", () => {
        assert.deepEqual(
            ALERTS.map((alert) => alert.id),
            ["execute-command", "execute-command-refused", "execute-command-unmatched"],
        );
    });

    describe("event patterns", () => {
        it("match every ExecuteCommand call exactly once, each with a template whose every placeholder has a value", () => {
            for (const [name, event] of executeCommandCalls()) {
                const matching = ALERTS.filter((alert) => matches(alert.eventPattern, event));
                assert.equal(matching.length, 1, `${name}: matched by ${matching.map((a) => a.id).join(", ") || "no alert"}`);
                assert.doesNotThrow(() => renderAlert(matching[0], event), `${name}: rendered by ${matching[0].id}`);
            }
        });

        it("send an opened session to the session alert and a refused call to the refusal alert, an IAM user's too", () => {
            const matched = (event: unknown) => ALERTS.filter((alert) => matches(alert.eventPattern, event)).map((alert) => alert.id);
            assert.deepEqual(matched(succeeded()), ["execute-command"]);
            assert.deepEqual(matched(byIamUser()), ["execute-command"]);
            assert.deepEqual(matched(refused()), ["execute-command-refused"]);
            assert.deepEqual(matched(refused(byIamUser())), ["execute-command-refused"]);
        });

        for (const eventName of ["RunTask", "StopTask", "DescribeTasks"]) {
            it(`match no ${eventName} call`, () => {
                assert.deepEqual(ALERTS.filter((alert) => matches(alert.eventPattern, otherEcsCall(eventName))), []);
            });
        }

        it("match no ExecuteCommand-named call of another service, nor an application's event that copies the shape", () => {
            const ssm = succeeded();
            ssm.source = "aws.ssm";
            ssm.detail.eventSource = "ssm.amazonaws.com";
            const mislabelled = succeeded();
            mislabelled.detail.eventSource = "ecs-tasks.amazonaws.com";
            const custom = succeeded();
            custom.source = "com.example.orders";
            const stateChange = succeeded();
            stateChange["detail-type"] = "ECS Task State Change";
            for (const event of [ssm, mislabelled, custom, stateChange, refused(custom)]) {
                assert.deepEqual(ALERTS.filter((alert) => matches(alert.eventPattern, event)), []);
            }
        });

        it("stay within EventBridge's limits: patterns of at most 2048 characters, $or with two alternatives or more", () => {
            // The default event pattern size quota (EventBridge quotas; @pulumi/aws EventRule eventPattern).
            for (const alert of ALERTS) {
                const size = JSON.stringify(alert.eventPattern).length;
                assert.ok(size <= 2048, `${alert.id}: ${size} characters`);
            }
            const unmatched = byId("execute-command-unmatched").eventPattern.detail as any;
            assert.ok(unmatched.$or.length >= 2);
        });
    });

    describe("input transformers", () => {
        for (const alert of ALERTS) {
            it(`${alert.id}: within EventBridge's limits: at most 100 paths, valid keys, template at most 8192 characters`, () => {
                assert.deepEqual(transformerProblems(alert.inputPaths, alert.inputTemplate), []);
            });
        }

        for (const [id, { event }] of Object.entries(RENDERED)) {
            it(`${id}: renders ${event} as the message README shows`, () => {
                assert.equal(renderAlert(byId(id), EXAMPLES[id]()), RENDERED[id].text);
            });
        }

        it("render an IAM user's call and refusal with the user's ARN and id, the Owner of the user's tasks", () => {
            for (const [id, event] of [["execute-command", byIamUser()], ["execute-command-refused", refused(byIamUser())]] as const) {
                const message = renderAlert(byId(id), event);
                assert.match(message, /^Who: {8}arn:aws:iam::111122223333:user\/bob$/m, id);
                assert.match(message, /^Principal: {2}AIDAEXAMPLEUSERBOB01 /m, id);
            }
        });

        it("docs/security.md shows every message verbatim", () => {
            const page = readDoc("security");
            for (const [id, { text }] of Object.entries(RENDERED)) {
                assert.ok(page.includes("```text\n" + text + "\n```"), `docs/security.md shows the ${id} message`);
            }
        });
    });

    describe("alertsCovering", () => {
        const shape = (id: string, when: Record<string, boolean>, read: Record<string, string>) => ({
            id,
            description: id,
            when,
            inputPaths: read,
            lines: [Object.keys(read).map((name) => `<${name}>`).join(" ")],
        });
        const unmatched = { id: "other", description: "other", inputPaths: { time: "$.time" }, lines: ["<time>"] };

        it("requires every detail leaf a shape reads, and leaves envelope fields and settled fields alone", () => {
            const [ok] = alertsCovering(EXECUTE_COMMAND_CALLS, [shape("a", {}, { who: "$.detail.userIdentity.arn", region: "$.region" })], unmatched);
            assert.deepEqual((ok.eventPattern.detail as any).userIdentity, { arn: [{ exists: true }] });
            assert.equal("region" in ok.eventPattern, false);
        });

        it("refuses shapes that leave some events to no alert or to two", () => {
            const gap = [shape("a", { errorCode: true }, {})];
            assert.throws(() => alertsCovering(EXECUTE_COMMAND_CALLS, gap, unmatched), /0 alert shapes claim events with errorCode absent/);
            const overlap = [shape("a", {}, {}), shape("b", { errorCode: true }, {})];
            assert.throws(() => alertsCovering(EXECUTE_COMMAND_CALLS, overlap, unmatched), /2 alert shapes claim/);
        });

        it("refuses templates that read what their events lack, or an unmatched alert reading more than the envelope", () => {
            const reading = [shape("a", { errorCode: false }, { e: "$.detail.errorCode" }), shape("b", { errorCode: true }, {})];
            assert.throws(() => alertsCovering(EXECUTE_COMMAND_CALLS, reading, unmatched), /which its events lack/);
            const nosy = { ...unmatched, inputPaths: { who: "$.detail.userIdentity.arn" } };
            assert.throws(() => alertsCovering(EXECUTE_COMMAND_CALLS, [shape("a", {}, { who: "$.detail.userIdentity.arn" })], nosy), /only envelope fields/);
        });

        it("requires a leaf under a list read with [*], and for an object or a list of objects the leaf its shape names", () => {
            const [ok] = alertsCovering(
                EXECUTE_COMMAND_CALLS,
                [{ ...shape("a", {}, { tasks: "$.detail.responseElements.tasks[*].taskArn", tags: "$.detail.requestParameters.tags" }), objectLeaves: { "$.detail.requestParameters.tags": "requestParameters.tags.key" } }],
                unmatched,
            );
            assert.deepEqual((ok.eventPattern.detail as any).responseElements, { tasks: { taskArn: [{ exists: true }] } });
            assert.deepEqual((ok.eventPattern.detail as any).requestParameters, { tags: { key: [{ exists: true }] } });
        });

        it("refuses reading one element of a list, which no pattern can require, and a proving leaf outside the object", () => {
            assert.throws(() => alertsCovering(EXECUTE_COMMAND_CALLS, [shape("a", {}, { t: "$.detail.tags[1].value" })], unmatched), /one element of a list/);
            const astray = { ...shape("a", {}, { tags: "$.detail.requestParameters.tags" }), objectLeaves: { "$.detail.requestParameters.tags": "requestParameters.cluster" } };
            assert.throws(() => alertsCovering(EXECUTE_COMMAND_CALLS, [astray], unmatched), /is not under it/);
        });

        it("leaves alone what the base pattern matches against values, and merges the rest into its objects", () => {
            const base = { ...EXECUTE_COMMAND_CALLS, detail: { ...(EXECUTE_COMMAND_CALLS.detail as object), requestParameters: { task: [{ prefix: "arn:" }] } } };
            const [ok] = alertsCovering(base, [shape("a", {}, { task: "$.detail.requestParameters.task", command: "$.detail.requestParameters.command" })], unmatched);
            assert.deepEqual((ok.eventPattern.detail as any).requestParameters, { task: [{ prefix: "arn:" }], command: [{ exists: true }] });
        });

        it("writes a JSON message with lone placeholders as JSON values and text as strings", () => {
            const [ok] = alertsCovering(EXECUTE_COMMAND_CALLS, [{ id: "a", description: "a", when: {}, inputPaths: { time: "$.time" }, fields: { when: "<time>", note: "at <time>" } }], unmatched);
            assert.equal(ok.inputTemplate, '{\n  "when": <time>,\n  "note": "at <time>"\n}');
            assert.equal(render(ok.inputPaths, ok.inputTemplate, succeeded()), '{"when":"2026-03-14T09:26:53Z","note":"at 2026-03-14T09:26:53Z"}');
        });

        it("needs no unmatched alert when the shapes read nothing an event may lack", () => {
            const alerts = alertsCovering(EXECUTE_COMMAND_CALLS, [shape("a", {}, { time: "$.time" })], unmatched);
            assert.deepEqual(alerts.map((alert) => alert.id), ["a"]);
        });
    });
});

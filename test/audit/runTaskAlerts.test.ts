import { strict as assert } from "assert";
import { AlertDefinition, executeCommandAlerts, runTaskAlerts, runTaskNetworkAlert } from "../../components/audit";
import { ACCESS_DENIED, ACCOUNT, asIamUser, DEV_NETWORK, executeCommandEvent, REASON, REGION, RunTaskCall, runTaskEvent } from "../support/cloudTrail";
import { matches } from "../support/eventPattern";
import { render, transformerProblems } from "../support/inputTransformer";
import { readDoc } from "../support/docs";

const ALERTS = runTaskAlerts({ family: "dev-ecs-exec" });
const byId = (id: string) => ALERTS.find((alert) => alert.id === id)!;
const matched = (alerts: AlertDefinition[], event: unknown) => alerts.filter((alert) => matches(alert.eventPattern, event)).map((alert) => alert.id);
const renderAlert = (alert: AlertDefinition, event: unknown) => render(alert.inputPaths, alert.inputTemplate, event);

/** The stack's network as the network alert knows it: prod-like, no public IP. */
const NETWORK_ARGS = {
    family: "dev-ecs-exec",
    subnetIds: DEV_NETWORK.subnets,
    securityGroupId: DEV_NETWORK.securityGroups[0],
    assignPublicIp: false,
};
const NETWORK = runTaskNetworkAlert(NETWORK_ARGS);

/** Every way RunTask names the dev exec task definition (ECS API reference, RunTask: taskDefinition). */
const EXEC_DEFINITIONS = [
    "dev-ecs-exec",
    "dev-ecs-exec:3",
    `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/dev-ecs-exec`,
    `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/dev-ecs-exec:3`,
    `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/dev-ecs-exec:*`,
];

/** Other task definitions, some whose names merely start like it. */
const OTHER_DEFINITIONS = [
    "dev-ecs-exec-other",
    "dev-ecs-exec-other:1",
    "dev-ecs-exec2:1",
    "prod-ecs-exec:4",
    "orders-api:42",
    `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/dev-ecs-exec-other:1`,
    `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/orders-api`,
    `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/xdev-ecs-exec:1`,
];

/** A path's value removed from a copy of the event (from every element of a list it crosses with [*]). */
function withoutPath(event: any, inputPath: string): any {
    const copy = JSON.parse(JSON.stringify(event));
    const parts = inputPath.slice(2).split(".");
    let nodes: any[] = [copy];
    for (const part of parts.slice(0, -1)) {
        const [, name, star] = /^([^[]+)(\[\*\])?$/.exec(part)!;
        nodes = nodes.flatMap((node) => {
            const child = node?.[name];
            return star ? (Array.isArray(child) ? child : []) : typeof child === "object" && child !== null ? [child] : [];
        });
    }
    for (const node of nodes) {
        delete node[parts[parts.length - 1]];
    }
    return copy;
}

/** Every RunTask record these tests know, and each without any one field a template reads. */
function runTaskCalls(): [string, any][] {
    const bases: [string, any][] = [
        ["ecs-exec's call", runTaskEvent()],
        ["ecs-exec's call, refused", runTaskEvent({ error: ACCESS_DENIED })],
        ["an IAM user's call", asIamUser(runTaskEvent({ tags: [{ key: "Owner", value: "AIDAEXAMPLEUSERBOB01" }] }))],
        ["a call without a reason, refused", runTaskEvent({ tags: [{ key: "Owner", value: "x" }], error: ACCESS_DENIED })],
        ["a call without tags", runTaskEvent({ tags: [] })],
        ["a call without tags, refused", without(runTaskEvent({ error: ACCESS_DENIED }), "tags")],
        ["a call with a foreign network", runTaskEvent({ network: { securityGroups: ["sg-0fffffffffffffff0"], assignPublicIp: "ENABLED" } })],
    ];
    const paths = [...new Set([...ALERTS, NETWORK].flatMap((alert) => Object.values(alert.inputPaths)))].filter((p) => p.startsWith("$.detail."));
    const calls: [string, any][] = [...bases];
    for (const [name, event] of bases) {
        for (const p of paths) {
            calls.push([`${name} without ${p}`, withoutPath(event, p)]);
        }
        for (const part of ["userIdentity", "requestParameters", "responseElements"]) {
            calls.push([`${name} without detail.${part}`, withoutPath(event, `$.detail.${part}`)]);
        }
    }
    return calls;
}

function without(event: any, field: string): any {
    delete event.detail.requestParameters[field];
    return event;
}

/** The messages SNS e-mails, as README shows them (JSON indented there; EventBridge delivers it minified). */
export const RENDERED: Record<string, { event: string; make: () => any; text: string }> = {
    "run-task": {
        event: "ecs-exec's RunTask for alice, with a reason",
        make: () => runTaskEvent(),
        text: `{
  "alert": "ECS Exec: exec task started (dev-ecs-exec) in account 111122223333, us-east-1",
  "who": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com",
  "principal": "AROAEXAMPLEROLEID123:alice@example.com",
  "when": "2026-03-14T09:26:12Z",
  "from": "203.0.113.17",
  "client": "aws-sdk-js/3.1164.0 ua/2.1 os/linux#6.5.0 lang/js md/nodejs#22.14.0 api/ecs#3.1164.0 m/E,N",
  "cluster": "dev-ecs-exec",
  "taskDefinition": "dev-ecs-exec",
  "tasks": [
    "arn:aws:ecs:us-east-1:111122223333:task/dev-ecs-exec/0f8e9c1d2b3a4e5f60718293a4b5c6d7"
  ],
  "tags": [
    {
      "key": "Owner",
      "value": "AROAEXAMPLEROLEID123:alice@example.com"
    },
    {
      "key": "Reason",
      "value": "INC-4711 restore the orders of 2026-03-13"
    }
  ],
  "reason": "The Reason tag says why (stacks with requireReason refuse a task without one). A task reused by later sessions keeps this reason; ecs-exec audit shows it next to each session.",
  "cloudTrailEventId": "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e"
}`,
    },
    "run-task-refused": {
        event: "the same call refused by IAM (prod, without a reason)",
        make: () => runTaskEvent({ tags: [{ key: "Owner", value: "AROAEXAMPLEROLEID123:alice@example.com" }], error: ACCESS_DENIED }),
        text: `{
  "alert": "ECS Exec: exec task refused (dev-ecs-exec) in account 111122223333, us-east-1",
  "who": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com",
  "principal": "AROAEXAMPLEROLEID123:alice@example.com",
  "when": "2026-03-14T09:26:12Z",
  "from": "203.0.113.17",
  "client": "aws-sdk-js/3.1164.0 ua/2.1 os/linux#6.5.0 lang/js md/nodejs#22.14.0 api/ecs#3.1164.0 m/E,N",
  "cluster": "dev-ecs-exec",
  "taskDefinition": "dev-ecs-exec",
  "tags": [
    {
      "key": "Owner",
      "value": "AROAEXAMPLEROLEID123:alice@example.com"
    }
  ],
  "errorCode": "AccessDeniedException",
  "errorMessage": "User: arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com is not authorized to perform: ecs:RunTask on resource: arn:aws:ecs:us-east-1:111122223333:task-definition/dev-ecs-exec:3 because no identity-based policy allows the ecs:RunTask action",
  "note": "No task was started. The whole request is in its CloudTrail record (lookup-events with this event id).",
  "cloudTrailEventId": "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e"
}`,
    },
    "run-task-unmatched": {
        event: "a RunTask without tags",
        make: () => runTaskEvent({ tags: [] }),
        text: `ECS Exec: a RunTask of the exec task definition dev-ecs-exec in account 111122223333, us-east-1 at 2026-03-14T09:26:12Z

Its CloudTrail record lacks a field the start and refusal alerts read (caller, address, client, cluster,
tags, started tasks or error): a RunTask without tags names no Owner and no reason. Find the record:
  aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=EventName,AttributeValue=RunTask --start-time 2026-03-14T09:26:12Z
EventBridge event id: 1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f`,
    },
    "run-task-network": {
        event: "a RunTask with another security group and a public IP, where the stack gives none",
        make: () => runTaskEvent({ network: { securityGroups: ["sg-0fffffffffffffff0"], assignPublicIp: "ENABLED" } }),
        text: `{
  "alert": "ECS Exec: exec task started outside the stack's network (dev-ecs-exec) in account 111122223333, us-east-1",
  "who": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com",
  "principal": "AROAEXAMPLEROLEID123:alice@example.com",
  "when": "2026-03-14T09:26:12Z",
  "cluster": "dev-ecs-exec",
  "tasks": [
    "arn:aws:ecs:us-east-1:111122223333:task/dev-ecs-exec/0f8e9c1d2b3a4e5f60718293a4b5c6d7"
  ],
  "network": {
    "subnets": [
      "subnet-0a1b2c3d4e5f60711",
      "subnet-0a1b2c3d4e5f60722"
    ],
    "securityGroups": [
      "sg-0fffffffffffffff0"
    ],
    "assignPublicIp": "ENABLED"
  },
  "stackNetwork": "subnets subnet-0a1b2c3d4e5f60711, subnet-0a1b2c3d4e5f60722; security group sg-0123456789abcdef0; no public IP",
  "why": "IAM cannot limit RunTask's network. Outside the exec security group, the exec group's rules (no inbound, HTTPS out only) do not hold for these tasks. Stop them (ecs-exec stop TASK, or aws ecs stop-task) unless this was intended.",
  "cloudTrailEventId": "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e"
}`,
    },
};

const definitionOf = (id: string) => (id === NETWORK.id ? NETWORK : byId(id));

/** The rendered message as README shows it: JSON indented, text as it is. */
function shown(alert: AlertDefinition, event: unknown): string {
    const message = renderAlert(alert, event);
    return alert.inputTemplate.startsWith("{") ? JSON.stringify(JSON.parse(message), null, 2) : message;
}

describe("RunTask alerts", () => {
    it("are a start alert, a refusal alert and one for records lacking what those two read", () => {
        assert.deepEqual(
            ALERTS.map((alert) => alert.id),
            ["run-task", "run-task-refused", "run-task-unmatched"],
        );
    });

    describe("event patterns", () => {
        it("match every RunTask of the exec task definition in each form RunTask takes, started or refused, with the right alert", () => {
            for (const taskDefinition of EXEC_DEFINITIONS) {
                assert.deepEqual(matched(ALERTS, runTaskEvent({ taskDefinition })), ["run-task"], taskDefinition);
                assert.deepEqual(matched(ALERTS, runTaskEvent({ taskDefinition, error: ACCESS_DENIED })), ["run-task-refused"], taskDefinition);
            }
        });

        it("match no RunTask of another task definition, not even one whose family starts with the same text", () => {
            for (const taskDefinition of OTHER_DEFINITIONS) {
                assert.deepEqual(matched([...ALERTS, NETWORK], runTaskEvent({ taskDefinition, network: { securityGroups: [] } })), [], taskDefinition);
                assert.deepEqual(matched(ALERTS, runTaskEvent({ taskDefinition, error: ACCESS_DENIED })), [], taskDefinition);
            }
        });

        it("match every RunTask exactly once, each with a template whose every placeholder has a value", () => {
            for (const [name, event] of runTaskCalls()) {
                const matching = ALERTS.filter((alert) => matches(alert.eventPattern, event));
                // Without its task definition, a record is not a RunTask of the exec task definition.
                const expected = event.detail.requestParameters?.taskDefinition === undefined ? 0 : 1;
                assert.equal(matching.length, expected, `${name}: matched by ${matching.map((a) => a.id).join(", ") || "no alert"}`);
                if (expected === 1) {
                    assert.doesNotThrow(() => renderAlert(matching[0], event), `${name}: rendered by ${matching[0].id}`);
                }
            }
        });

        it("send a RunTask without tags (no Owner, no reason) to the unmatched alert", () => {
            assert.deepEqual(matched(ALERTS, runTaskEvent({ tags: [] })), ["run-task-unmatched"]);
            assert.deepEqual(matched(ALERTS, without(runTaskEvent({ error: ACCESS_DENIED }), "tags")), ["run-task-unmatched"]);
        });

        it("and the ExecuteCommand alerts match no RunTask, nor these an ExecuteCommand call", () => {
            const execAlerts = executeCommandAlerts({ clusterName: "dev-ecs-exec", sessionLogGroupName: "/ecs-exec/dev/sessions" });
            assert.deepEqual(matched(execAlerts, runTaskEvent()), []);
            assert.deepEqual(matched([...ALERTS, NETWORK], executeCommandEvent()), []);
        });

        it("stay within EventBridge's limits: patterns of at most 2048 characters", () => {
            for (const alert of [...ALERTS, NETWORK]) {
                const size = JSON.stringify(alert.eventPattern).length;
                assert.ok(size <= 2048, `${alert.id}: ${size} characters`);
            }
        });
    });

    describe("messages", () => {
        for (const alert of [...ALERTS, NETWORK]) {
            it(`${alert.id}: within EventBridge's limits: at most 100 paths, valid keys, template at most 8192 characters`, () => {
                assert.deepEqual(transformerProblems(alert.inputPaths, alert.inputTemplate), []);
            });
        }

        for (const [id, { event, make, text }] of Object.entries(RENDERED)) {
            it(`${id}: renders ${event} as the message README shows`, () => {
                assert.equal(shown(definitionOf(id), make()), text);
            });
        }

        it("name the reason whichever order the tags came in, and an IAM user's call with the user's ARN", () => {
            const reversed = runTaskEvent({ tags: [{ key: "Reason", value: REASON }, { key: "Owner", value: "AIDAEXAMPLEUSERBOB01" }] });
            const message = JSON.parse(renderAlert(byId("run-task"), asIamUser(reversed)));
            assert.equal(message.who, "arn:aws:iam::111122223333:user/bob");
            assert.equal(message.tags.find((t: any) => t.key === "Reason").value, REASON);
        });

        it("docs/security.md shows every message verbatim", () => {
            const page = readDoc("security");
            for (const [id, { text }] of Object.entries(RENDERED)) {
                const fence = text.startsWith("{") ? "```json\n" : "```text\n";
                assert.ok(page.includes(fence + text + "\n```"), `docs/security.md shows the ${id} message`);
            }
        });
    });

    describe("network (issue: IAM cannot limit RunTask's network)", () => {
        const started = (network: RunTaskCall["network"], args = NETWORK_ARGS) =>
            matches(runTaskNetworkAlert(args).eventPattern, runTaskEvent({ network }));

        it("stays silent for a RunTask with exactly the stack's network, in any order", () => {
            assert.equal(started({}), false);
            assert.equal(started({ subnets: [...DEV_NETWORK.subnets].reverse() }), false);
            assert.equal(started({ subnets: [DEV_NETWORK.subnets[1]] }), false, "fewer of the configured subnets");
        });

        it("alerts on another security group, added or instead, or none (ECS then uses the VPC's default group)", () => {
            assert.equal(started({ securityGroups: ["sg-0fffffffffffffff0"] }), true);
            assert.equal(started({ securityGroups: [DEV_NETWORK.securityGroups[0], "sg-0fffffffffffffff0"] }), true);
            assert.equal(started({ securityGroups: [] }), true);
            assert.equal(matches(NETWORK.eventPattern, withoutPath(runTaskEvent(), "$.detail.requestParameters.networkConfiguration.awsvpcConfiguration.securityGroups")), true);
        });

        it("alerts on a subnet outside the configured ones", () => {
            assert.equal(started({ subnets: ["subnet-0fffffffffffffff1"] }), true);
            assert.equal(started({ subnets: [DEV_NETWORK.subnets[0], "subnet-0fffffffffffffff1"] }), true);
        });

        it("alerts on a public IP where the stack gives none, and not where it gives one", () => {
            assert.equal(started({ assignPublicIp: "ENABLED" }), true);
            assert.equal(started({ assignPublicIp: "ENABLED" }, { ...NETWORK_ARGS, assignPublicIp: true }), false);
            assert.equal(started({ assignPublicIp: "DISABLED" }, { ...NETWORK_ARGS, assignPublicIp: true }), false);
        });

        it("does not alert on a refused call (it started nothing; the refusal alert reports it)", () => {
            assert.equal(matches(NETWORK.eventPattern, runTaskEvent({ network: { securityGroups: ["sg-0fffffffffffffff0"] }, error: ACCESS_DENIED })), false);
        });

        it("reads only what the events it matches carry", () => {
            for (const [name, event] of runTaskCalls()) {
                if (matches(NETWORK.eventPattern, event)) {
                    assert.doesNotThrow(() => renderAlert(NETWORK, event), name);
                }
            }
        });
    });
});

import { strict as assert } from "assert";
import { execAlertAndSessionLog, selectsExecuteCommand } from "../../policies/rules/alerts";
import { UNKNOWN } from "../../policies/lib/values";
import { executeCommandAlerts } from "../../components/alerts";
import { changed, execStack, without } from "./fixtures";
import { policyJson, stackViolations, UNKNOWN_VALUE } from "./support";

const NO_ALERT = "the stack can exec but has no EventBridge rule on ExecuteCommand with an SNS target";

describe("a stack that can exec carries its alert and an encrypted session log", () => {
    it("passes the exec stack with its rule, SNS target and encrypted session log group", () => {
        assert.deepEqual(stackViolations(execAlertAndSessionLog, execStack()), []);
    });

    it("reads event patterns: ExecuteCommand from aws.ecs, or every ECS call; not other calls, other sources or everything", () => {
        for (const alert of executeCommandAlerts({ clusterName: "dev-ecs-exec", sessionLogGroupName: "/ecs-exec/dev/sessions" })) {
            assert.equal(selectsExecuteCommand(JSON.stringify(alert.eventPattern)), true, `this program's ${alert.id} pattern`);
        }
        assert.equal(selectsExecuteCommand(JSON.stringify({ source: ["aws.ecs"], "detail-type": ["AWS API Call via CloudTrail"] })), true);
        assert.equal(selectsExecuteCommand(JSON.stringify({ source: ["aws.ecs"], detail: { eventName: [{ prefix: "Execute" }] } })), true);
        assert.equal(selectsExecuteCommand(JSON.stringify({ source: ["aws.ecs"], detail: { eventName: ["RunTask"] } })), false);
        assert.equal(selectsExecuteCommand(JSON.stringify({ source: ["aws.ec2"] })), false);
        assert.equal(selectsExecuteCommand(JSON.stringify({ "detail-type": ["AWS API Call via CloudTrail"] })), false);
        assert.equal(selectsExecuteCommand(JSON.stringify({ source: ["aws.ecs"], detail: { eventName: [{ "anything-but": "ExecuteCommand" }] } })), false);
        assert.equal(selectsExecuteCommand(UNKNOWN), UNKNOWN);
    });

    const broken: [string, ReturnType<typeof execStack>][] = [
        ["no target", without(execStack(), "to-alerts")],
        ["no rule", without(execStack(), "on-exec", "to-alerts")],
        ["a rule on other calls", changed(execStack(), "on-exec", (p) => ({ ...p, eventPattern: JSON.stringify({ source: ["aws.ecs"], detail: { eventName: ["StopTask"] } }) }))],
        ["a disabled rule", changed(execStack(), "on-exec", (p) => ({ ...p, state: "DISABLED" }))],
        ["a rule on a custom bus", changed(execStack(), "on-exec", (p) => ({ ...p, eventBusName: "apps" }))],
        [
            "a target that is not SNS",
            changed(execStack(), "to-alerts", (p) => ({ ...p, arn: "arn:aws:lambda:us-east-1:123456789012:function:f" })).map((r) =>
                r.name === "to-alerts" ? { ...r, dependsOn: { rule: ["on-exec"] } } : r,
            ),
        ],
    ];
    for (const [title, stack] of broken) {
        it(`reports a stack that can exec with ${title}`, () => {
            assert.deepEqual(stackViolations(execAlertAndSessionLog, stack), [{ message: NO_ALERT, resource: undefined }]);
        });
    }

    it("links the alert by known values when no dependency is recorded, and trusts patterns and targets unknown during preview", () => {
        const byValue = execStack().map((r) => ({ ...r, dependsOn: r.name === "cluster" ? r.dependsOn : undefined }));
        assert.deepEqual(stackViolations(execAlertAndSessionLog, byValue), []);
        const unknownPattern = changed(execStack(), "on-exec", (p) => ({ ...p, eventPattern: UNKNOWN_VALUE }));
        const unknownTarget = changed(execStack(), "to-alerts", (p) => ({ ...p, arn: UNKNOWN_VALUE, rule: UNKNOWN_VALUE }));
        assert.deepEqual(stackViolations(execAlertAndSessionLog, unknownPattern), []);
        assert.deepEqual(stackViolations(execAlertAndSessionLog, unknownTarget), []);
    });

    it("waives the alert when config says an organisation-level alert exists, never the session log", () => {
        const noAlert = without(execStack(), "on-exec", "to-alerts");
        assert.deepEqual(stackViolations(execAlertAndSessionLog, noAlert, { organizationAlert: true }), []);
        const unencrypted = changed(noAlert, "sessions", (p) => ({ ...p, kmsKeyId: undefined }));
        assert.deepEqual(stackViolations(execAlertAndSessionLog, unencrypted, { organizationAlert: true }), [
            { message: "exec session log group without a KMS key", resource: "sessions" },
        ]);
    });

    it("requires a cluster of the stack that logs sessions to a log group of the stack", () => {
        const noCluster = without(execStack(), "cluster");
        assert.deepEqual(stackViolations(execAlertAndSessionLog, noCluster), [
            { message: "the stack can exec but no cluster of it logs exec sessions to a log group of the stack", resource: undefined },
        ]);
    });

    it("asks nothing of a stack that cannot exec, and counts any exec grant as able to", () => {
        const cannot = without(execStack(), "on-exec", "to-alerts", "agent-policy");
        assert.deepEqual(stackViolations(execAlertAndSessionLog, cannot), []);
        const granting = [...cannot, { type: "aws:iam/policy:Policy", name: "ops", props: { policy: policyJson({ Effect: "Allow", Action: "ecs:Exec*", Resource: "*" }) } }];
        assert.equal(stackViolations(execAlertAndSessionLog, granting).length, 1);
    });
});

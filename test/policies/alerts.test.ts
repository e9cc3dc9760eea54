import { strict as assert } from "assert";
import { execAlertAndSessionLog, execAlertDelivery, execAlertTrail } from "../../policies/rules/alerts";
import { executeCommandAlerts } from "../../components/audit";
import { changed, execStack, without } from "./fixtures";
import { policyJson, stackViolations, TestResource, UNKNOWN_VALUE } from "./support";

const NO_ALERT = "the stack can exec but has no EventBridge rule on ExecuteCommand with an SNS target";

/** The exec stack alerting with this program's three rules (one per shape of call), each to SNS with an alarm. */
function programAlerts(): TestResource[] {
    const alerts = executeCommandAlerts({ clusterName: "apps", sessionLogGroupName: "/sessions" });
    return [
        ...without(execStack(), "on-exec", "to-alerts", "on-exec-undelivered"),
        ...alerts.flatMap((alert): TestResource[] => [
            { type: "aws:cloudwatch/eventRule:EventRule", name: alert.id, props: { name: alert.id, eventPattern: JSON.stringify(alert.eventPattern) } },
            {
                type: "aws:cloudwatch/eventTarget:EventTarget",
                name: `${alert.id}-target`,
                props: { rule: alert.id, arn: "arn:aws:sns:us-east-1:123456789012:alerts" },
                dependsOn: { rule: [alert.id], arn: ["alerts"] },
            },
            {
                type: "aws:cloudwatch/metricAlarm:MetricAlarm",
                name: `${alert.id}-alarm`,
                props: { namespace: "AWS/Events", metricName: "FailedInvocations", dimensions: { RuleName: alert.id }, alarmActions: ["arn:aws:sns:us-east-1:123456789012:alerts"] },
                dependsOn: { dimensions: [alert.id], alarmActions: ["alerts"] },
            },
        ]),
    ];
}

describe("a stack that can exec alerts on every ExecuteCommand call and logs sessions encrypted", () => {
    it("passes the exec stack with its rule, SNS target and encrypted session log group", () => {
        assert.deepEqual(stackViolations(execAlertAndSessionLog, execStack()), []);
        assert.deepEqual(stackViolations(execAlertAndSessionLog, programAlerts()), []);
    });

    const broken: [string, TestResource[]][] = [
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

    for (const id of ["execute-command", "execute-command-refused", "execute-command-unmatched"]) {
        it(`reports the calls left without an alert when the ${id} rule of several is disabled, naming their shape`, () => {
            const disabled = changed(programAlerts(), id, (p) => ({ ...p, state: "DISABLED" }));
            const [violation, ...rest] = stackViolations(execAlertAndSessionLog, disabled);
            assert.deepEqual(rest, []);
            assert.match(violation.message, /^ExecuteCommand calls (with|without) detail\.\S+.* reach no enabled EventBridge rule with an SNS target: no alert on them$/);
        });
    }

    it("links the alert by known values when no dependency is recorded, and trusts patterns and targets unknown during preview", () => {
        const byValue = execStack().map((r) => ({ ...r, dependsOn: r.name === "cluster" ? r.dependsOn : undefined }));
        assert.deepEqual(stackViolations(execAlertAndSessionLog, byValue), []);
        const unknownPattern = changed(programAlerts(), "execute-command-refused", (p) => ({ ...p, eventPattern: UNKNOWN_VALUE }));
        const unknownTarget = changed(execStack(), "to-alerts", (p) => ({ ...p, arn: UNKNOWN_VALUE, rule: UNKNOWN_VALUE }));
        const unknownState = changed(programAlerts(), "execute-command", (p) => ({ ...p, state: UNKNOWN_VALUE }));
        for (const stack of [unknownPattern, unknownTarget, unknownState]) {
            assert.deepEqual(stackViolations(execAlertAndSessionLog, stack), []);
        }
    });

    it("waives the alert when config says an organisation-level alert exists, never the session log", () => {
        const noAlert = without(execStack(), "on-exec", "to-alerts");
        assert.deepEqual(stackViolations(execAlertAndSessionLog, noAlert, { organizationAlert: true }), []);
        const unencrypted = changed(noAlert, "sessions", (p) => ({ ...p, kmsKeyId: undefined }));
        assert.deepEqual(stackViolations(execAlertAndSessionLog, unencrypted, { organizationAlert: true }), [
            { message: "exec session log group without a KMS key", resource: "sessions" },
        ]);
    });

    it("asks a stack with clusters for one that logs sessions to a log group of the stack; a stack without, not", () => {
        const elsewhere = changed(execStack(), "cluster", (p) => ({ ...p, configuration: { executeCommandConfiguration: { logging: "OVERRIDE", logConfiguration: { cloudWatchLogGroupName: "/other-team" } } } })).map((r) =>
            r.name === "cluster" ? { ...r, dependsOn: {} } : r,
        );
        assert.deepEqual(stackViolations(execAlertAndSessionLog, elsewhere), [
            { message: "the stack can exec but no cluster of it logs exec sessions to a log group of the stack", resource: undefined },
        ]);
        // Exec grants or task definitions for other teams' clusters: their logging is judged in their stacks.
        assert.deepEqual(stackViolations(execAlertAndSessionLog, without(execStack(), "cluster")), []);
    });

    it("asks nothing of a stack that cannot exec, and counts any exec grant as able to", () => {
        const cannot = without(execStack(), "on-exec", "to-alerts", "agent-policy");
        assert.deepEqual(stackViolations(execAlertAndSessionLog, cannot), []);
        const granting = [...cannot, { type: "aws:iam/policy:Policy", name: "ops", props: { policy: policyJson({ Effect: "Allow", Action: "ecs:Exec*", Resource: "*" }) } }];
        assert.equal(stackViolations(execAlertAndSessionLog, granting).length, 1);
    });

    it("asks nothing of an ordinary service with exec off on another team's cluster, even with a task role that opens sessions", () => {
        const service = { type: "aws:ecs/service:Service", name: "api", props: { cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/shared", taskDefinition: UNKNOWN_VALUE }, dependsOn: { taskDefinition: ["shell-task"] } };
        const ordinary = [...without(execStack(), "on-exec", "to-alerts", "cluster"), service];
        assert.deepEqual(stackViolations(execAlertAndSessionLog, ordinary), []);
        const withExec = ordinary.map((r) => (r.name === "api" ? { ...r, props: { ...r.props, enableExecuteCommand: true } } : r));
        assert.deepEqual(stackViolations(execAlertAndSessionLog, withExec), [{ message: NO_ALERT, resource: undefined }]);
    });

    it("ignores alerts on other calls the stack adds: RunTask alerts, a StartSession alert", () => {
        const more: TestResource[] = [
            { type: "aws:cloudwatch/eventRule:EventRule", name: "on-run-task", props: { name: "on-run-task", eventPattern: JSON.stringify({ source: ["aws.ecs"], "detail-type": ["AWS API Call via CloudTrail"], detail: { eventSource: ["ecs.amazonaws.com"], eventName: ["RunTask"] } }) } },
            { type: "aws:cloudwatch/eventRule:EventRule", name: "on-start-session", props: { name: "on-start-session", eventPattern: JSON.stringify({ source: ["aws.ssm"], detail: { eventSource: ["ssm.amazonaws.com"], eventName: ["StartSession"] } }) } },
        ];
        assert.deepEqual(stackViolations(execAlertAndSessionLog, [...programAlerts(), ...more]), []);
        assert.deepEqual(stackViolations(execAlertDelivery, [...programAlerts(), ...more]), [], "no alarm asked of them");
    });
});

describe("the alerts can be delivered, and a failed delivery is seen", () => {
    it("passes an alert to an encrypted topic with a subscription and an alarm on its failed deliveries", () => {
        assert.deepEqual(stackViolations(execAlertDelivery, execStack()), []);
        assert.deepEqual(stackViolations(execAlertDelivery, programAlerts()), []);
    });

    it("reports each alert rule without an alarm on its FailedInvocations", () => {
        assert.deepEqual(stackViolations(execAlertDelivery, without(programAlerts(), "execute-command-refused-alarm")), [
            { message: "alert rule execute-command-refused has no CloudWatch alarm with an action on its FailedInvocations: an undelivered alert would go unseen", resource: "execute-command-refused" },
        ]);
        for (const change of [
            (p: Record<string, unknown>) => ({ ...p, alarmActions: [] }),
            (p: Record<string, unknown>) => ({ ...p, actionsEnabled: false }),
            (p: Record<string, unknown>) => ({ ...p, metricName: "Invocations" }),
            (p: Record<string, unknown>) => ({ ...p, dimensions: { RuleName: "another-rule" } }),
        ]) {
            const stack = changed(execStack(), "on-exec-undelivered", change).map((r) => (r.name === "on-exec-undelivered" ? { ...r, dependsOn: {} } : r));
            assert.equal(stackViolations(execAlertDelivery, stack).length, 1, JSON.stringify(change({})));
        }
    });

    it("reads an alarm's rule from the engine's record while the rule's name is unknown, and metric math alarms", () => {
        const unknownName = changed(changed(execStack(), "on-exec", (p) => ({ ...p, name: UNKNOWN_VALUE })), "on-exec-undelivered", (p) => ({ ...p, dimensions: UNKNOWN_VALUE }));
        assert.deepEqual(stackViolations(execAlertDelivery, unknownName), []);
        const math = changed(execStack(), "on-exec-undelivered", (p) => ({
            alarmActions: p.alarmActions,
            metricQueries: [{ id: "failed", returnData: true, metric: { namespace: "AWS/Events", metricName: "FailedInvocations", dimensions: { RuleName: "on-exec" }, period: 300, stat: "Sum" } }],
        }));
        assert.deepEqual(stackViolations(execAlertDelivery, math), []);
    });

    it("reports a topic that is unencrypted, on alias/aws/sns, public, or without a subscription", () => {
        const topic = (change: (p: Record<string, unknown>) => Record<string, unknown>) => changed(execStack(), "alerts", change);
        assert.deepEqual(stackViolations(execAlertDelivery, topic((p) => ({ ...p, kmsMasterKeyId: undefined }))), [
            { message: "alert topic alerts is not encrypted with a customer-managed KMS key", resource: "alerts" },
        ]);
        assert.deepEqual(stackViolations(execAlertDelivery, topic((p) => ({ ...p, kmsMasterKeyId: "alias/aws/sns" }))), [
            { message: "alert topic alerts is encrypted with alias/aws/sns, whose key policy EventBridge cannot use: no alert would arrive", resource: "alerts" },
        ]);
        const open = policyJson({ Sid: "Anyone", Effect: "Allow", Principal: { AWS: "*" }, Action: "sns:Subscribe", Resource: "*" });
        const withPolicy = [...execStack(), { type: "aws:sns/topicPolicy:TopicPolicy", name: "alerts-policy", props: { arn: "arn:aws:sns:us-east-1:123456789012:alerts", policy: open } }];
        assert.deepEqual(stackViolations(execAlertDelivery, withPolicy), [
            { message: "alert topic alerts: policy statement Anyone lets anyone in without a condition", resource: "alerts-policy" },
        ]);
        assert.deepEqual(stackViolations(execAlertDelivery, without(execStack(), "oncall")), [
            { message: "alert topic alerts has no subscription: nobody receives the alerts", resource: "alerts" },
        ]);
    });

    it("accepts this program's topic policy: EventBridge with no condition, alarms by source ARN, a Deny on everyone else", () => {
        const policy = policyJson(
            { Sid: "EventBridgeRulesPublish", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish", Resource: "*" },
            { Sid: "NobodyElsePublishes", Effect: "Deny", Principal: { AWS: "*" }, Action: "sns:Publish", Resource: "*", Condition: { Bool: { "aws:PrincipalIsAWSService": "false" } } },
            { Sid: "AnyoneInTheOrg", Effect: "Allow", Principal: "*", Action: "sns:Subscribe", Resource: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } },
        );
        const stack = changed(execStack(), "alerts", (p) => ({ ...p, policy }));
        assert.deepEqual(stackViolations(execAlertDelivery, stack), []);
    });

    it("can't tell, and reports nothing, while the topic's key or policy is unknown", () => {
        const stack = changed(execStack(), "alerts", (p) => ({ ...p, kmsMasterKeyId: UNKNOWN_VALUE, policy: UNKNOWN_VALUE }));
        assert.deepEqual(stackViolations(execAlertDelivery, stack), []);
    });
});

describe("the trail the alert depends on", () => {
    const trail = (props: Record<string, unknown> = {}): TestResource => ({
        type: "aws:cloudtrail/trail:Trail",
        name: "trail",
        props: { name: "trail", s3BucketName: "b", enableLogFileValidation: true, kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/t", eventSelectors: [{ includeManagementEvents: true, readWriteType: "WriteOnly" }], ...props },
    });
    const violations = (props: Record<string, unknown>) => stackViolations(execAlertTrail, [...execStack(), trail(props)]).map((v) => v.message);

    it("passes a trail that logs, validates, encrypts and records management writes (also with no selector: all events)", () => {
        assert.deepEqual(violations({}), []);
        assert.deepEqual(violations({ eventSelectors: undefined }), []);
        assert.deepEqual(violations({ eventSelectors: undefined, advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }, { field: "readOnly", equals: ["false"] }] }] }), []);
    });

    it("reports logging off, no validation, no KMS key, and management events without writes", () => {
        assert.deepEqual(violations({ enableLogging: false }), ["the trail does not log (enableLogging false): no ExecuteCommand call reaches EventBridge"]);
        assert.deepEqual(violations({ enableLogFileValidation: false }), ["the trail does not validate its log files (enableLogFileValidation)"]);
        assert.deepEqual(violations({ kmsKeyId: undefined }), ["the trail's log files are not encrypted with a KMS key (kmsKeyId)"]);
        const noWrites = "the trail records management events but not ExecuteCommand, a write event of ecs.amazonaws.com";
        assert.deepEqual(violations({ eventSelectors: [{ includeManagementEvents: true, readWriteType: "ReadOnly" }] }), [noWrites]);
        assert.deepEqual(
            violations({ eventSelectors: undefined, advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }, { field: "eventSource", notEquals: ["ecs.amazonaws.com"] }] }] }),
            [noWrites],
        );
    });

    it("leaves data-event trails and stacks that neither exec nor alert alone, and can't tell while selectors are unknown", () => {
        assert.deepEqual(violations({ enableLogFileValidation: false, eventSelectors: [{ includeManagementEvents: false, readWriteType: "All", dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3"] }] }] }), []);
        const unrelated = [trail({ enableLogging: false })];
        assert.deepEqual(stackViolations(execAlertTrail, unrelated), []);
        assert.deepEqual(violations({ enableLogging: false, eventSelectors: UNKNOWN_VALUE }), []);
        assert.deepEqual(violations({ enableLogFileValidation: UNKNOWN_VALUE, kmsKeyId: UNKNOWN_VALUE }), []);
    });

    it("judges the trail of a stack that only alerts (an organisation's audit stack)", () => {
        const auditOnly: TestResource[] = [...execStack().filter((r) => ["on-exec", "to-alerts", "alerts", "alerts-key", "oncall", "on-exec-undelivered"].includes(r.name)), trail({ kmsKeyId: undefined })];
        assert.deepEqual(stackViolations(execAlertTrail, auditOnly).map((v) => v.message), ["the trail's log files are not encrypted with a KMS key (kmsKeyId)"]);
    });
});

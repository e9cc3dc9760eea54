import { strict as assert } from "assert";
import {
    ALERT_RETRY_POLICY,
    auditChainAlerts,
    auditWatchAlerts,
    executeCommandAlerts,
    runTaskAlerts,
    runTaskNetworkAlert,
    UNDELIVERED_METRICS,
} from "../../components/audit";
import {
    alertAlarmName,
    alertRuleName,
    AUDIT_CHAIN_ALERT_IDS,
    AUDIT_WATCH_ALERT_IDS,
    deadLetterAlarmName,
} from "../../components/config";
import { AuditAlert, ExecAudit, ExecAuditArgs } from "../../components/audit/pulumi";
import { POLICY_PROPAGATION_WAIT } from "../../components/iam";
import { simulate, simulateUnvalidated } from "../support/iam";
import { TEST_CONTEXT, TEST_TAGS, underMocks, valueOf } from "../support/pulumi";

const ACCOUNT = TEST_CONTEXT.accountId;
const REGION = TEST_CONTEXT.region;
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:test-ecs-exec-alerts`;
const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/test-ecs-exec`;
const BUCKET = `test-ecs-exec-trail-${ACCOUNT}-${REGION}`;
const DEFINITIONS = [
    ...executeCommandAlerts({ clusterName: "test-ecs-exec", sessionLogGroupName: "/ecs-exec/test/sessions" }),
    ...runTaskAlerts({ family: "test-ecs-exec" }),
    runTaskNetworkAlert({ family: "test-ecs-exec", subnetIds: ["subnet-0a1b2c3d4e5f60711"], securityGroupId: "sg-0123456789abcdef0", assignPublicIp: false }),
];
/** The network alert's definition arrives later, as in the program (it names the exec network's ids). */
const ALERTS: AuditAlert[] = DEFINITIONS.map((definition) => ({
    id: definition.id,
    definition: definition.id === "run-task-network" ? Promise.resolve(definition) : definition,
}));
/** Every alert the component declares: those it is given, then the chain's watch. */
const ALL_IDS = [...ALERTS.map((alert) => alert.id), ...AUDIT_CHAIN_ALERT_IDS, ...AUDIT_WATCH_ALERT_IDS];
const ruleName = (id: string) => alertRuleName("test", id);
const alarmName = (id: string) => alertAlarmName("test", id);
const definitionOf = (alert: AuditAlert) => DEFINITIONS.find((definition) => definition.id === alert.id)!;
const ALARM_ARN = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${alarmName(ALERTS[0].id)}`;
const SESSION_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b6a2b8e-1d55-4a0e-9f3b-4b1f8a6c2d10`;
const DEVELOPER_POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/test-ecs-exec-developer`;
const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:test-ecs-exec-alerts-dead-letters`;
/** The stack's audit administrators: the deploy role of CI and Identity Center's administrators, in any home region. */
const ADMINS = [`arn:aws:iam::${ACCOUNT}:role/ci/github-deploy-test`, `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_AdministratorAccess_*`];
/** A principal of each entry of ADMINS: the deploy role itself, and an Identity Center administrator the wildcard admits. */
const ADMINISTRATORS = [ADMINS[0], `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef`];

function args(changes: Partial<ExecAuditArgs> = {}): ExecAuditArgs {
    return {
        context: TEST_CONTEXT,
        environment: "test",
        cloudTrail: "create",
        trailRetentionDays: 400,
        trailName: "test-ecs-exec",
        topicName: "test-ecs-exec-alerts",
        keyAlias: "alias/test-ecs-exec-audit",
        deadLetterQueueName: "test-ecs-exec-alerts-dead-letters",
        alerts: ALERTS,
        watched: {
            sessionLogGroupName: "/ecs-exec/test/sessions",
            transcriptBucketName: "test-ecs-exec-transcripts-111122223333",
            sessionKeyArn: SESSION_KEY_ARN,
            clusterName: "test-ecs-exec",
            developerPolicyArn: DEVELOPER_POLICY_ARN,
        },
        adminPrincipalArns: ADMINS,
        protectAuditData: false,
        alertEmails: ["oncall@example.com", "security@example.com"],
        tags: TEST_TAGS,
        ...changes,
    };
}

async function build(changes: Partial<ExecAuditArgs> = {}) {
    const { built, registered } = await underMocks(() => new ExecAudit("audit", args(changes)));
    return {
        audit: built,
        registered,
        one: (type: string, name?: string) => registered.one(type, name).inputs as any,
        keyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${registered.idOf(registered.one("aws:kms/key:Key"))}`,
        keyId: registered.idOf(registered.one("aws:kms/key:Key")),
    };
}

/** One build of the defaults, shared by the tests that only read it. */
let defaults: ReturnType<typeof build> | undefined;
const built = () => (defaults ??= build());

const ADMINISTRATOR = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

describe("ExecAudit", () => {
    describe("alert path", () => {
        it("gives every alert a rule on the default bus with its pattern, named as names.ts says, in order, then the chain's watch", async () => {
            const { registered, audit, keyId } = await built();
            const rules = registered.ofType("aws:cloudwatch/eventRule:EventRule");
            const chain = auditChainAlerts({
                namePrefix: "test-ecs-exec-",
                trail: { name: "test-ecs-exec", arn: TRAIL_ARN },
                topicArn: TOPIC_ARN,
                sessionLogGroup: { name: "/ecs-exec/test/sessions", arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ecs-exec/test/sessions` },
                transcriptBucketName: "test-ecs-exec-transcripts-111122223333",
                keys: [
                    { id: keyId, arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}` },
                    { id: "0b6a2b8e-1d55-4a0e-9f3b-4b1f8a6c2d10", arn: SESSION_KEY_ARN },
                ],
                cluster: { name: "test-ecs-exec", arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/test-ecs-exec` },
                developerPolicyArn: DEVELOPER_POLICY_ARN,
            });
            const watch = auditWatchAlerts(AUDIT_CHAIN_ALERT_IDS.map(ruleName));
            const definitions = [...ALERTS.map(definitionOf), ...chain, ...watch];
            // Registered as their patterns resolve: compared by name.
            const byName = (rows: [string, ...unknown[]][]) => rows.sort(([a], [b]) => a.localeCompare(b));
            assert.deepEqual(
                byName(rules.map((rule) => [rule.name, rule.inputs.name, rule.inputs.eventBusName, JSON.parse(rule.inputs.eventPattern as string)])),
                byName(definitions.map((d) => [`audit-${d.id}-rule`, ruleName(d.id), undefined, d.eventPattern])),
            );
            assert.deepEqual(await valueOf(audit.ruleNames), ALL_IDS.map(ruleName));
            assert.deepEqual(await valueOf(audit.watchRuleNames), [...AUDIT_CHAIN_ALERT_IDS, ...AUDIT_WATCH_ALERT_IDS].map(ruleName));
        });

        it("sends each rule's events to the topic through its own input transformer, once the topic policy is in place", async () => {
            const { registered, audit } = await built();
            const policyUrn = registered.one("aws:sns/topicPolicy:TopicPolicy").urn;
            for (const alert of ALERTS) {
                const target = registered.one("aws:cloudwatch/eventTarget:EventTarget", `audit-${alert.id}-target`);
                assert.equal(target.inputs.rule, ruleName(alert.id));
                assert.equal(target.inputs.arn, await valueOf(audit.topicArn));
                assert.equal((target.inputs as any).roleArn, undefined, "no role for an encrypted topic (EventBridge User Guide)");
                assert.deepEqual(target.inputs.inputTransformer, {
                    inputPaths: definitionOf(alert).inputPaths,
                    inputTemplate: definitionOf(alert).inputTemplate,
                });
                assert.ok(target.dependencies.includes(policyUrn), "depends on the topic policy");
            }
        });

        it("retries every alert for minutes, not a day, then keeps it in the dead-letter queue", async () => {
            const { registered } = await built();
            const queue = registered.one("aws:sqs/queue:Queue");
            const targets = registered.ofType("aws:cloudwatch/eventTarget:EventTarget");
            assert.equal(targets.length, ALL_IDS.length);
            for (const target of targets) {
                const { retryPolicy, deadLetterConfig } = target.inputs as any;
                assert.deepEqual(retryPolicy, ALERT_RETRY_POLICY, target.name);
                // EventBridge's bounds: 60 s to 24 h of event age (EventBridge API reference, RetryPolicy).
                assert.ok(retryPolicy.maximumEventAgeInSeconds >= 60 && retryPolicy.maximumEventAgeInSeconds <= 900);
                assert.equal(deadLetterConfig.arn, QUEUE_ARN);
                assert.ok(target.propertyDependencies.deadLetterConfig?.includes(queue.urn));
            }
        });

        /**
         * Whether an alarm goes to ALARM for the sums of its metric over its last evaluation periods (undefined: no
         * data), as CloudWatch evaluates a static threshold (CloudWatch User Guide, "Alarm evaluation").
         */
        function alarms(alarm: any, sums: (number | undefined)[]): boolean {
            const compare: Record<string, (v: number) => boolean> = {
                GreaterThanThreshold: (v) => v > alarm.threshold,
                GreaterThanOrEqualToThreshold: (v) => v >= alarm.threshold,
            };
            const recent = sums.slice(-alarm.evaluationPeriods);
            const missing = { breaching: true, notBreaching: false } as Record<string, boolean>;
            return recent.every((sum) => (sum === undefined ? missing[alarm.treatMissingData] ?? false : compare[alarm.comparisonOperator](sum)));
        }

        /** The alarm's one returned expression, evaluated on the metrics' sums (undefined: no data) as CloudWatch does. */
        function undelivered(alarm: any, sums: Record<string, number | undefined>): number | undefined {
            const returned = alarm.metricQueries.filter((q: any) => q.returnData);
            assert.equal(returned.length, 1, "one expression the alarm judges");
            const terms = returned[0].expression.split(" + ").map((term: string) => /^FILL\((m\d+), 0\)$/.exec(term)![1]);
            const metric = (id: string) => alarm.metricQueries.find((q: any) => q.id === id).metric.metricName;
            return terms.reduce((total: number, id: string) => total + (sums[metric(id)] ?? 0), 0);
        }

        it("raises an alarm to the same topic on any event a rule did not deliver within five minutes", async () => {
            const { registered, audit } = await built();
            const topicArn = await valueOf(audit.topicArn);
            for (const id of ALL_IDS) {
                const alarm = registered.one("aws:cloudwatch/metricAlarm:MetricAlarm", `audit-${id}-alarm`).inputs as any;
                assert.equal(alarm.name, alarmName(id));
                // EventBridge's counts of events a rule did not deliver (EventBridge User Guide, "Monitoring").
                for (const query of alarm.metricQueries.filter((q: any) => q.metric)) {
                    assert.deepEqual([query.metric.namespace, query.metric.dimensions, query.metric.stat], ["AWS/Events", { RuleName: ruleName(id) }, "Sum"]);
                    assert.equal(query.metric.period * alarm.evaluationPeriods, 300, "judged on the last five minutes");
                }
                for (const metric of UNDELIVERED_METRICS) {
                    assert.equal(alarms(alarm, [undelivered(alarm, { [metric]: 1 })]), true, `one ${metric}`);
                }
                assert.equal(alarms(alarm, [undelivered(alarm, { FailedInvocations: 0, Invocations: 5 } as any)]), false, "none undelivered");
                assert.equal(alarms(alarm, [undelivered(alarm, {})]), false, "no events at all: FILL gives 0");
                assert.deepEqual(alarm.alarmActions, [topicArn]);
                assert.match(alarm.alarmDescription, new RegExp(`${ruleName(id)} did not deliver.*Check first`));
            }
            assert.deepEqual(await valueOf(audit.alarmNames), [...ALL_IDS.map(alarmName), deadLetterAlarmName("test")]);
        });

        it("raises an alarm when the dead-letter queue holds any message", async () => {
            const { one, audit } = await built();
            const alarm = one("aws:cloudwatch/metricAlarm:MetricAlarm", "audit-dead-letters-alarm");
            assert.equal(alarm.name, "test-ecs-exec-alerts-dead-letters");
            assert.deepEqual([alarm.namespace, alarm.metricName, alarm.dimensions], ["AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: "test-ecs-exec-alerts-dead-letters" }]);
            assert.equal(alarms(alarm, [1]), true);
            assert.equal(alarms(alarm, [0]), false);
            assert.deepEqual(alarm.alarmActions, [await valueOf(audit.topicArn)]);
        });

        it("keeps undelivered alerts two weeks in a queue encrypted with the audit key", async () => {
            const { one, keyArn, audit } = await built();
            const queue = one("aws:sqs/queue:Queue");
            assert.equal(queue.name, "test-ecs-exec-alerts-dead-letters");
            assert.equal(queue.kmsMasterKeyId, keyArn);
            assert.equal(queue.messageRetentionSeconds, 14 * 24 * 3600);
            assert.equal(await valueOf(audit.deadLetterQueueUrl), `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/test-ecs-exec-alerts-dead-letters`);
        });

        it("encrypts the topic with its own rotating customer-managed key", async () => {
            const { one, keyArn } = await built();
            assert.equal(one("aws:sns/topic:Topic").kmsMasterKeyId, keyArn);
            assert.equal(one("aws:kms/key:Key").enableKeyRotation, true);
            assert.equal(one("aws:kms/alias:Alias").name, "alias/test-ecs-exec-audit");
        });

        describe("e-mail subscriptions", () => {
            const subscriptions = async (alertEmails: string[]) =>
                (await build({ alertEmails })).registered
                    .ofType("aws:sns/topicSubscription:TopicSubscription")
                    .map((s) => [s.urn, s.inputs.protocol, s.inputs.endpoint, s.inputs.topic]);

            it("subscribes every alert address by e-mail", async () => {
                assert.deepEqual(
                    (await subscriptions(["oncall@example.com", "security@example.com"])).map(([, ...rest]) => rest),
                    [
                        ["email", "oncall@example.com", TOPIC_ARN],
                        ["email", "security@example.com", TOPIC_ARN],
                    ],
                );
            });

            it("names each by its address: reordering keeps every subscription, removing one touches no other", async () => {
                const before = await subscriptions(["oncall@example.com", "security@example.com", "platform@example.com"]);
                const reordered = await subscriptions(["platform@example.com", "oncall@example.com", "security@example.com"]);
                assert.deepEqual(new Set(reordered.map((s) => JSON.stringify(s))), new Set(before.map((s) => JSON.stringify(s))));
                const removed = await subscriptions(["oncall@example.com", "platform@example.com"]);
                assert.deepEqual(removed, before.filter(([, , endpoint]) => endpoint !== "security@example.com"));
            });
        });

        describe("topic policy, evaluated", () => {
            const publish = async (principal: string, context: Record<string, string> = {}, otherPolicies: Record<string, unknown> = {}) => {
                const { one } = await built();
                return simulate({
                    principal,
                    action: "sns:Publish",
                    resource: TOPIC_ARN,
                    context,
                    identityPolicies: otherPolicies,
                    resourcePolicy: JSON.parse(one("aws:sns/topicPolicy:TopicPolicy").policy),
                });
            };

            it("lets EventBridge publish with the empty request context it sends, as with a service flag", async () => {
                for (const context of [{}, { "aws:PrincipalIsAWSService": "true" }] as Record<string, string>[]) {
                    const result = await publish("events.amazonaws.com", context);
                    assert.equal(result.decision, "Allowed", JSON.stringify(context));
                    assert.deepEqual(result.allowedBy, ["resource/EventBridgeRulesPublish"]);
                }
            });

            it("lets CloudWatch publish for this stack's alarms only", async () => {
                for (const name of [...ALL_IDS.map(alarmName), deadLetterAlarmName("test")]) {
                    const sourceArn = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;
                    const result = await publish("cloudwatch.amazonaws.com", { "aws:SourceArn": sourceArn, "aws:PrincipalIsAWSService": "true" });
                    assert.equal(result.decision, "Allowed", name);
                    assert.deepEqual(result.allowedBy, ["resource/ThisStacksAlarmsPublish"]);
                }
                const other = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:someone-elses-alarm`;
                assert.equal((await publish("cloudwatch.amazonaws.com", { "aws:SourceArn": other })).decision, "ImplicitlyDenied");
                assert.equal((await publish("cloudwatch.amazonaws.com")).decision, "ImplicitlyDenied");
            });

            it("refuses a role of another account, even one allowed to publish anywhere", async () => {
                const result = await publish("arn:aws:iam::444455556666:role/eventbridge-cross-account", { "aws:PrincipalIsAWSService": "false" }, {
                    AdministratorAccess: ADMINISTRATOR,
                });
                assert.equal(result.decision, "ExplicitlyDenied");
                assert.deepEqual(result.deniedBy, ["resource/NobodyElsePublishes"]);
            });

            it("refuses anyone of the account, even an administrator (no forged alert, no all-clear)", async () => {
                const result = await publish(`arn:aws:iam::${ACCOUNT}:user/mallory`, { "aws:PrincipalIsAWSService": "false" }, {
                    AdministratorAccess: ADMINISTRATOR,
                });
                assert.equal(result.decision, "ExplicitlyDenied");
                assert.deepEqual(result.deniedBy, ["resource/NobodyElsePublishes"]);
            });

            it("lets no other service publish", async () => {
                assert.equal((await publish("s3.amazonaws.com", { "aws:PrincipalIsAWSService": "true" })).decision, "ImplicitlyDenied");
            });

            const change = async (action: string, principalArn: string) => {
                const { one } = await built();
                // A role session: IAM sees its role, path included, as aws:PrincipalArn.
                const session = principalArn.replace(/^arn:aws:iam::(\d+):role\/(?:.*\/)?([^/]+)$/, "arn:aws:sts::$1:assumed-role/$2/someone");
                return simulate({
                    principal: session,
                    action,
                    resource: TOPIC_ARN,
                    context: { "aws:PrincipalArn": principalArn },
                    identityPolicies: { AdministratorAccess: ADMINISTRATOR },
                    resourcePolicy: JSON.parse(one("aws:sns/topicPolicy:TopicPolicy").policy),
                });
            };
            const TOPIC_CHANGES = ["sns:SetTopicAttributes", "sns:Subscribe", "sns:DeleteTopic", "sns:AddPermission", "sns:RemovePermission", "sns:PutDataProtectionPolicy"];

            it("lets only the audit administrators change the topic or subscribe to it: each of them, for a later pulumi up too", async () => {
                for (const admin of ADMINISTRATORS) {
                    for (const action of TOPIC_CHANGES) {
                        assert.equal((await change(action, admin)).decision, "Allowed", `${admin} ${action}`);
                    }
                }
            });

            it("refuses every other principal of the account those changes, administrators included", async () => {
                for (const other of [`arn:aws:iam::${ACCOUNT}:role/platform-admin`, `arn:aws:iam::${ACCOUNT}:role/github-deploy-test`, `arn:aws:iam::${ACCOUNT}:user/mallory`]) {
                    for (const action of TOPIC_CHANGES) {
                        const result = await change(action, other);
                        assert.equal(result.decision, "ExplicitlyDenied", `${other} ${action}`);
                        assert.deepEqual(result.deniedBy, ["resource/OnlyAuditAdministratorsChangeTheTopic"]);
                    }
                }
            });
        });

        describe("dead-letter queue policy, evaluated", () => {
            const ask = async (principal: string, action: string, context: Record<string, string>, identity: Record<string, unknown> = {}) => {
                const { one } = await built();
                return simulate({ principal, action, resource: QUEUE_ARN, context, identityPolicies: identity, resourcePolicy: JSON.parse(one("aws:sqs/queuePolicy:QueuePolicy").policy) });
            };
            const ruleArn = (name: string) => `arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}`;

            it("lets EventBridge send for every rule of the stack", async () => {
                for (const id of ALL_IDS) {
                    const result = await ask("events.amazonaws.com", "sqs:SendMessage", { "aws:SourceArn": ruleArn(ruleName(id)) });
                    assert.equal(result.decision, "Allowed", id);
                    assert.deepEqual(result.allowedBy, ["resource/ThisStacksRulesSendUndeliveredEvents"]);
                }
            });

            it("refuses another rule, and anyone else, even an administrator", async () => {
                assert.equal((await ask("events.amazonaws.com", "sqs:SendMessage", { "aws:SourceArn": ruleArn("someone-elses-rule") })).decision, "ExplicitlyDenied");
                const mallory = await ask(`arn:aws:iam::${ACCOUNT}:user/mallory`, "sqs:SendMessage", { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:user/mallory` }, { AdministratorAccess: ADMINISTRATOR });
                assert.equal(mallory.decision, "ExplicitlyDenied");
            });

            it("lets only the audit administrators drop what it holds or change it", async () => {
                for (const action of ["sqs:PurgeQueue", "sqs:DeleteMessage", "sqs:SetQueueAttributes", "sqs:DeleteQueue"]) {
                    const admin = await ask(`arn:aws:sts::${ACCOUNT}:assumed-role/github-deploy-test/ci`, action, { "aws:PrincipalArn": ADMINS[0] }, { AdministratorAccess: ADMINISTRATOR });
                    assert.equal(admin.decision, "Allowed", action);
                    const other = await ask(`arn:aws:sts::${ACCOUNT}:assumed-role/platform-admin/x`, action, { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/platform-admin` }, { AdministratorAccess: ADMINISTRATOR });
                    assert.equal(other.decision, "ExplicitlyDenied", action);
                }
            });
        });

        describe("audit key policy, evaluated", () => {
            const use = async (principal: string, action: string, context: Record<string, string> = {}, identity: Record<string, unknown> = {}) => {
                const { one, keyArn } = await built();
                return simulate({ principal, action, resource: keyArn, context, identityPolicies: identity, resourcePolicy: JSON.parse(one("aws:kms/key:Key").policy) });
            };

            it("lets EventBridge encrypt messages for the topic", async () => {
                for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
                    const result = await use("events.amazonaws.com", action);
                    assert.equal(result.decision, "Allowed", action);
                    assert.deepEqual(result.allowedBy, ["resource/EventBridgePublishesToTheEncryptedTopic"]);
                }
            });

            it("lets CloudWatch encrypt messages for this stack's alarms, and refuses it another alarm's", async () => {
                for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
                    const result = await use("cloudwatch.amazonaws.com", action, { "aws:SourceArn": ALARM_ARN });
                    assert.equal(result.decision, "Allowed", action);
                    assert.deepEqual(result.allowedBy, ["resource/ThisStacksAlarmsPublishToTheEncryptedTopic"]);
                    // AWS does not document aws:SourceArn on the KMS requests made for CloudWatch's publish: the alarm
                    // must reach its topic either way (the topic policy, where it is documented, picks the alarms).
                    assert.equal((await use("cloudwatch.amazonaws.com", action)).decision, "Allowed", `${action} without aws:SourceArn`);
                }
                const other = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:someone-elses-alarm`;
                assert.equal((await use("cloudwatch.amazonaws.com", "kms:GenerateDataKey", { "aws:SourceArn": other })).decision, "ImplicitlyDenied");
            });

            it("lets no other service, and nobody outside the account, use it", async () => {
                assert.equal((await use("s3.amazonaws.com", "kms:GenerateDataKey")).decision, "ImplicitlyDenied");
                const grant = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] };
                assert.equal((await use("arn:aws:iam::444455556666:role/intruder", "kms:Decrypt", {}, { grant })).decision, "ImplicitlyDenied");
            });

            /** A role session of the account, as KMS sees it: aws:PrincipalArn names its role, path included. */
            const asRole = (roleArn: string, action: string) =>
                use(roleArn.replace(/^arn:aws:iam::(\d+):role\/(?:.*\/)?([^/]+)$/, "arn:aws:sts::$1:assumed-role/$2/someone"), action, { "aws:PrincipalArn": roleArn }, { AdministratorAccess: ADMINISTRATOR });
            // Each would silence the alert of the call itself: the topic, the dead-letter queue and the alarms encrypt with this key.
            const KEY_CHANGES = ["kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"];

            it("refuses every administrator of the account but the audit administrators disabling, deleting or re-policying it", async () => {
                for (const other of [`arn:aws:iam::${ACCOUNT}:role/platform-admin`, `arn:aws:iam::${ACCOUNT}:role/github-deploy-test`]) {
                    for (const action of KEY_CHANGES) {
                        const result = await asRole(other, action);
                        assert.equal(result.decision, "ExplicitlyDenied", `${other} ${action}`);
                        assert.deepEqual(result.deniedBy, ["resource/OnlyAuditAdministratorsDisableDeleteOrChangeTheKey"]);
                    }
                }
                const mallory = await use(`arn:aws:iam::${ACCOUNT}:user/mallory`, "kms:ScheduleKeyDeletion", { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:user/mallory` }, { AdministratorAccess: ADMINISTRATOR });
                assert.equal(mallory.decision, "ExplicitlyDenied");
            });

            it("lets each audit administrator do so, the deployer keeping PutKeyPolicy as KMS's lockout check demands", async () => {
                for (const admin of ADMINISTRATORS) {
                    for (const action of KEY_CHANGES) {
                        assert.equal((await asRole(admin, action)).decision, "Allowed", `${admin} ${action}`);
                    }
                }
            });

            it("denies nothing else: any administrator may still enable it, cancel its deletion, grant and use it", async () => {
                for (const action of ["kms:EnableKey", "kms:CancelKeyDeletion", "kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey"]) {
                    const result = await asRole(`arn:aws:iam::${ACCOUNT}:role/platform-admin`, action);
                    assert.equal(result.decision, "Allowed", action);
                    assert.deepEqual(result.deniedBy, [], action);
                }
            });

            it("keeps the services' use of it with the deny in place", async () => {
                for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
                    assert.equal((await use("events.amazonaws.com", action)).decision, "Allowed", `EventBridge ${action}`);
                    assert.equal((await use("cloudwatch.amazonaws.com", action, { "aws:SourceArn": ALARM_ARN })).decision, "Allowed", `CloudWatch ${action}`);
                }
                const { one } = await built();
                const deny = JSON.parse(one("aws:kms/key:Key").policy).Statement.find((s: any) => s.Effect === "Deny");
                assert.deepEqual(deny.Action, KEY_CHANGES, "no action a service calls to encrypt, and not CreateGrant");
                assert.deepEqual(deny.Condition, { ArnNotLike: { "aws:PrincipalArn": ADMINS } });
            });

            it("lets CloudTrail encrypt log files of this trail only", async () => {
                const { one, keyArn } = await built();
                const asCloudTrail = (sourceArn: string) =>
                    simulateUnvalidated({
                        principal: "cloudtrail.amazonaws.com",
                        action: "kms:GenerateDataKey",
                        resource: keyArn,
                        context: { "aws:SourceArn": sourceArn, "kms:EncryptionContext:aws:cloudtrail:arn": sourceArn },
                        identityPolicies: {},
                        resourcePolicy: JSON.parse(one("aws:kms/key:Key").policy),
                    });
                assert.equal(asCloudTrail(TRAIL_ARN), "Allowed");
                assert.equal(asCloudTrail(`arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/another-trail`), "ImplicitlyDenied");
            });
        });
    });

    describe("with cloudTrail: create", () => {
        it("creates a trail of this region's management write events with log file validation, KMS-encrypted", async () => {
            const { one, keyArn, audit } = await built();
            const trail = one("aws:cloudtrail/trail:Trail");
            assert.equal(trail.name, "test-ecs-exec");
            assert.equal(trail.s3BucketName, BUCKET);
            assert.equal(trail.enableLogFileValidation, true);
            assert.equal(trail.kmsKeyId, keyArn);
            assert.deepEqual(trail.eventSelectors, [{ readWriteType: "WriteOnly", includeManagementEvents: true }]);
            assert.equal(await valueOf(audit.trailName), "test-ecs-exec");
        });

        it("gives the trail a private, encrypted bucket that forgets logs after the configured days", async () => {
            const { one } = await built();
            assert.equal(one("aws:s3/bucket:Bucket").bucket, BUCKET);
            const block = one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
            for (const setting of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
                assert.equal(block[setting], true, setting);
            }
            assert.deepEqual(one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").rule, { objectOwnership: "BucketOwnerEnforced" });
            const encryption = one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
            assert.equal(encryption.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
            const lifecycle = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
            assert.equal(lifecycle.rules[0].expiration.days, 400);
            assert.equal(lifecycle.rules[0].status, "Enabled");
        });

        it("creates the trail only after its bucket and key policies have had time to propagate, and again on a change", async () => {
            // CreateTrail fails with InsufficientS3BucketPolicyException or InsufficientEncryptionPolicyException until
            // they have, and the provider does not retry those.
            const { registered } = await build();
            const wait = registered.one("time:index/sleep:Sleep");
            const bucketPolicy = registered.one("aws:s3/bucketPolicy:BucketPolicy");
            const key = registered.one("aws:kms/key:Key");
            assert.equal(wait.inputs.createDuration, POLICY_PROPAGATION_WAIT);
            const triggers = wait.inputs.triggers as Record<string, string>;
            assert.equal(triggers.bucketPolicy, bucketPolicy.inputs.policy);
            assert.equal(triggers.keyPolicy, key.inputs.policy);
            assert.deepEqual(wait.propertyDependencies.triggers, [bucketPolicy.urn, key.urn].sort());
            assert.ok(registered.one("aws:cloudtrail/trail:Trail").dependencies.includes(wait.urn));
        });

        describe("bucket policy, evaluated", () => {
            const ask = async (action: string, resource: string, context: Record<string, string>, principal = "cloudtrail.amazonaws.com") => {
                const { one } = await built();
                return simulate({ principal, action, resource, context, identityPolicies: {}, resourcePolicy: JSON.parse(one("aws:s3/bucketPolicy:BucketPolicy").policy) });
            };
            const logFile = `arn:aws:s3:::${BUCKET}/AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/03/14/log.json.gz`;
            const tls = { "aws:SecureTransport": "true" };

            it("lets this trail check the bucket and write this account's log files", async () => {
                const check = await ask("s3:GetBucketAcl", `arn:aws:s3:::${BUCKET}`, { ...tls, "aws:SourceArn": TRAIL_ARN });
                assert.equal(check.decision, "Allowed");
                const write = await ask("s3:PutObject", logFile, { ...tls, "aws:SourceArn": TRAIL_ARN, "s3:x-amz-acl": "bucket-owner-full-control" });
                assert.equal(write.decision, "Allowed");
                assert.deepEqual(write.allowedBy, ["resource/CloudTrailWritesThisAccountsLogs"]);
            });

            it("refuses another trail, and any access over plain HTTP", async () => {
                const other = `arn:aws:cloudtrail:${REGION}:444455556666:trail/theirs`;
                assert.equal((await ask("s3:PutObject", logFile, { ...tls, "aws:SourceArn": other, "s3:x-amz-acl": "bucket-owner-full-control" })).decision, "ImplicitlyDenied");
                const insecure = await ask("s3:PutObject", logFile, { "aws:SecureTransport": "false", "aws:SourceArn": TRAIL_ARN, "s3:x-amz-acl": "bucket-owner-full-control" });
                assert.equal(insecure.decision, "ExplicitlyDenied");
            });
        });
    });

    describe("with cloudTrail: existing", () => {
        it("creates no trail, no bucket, and no CloudTrail grant on the key", async () => {
            const { registered, one, audit } = await build({ cloudTrail: "existing" });
            assert.equal(registered.ofType("aws:cloudtrail/trail:Trail").length, 0);
            assert.equal(registered.all.filter((r) => r.type.startsWith("aws:s3/")).length, 0);
            assert.equal(registered.ofType("time:index/sleep:Sleep").length, 0, "nothing to wait for");
            const sids = JSON.parse(one("aws:kms/key:Key").policy).Statement.map((s: any) => s.Sid);
            assert.deepEqual(sids, [
                "AccountAdministersKeyThroughIam",
                "EventBridgePublishesToTheEncryptedTopic",
                "ThisStacksAlarmsPublishToTheEncryptedTopic",
                "OnlyAuditAdministratorsDisableDeleteOrChangeTheKey",
            ]);
            assert.equal(await valueOf(audit.trailName), undefined);
        });

        it("still alerts: rules, targets, alarms, topic and subscriptions", async () => {
            const { registered } = await build({ cloudTrail: "existing" });
            for (const type of ["aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch/eventTarget:EventTarget", "aws:cloudwatch/metricAlarm:MetricAlarm"]) {
                assert.equal(registered.ofType(type).length, ALL_IDS.length + (type.endsWith("MetricAlarm") ? 1 : 0), type);
            }
            for (const type of ["aws:sns/topic:Topic", "aws:sns/topicPolicy:TopicPolicy"]) {
                assert.equal(registered.ofType(type).length, 1, type);
            }
            assert.equal(registered.ofType("aws:sns/topicSubscription:TopicSubscription").length, 2);
        });
    });
});

describe("ExecAudit keeps the audit's data when the stack goes", () => {
    const options = async (protectAuditData: boolean) =>
        Object.fromEntries((await build({ protectAuditData })).registered.all.filter((r) => r.custom).map((r) => [r.name, [r.retainOnDelete, r.protect]]));
    const KEPT = [
        "audit-key",
        "audit-key-alias",
        "audit-trail-bucket",
        "audit-trail-bucket-public-access",
        "audit-trail-bucket-ownership",
        "audit-trail-bucket-encryption",
        "audit-trail-bucket-lifecycle",
        "audit-trail-bucket-policy",
    ];

    it("keeps the audit key, its alias and the trail's bucket (private, encrypted, expiring) on delete, and nothing else", async () => {
        const found = await options(false);
        assert.deepEqual(Object.keys(found).filter((name) => found[name][0]).sort(), [...KEPT].sort());
        assert.deepEqual(Object.keys(found).filter((name) => found[name][1]), [], "protected only on request");
    });

    it("with protectAuditData, also protects the key and the bucket", async () => {
        const found = await options(true);
        assert.deepEqual(Object.keys(found).filter((name) => found[name][1]).sort(), ["audit-key", "audit-trail-bucket"]);
    });
});

/**
 * The audit chain watches itself: every CloudTrail record of a change to one of its links, successful or refused,
 * reaches exactly one of the stack's alerts, a tamper alert whose message names who and what; the exec alerts keep
 * their own events. Run on the rules and targets `npm run synth` declares for both stacks.
 *
 * The records follow CloudTrail's shape (the ExecuteCommand fixture's envelope, cli/doctor/events.ts) with each API's
 * request members as `requestParameters`, first letter lower-cased, as real records of these calls show them
 * (EventBridge PutRule and DeleteRule, CloudTrail StopLogging and PutEventSelectors, SNS DeleteTopic, Subscribe and
 * Unsubscribe, CloudWatch DeleteAlarms and PutMetricAlarm, Logs DeleteLogGroup, KMS DisableKey, ScheduleKeyDeletion,
 * PutKeyPolicy and CreateGrant, ECS DeleteCluster, IAM AttachRolePolicy and UpdateAssumeRolePolicy: AWS user guides'
 * CloudTrail examples and public detection-rule fixtures). A refused call carries `errorCode` and no response, and
 * may carry no request at all (`requestParameters: null`, seen in AccessDenied records).
 */
import { strict as assert } from "assert";
import { auditChainAlerts } from "../../components/audit";
import {
    AUDIT_CHAIN_ALERT_IDS,
    AUDIT_WATCH_ALERT_IDS,
    ENVIRONMENT_MAX_LENGTH,
    execNames,
    transcriptBucketName,
    watchedNamePrefix,
} from "../../components/config";
import type { EventPattern } from "../../components/audit";
import { auditChainCall, ChainCall, CloudTrailEvent, Where } from "../../cli/doctor/events";
import { executeCommandEvent, runTaskEvent } from "../support/cloudTrail";
import { matches } from "../support/eventPattern";
import { render } from "../support/inputTransformer";
import { synthStack } from "../support/synthRun";
import { SynthResult } from "../../synth/synth";
import { TEST_ACCOUNT_ID } from "../../synth/mocks";

/** The stack's alert rules, each with its pattern and its target's input transformer. */
interface Rule {
    name: string;
    pattern: EventPattern;
    inputPaths: Record<string, string>;
    inputTemplate: string;
}

function rulesOf(result: SynthResult): Rule[] {
    const targets = result.resources.filter((r) => r.type === "aws:cloudwatch/eventTarget:EventTarget");
    return result.resources
        .filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule")
        .map((r) => {
            const target = targets.find((t) => t.inputs.rule === r.inputs.name)!.inputs.inputTransformer as any;
            return { name: r.inputs.name as string, pattern: JSON.parse(r.inputs.eventPattern as string), ...target };
        });
}

/** What a stack's chain is made of, read from the synth (the keys by what references them). */
function linksOf(result: SynthResult) {
    const o = result.outputs as Record<string, any>;
    const input = (type: string, name: string) => result.resources.find((r) => r.type === type && r.name === name)!.inputs as any;
    const auditKeyArn: string = input("aws:sns/topic:Topic", "exec-audit-topic").kmsMasterKeyId;
    const names = execNames(o.stack);
    return {
        names,
        region: o.region as string,
        rules: o.alertRuleNames as string[],
        alarms: o.alertAlarmNames as string[],
        trail: o.cloudTrail === "create" ? names.trail : "organization-trail",
        topicArn: o.alertTopicArn as string,
        logGroupArn: `arn:aws:logs:${o.region}:${TEST_ACCOUNT_ID}:log-group:${names.sessionLogGroup}`,
        keys: [o.kmsKeyArn as string, auditKeyArn],
        clusterArn: o.clusterArn as string,
        policyArn: o.developerPolicyArn as string,
        roles: [names.taskRole, names.executionRole, names.developerRole],
        bucket: o.transcriptBucketName as string,
    };
}
type Links = ReturnType<typeof linksOf>;

/** A call on a link: the service, the call, and its request naming the stack's resource. */
type Change = Omit<ChainCall, "error">;

/** Every call of the list, on this stack's links, in the request shapes each API takes. */
function changes(l: Links): Change[] {
    const rule = l.rules.find((name) => name.endsWith("-execute-command"))!;
    const alarm = l.alarms[0];
    const [sessionKey, auditKey] = l.keys;
    const subscription = `${l.topicArn}:5e1d5a0e-6b3c-4c7a-9b1e-2f3a4b5c6d7e`;
    const events = (eventName: string, requestParameters: Record<string, unknown>): Change => ({ service: "events", eventName, requestParameters });
    return [
        events("DisableRule", { name: rule }),
        events("DeleteRule", { name: rule, force: false, eventBusName: "default" }),
        events("PutRule", { name: rule, eventPattern: "{\"source\":[\"aws.none\"]}", state: "ENABLED" }),
        events("RemoveTargets", { rule, ids: ["1"], force: false }),
        events("PutTargets", { rule, targets: [{ id: "1", arn: "arn:aws:sns:us-east-1:444455556666:elsewhere" }] }),
        { service: "cloudtrail", eventName: "StopLogging", requestParameters: { name: l.trail } },
        { service: "cloudtrail", eventName: "StopLogging", requestParameters: { name: `arn:aws:cloudtrail:${l.region}:${TEST_ACCOUNT_ID}:trail/${l.trail}` } },
        { service: "cloudtrail", eventName: "DeleteTrail", requestParameters: { name: l.trail } },
        { service: "cloudtrail", eventName: "UpdateTrail", requestParameters: { name: l.trail, isMultiRegionTrail: false } },
        { service: "cloudtrail", eventName: "PutEventSelectors", requestParameters: { trailName: l.trail, eventSelectors: [{ readWriteType: "ReadOnly" }] } },
        { service: "cloudtrail", eventName: "PutInsightSelectors", requestParameters: { trailName: l.trail, insightSelectors: [] } },
        { service: "sns", eventName: "SetTopicAttributes", requestParameters: { topicArn: l.topicArn, attributeName: "Policy", attributeValue: "{}" } },
        { service: "sns", eventName: "DeleteTopic", requestParameters: { topicArn: l.topicArn } },
        { service: "sns", eventName: "AddPermission", requestParameters: { topicArn: l.topicArn, label: "x", aWSAccountId: ["444455556666"], actionName: ["Publish"] } },
        { service: "sns", eventName: "RemovePermission", requestParameters: { topicArn: l.topicArn, label: "x" } },
        { service: "sns", eventName: "Subscribe", requestParameters: { topicArn: l.topicArn, protocol: "email", endpoint: "mallory@example.net", returnSubscriptionArn: false } },
        { service: "sns", eventName: "Unsubscribe", requestParameters: { subscriptionArn: subscription } },
        { service: "sns", eventName: "SetSubscriptionAttributes", requestParameters: { subscriptionArn: subscription, attributeName: "FilterPolicy", attributeValue: "{\"x\":[\"y\"]}" } },
        { service: "monitoring", eventName: "DisableAlarmActions", requestParameters: { alarmNames: ["someone-elses-alarm", alarm] } },
        { service: "monitoring", eventName: "DeleteAlarms", requestParameters: { alarmNames: [alarm] } },
        { service: "monitoring", eventName: "PutMetricAlarm", requestParameters: { alarmName: alarm, actionsEnabled: false, alarmActions: [] } },
        {
            service: "monitoring",
            eventName: "PutAlarmMuteRule",
            requestParameters: { name: "quiet-nights", rule: { schedule: { expression: "cron(0 0 * * ? *)", duration: "PT8H" } }, muteTargets: { alarmNames: [alarm] } },
        },
        ...["DeleteLogGroup", "DeleteRetentionPolicy", "DisassociateKmsKey"].map((eventName) => ({ service: "logs", eventName, requestParameters: { logGroupName: l.names.sessionLogGroup } })),
        { service: "logs", eventName: "PutRetentionPolicy", requestParameters: { logGroupName: l.names.sessionLogGroup, retentionInDays: 1 } },
        { service: "logs", eventName: "DisassociateKmsKey", requestParameters: { resourceIdentifier: l.logGroupArn } },
        { service: "logs", eventName: "DeleteLogStream", requestParameters: { logGroupName: l.names.sessionLogGroup, logStreamName: "ecs-execute-command-0a1b2c3d4e5f6a7b8" } },
        { service: "logs", eventName: "PutDataProtectionPolicy", requestParameters: { logGroupIdentifier: l.names.sessionLogGroup, policyDocument: "{}" } },
        { service: "logs", eventName: "PutDataProtectionPolicy", requestParameters: { logGroupIdentifier: l.logGroupArn, policyDocument: "{}" } },
        { service: "logs", eventName: "PutSubscriptionFilter", requestParameters: { logGroupName: l.names.sessionLogGroup, filterName: "x", filterPattern: "", destinationArn: "arn:aws:lambda:us-east-1:444455556666:function:x" } },
        ...["PutBucketPolicy", "DeleteBucketPolicy", "PutBucketVersioning", "PutBucketLifecycle", "DeleteBucketLifecycle", "PutBucketEncryption", "DeleteBucket"].map(
            (eventName) => ({ service: "s3", eventName, requestParameters: { bucketName: l.bucket, Host: `${l.bucket}.s3.${l.region}.amazonaws.com` } }),
        ),
        { service: "kms", eventName: "DisableKey", requestParameters: { keyId: sessionKey.split("/").pop() } },
        { service: "kms", eventName: "ScheduleKeyDeletion", requestParameters: { keyId: auditKey.split("/").pop(), pendingWindowInDays: 7 } },
        { service: "kms", eventName: "PutKeyPolicy", requestParameters: { keyId: sessionKey, policyName: "default", policy: "{}", bypassPolicyLockoutSafetyCheck: false } },
        { service: "kms", eventName: "CreateGrant", requestParameters: { keyId: auditKey, granteePrincipal: "arn:aws:iam::444455556666:root", operations: ["Decrypt"] } },
        { service: "ecs", eventName: "UpdateCluster", requestParameters: { cluster: l.names.cluster, configuration: { executeCommandConfiguration: { logging: "NONE" } } } },
        { service: "ecs", eventName: "DeleteCluster", requestParameters: { cluster: l.clusterArn } },
        { service: "iam", eventName: "CreatePolicyVersion", requestParameters: { policyArn: l.policyArn, policyDocument: "{}", setAsDefault: true } },
        { service: "iam", eventName: "SetDefaultPolicyVersion", requestParameters: { policyArn: l.policyArn, versionId: "v1" } },
        ...l.roles.flatMap((roleName) => [
            { service: "iam", eventName: "PutRolePolicy", requestParameters: { roleName, policyName: "x", policyDocument: "{}" } },
            { service: "iam", eventName: "AttachRolePolicy", requestParameters: { roleName, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" } },
            { service: "iam", eventName: "UpdateAssumeRolePolicy", requestParameters: { roleName, policyDocument: "{}" } },
        ]),
    ];
}

/** The error each service records for a refusal: KMS and IAM write AccessDenied, SNS AuthorizationError, the rest AccessDeniedException. */
const DENIAL: Record<string, string> = { kms: "AccessDenied", iam: "AccessDenied", sns: "AuthorizationError", monitoring: "AccessDenied" };

function refused(change: Change, withRequest: boolean): ChainCall {
    return {
        ...change,
        requestParameters: withRequest ? change.requestParameters : null,
        error: { code: DENIAL[change.service] ?? "AccessDeniedException", message: `User: arn:aws:sts::${TEST_ACCOUNT_ID}:assumed-role/x/mallory is not authorized to perform: ${change.eventName}` },
    };
}

/** Where the call is recorded: IAM's events reach EventBridge in us-east-1 (its global service region). */
const siteOf = (l: Links, change: Change): Where => ({ account: TEST_ACCOUNT_ID, region: change.service === "iam" ? "us-east-1" : l.region, partition: "aws" });

const TIME = new Date("2026-03-14T10:12:31Z");
const matching = (rules: Rule[], event: CloudTrailEvent) => rules.filter((r) => matches(r.pattern, event));
const name = (change: Change) => `${change.service} ${change.eventName} ${JSON.stringify(change.requestParameters).slice(0, 70)}`;

for (const stack of ["dev", "prod"]) {
    describe(`the audit chain watches itself (${stack})`, function () {
        this.timeout(30_000);
        let rules: Rule[];
        let links: Links;
        const chainRule = (id: string) => `${stack}-ecs-exec.${id}`;
        before(async () => {
            const result = await synthStack(stack);
            rules = rulesOf(result);
            links = linksOf(result);
        });

        it("reports each change to a link exactly once, by a change alert naming who, the call and the request", () => {
            for (const change of changes(links)) {
                const event = auditChainCall(siteOf(links, change), TIME, change);
                const found = matching(rules, event);
                assert.equal(found.length, 1, `${name(change)}: ${found.map((r) => r.name).join(", ") || "no rule"}`);
                assert.match(found[0].name, /\.audit-chain-(delivery|trail|transcripts|access)$/, name(change));
                const message = JSON.parse(render(found[0].inputPaths, found[0].inputTemplate, event));
                assert.ok(message.alert.includes(`${change.service}.amazonaws.com ${change.eventName}`), message.alert);
                assert.match(message.alert, /changed/);
                assert.equal(message.record.userIdentity.arn, event.detail.userIdentity.arn, "who");
                assert.equal(message.record.sourceIPAddress, "203.0.113.17", "from where");
                assert.deepEqual(message.record.requestParameters, change.requestParameters, "what");
                assert.equal(message.record.eventID, event.detail.eventID, "the CloudTrail event id");
            }
        });

        it("reports each refused attempt exactly once, by a refusal alert, with or without the request recorded", () => {
            for (const change of changes(links)) {
                for (const withRequest of [true, false]) {
                    const event = auditChainCall(siteOf(links, change), TIME, refused(change, withRequest));
                    const found = matching(rules, event);
                    assert.equal(found.length, 1, `${name(change)} refused: ${found.map((r) => r.name).join(", ") || "no rule"}`);
                    assert.match(found[0].name, /\.audit-chain-(delivery|trail|transcripts|access)-refused$/);
                    const message = JSON.parse(render(found[0].inputPaths, found[0].inputTemplate, event));
                    assert.match(message.alert, /was refused/);
                    assert.equal(message.record.errorCode, event.detail.errorCode);
                    assert.equal(message.record.userIdentity.arn, event.detail.userIdentity.arn);
                }
            }
        });

        it("reports a change to a rule that watches the chain by the other family: no single call silences it unseen", () => {
            for (const id of AUDIT_CHAIN_ALERT_IDS) {
                for (const eventName of ["DisableRule", "DeleteRule", "PutRule"]) {
                    const event = auditChainCall(siteOf(links, { service: "events" } as Change), TIME, { service: "events", eventName, requestParameters: { name: chainRule(id) } });
                    assert.deepEqual(matching(rules, event).map((r) => r.name), [`${stack}-ecs-exec-audit-watch`], `${eventName} ${id}`);
                }
                const removed = auditChainCall(siteOf(links, { service: "events" } as Change), TIME, refused({ service: "events", eventName: "RemoveTargets", requestParameters: { rule: chainRule(id), ids: ["1"] } }, true));
                assert.deepEqual(matching(rules, removed).map((r) => r.name), [`${stack}-ecs-exec-audit-watch-refused`]);
            }
            for (const id of AUDIT_WATCH_ALERT_IDS) {
                const event = auditChainCall(siteOf(links, { service: "events" } as Change), TIME, { service: "events", eventName: "DisableRule", requestParameters: { name: `${stack}-ecs-exec-${id}` } });
                assert.deepEqual(matching(rules, event).map((r) => r.name), [`${stack}-ecs-exec.audit-chain-delivery`], id);
            }
        });

        it("stays silent on the same calls on what is not the chain's", () => {
            const foreign: Change[] = [
                { service: "events", eventName: "DisableRule", requestParameters: { name: "payments-nightly-report" } },
                { service: "sns", eventName: "DeleteTopic", requestParameters: { topicArn: `${links.topicArn}-archive` } },
                { service: "sns", eventName: "Unsubscribe", requestParameters: { subscriptionArn: `arn:aws:sns:${links.region}:${TEST_ACCOUNT_ID}:payments:1f2e` } },
                { service: "monitoring", eventName: "DeleteAlarms", requestParameters: { alarmNames: ["payments-latency"] } },
                { service: "logs", eventName: "DeleteLogGroup", requestParameters: { logGroupName: "/aws/lambda/payments" } },
                { service: "logs", eventName: "DeleteLogGroup", requestParameters: { logGroupName: `${links.names.sessionLogGroup}-old` } },
                { service: "s3", eventName: "PutBucketPolicy", requestParameters: { bucketName: "payments-exports" } },
                { service: "kms", eventName: "DisableKey", requestParameters: { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab" } },
                { service: "ecs", eventName: "UpdateCluster", requestParameters: { cluster: "payments" } },
                { service: "iam", eventName: "AttachRolePolicy", requestParameters: { roleName: "payments-task", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" } },
                ...(stack === "dev" ? [{ service: "cloudtrail", eventName: "StopLogging", requestParameters: { name: "payments-trail" } }] : []),
            ];
            for (const change of foreign) {
                assert.deepEqual(matching(rules, auditChainCall(siteOf(links, change), TIME, change)).map((r) => r.name), [], name(change));
            }
        });

        it("leaves ExecuteCommand and RunTask to their own alerts: no chain rule matches them", () => {
            const place = (event: any) => {
                const text = JSON.stringify(event).replace(/dev-ecs-exec/g, `${stack}-ecs-exec`);
                return JSON.parse(text);
            };
            for (const event of [place(executeCommandEvent()), place(runTaskEvent({ network: undefined }))]) {
                const found = matching(rules, event).map((r) => r.name);
                assert.equal(found.filter((n) => /audit-(chain|watch)/.test(n)).length, 0, found.join(", "));
                assert.ok(found.length >= 1, `${event.detail.eventName}: ${found.join(", ")}`);
            }
        });
    });
}

describe("the chain's watch, for the longest names a stack can have", () => {
    it("keeps every pattern within EventBridge's default 2,048 characters", () => {
        // EventBridge User Guide, quotas: "Event pattern size: 2048 characters" unless raised (to 4096).
        const environment = "e".repeat(ENVIRONMENT_MAX_LENGTH);
        const names = execNames(environment);
        const region = "ap-southeast-7";
        const arn = (service: string, resource: string) => `arn:aws-us-gov:${service}:${region}:${TEST_ACCOUNT_ID}:${resource}`;
        const key = (n: number) => ({ id: `mrk-${"0".repeat(31)}${n}`, arn: arn("kms", `key/mrk-${"0".repeat(31)}${n}`) });
        const alerts = auditChainAlerts({
            namePrefix: watchedNamePrefix(environment),
            trail: { name: names.trail, arn: arn("cloudtrail", `trail/${names.trail}`) },
            topicArn: arn("sns", names.alertTopic),
            sessionLogGroup: { name: names.sessionLogGroup, arn: arn("logs", `log-group:${names.sessionLogGroup}`) },
            transcriptBucketName: transcriptBucketName(environment, TEST_ACCOUNT_ID),
            keys: [key(1), key(2)],
            cluster: { name: names.cluster, arn: arn("ecs", `cluster/${names.cluster}`) },
            developerPolicyArn: `arn:aws-us-gov:iam::${TEST_ACCOUNT_ID}:policy/${names.developerPolicy}`,
        });
        for (const alert of alerts) {
            const size = JSON.stringify(alert.eventPattern).length;
            assert.ok(size <= 2048, `${alert.id}: ${size} characters`);
        }
    });
});

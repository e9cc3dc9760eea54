import { strict as assert } from "assert";
import { ALERT_INPUT_PATHS, alertTemplate, executeCommandPattern } from "../../components/alerts";
import { ExecAudit, ExecAuditArgs } from "../../components/execAudit";
import { POLICY_PROPAGATION_WAIT } from "../../components/propagation";
import { simulate, simulateUnvalidated } from "../support/iam";
import { TEST_CONTEXT, TEST_TAGS, underMocks, valueOf } from "../support/pulumi";

const ACCOUNT = TEST_CONTEXT.accountId;
const REGION = TEST_CONTEXT.region;
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:test-ecs-exec-alerts`;
const RULE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:rule/test-ecs-exec-execute-command`;
const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/test-ecs-exec`;
const BUCKET = `test-ecs-exec-trail-${ACCOUNT}-${REGION}`;

function args(changes: Partial<ExecAuditArgs> = {}): ExecAuditArgs {
    return {
        context: TEST_CONTEXT,
        cloudTrail: "create",
        trailRetentionDays: 400,
        trailName: "test-ecs-exec",
        topicName: "test-ecs-exec-alerts",
        ruleName: "test-ecs-exec-execute-command",
        keyAlias: "alias/test-ecs-exec-audit",
        sessionLogGroupName: "/ecs-exec/test/sessions",
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
    };
}

describe("ExecAudit", () => {
    describe("alert path", () => {
        it("matches every ExecuteCommand call with a rule on the default bus", async () => {
            const { one, audit } = await build();
            const rule = one("aws:cloudwatch/eventRule:EventRule");
            assert.equal(rule.name, "test-ecs-exec-execute-command");
            assert.equal(rule.eventBusName, undefined, "the default bus, where CloudTrail delivers");
            assert.deepEqual(JSON.parse(rule.eventPattern), executeCommandPattern());
            assert.equal(await valueOf(audit.ruleName), "test-ecs-exec-execute-command");
        });

        it("sends the rule's events to the topic through the input transformer, naming the session log group", async () => {
            const { one, audit } = await build();
            const target = one("aws:cloudwatch/eventTarget:EventTarget");
            assert.equal(target.rule, "test-ecs-exec-execute-command");
            assert.equal(target.arn, await valueOf(audit.topicArn));
            assert.deepEqual(target.inputTransformer, {
                inputPaths: { ...ALERT_INPUT_PATHS },
                inputTemplate: alertTemplate("/ecs-exec/test/sessions"),
            });
        });

        it("encrypts the topic with its own rotating customer-managed key", async () => {
            const { one, keyArn } = await build();
            assert.equal(one("aws:sns/topic:Topic").kmsMasterKeyId, keyArn);
            assert.equal(one("aws:kms/key:Key").enableKeyRotation, true);
            assert.equal(one("aws:kms/alias:Alias").name, "alias/test-ecs-exec-audit");
        });

        it("subscribes every alert address by e-mail", async () => {
            const { registered } = await build();
            assert.deepEqual(
                registered.ofType("aws:sns/topicSubscription:TopicSubscription").map((s) => [s.inputs.protocol, s.inputs.endpoint, s.inputs.topic]),
                [
                    ["email", "oncall@example.com", TOPIC_ARN],
                    ["email", "security@example.com", TOPIC_ARN],
                ],
            );
        });

        describe("topic policy, evaluated", () => {
            const publish = async (principal: string, sourceArn?: string, otherPolicies: Record<string, unknown> = {}) => {
                const { one } = await build();
                return simulate({
                    principal,
                    action: "sns:Publish",
                    resource: TOPIC_ARN,
                    context: sourceArn ? { "aws:SourceArn": sourceArn } : {},
                    identityPolicies: otherPolicies,
                    resourcePolicy: JSON.parse(one("aws:sns/topicPolicy:TopicPolicy").policy),
                });
            };

            it("lets EventBridge publish for the ExecuteCommand rule", async () => {
                const result = await publish("events.amazonaws.com", RULE_ARN);
                assert.equal(result.decision, "Allowed");
                assert.deepEqual(result.allowedBy, ["resource/TheExecuteCommandRulePublishes"]);
            });

            it("refuses EventBridge publishing for another rule", async () => {
                const result = await publish("events.amazonaws.com", `arn:aws:events:${REGION}:${ACCOUNT}:rule/someone-elses-rule`);
                assert.equal(result.decision, "ExplicitlyDenied");
            });

            it("refuses anyone else, even an administrator of the account (no forged alert, no all-clear)", async () => {
                const admin = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
                const result = await publish(`arn:aws:iam::${ACCOUNT}:user/mallory`, undefined, { AdministratorAccess: admin });
                assert.equal(result.decision, "ExplicitlyDenied");
                assert.deepEqual(result.deniedBy, ["resource/NobodyElsePublishes"]);
            });
        });

        describe("audit key policy, evaluated", () => {
            const use = async (principal: string, action: string, context: Record<string, string> = {}, identity: Record<string, unknown> = {}) => {
                const { one, keyArn } = await build();
                return simulate({ principal, action, resource: keyArn, context, identityPolicies: identity, resourcePolicy: JSON.parse(one("aws:kms/key:Key").policy) });
            };

            it("lets EventBridge encrypt messages for the topic", async () => {
                for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
                    const result = await use("events.amazonaws.com", action);
                    assert.equal(result.decision, "Allowed", action);
                    assert.deepEqual(result.allowedBy, ["resource/EventBridgePublishesToTheEncryptedTopic"]);
                }
            });

            it("lets no other service, and nobody outside the account, use it", async () => {
                assert.equal((await use("s3.amazonaws.com", "kms:GenerateDataKey")).decision, "ImplicitlyDenied");
                const grant = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] };
                assert.equal((await use("arn:aws:iam::444455556666:role/intruder", "kms:Decrypt", {}, { grant })).decision, "ImplicitlyDenied");
            });

            it("lets CloudTrail encrypt log files of this trail only", async () => {
                const { one, keyArn } = await build();
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
            const { one, keyArn, audit } = await build();
            const trail = one("aws:cloudtrail/trail:Trail");
            assert.equal(trail.name, "test-ecs-exec");
            assert.equal(trail.s3BucketName, BUCKET);
            assert.equal(trail.enableLogFileValidation, true);
            assert.equal(trail.kmsKeyId, keyArn);
            assert.deepEqual(trail.eventSelectors, [{ readWriteType: "WriteOnly", includeManagementEvents: true }]);
            assert.equal(await valueOf(audit.trailName), "test-ecs-exec");
        });

        it("gives the trail a private, encrypted bucket that forgets logs after the configured days", async () => {
            const { one } = await build();
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
                const { one } = await build();
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
            assert.deepEqual(sids, ["AccountAdministersKeyThroughIam", "EventBridgePublishesToTheEncryptedTopic"]);
            assert.equal(await valueOf(audit.trailName), undefined);
        });

        it("still alerts: rule, target, topic and subscriptions", async () => {
            const { registered } = await build({ cloudTrail: "existing" });
            for (const type of ["aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch/eventTarget:EventTarget", "aws:sns/topic:Topic", "aws:sns/topicPolicy:TopicPolicy"]) {
                assert.equal(registered.ofType(type).length, 1, type);
            }
            assert.equal(registered.ofType("aws:sns/topicSubscription:TopicSubscription").length, 2);
        });
    });
});

import { strict as assert } from "assert";
import { POLICY_PROPAGATION_WAIT } from "../../components/iam";
import { SessionLogging } from "../../components/session/pulumi";
import { simulate, simulateUnvalidated } from "../support/iam";
import { TEST_CONTEXT, TEST_TAGS, underMocks, valueOf } from "../support/pulumi";

const KEY = "aws:kms/key:Key";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

async function build(protectAuditData = false) {
    const { built, registered } = await underMocks(
        () =>
            new SessionLogging("logging", {
                context: TEST_CONTEXT,
                keyAlias: "alias/test-ecs-exec",
                sessionLogGroupName: "/ecs-exec/test/sessions",
                containerLogGroupName: "/ecs-exec/test/container",
                retentionInDays: 90,
                transcriptBucketName: BUCKET,
                adminPrincipalArns: [ADMIN],
                protectAuditData,
                tags: TEST_TAGS,
            }),
    );
    return { logging: built, registered, keyArn: await valueOf(built.keyArn) };
}

const logGroupArn = (name: string) => `arn:aws:logs:us-east-1:111122223333:log-group:${name}`;
const BUCKET = "test-ecs-exec-transcripts-111122223333";
const ADMIN = "arn:aws:iam::111122223333:role/ci/github-deploy-test";

describe("SessionLogging", () => {
    it("keeps both log groups, the key and its alias when the stack goes; protects transcripts and key on request", async () => {
        const options = async (protect: boolean) =>
            Object.fromEntries((await build(protect)).registered.all.filter((r) => r.custom).map((r) => [r.name, [r.retainOnDelete, r.protect]]));
        assert.deepEqual(await options(false), {
            "logging-key": [true, false],
            "logging-key-alias": [true, false],
            "logging-key-policy-propagation": [false, false],
            "logging-sessions": [true, false],
            "logging-container": [true, false],
            "logging-transcripts": [true, false],
            "logging-transcripts-public-access": [true, false],
            "logging-transcripts-ownership": [true, false],
            "logging-transcripts-versioning": [true, false],
            "logging-transcripts-encryption": [true, false],
            "logging-transcripts-lifecycle": [true, false],
            "logging-transcripts-policy": [true, false],
        });
        const protectedOnes = Object.entries(await options(true)).filter(([, [, protect]]) => protect).map(([name]) => name);
        assert.deepEqual(protectedOnes.sort(), ["logging-key", "logging-sessions", "logging-transcripts"], "the container's own output is kept, not protected");
    });

    describe("the transcripts' bucket: a second copy nobody deletes quietly", () => {
        const one = async (type: string) => (await build()).registered.one(type).inputs as any;

        it("is versioned, encrypted with the session key by default, private, owner-enforced, and expires copies with the log groups", async () => {
            const { keyArn } = await build();
            assert.equal((await one("aws:s3/bucket:Bucket")).bucket, BUCKET);
            assert.deepEqual((await one("aws:s3/bucketVersioning:BucketVersioning")).versioningConfiguration, { status: "Enabled" });
            const [rule] = (await one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")).rules;
            assert.deepEqual(rule.applyServerSideEncryptionByDefault, { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn });
            const block = await one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
            for (const setting of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
                assert.equal(block[setting], true, setting);
            }
            const [lifecycle] = (await one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")).rules;
            assert.equal(lifecycle.expiration.days, 90);
            assert.equal(lifecycle.noncurrentVersionExpiration.noncurrentDays, 90);
        });

        const ask = async (principalArn: string, action: string, resource: string, context: Record<string, string> = {}) => {
            const policy = JSON.parse((await one("aws:s3/bucketPolicy:BucketPolicy")).policy);
            const session = principalArn.replace(/^arn:aws:iam::(\d+):role\/(?:.*\/)?([^/]+)$/, "arn:aws:sts::$1:assumed-role/$2/someone");
            return simulate({
                principal: session,
                action,
                resource,
                context: { "aws:PrincipalArn": principalArn, "aws:SecureTransport": "true", ...context },
                identityPolicies: { AdministratorAccess: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } },
                resourcePolicy: policy,
            });
        };
        const object = `arn:aws:s3:::${BUCKET}/sessions/ecs-execute-command-0a1b2c3d4e5f6a7b8.log`;

        it("lets nobody but the audit administrators delete a copy or a version, or change versioning, lifecycle or the policy", async () => {
            const administrator = "arn:aws:iam::111122223333:role/platform-admin";
            for (const [action, resource] of [
                ["s3:DeleteObject", object],
                ["s3:DeleteObjectVersion", object],
                ["s3:PutBucketVersioning", `arn:aws:s3:::${BUCKET}`],
                ["s3:PutLifecycleConfiguration", `arn:aws:s3:::${BUCKET}`],
                ["s3:PutBucketPolicy", `arn:aws:s3:::${BUCKET}`],
                ["s3:DeleteBucket", `arn:aws:s3:::${BUCKET}`],
            ]) {
                assert.equal((await ask(administrator, action, resource)).decision, "ExplicitlyDenied", `${action} by an administrator`);
                assert.equal((await ask(ADMIN, action, resource)).decision, "Allowed", `${action} by an audit administrator`);
            }
        });

        it("refuses any access over plain HTTP, to the audit administrators too", async () => {
            const result = await ask(ADMIN, "s3:GetObject", object, { "aws:SecureTransport": "false" });
            assert.equal(result.decision, "ExplicitlyDenied");
        });
    });

    it("creates a customer-managed symmetric key with yearly rotation, and its alias", async () => {
        const { registered, keyArn } = await build();
        const key = registered.one(KEY);
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.equal(key.inputs.customerMasterKeySpec, "SYMMETRIC_DEFAULT");
        assert.match(keyArn, /^arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
        const alias = registered.one("aws:kms/alias:Alias");
        assert.equal(alias.inputs.name, "alias/test-ecs-exec");
        assert.equal(keyArn.endsWith(`key/${alias.inputs.targetKeyId}`), true);
    });

    it("encrypts both log groups with that key and keeps them for the configured days", async () => {
        const { logging, registered, keyArn } = await build();
        const groups = registered.ofType(LOG_GROUP);
        assert.deepEqual(groups.map((g) => g.inputs.name).sort(), ["/ecs-exec/test/container", "/ecs-exec/test/sessions"]);
        for (const group of groups) {
            assert.equal(group.inputs.kmsKeyId, keyArn);
            assert.equal(group.inputs.retentionInDays, 90);
        }
        assert.equal(await valueOf(logging.sessionLogGroupName), "/ecs-exec/test/sessions");
        assert.equal(await valueOf(logging.sessionLogGroupArn), logGroupArn("/ecs-exec/test/sessions"));
    });

    it("creates the log groups only after the key policy has had time to reach CloudWatch Logs, and again on a change", async () => {
        // CreateLogGroup with a KMS key is called once by the provider; a key policy KMS has not yet propagated fails it.
        const { registered } = await build();
        const wait = registered.one("time:index/sleep:Sleep");
        const key = registered.one(KEY);
        assert.equal(wait.inputs.createDuration, POLICY_PROPAGATION_WAIT);
        assert.deepEqual(wait.inputs.triggers, { keyArn: `arn:aws:kms:us-east-1:111122223333:key/${registered.idOf(key)}`, keyPolicy: key.inputs.policy });
        assert.deepEqual(wait.propertyDependencies.triggers, [key.urn]);
        for (const group of registered.ofType(LOG_GROUP)) {
            assert.ok(group.dependencies.includes(wait.urn), `${group.name} waits`);
        }
    });

    describe("key policy, evaluated", () => {
        const logsService = "logs.us-east-1.amazonaws.com";
        // The encryption context key has colons in its variable part: see simulateUnvalidated.
        async function asLogs(logGroup: string, region = "us-east-1") {
            const { registered, keyArn } = await build();
            return simulateUnvalidated({
                principal: region === "us-east-1" ? logsService : `logs.${region}.amazonaws.com`,
                action: "kms:GenerateDataKey",
                resource: keyArn,
                context: { "kms:EncryptionContext:aws:logs:arn": logGroup },
                identityPolicies: {},
                resourcePolicy: registered.json(KEY, "policy"),
            });
        }

        it("lets CloudWatch Logs in this region encrypt the stack's log groups", async () => {
            for (const name of ["/ecs-exec/test/sessions", "/ecs-exec/test/container"]) {
                assert.equal(await asLogs(logGroupArn(name)), "Allowed");
            }
        });

        it("does not let CloudWatch Logs use it for another log group of the account", async () => {
            assert.equal(await asLogs(logGroupArn("/aws/lambda/payments")), "ImplicitlyDenied");
        });

        it("does not let CloudWatch Logs use it without the encryption context", async () => {
            const { registered, keyArn } = await build();
            const result = await simulate({
                principal: logsService,
                action: "kms:GenerateDataKey",
                resource: keyArn,
                identityPolicies: {},
                resourcePolicy: registered.json(KEY, "policy"),
            });
            assert.equal(result.decision, "ImplicitlyDenied");
        });

        it("does not let CloudWatch Logs of another region use it", async () => {
            assert.equal(await asLogs(logGroupArn("/ecs-exec/test/sessions"), "eu-west-1"), "ImplicitlyDenied");
        });

        it("lets the account grant use through IAM, and nobody outside it", async () => {
            const { registered, keyArn } = await build();
            const grant = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn }] };
            const ask = (principal: string) =>
                simulate({
                    principal,
                    action: "kms:Decrypt",
                    resource: keyArn,
                    identityPolicies: { grant },
                    resourcePolicy: registered.json(KEY, "policy"),
                });
            assert.equal((await ask("arn:aws:iam::111122223333:role/test-ecs-exec-task")).decision, "Allowed");
            assert.equal((await ask("arn:aws:iam::444455556666:role/intruder")).decision, "ImplicitlyDenied");
        });
    });
});

import { strict as assert } from "assert";
import { clusterContainerInsights, clusterExecLogging } from "../../policies/rules/clusters";
import { kmsKeyRotation, logGroupEncrypted, logGroupRetention, sessionKeyPolicyNotPublic } from "../../policies/rules/logs";
import { changed, execStack } from "./fixtures";
import { policyJson, resourceViolations, stackViolations, UNKNOWN_VALUE } from "./support";

const cluster = execStack().find((r) => r.type === "aws:ecs/cluster:Cluster")!;
const withExec = (exec: Record<string, unknown> | string) => ({ ...cluster, props: { name: "apps", configuration: { executeCommandConfiguration: exec } } });
const good = (cluster.props.configuration as any).executeCommandConfiguration;

describe("clusters", () => {
    it("pass with exec logging OVERRIDE to an encrypted CloudWatch log group and a KMS key", () => {
        assert.deepEqual(resourceViolations(clusterExecLogging, cluster), []);
    });

    it("report each missing piece of exec logging (CKV_AWS_223/224)", () => {
        assert.deepEqual(resourceViolations(clusterExecLogging, withExec({ ...good, logging: "NONE" })), ["exec logging is NONE, not OVERRIDE"]);
        assert.match(resourceViolations(clusterExecLogging, withExec({ ...good, logging: "DEFAULT" }))[0], /DEFAULT/);
        assert.match(resourceViolations(clusterExecLogging, withExec({ ...good, kmsKeyId: undefined }))[0], /no kmsKeyId/);
        assert.match(
            resourceViolations(clusterExecLogging, withExec({ ...good, logConfiguration: { ...good.logConfiguration, cloudWatchEncryptionEnabled: false } }))[0],
            /cloudWatchEncryptionEnabled/,
        );
        assert.match(
            resourceViolations(clusterExecLogging, withExec({ ...good, logConfiguration: { s3BucketName: "b", s3BucketEncryptionEnabled: true } })).join(),
            /CloudWatch log group/,
        );
        // No exec configuration at all: one finding that says so, not one per missing piece.
        assert.deepEqual(resourceViolations(clusterExecLogging, { ...cluster, props: { name: "apps" } }), [
            "no executeCommandConfiguration: exec sessions on this cluster would be neither logged nor encrypted with a key of yours",
        ]);
    });

    it("report nothing for parts unknown during preview", () => {
        assert.deepEqual(resourceViolations(clusterExecLogging, withExec({ ...good, kmsKeyId: UNKNOWN_VALUE, logging: UNKNOWN_VALUE })), []);
        assert.deepEqual(resourceViolations(clusterExecLogging, withExec(UNKNOWN_VALUE)), []);
    });

    it("advise Container Insights", () => {
        assert.deepEqual(resourceViolations(clusterContainerInsights, cluster), []);
        assert.deepEqual(resourceViolations(clusterContainerInsights, { ...cluster, props: { settings: [{ name: "containerInsights", value: "disabled" }] } }), [
            "Container Insights is not enabled",
        ]);
        assert.deepEqual(resourceViolations(clusterContainerInsights, { ...cluster, props: { settings: [{ name: "containerInsights", value: UNKNOWN_VALUE }] } }), []);
        assert.deepEqual(resourceViolations(clusterContainerInsights, { ...cluster, props: { settings: UNKNOWN_VALUE } }), []);
        assert.equal(clusterContainerInsights.enforcementLevel, "advisory");
    });
});

describe("log groups and keys", () => {
    const logGroup = (props: Record<string, unknown>) => ({ type: "aws:cloudwatch/logGroup:LogGroup", name: "lg", props });

    it("require a KMS key on every log group (CKV_AWS_158)", () => {
        assert.deepEqual(resourceViolations(logGroupEncrypted, logGroup({ kmsKeyId: "arn:aws:kms:us-east-1:1:key/k" })), []);
        assert.deepEqual(resourceViolations(logGroupEncrypted, logGroup({ kmsKeyId: UNKNOWN_VALUE })), []);
        assert.equal(resourceViolations(logGroupEncrypted, logGroup({})).length, 1);
    });

    it("require retention of at least the configured minimum, 365 days by default (CKV_AWS_66/338)", () => {
        assert.deepEqual(resourceViolations(logGroupRetention, logGroup({ retentionInDays: 365 })), []);
        assert.deepEqual(resourceViolations(logGroupRetention, logGroup({ retentionInDays: 90 })), ["retentionInDays is 90, below the minimum of 365"]);
        assert.deepEqual(resourceViolations(logGroupRetention, logGroup({ retentionInDays: 30 }), { minimumRetentionDays: 30 }), []);
        assert.deepEqual(resourceViolations(logGroupRetention, logGroup({ retentionInDays: 30 }), { minimumRetentionDays: 731 }), [
            "retentionInDays is 30, below the minimum of 731",
        ]);
        assert.match(resourceViolations(logGroupRetention, logGroup({}))[0], /kept forever/);
        assert.deepEqual(resourceViolations(logGroupRetention, logGroup({ retentionInDays: UNKNOWN_VALUE })), []);
    });

    it("require symmetric keys to rotate, and leave keys that cannot rotate alone", () => {
        const key = (props: Record<string, unknown>) => ({ type: "aws:kms/key:Key", name: "k", props });
        assert.deepEqual(resourceViolations(kmsKeyRotation, key({ enableKeyRotation: true })), []);
        assert.deepEqual(resourceViolations(kmsKeyRotation, key({})), ["enableKeyRotation is not true"]);
        assert.deepEqual(resourceViolations(kmsKeyRotation, key({ customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" })), []);
        assert.deepEqual(resourceViolations(kmsKeyRotation, key({ enableKeyRotation: UNKNOWN_VALUE })), []);
    });

    describe("the session key", () => {
        const account = { Sid: "Account", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" };
        const withPolicy = (...statements: Record<string, unknown>[]) => changed(execStack(), "key", (p) => ({ ...p, policy: policyJson(account, ...statements) }));

        it("passes a key policy that names its principals, or conditions the rest", () => {
            assert.deepEqual(stackViolations(sessionKeyPolicyNotPublic, withPolicy()), []);
            const conditioned = { Sid: "Org", Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } };
            assert.deepEqual(stackViolations(sessionKeyPolicyNotPublic, withPolicy(conditioned)), []);
        });

        it("reports a statement that allows any principal without a condition, in the key or an aws.kms.KeyPolicy", () => {
            for (const principal of ["*", { AWS: "*" }, { AWS: ["arn:aws:iam::123456789012:root", "*"] }]) {
                assert.deepEqual(stackViolations(sessionKeyPolicyNotPublic, withPolicy({ Sid: "Anyone", Effect: "Allow", Principal: principal, Action: "kms:Decrypt", Resource: "*" })), [
                    { message: "session key key: key policy statement Anyone allows any principal without a condition", resource: "key" },
                ]);
            }
            const keyPolicy = { type: "aws:kms/keyPolicy:KeyPolicy", name: "key-policy", props: { keyId: "k", policy: policyJson({ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" }) }, dependsOn: { keyId: ["key"] } };
            assert.deepEqual(stackViolations(sessionKeyPolicyNotPublic, [...execStack(), keyPolicy]), [
                { message: "session key key: key policy statement #1 allows any principal without a condition", resource: "key-policy" },
            ]);
        });

        it("leaves other keys to other rules, and reports nothing while the policy is unknown", () => {
            const open = policyJson({ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" });
            assert.deepEqual(stackViolations(sessionKeyPolicyNotPublic, changed(execStack(), "alerts-key", (p) => ({ ...p, policy: open }))), []);
            assert.deepEqual(stackViolations(sessionKeyPolicyNotPublic, changed(execStack(), "key", (p) => ({ ...p, policy: UNKNOWN_VALUE }))), []);
        });
    });
});

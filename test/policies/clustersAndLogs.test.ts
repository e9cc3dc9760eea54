import { strict as assert } from "assert";
import { clusterContainerInsights, clusterExecLogging } from "../../policies/rules/clusters";
import { kmsKeyRotation, logGroupEncrypted, logGroupRetention } from "../../policies/rules/logs";
import { execStack } from "./fixtures";
import { resourceViolations, UNKNOWN_VALUE } from "./support";

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
        assert.equal(resourceViolations(clusterExecLogging, { ...cluster, props: { name: "apps" } }).length, 4, "no exec configuration at all");
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
});

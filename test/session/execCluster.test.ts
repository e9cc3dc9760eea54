import { strict as assert } from "assert";
import { ExecCluster } from "../../components/session/pulumi";
import { TEST_TAGS, underMocks, valueOf } from "../support/pulumi";

const KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/0b6a2b8e-1d55-4a0e-9f3b-4b1f8a6c2d10";

describe("ExecCluster", () => {
    async function build() {
        const { built, registered } = await underMocks(
            () =>
                new ExecCluster("cluster", {
                    clusterName: "test-ecs-exec",
                    kmsKeyArn: KEY_ARN,
                    sessionLogGroupName: "/ecs-exec/test/sessions",
                    transcriptBucketName: "test-ecs-exec-transcripts-111122223333",
                    tags: TEST_TAGS,
                }),
        );
        return { cluster: built, inputs: registered.one("aws:ecs/cluster:Cluster").inputs as any };
    }

    it("sends every session, KMS-encrypted, to the session log group and to the transcripts' bucket (logging OVERRIDE)", async () => {
        const { inputs } = await build();
        assert.deepEqual(inputs.configuration.executeCommandConfiguration, {
            kmsKeyId: KEY_ARN,
            logging: "OVERRIDE",
            logConfiguration: {
                cloudWatchLogGroupName: "/ecs-exec/test/sessions",
                cloudWatchEncryptionEnabled: true,
                s3BucketName: "test-ecs-exec-transcripts-111122223333",
                s3KeyPrefix: "sessions",
                s3BucketEncryptionEnabled: true,
            },
        });
    });

    it("turns Container Insights on", async () => {
        const { inputs } = await build();
        assert.deepEqual(inputs.settings, [{ name: "containerInsights", value: "enabled" }]);
    });

    it("is named as asked and exposes its name and ARN", async () => {
        const { cluster } = await build();
        assert.equal(await valueOf(cluster.clusterName), "test-ecs-exec");
        assert.equal(await valueOf(cluster.clusterArn), "arn:aws:ecs:us-east-1:111122223333:cluster/test-ecs-exec");
    });
});

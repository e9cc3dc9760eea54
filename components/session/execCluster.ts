import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { TRANSCRIPT_KEY_PREFIX } from "../config";

export interface ExecClusterArgs {
    /** Cluster name. */
    clusterName: string;
    /** KMS key that encrypts session traffic between the client and the container. */
    kmsKeyArn: pulumi.Input<string>;
    /** KMS-encrypted log group that receives every session's transcript. */
    sessionLogGroupName: pulumi.Input<string>;
    /** Versioned, KMS-encrypted bucket that receives a second copy of each transcript. */
    transcriptBucketName: pulumi.Input<string>;
    tags: Record<string, string>;
}

/**
 * The ECS cluster exec tasks run in. Its exec configuration forces every session through the stack's KMS key and
 * into the session log group and the transcripts' bucket (OVERRIDE, both encrypted), whatever the task's own log
 * settings.
 */
export class ExecCluster extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    public readonly clusterArn: pulumi.Output<string>;

    constructor(name: string, args: ExecClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-exec:cluster:ExecCluster", name, {}, opts);

        const cluster = new aws.ecs.Cluster(
            `${name}-cluster`,
            {
                name: args.clusterName,
                settings: [{ name: "containerInsights", value: "enabled" }],
                configuration: {
                    executeCommandConfiguration: {
                        kmsKeyId: args.kmsKeyArn,
                        logging: "OVERRIDE",
                        // CloudWatch and S3 together: "logs are sent to the provided Amazon CloudWatch Logs LogGroup,
                        // Amazon S3 bucket, or both" (ECS API reference, ExecuteCommandConfiguration).
                        logConfiguration: {
                            cloudWatchLogGroupName: args.sessionLogGroupName,
                            // The agent then refuses to open a session unless the log group is KMS-encrypted.
                            cloudWatchEncryptionEnabled: true,
                            s3BucketName: args.transcriptBucketName,
                            s3KeyPrefix: TRANSCRIPT_KEY_PREFIX,
                            // The agent then refuses to open a session unless the bucket is encrypted.
                            s3BucketEncryptionEnabled: true,
                        },
                    },
                },
                tags: args.tags,
            },
            { parent: this },
        );

        this.clusterName = cluster.name;
        this.clusterArn = cluster.arn;
        this.registerOutputs({ clusterName: this.clusterName, clusterArn: this.clusterArn });
    }
}

import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as time from "@pulumiverse/time";
import { AwsContext, POLICY_PROPAGATION_WAIT } from "../iam";
import { sessionKeyPolicy, transcriptBucketPolicy } from "./sessionPolicies";

export interface SessionLoggingArgs {
    /** Account, region and partition the key policy names. */
    context: pulumi.Input<AwsContext>;
    /** Alias of the customer-managed key. */
    keyAlias: string;
    /** Log group that receives session transcripts. */
    sessionLogGroupName: string;
    /** Log group for the exec container's own output. */
    containerLogGroupName: string;
    /** Retention of both log groups, and of the transcripts' copies, in days. */
    retentionInDays: number;
    /** The bucket of the write-once copy of transcripts. */
    transcriptBucketName: pulumi.Input<string>;
    /** The only principals that may delete a copy, or change how the bucket keeps them. */
    adminPrincipalArns: pulumi.Input<string[]>;
    /** Also protect the key and the session log group, which are kept on delete in any case (see the class). */
    protectAuditData: boolean;
    tags: Record<string, string>;
}

/**
 * A customer-managed KMS key (rotated yearly) and what it encrypts: the two log groups (the session transcripts and
 * the exec container's output) and a bucket that keeps a second, write-once copy of each transcript. The key is also
 * the cluster's exec key, so session traffic and its record share it.
 *
 * The bucket is versioned, encrypted with the key by default (`aws:kms`, a bucket key), private, and keeps copies as
 * long as the log groups keep transcripts; its policy lets nobody but the audit administrators delete an object or a
 * version, or change versioning, lifecycle or the policy. No Object Lock: S3 refuses an upload into a bucket with a
 * default retention unless it carries Content-MD5 or a checksum header, and a report of 2026 (amazon-ssm-agent#682)
 * says the agent Fargate mounts sends neither; a refused upload is only logged inside the container. docs/security.md says more.
 *
 * The record outlives the stack: `pulumi destroy` leaves both log groups (their retention keeps applying), the key
 * that decrypts them and its alias in the account (`retainOnDelete`). With `protectAuditData`, Pulumi also refuses to
 * delete the transcripts and their key at all (`protect`); the container's own output is kept, not protected.
 */
export class SessionLogging extends pulumi.ComponentResource {
    public readonly keyArn: pulumi.Output<string>;
    public readonly sessionLogGroupName: pulumi.Output<string>;
    public readonly sessionLogGroupArn: pulumi.Output<string>;
    public readonly containerLogGroupName: pulumi.Output<string>;
    public readonly transcriptBucketName: pulumi.Output<string>;

    constructor(name: string, args: SessionLoggingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-exec:logging:SessionLogging", name, {}, opts);

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `ECS Exec sessions and their logs (${args.sessionLogGroupName}, ${args.containerLogGroupName})`,
                keyUsage: "ENCRYPT_DECRYPT",
                customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.output(args.context).apply((ctx) =>
                    JSON.stringify(
                        sessionKeyPolicy(ctx, { logGroupNames: [args.sessionLogGroupName, args.containerLogGroupName] }),
                    ),
                ),
                tags: args.tags,
            },
            { parent: this, retainOnDelete: true, protect: args.protectAuditData },
        );
        new aws.kms.Alias(`${name}-key-alias`, { name: args.keyAlias, targetKeyId: key.keyId }, { parent: this, retainOnDelete: true });
        // CreateLogGroup fails ("The specified KMS key does not exist or is not allowed to be used") until the key
        // policy has reached CloudWatch Logs; the wait runs again whenever the key or its policy changes.
        const keyPolicyPropagation = new time.Sleep(
            `${name}-key-policy-propagation`,
            { createDuration: POLICY_PROPAGATION_WAIT, triggers: { keyArn: key.arn, keyPolicy: key.policy } },
            { parent: this },
        );

        const logGroup = (part: string, logGroupName: string, protect: boolean) =>
            new aws.cloudwatch.LogGroup(
                `${name}-${part}`,
                {
                    name: logGroupName,
                    retentionInDays: args.retentionInDays,
                    kmsKeyId: key.arn,
                    tags: args.tags,
                },
                { parent: this, dependsOn: [keyPolicyPropagation], retainOnDelete: true, protect },
            );
        const sessions = logGroup("sessions", args.sessionLogGroupName, args.protectAuditData);
        const container = logGroup("container", args.containerLogGroupName, false);

        const bucket = this.transcriptBucket(name, args, key);

        this.keyArn = key.arn;
        this.transcriptBucketName = bucket.bucket;
        this.sessionLogGroupName = sessions.name;
        this.sessionLogGroupArn = sessions.arn;
        this.containerLogGroupName = container.name;
        this.registerOutputs({
            keyArn: this.keyArn,
            transcriptBucketName: this.transcriptBucketName,
            sessionLogGroupName: this.sessionLogGroupName,
            sessionLogGroupArn: this.sessionLogGroupArn,
            containerLogGroupName: this.containerLogGroupName,
        });
    }

    /** The versioned, encrypted, private bucket of transcripts' copies: kept with the stack gone, like the log groups. */
    private transcriptBucket(name: string, args: SessionLoggingArgs, key: aws.kms.Key): aws.s3.Bucket {
        const kept = { parent: this, retainOnDelete: true };
        const bucket = new aws.s3.Bucket(
            `${name}-transcripts`,
            { bucket: args.transcriptBucketName, tags: args.tags },
            { ...kept, protect: args.protectAuditData },
        );
        const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
            `${name}-transcripts-public-access`,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            kept,
        );
        new aws.s3.BucketOwnershipControls(`${name}-transcripts-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, kept);
        new aws.s3.BucketVersioning(`${name}-transcripts-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, kept);
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-transcripts-encryption`,
            { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }] },
            kept,
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-transcripts-lifecycle`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "expire-transcripts",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: args.retentionInDays },
                        noncurrentVersionExpiration: { noncurrentDays: args.retentionInDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            kept,
        );
        new aws.s3.BucketPolicy(
            `${name}-transcripts-policy`,
            {
                bucket: bucket.id,
                policy: pulumi
                    .all([args.context, args.transcriptBucketName, args.adminPrincipalArns])
                    .apply(([ctx, bucketName, adminPrincipalArns]) => JSON.stringify(transcriptBucketPolicy(ctx, { bucketName, adminPrincipalArns }))),
            },
            // A public access block first: a policy that denies only is no public policy, but S3 checks in order.
            { ...kept, dependsOn: [publicAccessBlock] },
        );
        return bucket;
    }
}

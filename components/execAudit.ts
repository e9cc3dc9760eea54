import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as time from "@pulumiverse/time";
import { ALERT_INPUT_PATHS, alertTemplate, executeCommandPattern } from "./alerts";
import type { CloudTrailMode } from "./config";
import { trailBucketName } from "./names";
import { alertTopicPolicy, auditKeyPolicy, AwsContext, trailBucketPolicy } from "./policies";
import { POLICY_PROPAGATION_WAIT } from "./propagation";

export interface ExecAuditArgs {
    /** Account, region and partition the policies name. */
    context: pulumi.Input<AwsContext>;
    /** `create` a trail, or rely on an `existing` one. */
    cloudTrail: CloudTrailMode;
    /** Days the created trail's log files are kept. */
    trailRetentionDays: number;
    trailName: string;
    topicName: string;
    ruleName: string;
    keyAlias: string;
    /** Where session transcripts are: the alert tells the reader. */
    sessionLogGroupName: string;
    /** Addresses subscribed to the alert topic. */
    alertEmails: string[];
    tags: Record<string, string>;
}

/**
 * The audit trail of exec: CloudTrail records every ExecuteCommand call (a trail created here, or an existing one);
 * an EventBridge rule turns each call, successful or refused, into a message on a KMS-encrypted SNS topic that only
 * the rule may publish to, and e-mails it.
 */
export class ExecAudit extends pulumi.ComponentResource {
    public readonly topicArn: pulumi.Output<string>;
    public readonly ruleName: pulumi.Output<string>;
    /** The trail created here; undefined with an existing trail. */
    public readonly trailName: pulumi.Output<string | undefined>;

    constructor(name: string, args: ExecAuditArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-exec:audit:ExecAudit", name, {}, opts);

        const context = pulumi.output(args.context);
        const createTrail = args.cloudTrail === "create";

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `ECS Exec audit: the ${args.topicName} topic${createTrail ? ` and the ${args.trailName} trail` : ""}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: context.apply((ctx) =>
                    JSON.stringify(auditKeyPolicy(ctx, { trailName: createTrail ? args.trailName : undefined })),
                ),
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.kms.Alias(`${name}-key-alias`, { name: args.keyAlias, targetKeyId: key.keyId }, { parent: this });

        this.trailName = createTrail ? this.createTrail(name, args, context, key) : pulumi.output(undefined);

        const topic = new aws.sns.Topic(
            `${name}-topic`,
            {
                name: args.topicName,
                displayName: "ECS Exec alerts",
                kmsMasterKeyId: key.arn,
                tags: args.tags,
            },
            { parent: this },
        );
        const topicPolicy = new aws.sns.TopicPolicy(
            `${name}-topic-policy`,
            {
                arn: topic.arn,
                policy: context.apply((ctx) =>
                    JSON.stringify(alertTopicPolicy(ctx, { topicName: args.topicName, ruleName: args.ruleName })),
                ),
            },
            { parent: this },
        );
        args.alertEmails.forEach((email, i) => {
            new aws.sns.TopicSubscription(
                `${name}-email-${i}`,
                { topic: topic.arn, protocol: "email", endpoint: email },
                { parent: this },
            );
        });

        const rule = new aws.cloudwatch.EventRule(
            `${name}-rule`,
            {
                name: args.ruleName,
                description: "Every ECS ExecuteCommand call, successful or refused, from CloudTrail",
                eventPattern: JSON.stringify(executeCommandPattern()),
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(
            `${name}-target`,
            {
                rule: rule.name,
                arn: topic.arn,
                inputTransformer: {
                    inputPaths: { ...ALERT_INPUT_PATHS },
                    inputTemplate: alertTemplate(args.sessionLogGroupName),
                },
            },
            // Without the topic policy in place, the first alerts would be refused.
            { parent: this, dependsOn: [topicPolicy] },
        );

        this.topicArn = topic.arn;
        this.ruleName = rule.name;
        this.registerOutputs({ topicArn: this.topicArn, ruleName: this.ruleName, trailName: this.trailName });
    }

    /** A trail of this region's management write events, in a private, encrypted bucket of its own. */
    private createTrail(
        name: string,
        args: ExecAuditArgs,
        context: pulumi.Output<AwsContext>,
        key: aws.kms.Key,
    ): pulumi.Output<string> {
        const bucketName = context.apply((ctx) => trailBucketName(args.trailName, ctx.accountId, ctx.region));
        const bucket = new aws.s3.Bucket(`${name}-trail-bucket`, { bucket: bucketName, tags: args.tags }, { parent: this });
        const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
            `${name}-trail-bucket-public-access`,
            {
                bucket: bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            { parent: this },
        );
        new aws.s3.BucketOwnershipControls(
            `${name}-trail-bucket-ownership`,
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            { parent: this },
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-trail-bucket-encryption`,
            {
                bucket: bucket.id,
                // CloudTrail encrypts its log files with the audit key itself; this covers everything else.
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
            },
            { parent: this },
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-trail-bucket-lifecycle`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "expire-trail-logs",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: args.trailRetentionDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            { parent: this },
        );
        const bucketPolicy = new aws.s3.BucketPolicy(
            `${name}-trail-bucket-policy`,
            {
                bucket: bucket.id,
                policy: pulumi
                    .all([context, bucketName])
                    .apply(([ctx, bucket]) => JSON.stringify(trailBucketPolicy(ctx, { bucketName: bucket, trailName: args.trailName }))),
            },
            // The public access block must be in place first, and CloudTrail checks the policy when the trail is created.
            { parent: this, dependsOn: [publicAccessBlock] },
        );
        // CreateTrail checks the bucket policy and the key policy (InsufficientS3BucketPolicyException,
        // InsufficientEncryptionPolicyException) before either may have propagated; the wait runs again when they change.
        const policyPropagation = new time.Sleep(
            `${name}-trail-policy-propagation`,
            {
                createDuration: POLICY_PROPAGATION_WAIT,
                triggers: { bucketPolicy: bucketPolicy.policy, keyArn: key.arn, keyPolicy: key.policy },
            },
            { parent: this },
        );
        const trail = new aws.cloudtrail.Trail(
            `${name}-trail`,
            {
                name: args.trailName,
                s3BucketName: bucket.id,
                kmsKeyId: key.arn,
                enableLogFileValidation: true,
                includeGlobalServiceEvents: true,
                isMultiRegionTrail: false,
                eventSelectors: [{ readWriteType: "WriteOnly", includeManagementEvents: true }],
                tags: args.tags,
            },
            { parent: this, dependsOn: [bucketPolicy, policyPropagation] },
        );
        return trail.name;
    }
}

import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as time from "@pulumiverse/time";
import type { AlertDefinition } from "./alerts";
import type { CloudTrailMode } from "./config";
import { trailBucketName } from "./names";
import { alertTopicPolicy, auditKeyPolicy, AwsContext, trailBucketPolicy } from "./policies";
import { POLICY_PROPAGATION_WAIT } from "./propagation";

/** An alert with the names its rule and alarm get (components/names.ts). */
export interface AuditAlert {
    /** The definition's id: it names the alert's resources, so it is known before the definition may be. */
    id: string;
    /** Known later when it names what the stack creates (the exec network's ids). */
    definition: pulumi.Input<AlertDefinition>;
    ruleName: string;
    alarmName: string;
}

export interface ExecAuditArgs {
    /** Account, region and partition the policies name. */
    context: pulumi.Input<AwsContext>;
    /** `create` a trail, or rely on an `existing` one. */
    cloudTrail: CloudTrailMode;
    /** Days the created trail's log files are kept. */
    trailRetentionDays: number;
    trailName: string;
    topicName: string;
    keyAlias: string;
    /** Each becomes an EventBridge rule with the topic as target, and an alarm on the rule's failed deliveries. */
    alerts: AuditAlert[];
    /** Addresses subscribed to the alert topic. */
    alertEmails: string[];
    tags: Record<string, string>;
}

/**
 * The audit trail of exec: CloudTrail records every ExecuteCommand call (a trail created here, or an existing one);
 * EventBridge rules turn each call into a message on a KMS-encrypted SNS topic, which e-mails it; and a CloudWatch
 * alarm on each rule says, through the same topic, when the rule could not deliver.
 */
export class ExecAudit extends pulumi.ComponentResource {
    public readonly topicArn: pulumi.Output<string>;
    /** The alert rules, in the order of `alerts`. */
    public readonly ruleNames: pulumi.Output<string[]>;
    /** The alarms on the rules' failed deliveries, in the same order. */
    public readonly alarmNames: pulumi.Output<string[]>;
    /** The trail created here; undefined with an existing trail. */
    public readonly trailName: pulumi.Output<string | undefined>;

    constructor(name: string, args: ExecAuditArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-exec:audit:ExecAudit", name, {}, opts);

        const context = pulumi.output(args.context);
        const createTrail = args.cloudTrail === "create";
        const alarmNames = args.alerts.map((alert) => alert.alarmName);

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `ECS Exec audit: the ${args.topicName} topic${createTrail ? ` and the ${args.trailName} trail` : ""}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: context.apply((ctx) =>
                    JSON.stringify(auditKeyPolicy(ctx, { trailName: createTrail ? args.trailName : undefined, alarmNames })),
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
                policy: context.apply((ctx) => JSON.stringify(alertTopicPolicy(ctx, { topicName: args.topicName, alarmNames }))),
            },
            { parent: this },
        );
        // Named by address, so that reordering or removing an address leaves the other subscriptions alone.
        for (const email of args.alertEmails) {
            new aws.sns.TopicSubscription(
                `${name}-email-${email}`,
                { topic: topic.arn, protocol: "email", endpoint: email },
                { parent: this },
            );
        }

        const rules = args.alerts.map(({ id, ruleName, alarmName, ...alert }) => {
            const definition = pulumi.output(alert.definition).apply((d) => {
                if (d.id !== id) {
                    throw new Error(`alert ${id} was given the definition of ${d.id}`);
                }
                return d;
            });
            const rule = new aws.cloudwatch.EventRule(
                `${name}-${id}-rule`,
                {
                    name: ruleName,
                    description: definition.description,
                    eventPattern: definition.apply((d) => JSON.stringify(d.eventPattern)),
                    tags: args.tags,
                },
                { parent: this },
            );
            new aws.cloudwatch.EventTarget(
                `${name}-${id}-target`,
                {
                    rule: rule.name,
                    arn: topic.arn,
                    inputTransformer: { inputPaths: definition.inputPaths.apply((paths) => ({ ...paths })), inputTemplate: definition.inputTemplate },
                },
                // Without the topic policy in place, the first alerts would be refused.
                { parent: this, dependsOn: [topicPolicy] },
            );
            // EventBridge counts the events a rule could not deliver to its target in FailedInvocations
            // (namespace AWS/Events, dimension RuleName for the default bus). Any in five minutes raises the alarm.
            const alarm = new aws.cloudwatch.MetricAlarm(
                `${name}-${id}-alarm`,
                {
                    name: alarmName,
                    alarmDescription:
                        `The EventBridge rule ${ruleName} failed to deliver an event to the alert topic ${args.topicName}: an alert ` +
                        "was lost. Check first the topic's access policy and its KMS key's policy (EventBridge needs sns:Publish, " +
                        "kms:GenerateDataKey* and kms:Decrypt with no condition), then the rule's target. The events are in " +
                        "CloudTrail: npx ecs-exec audit lists the ExecuteCommand calls.",
                    namespace: "AWS/Events",
                    metricName: "FailedInvocations",
                    dimensions: { RuleName: rule.name },
                    statistic: "Sum",
                    period: 300,
                    evaluationPeriods: 1,
                    threshold: 0,
                    comparisonOperator: "GreaterThanThreshold",
                    treatMissingData: "notBreaching",
                    alarmActions: [topic.arn],
                    tags: args.tags,
                },
                { parent: this, dependsOn: [topicPolicy] },
            );
            return { rule, alarm };
        });

        this.topicArn = topic.arn;
        this.ruleNames = pulumi.all(rules.map(({ rule }) => rule.name));
        this.alarmNames = pulumi.all(rules.map(({ alarm }) => alarm.name));
        this.registerOutputs({
            topicArn: this.topicArn,
            ruleNames: this.ruleNames,
            alarmNames: this.alarmNames,
            trailName: this.trailName,
        });
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

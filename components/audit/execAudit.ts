import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as time from "@pulumiverse/time";
import { ALERT_RETRY_POLICY, DEAD_LETTER_RETENTION_SECONDS, UNDELIVERED_METRICS } from "./alertDelivery";
import type { AlertDefinition } from "./alerts";
import {
    alertAlarmName,
    alertRuleName,
    AUDIT_CHAIN_ALERT_IDS,
    AUDIT_WATCH_ALERT_IDS,
    CloudTrailMode,
    deadLetterAlarmName,
    trailBucketName,
    watchedNamePrefix,
} from "../config";
import { arns, AwsContext, POLICY_PROPAGATION_WAIT } from "../iam";
import { auditChainAlerts, auditWatchAlerts } from "./auditWatch";
import { alertTopicPolicy, auditKeyPolicy, deadLetterQueuePolicy, trailBucketPolicy } from "./auditPolicies";

/** An alert to declare: its id names its rule and alarm (components/config/names.ts). */
export interface AuditAlert {
    /** The definition's id: it names the alert's resources, so it is known before the definition may be. */
    id: string;
    /** Known later when it names what the stack creates (the exec network's ids). */
    definition: pulumi.Input<AlertDefinition>;
}

/** The links of the audit chain made elsewhere in the stack, which the chain's own alerts watch with this one's. */
export interface WatchedLinks {
    sessionLogGroupName: string;
    transcriptBucketName: pulumi.Input<string>;
    sessionKeyArn: pulumi.Input<string>;
    clusterName: string;
    developerPolicyArn: pulumi.Input<string>;
}

export interface ExecAuditArgs {
    /** Account, region and partition the policies name. */
    context: pulumi.Input<AwsContext>;
    /** The stack's environment: the alerts' rules and alarms are named after it (components/config/names.ts). */
    environment: string;
    /** `create` a trail, or rely on an `existing` one. */
    cloudTrail: CloudTrailMode;
    /** Days the created trail's log files are kept. */
    trailRetentionDays: number;
    trailName: string;
    topicName: string;
    keyAlias: string;
    /** The queue that keeps the events an alert rule could not deliver. */
    deadLetterQueueName: string;
    /** Each becomes an EventBridge rule with the topic as target, and an alarm on the rule's undelivered events. */
    alerts: AuditAlert[];
    /** The rest of the chain: watched, with this component's rules, trail, topic, alarms and key, by `audit-chain`. */
    watched: WatchedLinks;
    /** The only principals that may change the topic, its subscriptions, the dead-letter queue and the audit key's state or policy. */
    adminPrincipalArns: pulumi.Input<string[]>;
    /** Also protect the audit key and the trail's bucket, which are kept on delete in any case (see the constructor). */
    protectAuditData: boolean;
    /** Addresses subscribed to the alert topic. */
    alertEmails: string[];
    tags: Record<string, string>;
}

/**
 * The audit trail of exec: CloudTrail records every ExecuteCommand call (a trail created here, or an existing one);
 * EventBridge rules turn each call into a message on a KMS-encrypted SNS topic, which e-mails it; a CloudWatch alarm
 * on each rule says, through the same topic, when the rule could not deliver, and what it could not deliver waits in a
 * dead-letter queue, whose own alarm says so. Rules of the chain's own watch report every change to it.
 *
 * What records keep, and what decrypts them, outlives the stack: `pulumi destroy`, or `cloudTrail` switched from
 * `create` to `existing`, leaves the audit key, its alias and the trail's bucket (with its policy, encryption, public
 * access block and lifecycle, so it stays private and keeps expiring) in the account (`retainOnDelete`). With
 * `protectAuditData` Pulumi also refuses to delete the key and the bucket at all (`protect`), until someone unprotects
 * them on purpose.
 */
export class ExecAudit extends pulumi.ComponentResource {
    public readonly topicArn: pulumi.Output<string>;
    /** The alert rules, in the order of `alerts`, then the chain's watch. */
    public readonly ruleNames: pulumi.Output<string[]>;
    /** The alarms on the rules' undelivered events, in the same order, then the one on the dead-letter queue. */
    public readonly alarmNames: pulumi.Output<string[]>;
    /** The rules of the chain's watch (`audit-chain` and `audit-watch`). */
    public readonly watchRuleNames: pulumi.Output<string[]>;
    public readonly deadLetterQueueUrl: pulumi.Output<string>;
    /** The audit key, which encrypts the topic and the dead-letter queue (doctor reads its state). */
    public readonly keyArn: pulumi.Output<string>;
    /** The trail created here; undefined with an existing trail. */
    public readonly trailName: pulumi.Output<string | undefined>;

    constructor(name: string, args: ExecAuditArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-exec:audit:ExecAudit", name, {}, opts);

        const context = pulumi.output(args.context);
        const alertIds = [...args.alerts.map((alert) => alert.id), ...AUDIT_CHAIN_ALERT_IDS, ...AUDIT_WATCH_ALERT_IDS];
        const ruleNames = alertIds.map((id) => alertRuleName(args.environment, id));
        const alarmNames = [...alertIds.map((id) => alertAlarmName(args.environment, id)), deadLetterAlarmName(args.environment)];

        const key = this.auditKey(name, args, context, alarmNames);
        this.trailName = args.cloudTrail === "create" ? this.createTrail(name, args, context, key) : pulumi.output(undefined);
        const { topic, topicPolicy } = this.alertTopic(name, args, context, key, alarmNames);
        const deadLetters = this.deadLetterQueue(name, args, context, key, ruleNames);
        // Any undelivered event raises the alarm, through the same topic; no data is no alarm.
        const alarmsOnTopic = {
            evaluationPeriods: 1,
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [topic.arn],
            tags: args.tags,
        };
        const alerts = [...args.alerts, ...chainWatchAlerts(args, context, key)];
        const rules = alerts.map((alert) => this.alert(name, args, alert, { topic, topicPolicy, deadLetters: deadLetters.queue, alarmsOnTopic }));
        const deadLetterAlarm = this.deadLetterAlarm(name, args, deadLetters.queue, { topicPolicy, alarmsOnTopic });

        this.topicArn = topic.arn;
        this.ruleNames = pulumi.all(rules.map(({ rule }) => rule.name));
        this.alarmNames = pulumi.all([...rules.map(({ alarm }) => alarm.name), deadLetterAlarm.name]);
        this.watchRuleNames = pulumi.all(rules.slice(args.alerts.length).map(({ rule }) => rule.name));
        this.deadLetterQueueUrl = deadLetters.queue.url;
        this.keyArn = key.arn;
        this.registerOutputs({
            topicArn: this.topicArn,
            ruleNames: this.ruleNames,
            alarmNames: this.alarmNames,
            watchRuleNames: this.watchRuleNames,
            deadLetterQueueUrl: this.deadLetterQueueUrl,
            keyArn: this.keyArn,
            trailName: this.trailName,
        });
    }

    /** The key of the alert topic, the dead-letter queue and the created trail's log files, kept with the stack gone. */
    private auditKey(name: string, args: ExecAuditArgs, context: pulumi.Output<AwsContext>, alarmNames: string[]): aws.kms.Key {
        const createTrail = args.cloudTrail === "create";
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `ECS Exec audit: the ${args.topicName} topic${createTrail ? ` and the ${args.trailName} trail` : ""}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi
                    .all([context, args.adminPrincipalArns])
                    .apply(([ctx, adminPrincipalArns]) =>
                        JSON.stringify(auditKeyPolicy(ctx, { trailName: createTrail ? args.trailName : undefined, alarmNames, adminPrincipalArns })),
                    ),
                tags: args.tags,
            },
            { parent: this, retainOnDelete: true, protect: args.protectAuditData },
        );
        new aws.kms.Alias(`${name}-key-alias`, { name: args.keyAlias, targetKeyId: key.keyId }, { parent: this, retainOnDelete: true });
        return key;
    }

    /** The encrypted topic every alert and alarm publishes to, its policy, and the e-mail subscriptions. */
    private alertTopic(
        name: string,
        args: ExecAuditArgs,
        context: pulumi.Output<AwsContext>,
        key: aws.kms.Key,
        alarmNames: string[],
    ): { topic: aws.sns.Topic; topicPolicy: aws.sns.TopicPolicy } {
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
                policy: pulumi
                    .all([context, args.adminPrincipalArns])
                    .apply(([ctx, adminPrincipalArns]) =>
                        JSON.stringify(alertTopicPolicy(ctx, { topicName: args.topicName, alarmNames, adminPrincipalArns })),
                    ),
            },
            { parent: this },
        );
        // Named by address, so that reordering or removing an address leaves the other subscriptions alone.
        for (const email of args.alertEmails) {
            new aws.sns.TopicSubscription(
                `${name}-email-${email}`,
                { topic: topic.arn, protocol: "email", endpoint: email },
                { parent: this, dependsOn: [topicPolicy] },
            );
        }
        return { topic, topicPolicy };
    }

    /**
     * One alert: its rule, its target (the topic, retried for minutes, then the dead-letter queue) and an alarm on
     * every event the rule did not deliver.
     */
    private alert(
        name: string,
        args: ExecAuditArgs,
        { id, definition: given }: AuditAlert,
        delivery: { topic: aws.sns.Topic; topicPolicy: aws.sns.TopicPolicy; deadLetters: aws.sqs.Queue; alarmsOnTopic: Partial<aws.cloudwatch.MetricAlarmArgs> },
    ): { rule: aws.cloudwatch.EventRule; alarm: aws.cloudwatch.MetricAlarm } {
        const { topic, topicPolicy, deadLetters, alarmsOnTopic } = delivery;
        const ruleName = alertRuleName(args.environment, id);
        const definition = pulumi.output(given).apply((d) => {
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
                retryPolicy: ALERT_RETRY_POLICY,
                deadLetterConfig: { arn: deadLetters.arn },
            },
            // Without the topic policy in place, the first alerts would be refused.
            { parent: this, dependsOn: [topicPolicy] },
        );
        const alarm = new aws.cloudwatch.MetricAlarm(
            `${name}-${id}-alarm`,
            {
                name: alertAlarmName(args.environment, id),
                alarmDescription:
                    `The EventBridge rule ${ruleName} did not deliver an event to the alert topic ${args.topicName}: an alert ` +
                    `was lost, or waits in the queue ${args.deadLetterQueueName}. Check first the topic's access policy and its ` +
                    "KMS key's policy (EventBridge needs sns:Publish, kms:GenerateDataKey* and kms:Decrypt with no condition), " +
                    "then the rule's target. The events are in CloudTrail: npx ecs-exec audit lists the exec calls.",
                metricQueries: [
                    ...UNDELIVERED_METRICS.map((metricName, i) => ({
                        id: `m${i}`,
                        metric: { namespace: "AWS/Events", metricName, dimensions: { RuleName: rule.name }, period: 300, stat: "Sum" },
                    })),
                    {
                        id: "undelivered",
                        label: "Events not delivered to the topic",
                        expression: UNDELIVERED_METRICS.map((_, i) => `FILL(m${i}, 0)`).join(" + "),
                        returnData: true,
                    },
                ],
                ...alarmsOnTopic,
            },
            { parent: this, dependsOn: [topicPolicy] },
        );
        return { rule, alarm };
    }

    /** The dead-letter queue of the alert targets, encrypted with the audit key, open to this stack's rules only. */
    private deadLetterQueue(
        name: string,
        args: ExecAuditArgs,
        context: pulumi.Output<AwsContext>,
        key: aws.kms.Key,
        ruleNames: string[],
    ): { queue: aws.sqs.Queue } {
        const queue = new aws.sqs.Queue(
            `${name}-dead-letters`,
            {
                name: args.deadLetterQueueName,
                kmsMasterKeyId: key.arn,
                messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.sqs.QueuePolicy(
            `${name}-dead-letters-policy`,
            {
                queueUrl: queue.url,
                policy: pulumi
                    .all([context, args.adminPrincipalArns])
                    .apply(([ctx, adminPrincipalArns]) =>
                        JSON.stringify(deadLetterQueuePolicy(ctx, { queueName: args.deadLetterQueueName, ruleNames, adminPrincipalArns })),
                    ),
            },
            { parent: this },
        );
        return { queue };
    }

    /** The alarm on the dead-letter queue holding an event: an alert that was not sent. */
    private deadLetterAlarm(
        name: string,
        args: ExecAuditArgs,
        queue: aws.sqs.Queue,
        delivery: { topicPolicy: aws.sns.TopicPolicy; alarmsOnTopic: Partial<aws.cloudwatch.MetricAlarmArgs> },
    ): aws.cloudwatch.MetricAlarm {
        return new aws.cloudwatch.MetricAlarm(
            `${name}-dead-letters-alarm`,
            {
                name: deadLetterAlarmName(args.environment),
                alarmDescription:
                    `The queue ${args.deadLetterQueueName} holds events an alert rule could not deliver to ${args.topicName}: those ` +
                    "alerts were not sent. Read them (aws sqs receive-message), fix the cause (docs/security.md: When an alert is not " +
                    "delivered), then have an audit administrator purge the queue.",
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: queue.name },
                statistic: "Maximum",
                period: 300,
                ...delivery.alarmsOnTopic,
            },
            { parent: this, dependsOn: [delivery.topicPolicy] },
        );
    }

    /** A trail of this region's management write events, in a private, encrypted bucket of its own. */
    private createTrail(
        name: string,
        args: ExecAuditArgs,
        context: pulumi.Output<AwsContext>,
        key: aws.kms.Key,
    ): pulumi.Output<string> {
        const { bucket, bucketPolicy } = this.trailBucket(name, args, context);
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

    /**
     * The trail's bucket: kept with the stack gone, and kept private, encrypted and expiring; its log files are the
     * record of exec.
     */
    private trailBucket(
        name: string,
        args: ExecAuditArgs,
        context: pulumi.Output<AwsContext>,
    ): { bucket: aws.s3.Bucket; bucketPolicy: aws.s3.BucketPolicy } {
        const bucketName = context.apply((ctx) => trailBucketName(args.trailName, ctx.accountId, ctx.region));
        const kept = { parent: this, retainOnDelete: true };
        const bucket = new aws.s3.Bucket(
            `${name}-trail-bucket`,
            { bucket: bucketName, tags: args.tags },
            { ...kept, protect: args.protectAuditData },
        );
        const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
            `${name}-trail-bucket-public-access`,
            {
                bucket: bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            kept,
        );
        new aws.s3.BucketOwnershipControls(
            `${name}-trail-bucket-ownership`,
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            kept,
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-trail-bucket-encryption`,
            {
                bucket: bucket.id,
                // CloudTrail encrypts its log files with the audit key itself; this covers everything else.
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
            },
            kept,
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
            kept,
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
            { ...kept, dependsOn: [publicAccessBlock] },
        );
        return { bucket, bucketPolicy };
    }
}

/**
 * The chain's own alerts: `audit-chain` on every link (known once the keys and the developer policy are), and
 * `audit-watch` on the rules of `audit-chain`.
 */
function chainWatchAlerts(args: ExecAuditArgs, context: pulumi.Output<AwsContext>, key: aws.kms.Key): AuditAlert[] {
    const chain = pulumi
        .all([context, key.keyId, key.arn, args.watched.sessionKeyArn, args.watched.developerPolicyArn, args.watched.transcriptBucketName])
        .apply(([ctx, auditKeyId, auditKeyArn, sessionKeyArn, developerPolicyArn, transcriptBucketName]) =>
            auditChainAlerts({
                namePrefix: watchedNamePrefix(args.environment),
                trail: args.cloudTrail === "create" ? { name: args.trailName, arn: arns.trail(ctx, args.trailName) } : undefined,
                topicArn: arns.topic(ctx, args.topicName),
                sessionLogGroup: { name: args.watched.sessionLogGroupName, arn: arns.logGroup(ctx, args.watched.sessionLogGroupName) },
                transcriptBucketName,
                keys: [
                    { id: auditKeyId, arn: auditKeyArn },
                    { id: sessionKeyArn.split("/").pop()!, arn: sessionKeyArn },
                ],
                cluster: { name: args.watched.clusterName, arn: arns.cluster(ctx, args.watched.clusterName) },
                developerPolicyArn,
            }),
        );
    const watch = auditWatchAlerts(AUDIT_CHAIN_ALERT_IDS.map((id) => alertRuleName(args.environment, id)));
    return [
        ...AUDIT_CHAIN_ALERT_IDS.map((id, i) => ({ id, definition: chain.apply((definitions) => definitions[i]) })),
        ...watch.map((definition) => ({ id: definition.id, definition })),
    ];
}

/**
 * The audit chain's documents: the audit key's policy, who may publish to the alert topic and change it, the alerts'
 * dead-letter queue, and the trail's bucket.
 */
import {
    accountAdministersKey,
    arns,
    AwsContext,
    denyAllButAuditAdministrators,
    denyInsecureTransport,
    policy,
    PolicyDocument,
    PolicyStatement,
} from "../iam";

const EVENTS_SERVICE = "events.amazonaws.com";
const CLOUDWATCH_SERVICE = "cloudwatch.amazonaws.com";
const CLOUDTRAIL_SERVICE = "cloudtrail.amazonaws.com";

export interface AuditKeyPolicyArgs {
    /** The trail this stack creates and encrypts with the key; undefined when an existing trail is used. */
    trailName?: string;
    /** The alarms on the alerts' delivery, which publish to the encrypted topic. */
    alarmNames: string[];
    /** The only principals (`aws:PrincipalArn`, wildcards allowed) that may disable the key, delete it or change its policy. */
    adminPrincipalArns: string[];
}

/**
 * Key calls that silence the chain, the alert of the call itself included: a disabled key, or one pending deletion,
 * encrypts nothing, so the topic, the dead-letter queue and the alarms deliver nothing (KMS Developer Guide, "Key
 * states of AWS KMS keys"); a new key policy can take the services' grants away. Not CreateGrant, nor anything the
 * services call to encrypt. Not the alias calls either: the topic and the queue name the key by its ARN.
 */
const AUDIT_KEY_CHANGES = ["kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"];

/**
 * Key policy of the audit key, which encrypts the alert topic and, when the stack creates it, the trail's log
 * files. Services that publish to an encrypted topic need `kms:GenerateDataKey*` and `kms:Decrypt` on its key (SNS
 * Developer Guide, "Enable compatibility between event sources from AWS services and encrypted topics"; the
 * AWS-managed alias/aws/sns key cannot grant that). EventBridge with no condition: its requests carry no
 * `aws:SourceArn` or `aws:SourceAccount` (EventBridge User Guide, "Using resource-based policies for Amazon
 * EventBridge", SNS permissions). CloudWatch for this stack's alarms where the request names one. CloudTrail
 * only for this stack's trail (CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail").
 *
 * Nobody but the audit administrators may disable the key, schedule its deletion or change its policy. KMS refuses
 * a key policy that would stop whoever sets it from setting the next one (KMS API Reference, CreateKey and
 * PutKeyPolicy, BypassPolicyLockoutSafetyCheck, which the stack leaves off): a `pulumi up` by a principal not listed
 * fails there, as it fails on the topic policy, and leaves the key as it was.
 */
export function auditKeyPolicy(ctx: AwsContext, args: AuditKeyPolicyArgs): PolicyDocument {
    const statements: PolicyStatement[] = [
        accountAdministersKey(ctx),
        {
            Sid: "EventBridgePublishesToTheEncryptedTopic",
            Effect: "Allow",
            Principal: { Service: EVENTS_SERVICE },
            Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
            Resource: "*",
        },
        {
            Sid: "ThisStacksAlarmsPublishToTheEncryptedTopic",
            Effect: "Allow",
            Principal: { Service: CLOUDWATCH_SERVICE },
            Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
            Resource: "*",
            // IfExists: AWS documents aws:SourceArn on CloudWatch's publish to SNS, not on the KMS requests made for
            // it. Without the key the grant still holds (the topic policy decides which alarms publish); with it,
            // only this stack's alarms match.
            Condition: { ArnEqualsIfExists: { "aws:SourceArn": args.alarmNames.map((name) => arns.alarm(ctx, name)) } },
        },
        // In a key policy, "*" is this key.
        denyAllButAuditAdministrators("OnlyAuditAdministratorsDisableDeleteOrChangeTheKey", AUDIT_KEY_CHANGES, "*", args.adminPrincipalArns),
    ];
    if (args.trailName) {
        const trailArn = arns.trail(ctx, args.trailName);
        statements.push(
            {
                Sid: "CloudTrailEncryptsThisTrail",
                Effect: "Allow",
                Principal: { Service: CLOUDTRAIL_SERVICE },
                Action: "kms:GenerateDataKey*",
                Resource: "*",
                Condition: {
                    StringEquals: { "aws:SourceArn": trailArn },
                    StringLike: {
                        "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${ctx.partition}:cloudtrail:*:${ctx.accountId}:trail/*`,
                    },
                },
            },
            {
                Sid: "CloudTrailDescribesTheKey",
                Effect: "Allow",
                Principal: { Service: CLOUDTRAIL_SERVICE },
                Action: "kms:DescribeKey",
                Resource: "*",
                Condition: { StringEquals: { "aws:SourceArn": trailArn } },
            },
        );
    }
    return policy(...statements);
}

export interface AlertTopicPolicyArgs {
    topicName: string;
    /** The alarms on the alerts' delivery. */
    alarmNames: string[];
    /** The only principals (`aws:PrincipalArn`, wildcards allowed) that may change the topic or its subscriptions. */
    adminPrincipalArns: string[];
}

/**
 * Topic actions that change where alerts go or whether they arrive: the topic's attributes (its policy, its key),
 * its permissions, new subscriptions, data protection (which can mask a message), and the topic itself (SNS
 * Developer Guide, "Amazon SNS API permissions: Actions and resources reference": the actions a topic policy takes).
 * Unsubscribe and SetSubscriptionAttributes are not among them: the chain's watch reports those.
 */
const TOPIC_CHANGES = [
    "sns:SetTopicAttributes",
    "sns:DeleteTopic",
    "sns:AddPermission",
    "sns:RemovePermission",
    "sns:Subscribe",
    "sns:PutDataProtectionPolicy",
];

/**
 * Who may publish to the alert topic: EventBridge (the alert rules), and CloudWatch for this stack's alarms on their
 * delivery; nobody else, so nobody can send a forged alert or an all-clear.
 *
 * EventBridge's publish carries no condition key to scope it by: "You can't use Condition blocks in Amazon SNS topic
 * policies for EventBridge" (EventBridge User Guide, "Using resource-based policies for Amazon EventBridge", SNS
 * permissions), and AWS CDK's SNS rule target grants it with no condition. So its statement has none, and the Deny
 * that keeps everyone else out must not match it whatever it sends: `aws:PrincipalIsAWSService` is in the request
 * context of every signed request, true when a service principal acts directly, false for IAM principals and service
 * roles (IAM User Guide, "AWS global condition context keys"); and a key the request lacks does not match a plain
 * `Bool` (IAM User Guide, "Condition operators"). EventBridge delivers to a topic of another account only through an
 * execution role of the rule's account (EventBridge User Guide, "Sending events to an AWS service in another
 * account"): a role, so the Deny keeps it out.
 * CloudWatch does send `aws:SourceArn`, the alarm's ARN.
 */
export function alertTopicPolicy(ctx: AwsContext, args: AlertTopicPolicyArgs): PolicyDocument {
    const topicArn = arns.topic(ctx, args.topicName);
    return policy(
        {
            Sid: "EventBridgeRulesPublish",
            Effect: "Allow",
            Principal: { Service: EVENTS_SERVICE },
            Action: "sns:Publish",
            Resource: topicArn,
        },
        {
            Sid: "ThisStacksAlarmsPublish",
            Effect: "Allow",
            Principal: { Service: CLOUDWATCH_SERVICE },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: { ArnEquals: { "aws:SourceArn": args.alarmNames.map((name) => arns.alarm(ctx, name)) } },
        },
        {
            Sid: "NobodyElsePublishes",
            Effect: "Deny",
            Principal: { AWS: "*" },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: { Bool: { "aws:PrincipalIsAWSService": "false" } },
        },
        // Administrators of the account who are not the stack's own cannot reroute, silence or read the alerts.
        denyAllButAuditAdministrators("OnlyAuditAdministratorsChangeTheTopic", TOPIC_CHANGES, topicArn, args.adminPrincipalArns),
    );
}

export interface DeadLetterQueuePolicyArgs {
    queueName: string;
    /** Every alert rule whose target sends its undelivered events here. */
    ruleNames: string[];
    /** The only principals that may empty, reconfigure or delete the queue. */
    adminPrincipalArns: string[];
}

/**
 * The alerts' dead-letter queue: EventBridge sends to it for this stack's rules only (`aws:SourceArn`, the rule: the
 * EventBridge User Guide's dead-letter queue policy), nobody else sends, and nobody but the audit administrators can
 * drop what it holds or change it. A request without `aws:SourceArn` (any IAM principal's) matches `ArnNotEquals`:
 * a negated operator matches a missing key (IAM User Guide, "Condition operators").
 */
export function deadLetterQueuePolicy(ctx: AwsContext, args: DeadLetterQueuePolicyArgs): PolicyDocument {
    const queueArn = arns.queue(ctx, args.queueName);
    const rules = args.ruleNames.map((rule) => arns.rule(ctx, rule));
    return policy(
        {
            Sid: "ThisStacksRulesSendUndeliveredEvents",
            Effect: "Allow",
            Principal: { Service: EVENTS_SERVICE },
            Action: "sqs:SendMessage",
            Resource: queueArn,
            Condition: { ArnEquals: { "aws:SourceArn": rules } },
        },
        {
            Sid: "NobodyElseSends",
            Effect: "Deny",
            Principal: { AWS: "*" },
            Action: "sqs:SendMessage",
            Resource: queueArn,
            Condition: { ArnNotEquals: { "aws:SourceArn": rules } },
        },
        denyAllButAuditAdministrators(
            "OnlyAuditAdministratorsDropOrChangeWhatItHolds",
            ["sqs:DeleteMessage", "sqs:PurgeQueue", "sqs:SetQueueAttributes", "sqs:DeleteQueue"],
            queueArn,
            args.adminPrincipalArns,
        ),
    );
}

export interface TrailBucketPolicyArgs {
    bucketName: string;
    trailName: string;
}

/**
 * CloudTrail may check the bucket and write log files for this account, only for this stack's trail
 * (`aws:SourceArn`, CloudTrail User Guide, "Amazon S3 bucket policy for CloudTrail"); nothing over plain HTTP.
 */
export function trailBucketPolicy(ctx: AwsContext, args: TrailBucketPolicyArgs): PolicyDocument {
    const bucketArn = arns.bucket(ctx, args.bucketName);
    const fromThisTrail = { "aws:SourceArn": arns.trail(ctx, args.trailName) };
    return policy(
        {
            Sid: "CloudTrailChecksTheBucket",
            Effect: "Allow",
            Principal: { Service: CLOUDTRAIL_SERVICE },
            Action: "s3:GetBucketAcl",
            Resource: bucketArn,
            Condition: { StringEquals: fromThisTrail },
        },
        {
            Sid: "CloudTrailWritesThisAccountsLogs",
            Effect: "Allow",
            Principal: { Service: CLOUDTRAIL_SERVICE },
            Action: "s3:PutObject",
            Resource: `${bucketArn}/AWSLogs/${ctx.accountId}/*`,
            Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", ...fromThisTrail } },
        },
        denyInsecureTransport(bucketArn),
    );
}

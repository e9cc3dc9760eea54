/**
 * Every physical name the stack gives to AWS, derived once from the environment. Anything that must agree on a
 * name (the container in the task definition and in IAM conditions, the log group in the cluster and in the task
 * role policy) takes it from here, never from a second spelling.
 */
export interface ExecNames {
    /** ECS cluster name. */
    cluster: string;
    /** The exec container's name: the task definition's container and the `ecs:container-name` IAM condition. */
    container: string;
    /** Task definition family of the exec task. */
    taskFamily: string;
    /** CloudWatch log group that receives session transcripts (one stream per session id). */
    sessionLogGroup: string;
    /** CloudWatch log group for the exec container's own stdout/stderr. */
    containerLogGroup: string;
    /** IAM role the exec container (and its SSM agent) runs as. */
    taskRole: string;
    /** IAM role ECS uses to pull the image and write container logs. */
    executionRole: string;
    /** KMS alias of the key that encrypts sessions and their logs. */
    keyAlias: string;
    /** Security group of exec tasks. */
    taskSecurityGroup: string;
    /** The prefix of the endpoints' Name tags (and the name of the endpoints' security group of earlier versions). */
    endpoints: string;
    /** Security group of the VPC endpoints the stack creates. */
    endpointSecurityGroup: string;
    /** Customer-managed policy of developers (an IAM Identity Center permission set can reference it by name). */
    developerPolicy: string;
    /** Role developers assume to use the policy. */
    developerRole: string;
    /** Customer-managed policy of exactly the read-only calls `ecs-exec doctor` makes. */
    doctorPolicy: string;
    /** CloudTrail trail, when the stack creates one. */
    trail: string;
    /** SNS topic of the alerts, and of the alarms on their delivery. */
    alertTopic: string;
    /** KMS alias of the key that encrypts the alert topic and the trail. */
    auditKeyAlias: string;
    /** SQS queue that keeps the events an alert rule could not deliver to the topic. */
    alertDeadLetterQueue: string;
}

/** What every name of a stack starts with. */
function stackPrefix(environment: string): string {
    return `${environment}-ecs-exec`;
}

export function execNames(environment: string): ExecNames {
    const prefix = stackPrefix(environment);
    return {
        cluster: prefix,
        container: prefix,
        taskFamily: prefix,
        sessionLogGroup: `/ecs-exec/${environment}/sessions`,
        containerLogGroup: `/ecs-exec/${environment}/container`,
        taskRole: `${prefix}-task`,
        executionRole: `${prefix}-execution`,
        keyAlias: `alias/${prefix}`,
        taskSecurityGroup: `${prefix}-task`,
        endpoints: `${prefix}-endpoints`,
        endpointSecurityGroup: `${prefix}-vpc-endpoints`,
        developerPolicy: `${prefix}-developer`,
        developerRole: `${prefix}-developer`,
        doctorPolicy: `${prefix}-doctor`,
        trail: prefix,
        alertTopic: `${prefix}-alerts`,
        auditKeyAlias: `alias/${prefix}-audit`,
        alertDeadLetterQueue: `${prefix}-alerts-dead-letters`,
    };
}

/**
 * What the name of every EventBridge rule, alarm and IAM role of the stack starts with, the rules of `audit-chain`
 * excepted: the chain's watch matches the others by it (components/audit/auditWatch.ts).
 */
export function watchedNamePrefix(environment: string): string {
    return `${stackPrefix(environment)}-`;
}

/**
 * The groups of the audit chain's links, each watched by its own pair of rules (components/audit/auditWatch.ts). Here because
 * their alert ids decide how the rules are named.
 */
export const AUDIT_CHAIN_GROUPS = ["delivery", "trail", "transcripts", "access"] as const;
export type AuditChainGroup = (typeof AUDIT_CHAIN_GROUPS)[number];

/** Alert ids of the two families, a change and a refusal each; the stack names rules and alarms by them. */
export const AUDIT_CHAIN_ALERT_IDS: readonly string[] = AUDIT_CHAIN_GROUPS.flatMap((group) => [`audit-chain-${group}`, `audit-chain-${group}-refused`]);
export const AUDIT_WATCH_ALERT_IDS: readonly string[] = ["audit-watch", "audit-watch-refused"];

/**
 * The EventBridge rule of one alert (components/audit/alerts.ts). EventBridge rule names: at most 64 characters of
 * letters, digits, `.`, `-` and `_` (PutRule API reference). The rules of `audit-chain`, which watches every other
 * rule by the watched prefix, take a `.` after the stack's prefix instead, so it does not watch itself.
 */
export function alertRuleName(environment: string, alertId: string): string {
    const separator = (AUDIT_CHAIN_ALERT_IDS as readonly string[]).includes(alertId) ? "." : "-";
    return `${stackPrefix(environment)}${separator}${alertId}`;
}

/** The CloudWatch alarm on an alert rule's undelivered events (alarm names: at most 255 characters). */
export function alertAlarmName(environment: string, alertId: string): string {
    return `${watchedNamePrefix(environment)}${alertId}-undelivered`;
}

/** The alarm on the alerts' dead-letter queue holding a message. */
export function deadLetterAlarmName(environment: string): string {
    return `${watchedNamePrefix(environment)}alerts-dead-letters`;
}

/**
 * The bucket of the write-once copy of session transcripts. S3 names are global: the account makes it unique (an
 * environment is unique within its account), and at most 20 + 27 + 12 characters it fits S3's 63 everywhere.
 */
export function transcriptBucketName(environment: string, accountId: string): string {
    return `${stackPrefix(environment)}-transcripts-${accountId}`;
}

/**
 * Where in that bucket the agent writes each transcript: `<prefix>/<session id>.log` (amazon-ssm-agent,
 * agent/session/shell/shell.go: `BuildS3Path(OutputS3KeyPrefix, SessionId + ".log")`). The cluster's exec
 * configuration names the prefix, the task role may write under it alone, and `ecs-exec audit` reads each key.
 */
export const TRANSCRIPT_KEY_PREFIX = "sessions";

export function transcriptKey(sessionId: string): string {
    return `${TRANSCRIPT_KEY_PREFIX}/${sessionId}.log`;
}

/** The trail's bucket: S3 names are global, so the account and region make it unique (at most 63 characters). */
export function trailBucketName(trailName: string, accountId: string, region: string): string {
    return `${trailName}-trail-${accountId}-${region}`;
}

/**
 * The tag that marks a task definition (and the security group) of exec tasks. Developer policies deny turning exec
 * on for any task definition without it, so the policies of several environments can sit on one principal.
 */
export const EXEC_TASK_TAG = { key: "ecs-exec:purpose", value: "exec-task" } as const;

/** Tags every resource of the stack carries. */
export function stackTags(environment: string): Record<string, string> {
    return { Project: "ecs-exec", Environment: environment, ManagedBy: "pulumi" };
}

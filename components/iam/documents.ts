/**
 * The IAM vocabulary every concern's documents share: where the stack is, the document types, ARNs, and the
 * statements several documents repeat. Policy documents are plain functions from names and ARNs to JSON; components
 * only attach them, tests evaluate them directly.
 */

/** Where the stack is: every ARN below is built from this. */
export interface AwsContext {
    partition: string;
    region: string;
    accountId: string;
    /** The partition's DNS suffix (amazonaws.com, amazonaws.com.cn): service principals are named with it. */
    dnsSuffix: string;
}

export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: { AWS?: string | string[]; Service?: string | string[] };
    Action: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Condition?: Condition;
}

/** Operator → context key → value(s). */
export type Condition = Record<string, Record<string, string | string[]>>;

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/** The four Session Manager channel actions the SSM agent inside the container calls. They have no resource types. */
export const SSM_MESSAGES_ACTIONS = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
] as const;

export const ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com";

export const arns = {
    /** A log group, as CloudWatch Logs names it in KMS encryption contexts (no `:*`). */
    logGroup: (ctx: AwsContext, name: string) =>
        `arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:${name}`,
    /** The log streams of a log group: what CreateLogStream and PutLogEvents are authorized on. */
    logStreams: (ctx: AwsContext, name: string) => `${arns.logGroup(ctx, name)}:*`,
    accountRoot: (ctx: AwsContext) => `arn:${ctx.partition}:iam::${ctx.accountId}:root`,
    cluster: (ctx: AwsContext, cluster: string) => `arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:cluster/${cluster}`,
    /** Every task of a cluster (task ARNs carry their cluster's name). */
    tasksOf: (ctx: AwsContext, cluster: string) => `arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:task/${cluster}/*`,
    alarm: (ctx: AwsContext, alarm: string) => `arn:${ctx.partition}:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:${alarm}`,
    /** An EventBridge rule of the default bus. */
    rule: (ctx: AwsContext, rule: string) => `arn:${ctx.partition}:events:${ctx.region}:${ctx.accountId}:rule/${rule}`,
    queue: (ctx: AwsContext, queue: string) => `arn:${ctx.partition}:sqs:${ctx.region}:${ctx.accountId}:${queue}`,
    topic: (ctx: AwsContext, topic: string) => `arn:${ctx.partition}:sns:${ctx.region}:${ctx.accountId}:${topic}`,
    trail: (ctx: AwsContext, trail: string) => `arn:${ctx.partition}:cloudtrail:${ctx.region}:${ctx.accountId}:trail/${trail}`,
    bucket: (ctx: AwsContext, bucket: string) => `arn:${ctx.partition}:s3:::${bucket}`,
    /** Every revision of a task definition family. */
    taskDefinitionRevisions: (ctx: AwsContext, family: string) =>
        `arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:task-definition/${family}:*`,
    ecrRepository: (partition: string, ecr: { accountId: string; region: string; repository: string }) =>
        `arn:${partition}:ecr:${ecr.region}:${ecr.accountId}:repository/${ecr.repository}`,
};

/** A policy document of these statements. */
export function policy(...statements: PolicyStatement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

/** Lets IAM policies of the account grant use of a key: without it, only the key policy could. */
export const accountAdministersKey = (ctx: AwsContext): PolicyStatement => ({
    Sid: "AccountAdministersKeyThroughIam",
    Effect: "Allow",
    Principal: { AWS: arns.accountRoot(ctx) },
    Action: "kms:*",
    Resource: "*",
});

/** The roles IAM Identity Center provisions, in any account and any home region (path `aws-reserved/sso.amazonaws.com/`). */
export const IDENTITY_CENTER_ROLE_PATH = "/aws-reserved/sso.amazonaws.com/";

/**
 * A resource policy's deny that no identity policy can lift, AdministratorAccess included: only the stack's audit
 * administrators may take these actions. `aws:PrincipalArn` names a role session by its role, path included (IAM
 * User Guide, "AWS global condition context keys"), so the administrators are listed as roles and users.
 */
export function denyAllButAuditAdministrators(sid: string, actions: string[], resource: string | string[], adminPrincipalArns: string[]): PolicyStatement {
    return {
        Sid: sid,
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: actions,
        Resource: resource,
        Condition: { ArnNotLike: { "aws:PrincipalArn": adminPrincipalArns } },
    };
}

/** Nothing over plain HTTP, to the bucket or its objects. */
export function denyInsecureTransport(bucketArn: string): PolicyStatement {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

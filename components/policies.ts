/**
 * IAM and KMS policy documents as plain functions from names and ARNs to JSON. Components only attach them;
 * tests evaluate them directly.
 */
import type { ImageReference } from "./image";

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
    Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

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
    ecrRepository: (partition: string, ecr: NonNullable<ImageReference["ecr"]>) =>
        `arn:${partition}:ecr:${ecr.region}:${ecr.accountId}:repository/${ecr.repository}`,
};

function policy(...statements: PolicyStatement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

function ecsTasksTrust(condition: NonNullable<PolicyStatement["Condition"]>): PolicyDocument {
    return policy({
        Sid: "EcsTasksOfThisAccount",
        Effect: "Allow",
        Principal: { Service: ECS_TASKS_SERVICE },
        Action: "sts:AssumeRole",
        Condition: condition,
    });
}

/**
 * Trust policy of the exec task role: only ECS tasks of this account and region may assume it (confused-deputy
 * guard recommended in the ECS Developer Guide, "Task IAM role").
 */
export function taskRoleTrustPolicy(ctx: AwsContext): PolicyDocument {
    return ecsTasksTrust({
        StringEquals: { "aws:SourceAccount": ctx.accountId },
        ArnLike: { "aws:SourceArn": `arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:*` },
    });
}

/**
 * Trust policy of the execution role. Scoped by account only: the ECS guide documents `aws:SourceArn` for task
 * roles, not for the role the agent uses to pull images before the task exists.
 */
export function executionRoleTrustPolicy(ctx: AwsContext): PolicyDocument {
    return ecsTasksTrust({ StringEquals: { "aws:SourceAccount": ctx.accountId } });
}

export interface TaskRolePolicyArgs {
    sessionLogGroupName: string;
    kmsKeyArn: string;
}

/**
 * What the exec container's SSM agent needs and nothing more (in place of AmazonSSMManagedInstanceCore):
 * the Session Manager channels, writing session transcripts to the session log group, and decrypting the
 * session data key.
 */
export function taskRolePolicy(ctx: AwsContext, args: TaskRolePolicyArgs): PolicyDocument {
    return policy(
        {
            Sid: "SessionManagerChannels",
            Effect: "Allow",
            Action: [...SSM_MESSAGES_ACTIONS],
            Resource: "*",
        },
        {
            // The agent checks that the session log group exists and is encrypted before it opens a session;
            // DescribeLogGroups has no resource type of its own.
            Sid: "FindSessionLogGroup",
            Effect: "Allow",
            Action: "logs:DescribeLogGroups",
            Resource: "*",
        },
        {
            Sid: "WriteSessionTranscripts",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            Resource: arns.logStreams(ctx, args.sessionLogGroupName),
        },
        {
            Sid: "DecryptSessionDataKey",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: args.kmsKeyArn,
        },
    );
}

export interface ExecutionRolePolicyArgs {
    containerLogGroupName: string;
    image: ImageReference;
}

/**
 * What ECS needs to start the exec container: pull the image when it is in ECR (that repository only) and
 * write the container's output to its log group. Images outside ECR need no IAM permission.
 */
export function executionRolePolicy(ctx: AwsContext, args: ExecutionRolePolicyArgs): PolicyDocument {
    const statements: PolicyStatement[] = [];
    if (args.image.ecr) {
        statements.push(
            {
                Sid: "EcrLogin",
                Effect: "Allow",
                Action: "ecr:GetAuthorizationToken",
                Resource: "*",
            },
            {
                Sid: "PullAppImage",
                Effect: "Allow",
                Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                Resource: arns.ecrRepository(ctx.partition, args.image.ecr),
            },
        );
    }
    statements.push({
        Sid: "WriteContainerLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: arns.logStreams(ctx, args.containerLogGroupName),
    });
    return policy(...statements);
}

export interface SessionKeyPolicyArgs {
    /** Log groups CloudWatch Logs may encrypt with this key. */
    logGroupNames: string[];
}

/**
 * Key policy of the session key. The account statement lets IAM policies grant use of the key (the task role's
 * kms:Decrypt, developers' kms:GenerateDataKey); CloudWatch Logs in this region may use it only for this stack's
 * log groups, bound by the `kms:EncryptionContext:aws:logs:arn` condition (CloudWatch Logs User Guide,
 * "Encrypt log data in CloudWatch Logs using AWS KMS").
 */
export function sessionKeyPolicy(ctx: AwsContext, args: SessionKeyPolicyArgs): PolicyDocument {
    return policy(
        {
            Sid: "AccountAdministersKeyThroughIam",
            Effect: "Allow",
            Principal: { AWS: arns.accountRoot(ctx) },
            Action: "kms:*",
            Resource: "*",
        },
        {
            Sid: "CloudWatchLogsEncryptsThisStacksLogGroups",
            Effect: "Allow",
            Principal: { Service: `logs.${ctx.region}.${ctx.dnsSuffix}` },
            Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resource: "*",
            Condition: {
                ArnEquals: {
                    "kms:EncryptionContext:aws:logs:arn": args.logGroupNames.map((name) => arns.logGroup(ctx, name)),
                },
            },
        },
    );
}

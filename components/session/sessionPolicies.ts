/**
 * The session's documents: the exec task's roles and whom they trust, the session key's policy, and the policy of the
 * transcripts' bucket.
 */
import { ImageReference, TRANSCRIPT_KEY_PREFIX } from "../config";
import {
    accountAdministersKey,
    arns,
    AwsContext,
    Condition,
    denyAllButAuditAdministrators,
    denyInsecureTransport,
    ECS_TASKS_SERVICE,
    policy,
    PolicyDocument,
    PolicyStatement,
    SSM_MESSAGES_ACTIONS,
} from "../iam";

function ecsTasksTrust(condition: Condition): PolicyDocument {
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
    /** The bucket of the write-once copy of transcripts. */
    transcriptBucketName: string;
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
        {
            // Write-once copy: the agent puts `<prefix>/<session id>.log` when the session ends, nothing else, no delete.
            Sid: "CopyTranscriptsToTheirBucket",
            Effect: "Allow",
            Action: "s3:PutObject",
            Resource: `${arns.bucket(ctx, args.transcriptBucketName)}/${TRANSCRIPT_KEY_PREFIX}/*`,
        },
        {
            // What the agent checks of the bucket first (ECS Developer Guide, "ECS Exec", IAM permissions for S3
            // logging): its region, and that it is encrypted (s3BucketEncryptionEnabled).
            Sid: "CheckTheTranscriptBucket",
            Effect: "Allow",
            Action: ["s3:GetBucketLocation", "s3:GetEncryptionConfiguration"],
            Resource: arns.bucket(ctx, args.transcriptBucketName),
        },
        {
            // S3 encrypts each copy with the session key for the agent: a data key it generates as the task role.
            Sid: "EncryptTranscriptCopies",
            Effect: "Allow",
            Action: "kms:GenerateDataKey",
            Resource: args.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `s3.${ctx.region}.${ctx.dnsSuffix}` } },
        },
    );
}

export interface TranscriptBucketPolicyArgs {
    bucketName: string;
    /** The only principals that may delete objects or versions, or change how the bucket keeps them. */
    adminPrincipalArns: string[];
}

/**
 * The transcripts' bucket keeps what it was given: nothing over plain HTTP, and no delete of an object or of a
 * version, no change to versioning, lifecycle or this policy, but by the audit administrators. With versioning on, a
 * copy put over another (a forgery before the agent's upload, or after) leaves both.
 */
export function transcriptBucketPolicy(ctx: AwsContext, args: TranscriptBucketPolicyArgs): PolicyDocument {
    const bucketArn = arns.bucket(ctx, args.bucketName);
    return policy(
        denyInsecureTransport(bucketArn),
        denyAllButAuditAdministrators(
            "OnlyAuditAdministratorsDeleteOrChangeRetention",
            [
                "s3:DeleteObject",
                "s3:DeleteObjectVersion",
                "s3:PutBucketVersioning",
                "s3:PutLifecycleConfiguration",
                "s3:PutBucketPolicy",
                "s3:DeleteBucketPolicy",
                "s3:DeleteBucket",
            ],
            [bucketArn, `${bucketArn}/*`],
            args.adminPrincipalArns,
        ),
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
        accountAdministersKey(ctx),
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

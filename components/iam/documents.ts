/**
 * IAM and KMS policy documents as plain functions from names and ARNs to JSON. Components only attach them;
 * tests evaluate them directly.
 */
import type { ImageReference } from "../config/image";
import { OWNER_TAG_KEY, REASON_MIN_LENGTH, REASON_TAG_KEY, TAG_VALUE_WHITESPACE } from "../access/commands";
import { EXEC_TASK_TAG, TRANSCRIPT_KEY_PREFIX } from "../config/names";
import { FORWARDING_DOCUMENT } from "../config/portForwarding";

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
    ecrRepository: (partition: string, ecr: NonNullable<ImageReference["ecr"]>) =>
        `arn:${partition}:ecr:${ecr.region}:${ecr.accountId}:repository/${ecr.repository}`,
};

function policy(...statements: PolicyStatement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

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

const EVENTS_SERVICE = "events.amazonaws.com";
const CLOUDWATCH_SERVICE = "cloudwatch.amazonaws.com";
const CLOUDTRAIL_SERVICE = "cloudtrail.amazonaws.com";

/** Lets IAM policies of the account grant use of a key: without it, only the key policy could. */
const accountAdministersKey = (ctx: AwsContext): PolicyStatement => ({
    Sid: "AccountAdministersKeyThroughIam",
    Effect: "Allow",
    Principal: { AWS: arns.accountRoot(ctx) },
    Action: "kms:*",
    Resource: "*",
});

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

export interface DeveloperPolicyArgs {
    clusterName: string;
    taskFamily: string;
    /** The exec container: the only container developers may exec into. */
    containerName: string;
    taskRoleArn: string;
    executionRoleArn: string;
    kmsKeyArn: string;
    /** RunTask of the exec task only with a non-empty `Reason` tag (`ecs-exec:requireReason`). */
    requireReason: boolean;
    /** The exec task's size (cpu units, MiB): RunTask may not ask for more. */
    taskCpu: number;
    taskMemory: number;
    /** Developers may forward ports through their own exec tasks (`ecs-exec:portForwarding` is not empty). */
    portForwarding?: boolean;
    /** Where ECS Exec writes session transcripts: developers see whether theirs has arrived, not what it holds. */
    sessionLogGroupName: string;
    /** The bucket of transcripts' copies, where the stack has one: likewise, their keys only. */
    transcriptBucketName?: string;
}

/**
 * A reason under `key`, as far as IAM's operators can tell (IAM User Guide, "Condition operators": `?` matches one
 * character, `*` any run): at least REASON_MIN_LENGTH characters (that many `?`), and no whitespace ECS admits in a tag
 * value at either end. A key missing from the request matches no operator but ...IfExists and Null, so a request
 * without the tag fails StringLike. IAM has no length operator beyond this and cannot see whitespace inside; the
 * CLI checks the same rule before any call (reasonProblem).
 */
export function reasonCondition(key: string): Condition {
    return {
        StringLike: { [key]: `${"?".repeat(REASON_MIN_LENGTH)}*` },
        StringNotLike: { [key]: TAG_VALUE_WHITESPACE.flatMap((space) => [`${space}*`, `*${space}`]) },
    };
}

/** The caller, as IAM resolves it per request: AIDA... for an IAM user, AROA...:<session name> for a role session. */
const CALLER = "${aws:userid}";

/**
 * What a developer may do, and nothing more: start the exec task tagged with their own id, exec into its exec
 * container, see and stop it. Actions, resource ARN forms and condition keys are those of the Service Authorization
 * Reference pages for Amazon ECS, IAM, AWS KMS and AWS Systems Manager: RunTask is authorized on the task
 * definition (keys ecs:cluster, ecs:enable-execute-command, ecs:task-cpu, ecs:task-memory, aws:RequestTag/*,
 * aws:TagKeys; none for subnets, security groups or a public IP); ExecuteCommand on both
 * the cluster and the task (ecs:container-name, aws:ResourceTag/*); TagResource on the task (ecs:CreateAction);
 * PassRole on the role (iam:PassedToService); StopTask and DescribeTasks on the task; ListTasks by ecs:cluster;
 * DescribeLogStreams on the log group; DescribeSessions on no resource (it has no resource types or condition keys);
 * ListBucket on the bucket (s3:prefix, Service Authorization Reference for Amazon S3).
 */
export function developerPolicy(ctx: AwsContext, args: DeveloperPolicyArgs): PolicyDocument {
    const clusterArn = arns.cluster(ctx, args.clusterName);
    const tasks = arns.tasksOf(ctx, args.clusterName);
    const ownerIsCaller = { [`aws:RequestTag/${OWNER_TAG_KEY}`]: CALLER };
    const onlyOwnerAndReasonTags = { "ForAllValues:StringEquals": { "aws:TagKeys": [OWNER_TAG_KEY, REASON_TAG_KEY] } };
    const reasonGiven: Condition = args.requireReason ? reasonCondition(`aws:RequestTag/${REASON_TAG_KEY}`) : {};
    return policy(
        {
            Sid: "StartOwnExecTask",
            Effect: "Allow",
            Action: "ecs:RunTask",
            Resource: arns.taskDefinitionRevisions(ctx, args.taskFamily),
            Condition: {
                ArnEquals: { "ecs:cluster": clusterArn },
                StringEquals: { "ecs:enable-execute-command": "true", ...ownerIsCaller },
                ...onlyOwnerAndReasonTags,
                ...reasonGiven,
                // ecs:task-cpu and ecs:task-memory are numbers "provided in the request" (Service Authorization
                // Reference, ECS): present only when RunTask overrides the task's size, hence IfExists.
                NumericLessThanEqualsIfExists: { "ecs:task-cpu": String(args.taskCpu), "ecs:task-memory": String(args.taskMemory) },
            },
        },
        {
            // Tags only as part of RunTask: nobody can re-tag a task later to take it over.
            Sid: "TagOwnTaskAtLaunch",
            Effect: "Allow",
            Action: "ecs:TagResource",
            Resource: tasks,
            Condition: {
                StringEquals: { "ecs:CreateAction": "RunTask", ...ownerIsCaller },
                ...onlyOwnerAndReasonTags,
            },
        },
        {
            Sid: "PassExecRolesToEcs",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: [args.taskRoleArn, args.executionRoleArn],
            Condition: { StringEquals: { "iam:PassedToService": ECS_TASKS_SERVICE } },
        },
        {
            Sid: "ExecIntoOwnExecContainer",
            Effect: "Allow",
            Action: "ecs:ExecuteCommand",
            Resource: tasks,
            Condition: {
                StringEquals: {
                    "ecs:container-name": args.containerName,
                    [`aws:ResourceTag/${OWNER_TAG_KEY}`]: CALLER,
                },
            },
        },
        {
            // ExecuteCommand is authorized on the cluster too; the task statement above decides whose task.
            Sid: "ExecThroughExecCluster",
            Effect: "Allow",
            Action: "ecs:ExecuteCommand",
            Resource: clusterArn,
            Condition: { StringEquals: { "ecs:container-name": args.containerName } },
        },
        {
            Sid: "SeeExecTasks",
            Effect: "Allow",
            Action: "ecs:DescribeTasks",
            Resource: tasks,
        },
        {
            Sid: "ListExecTasks",
            Effect: "Allow",
            Action: "ecs:ListTasks",
            Resource: "*",
            Condition: { ArnEquals: { "ecs:cluster": clusterArn } },
        },
        {
            Sid: "StopOwnTasks",
            Effect: "Allow",
            Action: "ecs:StopTask",
            Resource: tasks,
            Condition: { StringEquals: { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: CALLER } },
        },
        {
            // Before stopping their task, ecs-exec asks whether another session still uses it. Every session of the
            // account and region is visible (who, which target, when): the action cannot be narrowed.
            Sid: "SeeActiveSessions",
            Effect: "Allow",
            Action: "ssm:DescribeSessions",
            Resource: "*",
        },
        {
            // Before stopping their task, ecs-exec waits until the session's transcript (the stream named after the
            // session id) has arrived: stream names and times, not their events. Both forms of the group's ARN: the
            // Service Authorization Reference's, and the `:*` one CloudWatch Logs authorizes its group reads on.
            Sid: "SeeTranscriptsArrive",
            Effect: "Allow",
            Action: "logs:DescribeLogStreams",
            Resource: [arns.logGroup(ctx, args.sessionLogGroupName), arns.logStreams(ctx, args.sessionLogGroupName)],
        },
        ...(args.transcriptBucketName
            ? [
                  {
                      // And for its write-once copy: a listing of the transcripts' keys, not their content.
                      Sid: "SeeTranscriptCopiesArrive",
                      Effect: "Allow" as const,
                      Action: "s3:ListBucket",
                      Resource: arns.bucket(ctx, args.transcriptBucketName),
                      Condition: { StringLike: { "s3:prefix": `${TRANSCRIPT_KEY_PREFIX}/*` } },
                  },
              ]
            : []),
        {
            // The client encrypts the session with a data key of the cluster's exec key.
            Sid: "EncryptSessionsWithExecKey",
            Effect: "Allow",
            Action: "kms:GenerateDataKey",
            Resource: args.kmsKeyArn,
        },
        ...(args.portForwarding
            ? portForwardingStatements(ctx, args.clusterName)
            : [
                  {
                      // Sessions opened straight through Session Manager bypass ECS and its session logging.
                      Sid: "DenyDirectSessionsToTasks",
                      Effect: "Deny" as const,
                      Action: "ssm:StartSession",
                      Resource: `arn:${ctx.partition}:ecs:*:*:task/*`,
                  },
              ]),
        {
            // Any task definition not tagged as an exec task definition (an untagged one included). By tag rather
            // than by this family, so another environment's policy on the same principal still works.
            Sid: "DenyExecOnOtherTaskDefinitions",
            Effect: "Deny",
            Action: ["ecs:RunTask", "ecs:StartTask"],
            Resource: "*",
            Condition: {
                StringEquals: { "ecs:enable-execute-command": "true" },
                StringNotEquals: { [`aws:ResourceTag/${EXEC_TASK_TAG.key}`]: EXEC_TASK_TAG.value },
            },
        },
        {
            Sid: "DenyExecOnServices",
            Effect: "Deny",
            Action: ["ecs:CreateService", "ecs:UpdateService"],
            Resource: "*",
            Condition: { StringEquals: { "ecs:enable-execute-command": "true" } },
        },
    );
}

/**
 * With port forwarding, in place of the unconditional DenyDirectSessionsToTasks: a session through your own exec task
 * of this cluster with the port-forwarding document, and no other Session Manager document.
 *
 * StartSession is authorized on its target (for ECS, the task) and, when IAM checks the document, on the document too
 * (Service Authorization Reference, AWS Systems Manager: resource types task, document, instance, managed-instance);
 * a document named in the request is always checked, the default shell's only under `ssm:SessionDocumentAccessCheck`,
 * which holds only if every statement allowing StartSession requires it (Systems Manager User Guide, "Start a session
 * with a document by specifying the session documents in IAM policies"): other policies' grants (AdministratorAccess)
 * do not, so here a deny requires it. AWS-owned documents have no account in their ARN (same page). No condition key
 * names the document, so the task's evaluation cannot tell the documents apart: the task is denied unless the
 * document is checked, and every document but the forwarding one is denied, whatever the target, since the
 * document's evaluation cannot tell the targets apart. So the default shell stays denied on every task, and no
 * other named document works anywhere for whoever holds this policy (README, For security reviewers).
 *
 * How Session Manager fills `ssm:SessionDocumentAccessCheck` is not documented beyond that: the task grant requires
 * it true (`Bool`: a missing key does not match) and the task deny takes a missing key as false, so a request without
 * the check is refused either way; the document statements do not read it.
 *
 * TerminateSession: sessions carry the tag `aws:ssmmessages:session-id` = the caller's `aws:userid` for IAM users and
 * role sessions alike (Systems Manager User Guide, "Additional sample IAM policies for Session Manager", ending only
 * sessions they started), where the session-ARN form `session/${aws:username}-*` fits IAM users only.
 */
export function portForwardingStatements(ctx: AwsContext, clusterName: string): PolicyStatement[] {
    const p = ctx.partition;
    return [
        {
            // The default shell among them: a session whose document IAM does not check.
            Sid: "DenyDirectSessionsToTasks",
            Effect: "Deny",
            Action: "ssm:StartSession",
            Resource: `arn:${p}:ecs:*:*:task/*`,
            Condition: { BoolIfExists: { "ssm:SessionDocumentAccessCheck": "false" } },
        },
        {
            // Shells (SSM-SessionManagerRunShell, AWS-StartInteractiveCommand), SSH, custom documents: any but forwarding.
            // StartSession's targets are left to the statements on them.
            Sid: "DenySessionDocumentsButForwarding",
            Effect: "Deny",
            Action: "ssm:StartSession",
            NotResource: [
                `arn:${p}:ssm:*:*:document/${FORWARDING_DOCUMENT}`,
                `arn:${p}:ecs:*:*:task/*`,
                `arn:${p}:ec2:*:*:instance/*`,
                `arn:${p}:ssm:*:*:managed-instance/*`,
            ],
        },
        {
            Sid: "ForwardThroughOwnExecTask",
            Effect: "Allow",
            Action: "ssm:StartSession",
            Resource: arns.tasksOf(ctx, clusterName),
            Condition: {
                StringEquals: { [`aws:ResourceTag/${OWNER_TAG_KEY}`]: CALLER },
                Bool: { "ssm:SessionDocumentAccessCheck": "true" },
            },
        },
        {
            // AWS's document (`arn:...:ssm:<region>::document/...`); the prefix AWS- is reserved, so no account's own
            // document can take the name (Systems Manager API Reference, CreateDocument).
            Sid: "UsePortForwardingDocument",
            Effect: "Allow",
            Action: "ssm:StartSession",
            Resource: `arn:${p}:ssm:${ctx.region}:*:document/${FORWARDING_DOCUMENT}`,
        },
        {
            Sid: "EndOwnSessions",
            Effect: "Allow",
            Action: "ssm:TerminateSession",
            Resource: `arn:${p}:ssm:${ctx.region}:${ctx.accountId}:session/*`,
            Condition: { StringEquals: { "ssm:resourceTag/aws:ssmmessages:session-id": CALLER } },
        },
    ];
}

export interface DeveloperRoleTrustArgs {
    principalArns: string[];
    requireMfa: boolean;
    /**
     * The principal tag a role session's name must equal (e.g. `email`, an IAM Identity Center attribute for access
     * control). Without it, no role session may assume the role.
     */
    sessionNameTag?: string;
    /**
     * Roles other than IAM Identity Center's whose sessions may assume the role under their tagged name: an opt-in,
     * for roles whose owner guarantees that no caller chooses that tag (`ecs-exec:developerTaggedRoleArns`).
     */
    taggedRoleArns: string[];
}

/**
 * The character that keeps the two kinds of session name apart: an IAM user's name never has it (the trust refuses
 * one that does), a tag-pinned name always has it (an e-mail address). So no IAM user can take the name of a
 * colleague's Identity Center session, and no tag the name of an IAM user.
 */
export const TAGGED_NAME_MARK = "@";

/** The roles IAM Identity Center provisions, in any account and any home region (path `aws-reserved/sso.amazonaws.com/`). */
export const IDENTITY_CENTER_ROLE_PATH = "/aws-reserved/sso.amazonaws.com/";

/**
 * Who may assume the developer role. The role session name becomes the `Owner` of the tasks a session starts (it is
 * the second half of `aws:userid`), and whoever calls AssumeRole chooses it: so every session name is pinned to the
 * caller's own identity, and no two people can arrive at one name. AWS Security Blog, "Easily control the naming of
 * individual IAM role sessions" (`sts:RoleSessionName` with `${aws:username}` and `${aws:PrincipalTag/...}`).
 * - IAM users of this account only (user names are unique within an account, not across accounts), under their
 *   user name, which has no `@`.
 * - IAM Identity Center's role sessions, of any listed account, under the value of their `sessionNameTag` tag, which
 *   has an `@`: Identity Center sets its session tags from the identity source, and nobody can tag its roles.
 * - Sessions of other roles only where the stack opts in (`taggedRoleArns`): whoever assumes a role with
 *   `sts:TagSession`, or can tag the role, chooses its principal tags.
 */
export function developerRoleTrustPolicy(ctx: AwsContext, args: DeveloperRoleTrustArgs): PolicyDocument {
    const mfa: Condition = args.requireMfa ? { Bool: { "aws:MultiFactorAuthPresent": "true" } } : {};
    const taggedName = (sid: string, principalArn: Condition): PolicyStatement => ({
        Sid: sid,
        Effect: "Allow",
        Principal: { AWS: args.principalArns },
        Action: "sts:AssumeRole",
        Condition: {
            ...principalArn,
            StringEquals: { "sts:RoleSessionName": `\${aws:PrincipalTag/${args.sessionNameTag}}` },
            StringLike: { "sts:RoleSessionName": `*${TAGGED_NAME_MARK}*` },
            ...mfa,
        },
    });
    const statements: PolicyStatement[] = [
        {
            Sid: "IamUsersOfThisAccountUnderTheirOwnName",
            Effect: "Allow",
            Principal: { AWS: args.principalArns },
            Action: "sts:AssumeRole",
            Condition: {
                StringEquals: { "aws:PrincipalAccount": ctx.accountId, "sts:RoleSessionName": "${aws:username}" },
                ArnLike: { "aws:PrincipalArn": `arn:${ctx.partition}:iam::${ctx.accountId}:user/*` },
                StringNotLike: { "sts:RoleSessionName": `*${TAGGED_NAME_MARK}*` },
                ...mfa,
            },
        },
    ];
    if (args.sessionNameTag !== undefined) {
        statements.push(
            taggedName("IdentityCenterSessionsUnderTheirTaggedName", {
                ArnLike: { "aws:PrincipalArn": `arn:${ctx.partition}:iam::*:role${IDENTITY_CENTER_ROLE_PATH}*` },
            }),
        );
        if (args.taggedRoleArns.length > 0) {
            statements.push(taggedName("ListedRoleSessionsUnderTheirTaggedName", { ArnEquals: { "aws:PrincipalArn": args.taggedRoleArns } }));
        }
    }
    return policy(...statements);
}

export interface AuditKeyPolicyArgs {
    /** The trail this stack creates and encrypts with the key; undefined when an existing trail is used. */
    trailName?: string;
    /** The alarms on the alerts' delivery, which publish to the encrypted topic. */
    alarmNames: string[];
}

/**
 * Key policy of the audit key, which encrypts the alert topic and, when the stack creates it, the trail's log
 * files. Services that publish to an encrypted topic need `kms:GenerateDataKey*` and `kms:Decrypt` on its key (SNS
 * Developer Guide, "Enable compatibility between event sources from AWS services and encrypted topics"; the
 * AWS-managed alias/aws/sns key cannot grant that). EventBridge with no condition: its requests carry no
 * `aws:SourceArn` or `aws:SourceAccount` (EventBridge User Guide, "Using resource-based policies for Amazon
 * EventBridge", SNS permissions). CloudWatch for this stack's alarms where the request names one. CloudTrail
 * only for this stack's trail (CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail").
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

/**
 * A resource policy's deny that no identity policy can lift, AdministratorAccess included: only the stack's audit
 * administrators may take these actions. `aws:PrincipalArn` names a role session by its role, path included (IAM
 * User Guide, "AWS global condition context keys"), so the administrators are listed as roles and users.
 */
function denyAllButAuditAdministrators(sid: string, actions: string[], resource: string | string[], adminPrincipalArns: string[]): PolicyStatement {
    return {
        Sid: sid,
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: actions,
        Resource: resource,
        Condition: { ArnNotLike: { "aws:PrincipalArn": adminPrincipalArns } },
    };
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

/** Nothing over plain HTTP, to the bucket or its objects. */
function denyInsecureTransport(bucketArn: string): PolicyStatement {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

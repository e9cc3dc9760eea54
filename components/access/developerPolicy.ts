/**
 * What a developer may do: the developer policy, and the statements port forwarding puts in it.
 */
import { arns, AwsContext, Condition, ECS_TASKS_SERVICE, policy, PolicyDocument, PolicyStatement } from "../iam";
import {
    EXEC_TASK_TAG,
    FORWARDING_DOCUMENT,
    OWNER_TAG_KEY,
    REASON_MIN_LENGTH,
    REASON_TAG_KEY,
    TAG_VALUE_WHITESPACE,
    TRANSCRIPT_KEY_PREFIX,
} from "../config";

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
    return policy(
        ...launchStatements(ctx, args),
        ...ownTaskStatements(ctx, args),
        ...beforeStopStatements(ctx, args),
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
        ...execElsewhereDenies(),
    );
}

/** Starting the exec task: tagged as their own (and with a reason, where required), at most its size, its roles. */
function launchStatements(ctx: AwsContext, args: DeveloperPolicyArgs): PolicyStatement[] {
    const ownerIsCaller = { [`aws:RequestTag/${OWNER_TAG_KEY}`]: CALLER };
    const onlyOwnerAndReasonTags = { "ForAllValues:StringEquals": { "aws:TagKeys": [OWNER_TAG_KEY, REASON_TAG_KEY] } };
    const reasonGiven: Condition = args.requireReason ? reasonCondition(`aws:RequestTag/${REASON_TAG_KEY}`) : {};
    return [
        {
            Sid: "StartOwnExecTask",
            Effect: "Allow",
            Action: "ecs:RunTask",
            Resource: arns.taskDefinitionRevisions(ctx, args.taskFamily),
            Condition: {
                ArnEquals: { "ecs:cluster": arns.cluster(ctx, args.clusterName) },
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
            Resource: arns.tasksOf(ctx, args.clusterName),
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
    ];
}

/** Their own exec task: exec into its exec container, see the cluster's tasks, stop their own. */
function ownTaskStatements(ctx: AwsContext, args: DeveloperPolicyArgs): PolicyStatement[] {
    const clusterArn = arns.cluster(ctx, args.clusterName);
    const tasks = arns.tasksOf(ctx, args.clusterName);
    return [
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
    ];
}

/** What ecs-exec looks at before it stops a task: other sessions on it, and whether the transcript has arrived. */
function beforeStopStatements(ctx: AwsContext, args: DeveloperPolicyArgs): PolicyStatement[] {
    return [
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
    ];
}

/** Exec turned on anywhere but the exec task definition: denied, whatever else the principal holds. */
function execElsewhereDenies(): PolicyStatement[] {
    return [
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
    ];
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
 * other named document works anywhere for whoever holds this policy (docs/security.md, For security reviewers).
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

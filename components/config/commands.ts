/** The tag that names who started an exec task; later IAM conditions compare it with `${aws:userid}`. */
export const OWNER_TAG_KEY = "Owner";

/** The tag that says why an exec task was started (`--reason`); stacks with `requireReason` refuse a task without it. */
export const REASON_TAG_KEY = "Reason";

/** Characters of an ECS tag value (ECS API reference, Tag: value pattern `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`). */
const ECS_TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Longest ECS tag value, in Unicode characters (ECS API reference, Tag). */
export const ECS_TAG_VALUE_MAX_LENGTH = 256;

/**
 * Whether ECS accepts `value` as a tag value: letters, digits, spaces and `+ - = . _ : / @`, at most 256 characters,
 * not starting with the reserved `aws:` (ECS API reference, Tag). A role session name, the end of an `aws:userid`,
 * may also hold a comma (STS AssumeRole, RoleSessionName `[\w+=,.@-]*`), which ECS refuses.
 */
export function isEcsTagValue(value: string): boolean {
    return ECS_TAG_VALUE.test(value) && [...value].length <= ECS_TAG_VALUE_MAX_LENGTH && !/^aws:/i.test(value);
}

/** Shortest reason, in characters: room for a ticket and a word ("INC-4711 fix"), not for "x" or "fix". */
export const REASON_MIN_LENGTH = 8;

/**
 * Every whitespace character an ECS tag value can hold: the Unicode separators (`\p{Z}`), the only spaces the tag
 * value pattern admits (tabs and line breaks are refused by ECS). A reason may not begin or end with one.
 */
export const TAG_VALUE_WHITESPACE: readonly string[] = [
    "\u0020", "\u00a0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2007",
    "\u2008", "\u2009", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000",
];

/**
 * Why `reason` says nothing, or undefined when it is a reason: at least REASON_MIN_LENGTH characters, not beginning
 * or ending with whitespace. The developer policy refuses the same (components/access/developerPolicy.ts, reasonCondition).
 */
export function reasonProblem(reason: string): string | undefined {
    if ([...reason].length < REASON_MIN_LENGTH) {
        return `it has ${[...reason].length} characters; a reason has at least ${REASON_MIN_LENGTH}`;
    }
    if (/^\s|\s$/u.test(reason)) {
        return "it begins or ends with whitespace";
    }
    return undefined;
}

/**
 * Fargate platform version exec tasks run on. ECS Exec needs 1.4.0 or later on Linux; LATEST is that or newer.
 */
export const EXEC_PLATFORM_VERSION = "LATEST";

/** Where and how an exec task of a stack starts: the stack outputs of the same names hold these values. */
export interface ExecTaskPlacement {
    cluster: string;
    taskFamily: string;
    subnetIds: string[];
    securityGroupId: string;
    assignPublicIp: boolean;
}

/** An ECS RunTask request, in the API's own field names (the SDK's RunTaskCommandInput accepts it as is). */
export interface ExecRunTaskRequest {
    cluster: string;
    taskDefinition: string;
    launchType: "FARGATE";
    platformVersion: string;
    enableExecuteCommand: true;
    count: 1;
    networkConfiguration: {
        awsvpcConfiguration: { subnets: string[]; securityGroups: string[]; assignPublicIp: "ENABLED" | "DISABLED" };
    };
    tags: { key: string; value: string }[];
}

/**
 * The only RunTask the developer policy allows: this cluster and family, exec enabled, the task's own size, and the
 * tags Owner = the caller's `aws:userid` (an IAM user's AIDA... id, or AROA...:<session> for a role) and, when
 * given, Reason. No propagateTags or enableECSManagedTags: ECS authorizes those tags as the caller's own
 * tag-on-create, and the policy lets a caller set Owner and Reason only. No command override: the task's entrypoint
 * ignores it.
 */
export function runTaskRequest(placement: ExecTaskPlacement, owner: string, reason?: string): ExecRunTaskRequest {
    return {
        cluster: placement.cluster,
        taskDefinition: placement.taskFamily,
        launchType: "FARGATE",
        platformVersion: EXEC_PLATFORM_VERSION,
        enableExecuteCommand: true,
        count: 1,
        networkConfiguration: {
            awsvpcConfiguration: {
                subnets: placement.subnetIds,
                securityGroups: [placement.securityGroupId],
                assignPublicIp: placement.assignPublicIp ? "ENABLED" : "DISABLED",
            },
        },
        tags: [{ key: OWNER_TAG_KEY, value: owner }, ...(reason === undefined ? [] : [{ key: REASON_TAG_KEY, value: reason }])],
    };
}

export interface RunTaskCommandArgs extends ExecTaskPlacement {
    region: string;
    /** The stack requires a Reason tag: the command takes it from ECS_EXEC_REASON, and refuses to run without. */
    requireReason: boolean;
}

/** The shell variable the printed command keeps the caller's id in. */
const OWNER_VARIABLE = "ECS_EXEC_OWNER";

/** The shell variable the printed command reads the reason from, where the stack requires one. */
export const REASON_VARIABLE = "ECS_EXEC_REASON";

/**
 * The shell line a developer can paste (or `eval`) to start an exec task: the caller's id from
 * `aws sts get-caller-identity`, then `runTaskRequest` as `aws ecs run-task` with that id as the Owner tag. Both
 * calls name the stack's region (with no default region configured, the first would otherwise fail), and the
 * run-task runs only when the id was read: an empty Owner would be refused, or worse, go unnoticed. Where the stack
 * requires a reason, it is the Reason tag, from ECS_EXEC_REASON; without one nothing is called.
 */
export function runTaskCommand(args: RunTaskCommandArgs): string {
    const request = runTaskRequest(args, `$${OWNER_VARIABLE}`, args.requireReason ? `$${REASON_VARIABLE}` : undefined);
    const vpc = request.networkConfiguration.awsvpcConfiguration;
    const network =
        `awsvpcConfiguration={subnets=[${vpc.subnets.join(",")}],` +
        `securityGroups=[${vpc.securityGroups.join(",")}],` +
        `assignPublicIp=${vpc.assignPublicIp}}`;
    // JSON rather than shorthand: a role session name may contain a comma. Double-quoted so the variable expands.
    const tags = `"${JSON.stringify(request.tags).replace(/"/g, '\\"')}"`;
    const readOwner = `${OWNER_VARIABLE}=$(aws sts get-caller-identity --region ${args.region} --query UserId --output text)`;
    const runTask = [
        "aws ecs run-task",
        `--region ${args.region}`,
        `--cluster ${request.cluster}`,
        `--task-definition ${request.taskDefinition}`,
        `--launch-type ${request.launchType}`,
        `--platform-version ${request.platformVersion}`,
        "--enable-execute-command",
        `--network-configuration '${network}'`,
        `--tags ${tags}`,
        `--count ${request.count}`,
        "--query 'tasks[0].taskArn' --output text",
    ].join(" ");
    const needReason = `: "\${${REASON_VARIABLE}:?set ${REASON_VARIABLE} to why you start the exec task: this stack requires a reason}"`;
    return args.requireReason ? `${needReason} && ${readOwner} && ${runTask}` : `${readOwner} && ${runTask}`;
}

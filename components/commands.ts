/** The tag that names who started an exec task; later IAM conditions compare it with `${aws:userid}`. */
export const OWNER_TAG_KEY = "Owner";

/**
 * Fargate platform version exec tasks run on. ECS Exec needs 1.4.0 or later on Linux; LATEST is that or newer.
 */
export const EXEC_PLATFORM_VERSION = "LATEST";

export interface RunTaskCommandArgs {
    region: string;
    cluster: string;
    taskFamily: string;
    subnetIds: string[];
    securityGroupId: string;
    assignPublicIp: boolean;
}

/**
 * The `aws ecs run-task` line a developer can paste to start an exec task: exec enabled, the stack's network,
 * and the Owner tag set to the caller's `aws:userid` (an IAM user's AIDA... id, or AROA...:<session> for a role).
 */
export function runTaskCommand(args: RunTaskCommandArgs): string {
    const network =
        `awsvpcConfiguration={subnets=[${args.subnetIds.join(",")}],` +
        `securityGroups=[${args.securityGroupId}],` +
        `assignPublicIp=${args.assignPublicIp ? "ENABLED" : "DISABLED"}}`;
    // JSON rather than shorthand: a role session name may contain a comma.
    const ownerTag = `"[{\\"key\\":\\"${OWNER_TAG_KEY}\\",\\"value\\":\\"$(aws sts get-caller-identity --query UserId --output text)\\"}]"`;
    return [
        "aws ecs run-task",
        `--region ${args.region}`,
        `--cluster ${args.cluster}`,
        `--task-definition ${args.taskFamily}`,
        "--launch-type FARGATE",
        `--platform-version ${EXEC_PLATFORM_VERSION}`,
        "--enable-execute-command",
        `--network-configuration '${network}'`,
        // No --propagate-tags: ECS authorizes propagated tags as the caller's own tag-on-create, and the developer
        // policy lets a caller set the Owner tag only.
        `--tags ${ownerTag}`,
        "--count 1",
        "--query 'tasks[0].taskArn' --output text",
    ].join(" ");
}

/**
 * What `--help` adds to the usage commander writes: the environment and exit codes once, in the tool's own help, and
 * at the end of each command's help a few invocations to copy, as gh, kubectl and the AWS CLI end theirs.
 */
import type { Command } from "commander";

export const ENVIRONMENT_HELP = `
Environment:
  AWS_PROFILE                        the profile, unless --profile names one
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
                                     credentials, in place of a profile
  AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE
                                     where profiles are (default ~/.aws/config, ~/.aws/credentials)
  AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>
                                     other endpoints (AWS_ENDPOINT_URL_ECS, _SSM, _STS, _CLOUDWATCH_LOGS, _CLOUDTRAIL, ...)
  AWS_REGION                         not followed: every command uses the stack's region (its output region), and says when AWS_REGION differs
  NO_COLOR                           doctor: no colour on a terminal`;

export const EXIT_CODES_HELP = `
Exit codes:
  0    done
  1    AWS refused a request for another reason, the session failed to start or ended with an error (its task stopped), or a doctor check failed
  2    bad arguments
  3    stack outputs missing, unreadable, or of another stack
  4    no usable AWS credentials (none, expired, or an id ECS cannot tag a task with)
  5    not allowed by IAM (the message names the action)
  6    session-manager-plugin not installed
  7    the exec task did not become ready (stopped, or timed out)
  129, 130, 143  interrupted by SIGHUP, SIGINT, SIGTERM (after stopping the task it started)
  70   internal error (a bug: the stack trace is printed)`;

/** Invocations of each command that work as written against a deployed stack (dev.json: `pulumi stack output --json`). */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
    shell: [
        "ecs-exec shell --stack dev",
        'ecs-exec shell --stack prod --reason "INC-4711 restore orders"',
        "ecs-exec shell --outputs dev.json --command /bin/sh --keep",
    ],
    run: [
        "ecs-exec run --stack dev -- bin/rails db:migrate:status",
        "ecs-exec run --stack prod --reason \"INC-4711 restore orders\" -- sh -c 'pg_dump orders | gzip -c | wc -c'",
        "ecs-exec run --outputs dev.json --timeout 10m -- ls -la /app",
    ],
    forward: [
        "ecs-exec forward orders-db --stack dev",
        'ecs-exec forward orders-db --stack dev --local-port 15432 --reason "INC-4711 stuck orders"',
    ],
    list: ["ecs-exec list --stack dev", "ecs-exec list --stack prod --all"],
    stop: ["ecs-exec stop 0f8e9c1d2b3a4e5f60718293a4b5c6d7 --stack dev", "ecs-exec stop --mine --stack dev"],
    audit: [
        "ecs-exec audit --stack prod --since 7d",
        "ecs-exec audit --stack prod --since 30d --until 7d --markdown",
        "ecs-exec audit --stack dev --json",
    ],
    doctor: [
        "ecs-exec doctor --stack dev",
        "ecs-exec doctor --stack prod --json",
        "ecs-exec doctor --outputs dev.json --task 0f8e9c1d2b3a4e5f60718293a4b5c6d7",
    ],
    help: ["ecs-exec help shell", "ecs-exec help audit"],
};

/** Ends each command's help with where the environment is told, then its examples. */
export function withExamples(program: Command): void {
    for (const command of program.commands) {
        const examples = EXAMPLES[command.name()] ?? [];
        command.addHelpText(
            "after",
            `\nEnvironment variables and exit codes: ecs-exec --help\n\nExamples:\n${examples.map((example) => `  ${example}`).join("\n")}`,
        );
    }
}

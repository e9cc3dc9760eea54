/**
 * Failures a user can act on. Each prints one message (no stack trace) and exits with its documented code;
 * anything else is a bug and exits INTERNAL with its stack.
 */
export const EXIT = {
    OK: 0,
    /** AWS refused a request for another reason (AwsRequestError), or the session ended with an error (SessionError). */
    AWS: 1,
    USAGE: 2,
    OUTPUTS: 3,
    CREDENTIALS: 4,
    PERMISSION: 5,
    PLUGIN_MISSING: 6,
    TASK_NOT_READY: 7,
    INTERNAL: 70,
} as const;

export abstract class CliError extends Error {
    abstract readonly exitCode: number;

    constructor(message: string) {
        super(message);
        this.name = new.target.name;
    }
}

/**
 * The command cannot run as it was called: an argument or option it cannot take (an unknown option, a missing
 * argument, a malformed or out-of-range value, a destination or port it cannot use), or one the stack requires. Every
 * one is about how a command was called, so main prints each with where that command's help is:
 * `ecs-exec: <message> (see ecs-exec <command> --help)`. `command`: the command whose help that is, "" for the
 * tool's own; by default the command that was running.
 */
export class UsageError extends CliError {
    readonly exitCode = EXIT.USAGE;

    constructor(
        message: string,
        readonly command?: string,
    ) {
        super(message);
    }
}

/** Where a command's help is: `(see ecs-exec stop --help)`, `(see ecs-exec --help)`. */
export const seeHelp = (command: string) => `(see ${["ecs-exec", command].filter(Boolean).join(" ")} --help)`;

/** The stack outputs could not be read, lack what the tool needs, or belong to another stack. */
export class OutputsError extends CliError {
    readonly exitCode = EXIT.OUTPUTS;
}

export class CredentialsError extends CliError {
    readonly exitCode = EXIT.CREDENTIALS;
}

/**
 * The SDK found no credentials; `profile` names the profile it looked in and where that came from. The message is
 * the problem, then on a line of its own what to do.
 */
export class NoCredentialsError extends CredentialsError {
    constructor(
        readonly detail: string,
        profile?: { name: string; from: "--profile" | "AWS_PROFILE" },
    ) {
        super(
            `no usable AWS credentials${profile ? ` for profile "${profile.name}" (${profile.from})` : ""}: ${detail}.\n` +
                "Sign in (for example `aws sso login`), or give a profile (--profile or AWS_PROFILE), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
        );
    }
}

/** IAM refused a call; `action` is the IAM action to ask for (or to stop trying, for someone else's task). */
export class PermissionError extends CliError {
    readonly exitCode = EXIT.PERMISSION;

    constructor(
        readonly action: string,
        readonly detail: string,
    ) {
        super(`not allowed to call ${action}: ${detail}`);
    }
}

export class PluginMissingError extends CliError {
    readonly exitCode = EXIT.PLUGIN_MISSING;

    constructor(detail: string) {
        super(
            `session-manager-plugin cannot run (${detail}); ECS Exec sessions need it.\n` +
                "Install it: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html\n" +
                "(macOS: brew install --cask session-manager-plugin), then check with: session-manager-plugin",
        );
    }
}

/** The exec task stopped, failed to start, or its exec agent did not come up in time. */
export class TaskNotReadyError extends CliError {
    readonly exitCode = EXIT.TASK_NOT_READY;
}

/** AWS answered with an error other than credentials or permissions (not found, invalid parameter, ...). */
export class AwsRequestError extends CliError {
    readonly exitCode = EXIT.AWS;
}

/** session-manager-plugin ended the session with an error. */
export class SessionError extends CliError {
    readonly exitCode = EXIT.AWS;
}

const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
export type StopSignal = keyof typeof SIGNAL_NUMBERS;
export const STOP_SIGNALS = Object.keys(SIGNAL_NUMBERS) as StopSignal[];

/** The user or the system asked the tool to stop; it cleaned up first. Exit 128 + signal number, as shells do. */
export class InterruptedError extends CliError {
    readonly exitCode: number;

    constructor(readonly signal: StopSignal) {
        super(`interrupted (${signal})`);
        this.exitCode = 128 + SIGNAL_NUMBERS[signal];
    }
}

/**
 * Failures a user can act on. Each prints one message (no stack trace) and exits with its documented code;
 * anything else is a bug and exits INTERNAL with its stack.
 */
export const EXIT = {
    OK: 0,
    /** AWS refused a request for another reason, or the session ended with an error. */
    AWS: 1,
    USAGE: 2,
    OUTPUTS: 3,
    CREDENTIALS: 4,
    PERMISSION: 5,
    PLUGIN_MISSING: 6,
    TASK_NOT_READY: 7,
    INTERNAL: 70,
} as const;

export class CliError extends Error {
    constructor(
        message: string,
        readonly exitCode: number,
    ) {
        super(message);
        this.name = new.target.name;
    }
}

export class UsageError extends CliError {
    constructor(message: string) {
        super(message, EXIT.USAGE);
    }
}

/** The stack outputs could not be read, lack what the tool needs, or belong to another stack. */
export class OutputsError extends CliError {
    constructor(message: string) {
        super(message, EXIT.OUTPUTS);
    }
}

export class CredentialsError extends CliError {
    constructor(message: string) {
        super(message, EXIT.CREDENTIALS);
    }
}

/** IAM refused a call; `action` is the IAM action to ask for (or to stop trying, for someone else's task). */
export class PermissionError extends CliError {
    constructor(
        readonly action: string,
        readonly detail: string,
    ) {
        super(`not allowed to call ${action}: ${detail}`, EXIT.PERMISSION);
    }
}

export class PluginMissingError extends CliError {
    constructor(detail: string) {
        super(
            `session-manager-plugin cannot run (${detail}); ECS Exec sessions need it.\n` +
                "Install it: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html\n" +
                "(macOS: brew install --cask session-manager-plugin), then check with: session-manager-plugin",
            EXIT.PLUGIN_MISSING,
        );
    }
}

/** The exec task stopped, failed to start, or its exec agent did not come up in time. */
export class TaskNotReadyError extends CliError {
    constructor(message: string) {
        super(message, EXIT.TASK_NOT_READY);
    }
}

/** AWS answered with an error other than credentials or permissions (not found, invalid parameter, ...). */
export class AwsRequestError extends CliError {
    constructor(message: string) {
        super(message, EXIT.AWS);
    }
}

const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
export type StopSignal = keyof typeof SIGNAL_NUMBERS;
export const STOP_SIGNALS = Object.keys(SIGNAL_NUMBERS) as StopSignal[];

/** The user or the system asked the tool to stop; it cleaned up first. Exit 128 + signal number, as shells do. */
export class InterruptedError extends CliError {
    constructor(readonly signal: StopSignal) {
        super(`interrupted (${signal})`, 128 + SIGNAL_NUMBERS[signal]);
    }
}

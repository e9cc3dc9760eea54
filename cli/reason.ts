/**
 * `--reason TEXT`: why an exec task is started, in at least 8 characters. It becomes the task's Reason tag, which the RunTask alert and
 * `ecs-exec audit` show; stacks with `requireReason` refuse a task without one (the developer policy, and first this
 * check, before any AWS call). Every command that starts a task takes it: shell, run, and later ones.
 */
import type { Command } from "commander";
import { ECS_TAG_VALUE_MAX_LENGTH, isEcsTagValue, REASON_MIN_LENGTH, reasonProblem } from "../components/config";
import { UsageError } from "./errors";
import type { StackOutputs } from "./outputs";

export function withReasonOption(command: Command): Command {
    return command.option("--reason <text>", "why you start the exec task: its Reason tag, in the alert and the audit (required where the stack says so)");
}

/** The reason as ECS will take it, or a UsageError saying what to change. */
export function checkReason(reason: string | undefined): string | undefined {
    if (reason === undefined) {
        return undefined;
    }
    if (reason.trim() === "") {
        throw new UsageError("--reason needs a text: why you start the exec task (a ticket, a runbook step)");
    }
    const problem = reasonProblem(reason);
    if (problem !== undefined) {
        throw new UsageError(
            `--reason ${JSON.stringify(reason)} says too little: ${problem}. Say why you start the exec task in at least ` +
                `${REASON_MIN_LENGTH} characters, without leading or trailing spaces, e.g. --reason "INC-4711 restore orders"`,
        );
    }
    if (!isEcsTagValue(reason)) {
        const refused = [...new Set([...reason].filter((c) => !isEcsTagValue(c)))].map((c) => JSON.stringify(c));
        const why = refused.length > 0 ? `it contains ${refused.join(", ")}` : /^aws:/i.test(reason) ? "it starts with aws:, which AWS reserves" : `it is longer than ${ECS_TAG_VALUE_MAX_LENGTH} characters`;
        throw new UsageError(
            `--reason cannot be an ECS tag value: ${why}. Tag values take letters, digits, spaces and + - = . _ : / @ ` +
                `(at most ${ECS_TAG_VALUE_MAX_LENGTH} characters)`,
        );
    }
    return reason;
}

/** Refuses, before any AWS call, to start a task without a reason where the stack requires one. */
export function requireReasonWhereNeeded(reason: string | undefined, outputs: StackOutputs): void {
    if (reason === undefined && outputs.requireReason) {
        throw new UsageError(
            `stack ${outputs.stack} requires a reason for every exec task (requireReason): add --reason "TEXT", for example ` +
                `--reason "INC-4711 restore orders". It goes into the task's Reason tag, the alert and ecs-exec audit.`,
        );
    }
}

/**
 * `ecs-exec doctor`: every check at once (each waits only for the reads it needs), then the report, for a person
 * or as JSON. Read-only: it starts, stops and changes nothing.
 */
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { awsCall } from "../aws";
import { CliError, CredentialsError, EXIT, PermissionError } from "../errors";
import { readDoctorOutputs } from "../outputs";
import { CALLER_KEY, callerPermissions, credentials, kmsKey, plugin, stackAccount, taskRolePermissions } from "./access";
import { alertDelivery, alertRule, alertSubscriptions, auditWatch, trail } from "./audit";
import { Caller, Check, CheckContext, CheckStatus, DoctorScope, fail, Finding, Group, GROUPS, skip } from "./check";
import { clusterLogging, execAgent, execTaskNetwork, network, sessionLogGroup, taskDefinition } from "./sessionPath";

/** Every check, in the order of the report. */
export const CHECKS: readonly Check[] = [
    credentials,
    plugin,
    callerPermissions,
    kmsKey,
    taskRolePermissions,
    clusterLogging,
    sessionLogGroup,
    taskDefinition,
    network,
    execTaskNetwork,
    execAgent,
    trail,
    alertRule,
    alertDelivery,
    alertSubscriptions,
    auditWatch,
];

export interface CheckReport {
    id: string;
    status: CheckStatus;
    title: string;
    detail: string;
    fix: string | null;
}

/** What `--json` prints. */
export interface DoctorReport {
    stack: string;
    region: string;
    checks: CheckReport[];
}

export type DoctorInput = Omit<DoctorScope, "caller" | "optional">;

/** Runs every check; the report and the exit code (0, 1 when a check fails, 4 without usable credentials). */
export async function doctor(input: DoctorInput): Promise<{ report: DoctorReport; caller?: Caller; exitCode: number }> {
    const { values: optional, problems } = readDoctorOutputs(input.outputs);
    const memo = new Map<string, Promise<unknown>>();
    const contextOf = (check: Check, caller: Caller): CheckContext<never> => ({
        ...input,
        optional,
        caller,
        stack: optional as never,
        aws<T>(action: Parameters<CheckContext["aws"]>[0], send: () => Promise<T>, key?: string): Promise<T> {
            if (!check.actions.includes(action)) {
                throw new Error(`doctor check ${check.id} calls ${action}, which it does not declare`);
            }
            if (key === undefined) {
                return awsCall(action, send);
            }
            let call = memo.get(key) as Promise<T> | undefined;
            if (!call) {
                call = awsCall(action, send);
                memo.set(key, call);
            }
            return call;
        },
    });
    const doctorPolicy = optional.doctorPolicyArn ?? `${input.outputs.stack}-ecs-exec-doctor`;

    async function run(check: Check, caller: Caller): Promise<Finding> {
        const missing = check.outputs.filter((name) => problems[name] !== undefined);
        if (missing.length > 0) {
            return skip(
                `needs stack output${missing.length > 1 ? "s" : ""} this deployment lacks: ${missing.map((name) => problems[name]).join("; ")}`,
                `Deploy the stack with this version of the program (pulumi up --stack ${input.outputs.stack}), then run doctor again.`,
            );
        }
        try {
            return await check.run(contextOf(check, caller) as unknown as Parameters<Check["run"]>[0]);
        } catch (e) {
            if (e instanceof PermissionError) {
                return skip(
                    `not allowed to call ${e.action}`,
                    `Give your identity the policy ${doctorPolicy} (output doctorPolicyArn), which holds every read doctor makes.`,
                );
            }
            if (e instanceof CliError) {
                return fail(e.message, "Run ecs-exec doctor again; if it persists, the message above names the call that failed.");
            }
            throw e;
        }
    }

    // Who is asking comes first: every other check of AWS runs as them.
    let caller: Caller | undefined;
    let identityProblem: Finding | undefined;
    let exitCode: number = EXIT.OK;
    try {
        const unknown: Caller = { arn: "", userId: "", account: "", partition: "aws" };
        const identity = await contextOf(credentials, unknown).aws(
            "sts:GetCallerIdentity",
            () => input.clients.sts.send(new GetCallerIdentityCommand({})),
            CALLER_KEY,
        );
        caller = { arn: identity.Arn!, userId: identity.UserId!, account: identity.Account!, partition: identity.Arn!.split(":")[1] };
    } catch (e) {
        if (!(e instanceof CliError)) {
            throw e;
        }
        // A message that says what to do on its next line (no credentials at all) gives the fix; the report says it once.
        const [problem, ...todo] = e.message.split("\n");
        identityProblem = fail(
            problem,
            todo.length > 0 ? `${todo.join(" ")} Then run ecs-exec doctor again.` : "Sign in (for example aws sso login), or set AWS_PROFILE, then run ecs-exec doctor again.",
        );
        exitCode = e instanceof CredentialsError ? EXIT.CREDENTIALS : EXIT.AWS;
    }
    const account = stackAccount(optional.clusterArn);
    const findings = await Promise.all(
        CHECKS.map(async (check): Promise<Finding> => {
            if (check === plugin) {
                return run(check, caller ?? { arn: "", userId: "", account: "", partition: "aws" });
            }
            if (!caller) {
                return check === credentials ? identityProblem! : skip("needs AWS credentials (see credentials)");
            }
            if (check !== credentials && account && caller.account !== account) {
                return skip(`your credentials are for account ${caller.account}, not the stack's ${account} (see credentials)`);
            }
            return run(check, caller);
        }),
    );
    const checks = CHECKS.map((check, i) => ({
        id: check.id,
        status: findings[i].status,
        title: check.title,
        detail: findings[i].detail,
        fix: findings[i].fix || null,
    }));
    if (exitCode === EXIT.OK && checks.some((c) => c.status === "fail")) {
        exitCode = EXIT.AWS;
    }
    return { report: { stack: input.outputs.stack, region: input.region, checks }, caller, exitCode };
}

/** Colour only on a terminal, and not when NO_COLOR is set to anything (no-color.org). */
export const wantsColor = (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv) => stream.isTTY === true && !env.NO_COLOR;

const MARKS: Record<CheckStatus, [mark: string, color: string]> = {
    pass: ["✓", "\x1b[32m"],
    fail: ["✗", "\x1b[31m"],
    warn: ["!", "\x1b[33m"],
    skip: ["-", "\x1b[2m"],
};
const RESET = "\x1b[0m";
const BOLD = "\x1b[1m";

/** The report for a person: one line per check under its group, a fix under each failure and warning. */
export function formatReport(report: DoctorReport, caller: Caller | undefined, color: boolean): string {
    const paint = (code: string, text: string) => (color ? `${code}${text}${RESET}` : text);
    const width = Math.max(...CHECKS.map((c) => c.id.length));
    const groupOf = new Map(CHECKS.map((c) => [c.id, c.group]));
    const lines = [`ecs-exec doctor: stack ${report.stack} in ${report.region}${caller ? `, as ${caller.arn}` : ""}`];
    for (const group of GROUPS) {
        lines.push("", paint(BOLD, group));
        for (const c of report.checks.filter((check) => groupOf.get(check.id) === (group as Group))) {
            const [mark, code] = MARKS[c.status];
            lines.push(`  ${paint(code, `${mark} ${c.id.padEnd(width)}`)}  ${c.detail}`);
            if (c.fix && (c.status === "fail" || c.status === "warn" || c.status === "skip")) {
                lines.push(`  ${" ".repeat(width + 2)}  fix: ${c.fix}`);
            }
        }
    }
    const tally = (status: CheckStatus) => report.checks.filter((c) => c.status === status).length;
    lines.push(
        "",
        `${tally("pass")} passed, ${tally("fail")} failed, ${tally("warn")} ${tally("warn") === 1 ? "warning" : "warnings"}, ${tally("skip")} skipped.`,
    );
    return lines.join("\n");
}

/**
 * What a doctor check is: a stable id, its group, the AWS actions it may call (and no other: the doctor policy is
 * built from the same list, components/access/doctorPolicy.ts), the stack outputs it reads beyond those every command
 * needs, and a function from what it finds to a status.
 */
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { KMSClient } from "@aws-sdk/client-kms";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { STSClient } from "@aws-sdk/client-sts";
import type { DoctorAction } from "../../components/access";
import type { DoctorOutputs, StackOutputs } from "../outputs";
import type { SessionManagerPlugin } from "../plugin";

export type CheckStatus = "pass" | "fail" | "warn" | "skip";

export const GROUPS = ["access", "session path", "audit"] as const;
export type Group = (typeof GROUPS)[number];

/** What a check found. `fix` says what to do; checks give one with every fail and warn. */
export interface Finding {
    status: CheckStatus;
    detail: string;
    fix?: string;
}

export interface Clients {
    sts: STSClient;
    ecs: ECSClient;
    iam: IAMClient;
    kms: KMSClient;
    logs: CloudWatchLogsClient;
    ec2: EC2Client;
    events: EventBridgeClient;
    cloudwatch: CloudWatchClient;
    sns: SNSClient;
    sqs: SQSClient;
    cloudtrail: CloudTrailClient;
}

/** The caller, from GetCallerIdentity. */
export interface Caller {
    arn: string;
    /** `aws:userid`: AIDA... for an IAM user, AROA...:<session name> for a role session. */
    userId: string;
    account: string;
    partition: string;
}

/** What every check may read. */
export interface DoctorScope {
    clients: Clients;
    outputs: StackOutputs;
    /** The outputs doctor reads that this deployment has (see cli/outputs.ts). */
    optional: Partial<DoctorOutputs>;
    region: string;
    caller: Caller;
    plugin: SessionManagerPlugin;
    /** `--task`: the exec task to check the agent of, instead of the caller's own. */
    taskId?: string;
    now: () => number;
}

export interface CheckContext<O extends keyof DoctorOutputs = never> extends DoctorScope {
    /** The outputs this check declared: present, or the check is skipped before it runs. */
    stack: Pick<DoctorOutputs, O>;
    /**
     * Sends one request as `action`, which the check must have declared. Requests with a `key` are sent once per
     * run and shared by every check that makes them. A refusal by IAM rejects with a PermissionError naming the
     * action: the check is then skipped.
     */
    aws<T>(action: DoctorAction, send: () => Promise<T>, key?: string): Promise<T>;
}

export interface Check<O extends keyof DoctorOutputs = keyof DoctorOutputs> {
    /** Stable: scripts and tests outside this repository use it. */
    id: string;
    group: Group;
    title: string;
    /** Every AWS action it may call. */
    actions: readonly DoctorAction[];
    /** Outputs it reads beyond those every command needs (older deployments lack some). */
    outputs: readonly O[];
    run(ctx: CheckContext<O>): Promise<Finding>;
}

/** Declares a check, typing its context by the outputs it names. */
export function check<O extends keyof DoctorOutputs = never>(definition: Check<O>): Check {
    return definition as unknown as Check;
}

export const pass = (detail: string): Finding => ({ status: "pass", detail });
export const fail = (detail: string, fix: string): Finding => ({ status: "fail", detail, fix });
export const warn = (detail: string, fix: string): Finding => ({ status: "warn", detail, fix });
export const skip = (detail: string, fix?: string): Finding => ({ status: "skip", detail, fix });

/** The worst of several findings, with their details and fixes joined in order. */
export function combine(findings: Finding[], passDetail: string): Finding {
    const rank: Record<CheckStatus, number> = { pass: 0, skip: 1, warn: 2, fail: 3 };
    const problems = findings.filter((f) => f.status !== "pass");
    if (problems.length === 0) {
        return pass(passDetail);
    }
    const worst = problems.reduce((a, b) => (rank[b.status] > rank[a.status] ? b : a)).status;
    const fixes = [...new Set(problems.map((f) => f.fix).filter((f): f is string => f !== undefined))];
    return {
        status: worst,
        detail: problems.map((f) => f.detail).join("; "),
        ...(fixes.length > 0 ? { fix: fixes.join(" ") } : {}),
    };
}

/** "1 rule", "3 rules". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
    return `${n} ${n === 1 ? singular : plural}`;
}

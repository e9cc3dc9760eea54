/**
 * The stack outputs the tool works from: from `pulumi stack output --json` when the Pulumi CLI is installed, or
 * from a file holding that same JSON (`--outputs FILE`).
 */
import { execFile } from "child_process";
import * as fs from "fs";
import type { ForwardingTarget } from "../components/config";
import { OutputsError, UsageError } from "./errors";

/** The outputs the tool reads (index.ts exports them under these names). */
export interface StackOutputs {
    stack: string;
    maxSessionHours: number;
    region: string;
    clusterName: string;
    taskDefinitionFamily: string;
    containerName: string;
    subnetIds: string[];
    securityGroupId: string;
    assignPublicIp: boolean;
    /** Every exec task needs a Reason tag: the tool refuses to start one without --reason. */
    requireReason: boolean;
    sessionLogGroupName: string;
    /** The bucket of transcripts' write-once copies; absent in the outputs of deployments older than it. */
    transcriptBucketName?: string;
    /** How long both stores keep a transcript: audit expects older ones gone. */
    logRetentionDays?: number;
    /** Where `forward` may go; absent in the outputs of deployments older than `forward`. */
    portForwarding?: ForwardingTarget[];
}

const isText = (v: unknown) => typeof v === "string" && v.length > 0;
const isTarget = (v: unknown) => {
    const t = v as ForwardingTarget | null;
    return typeof t === "object" && t !== null && isText(t.name) && isText(t.host) && Number.isInteger(t.port);
};
const EXPECTED: { [K in keyof StackOutputs]-?: [kind: string, valid: (v: unknown) => boolean] } = {
    stack: ["a name", isText],
    maxSessionHours: ["a number", (v) => typeof v === "number" && v > 0],
    region: ["a region", isText],
    clusterName: ["a name", isText],
    taskDefinitionFamily: ["a name", isText],
    containerName: ["a name", isText],
    subnetIds: ["a list of subnet ids", (v) => Array.isArray(v) && v.length > 0 && v.every(isText)],
    securityGroupId: ["an id", isText],
    assignPublicIp: ["true or false", (v) => typeof v === "boolean"],
    requireReason: ["true or false", (v) => typeof v === "boolean"],
    sessionLogGroupName: ["a name", isText],
    transcriptBucketName: ["a bucket name", isText],
    logRetentionDays: ["a number", (v) => typeof v === "number" && v > 0],
    portForwarding: ["a list of { name, host, port }", (v) => Array.isArray(v) && v.every(isTarget)],
};
/** Outputs only some commands need: checked when present, and by those commands when absent. */
const OPTIONAL = new Set<string>(["portForwarding", "transcriptBucketName", "logRetentionDays"]);

/**
 * Outputs only `doctor` reads. A deployment is not refused for lacking them: doctor is what one runs against an older
 * or broken deployment, so a check that needs a missing one is skipped, naming it, and every other check still runs.
 * The outputs every command needs stay required above.
 */
export interface DoctorOutputs {
    clusterArn: string;
    taskDefinitionArn: string;
    taskRoleArn: string;
    executionRoleArn: string;
    kmsKeyArn: string;
    logRetentionDays: number;
    /** The exec task's size: the developer policy caps RunTask at it. */
    execCpu: number;
    execMemory: number;
    vpcId: string;
    alertTopicArn: string;
    alertRuleNames: string[];
    alertAlarmNames: string[];
    /** The rules that report changes to the audit chain itself. */
    auditWatchRuleNames: string[];
    alertDeadLetterQueueUrl: string;
    cloudTrail: "create" | "existing";
    trailName: string;
    doctorPolicyArn: string;
}

const isArn = (v: unknown) => typeof v === "string" && v.startsWith("arn:");
const isNameList = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every(isText);
const DOCTOR_EXPECTED: { [K in keyof DoctorOutputs]: [kind: string, valid: (v: unknown) => boolean] } = {
    clusterArn: ["an ARN", isArn],
    taskDefinitionArn: ["an ARN", isArn],
    taskRoleArn: ["an ARN", isArn],
    executionRoleArn: ["an ARN", isArn],
    kmsKeyArn: ["an ARN", isArn],
    logRetentionDays: ["a number", (v) => typeof v === "number" && v > 0],
    execCpu: ["a number", (v) => typeof v === "number" && v > 0],
    execMemory: ["a number", (v) => typeof v === "number" && v > 0],
    vpcId: ["an id", isText],
    alertTopicArn: ["an ARN", isArn],
    alertRuleNames: ["a list of names", isNameList],
    alertAlarmNames: ["a list of names", isNameList],
    auditWatchRuleNames: ["a list of names", isNameList],
    alertDeadLetterQueueUrl: ["a queue URL", (v) => typeof v === "string" && v.startsWith("https://")],
    cloudTrail: ["create or existing", (v) => v === "create" || v === "existing"],
    trailName: ["a name", isText],
    doctorPolicyArn: ["an ARN", isArn],
};

/** Of the outputs doctor reads, those present and valid, and what is wrong with each other one. */
export function readDoctorOutputs(outputs: StackOutputs): { values: Partial<DoctorOutputs>; problems: Partial<Record<keyof DoctorOutputs, string>> } {
    const raw = outputs as unknown as Record<string, unknown>;
    const values: Record<string, unknown> = {};
    const problems: Record<string, string> = {};
    for (const [name, [kind, valid]] of Object.entries(DOCTOR_EXPECTED)) {
        if (valid(raw[name])) {
            values[name] = raw[name];
        } else {
            problems[name] = name in raw && raw[name] !== null ? `${name} is not ${kind}` : `${name} is missing`;
        }
    }
    return { values: values as Partial<DoctorOutputs>, problems };
}

/** Stack names may be qualified (`org/project/dev`); the outputs carry the bare name. */
const bareStackName = (stack: string) => stack.split("/").pop()!;

/**
 * Checks the outputs hold everything the tool needs (all problems at once) and, when the user named a stack,
 * that they are that stack's.
 */
export function parseStackOutputs(raw: unknown, origin: string, expectedStack?: string): StackOutputs {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw new OutputsError(`${origin} is not a JSON object of stack outputs`);
    }
    const values = raw as Record<string, unknown>;
    const problems = Object.entries(EXPECTED)
        .filter(([name, [, valid]]) => !(OPTIONAL.has(name) && !(name in values)) && !valid(values[name]))
        .map(([name, [kind]]) => (name in values ? `${name} is not ${kind}` : `${name} is missing`));
    if (problems.length > 0) {
        throw new OutputsError(
            `${origin} lacks what ecs-exec needs: ${problems.join("; ")}.\n` +
                "Deploy the stack with this version of the program (pulumi up), then read its outputs again.",
        );
    }
    const outputs = values as unknown as StackOutputs;
    if (expectedStack !== undefined && outputs.stack !== bareStackName(expectedStack)) {
        throw new OutputsError(`${origin} holds the outputs of stack "${outputs.stack}", not "${expectedStack}"`);
    }
    return outputs;
}

/**
 * The destination `forward <name>` goes to: unknown names are bad arguments, answered with the names there are;
 * outputs from before `forward` are refused like any other lacking an output.
 */
export function forwardingDestination(outputs: StackOutputs, name: string): ForwardingTarget {
    if (outputs.portForwarding === undefined) {
        throw new OutputsError(
            `the outputs of stack ${outputs.stack} lack portForwarding, which ecs-exec forward needs.\n` +
                "Deploy the stack with this version of the program (pulumi up), then read its outputs again.",
        );
    }
    const destination = outputs.portForwarding.find((d) => d.name === name);
    if (destination) {
        return destination;
    }
    const names = outputs.portForwarding.map((d) => d.name);
    throw new UsageError(
        names.length > 0
            ? `no destination "${name}" in stack ${outputs.stack}; configured: ${names.join(", ")}`
            : `no destination "${name}": stack ${outputs.stack} configures none (ecs-exec:portForwarding is empty)`,
    );
}

/** Runs the Pulumi CLI and returns its stdout. */
export type PulumiRunner = (args: string[]) => Promise<string>;

export const runPulumi: PulumiRunner = (args) =>
    new Promise((resolve, reject) =>
        execFile("pulumi", args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
            error ? reject(Object.assign(error, { stderr })) : resolve(stdout),
        ),
    );

export interface OutputsSource {
    stack?: string;
    outputsFile?: string;
}

export async function loadStackOutputs(source: OutputsSource, pulumi: PulumiRunner = runPulumi): Promise<StackOutputs> {
    if (source.outputsFile) {
        let text: string;
        try {
            text = fs.readFileSync(source.outputsFile, "utf8");
        } catch (e) {
            throw new OutputsError(`cannot read ${source.outputsFile}: ${(e as Error).message}`);
        }
        return parseStackOutputs(parseJson(text, source.outputsFile), source.outputsFile, source.stack);
    }
    const args = ["stack", "output", "--json", ...(source.stack ? ["--stack", source.stack] : [])];
    let stdout: string;
    try {
        stdout = await pulumi(args);
    } catch (e) {
        const error = e as NodeJS.ErrnoException & { stderr?: string };
        if (error.code === "ENOENT") {
            throw new OutputsError(
                "the Pulumi CLI is not installed here. Pass the stack's outputs as a file instead:\n" +
                    `  ecs-exec ... --outputs FILE   (FILE made with: pulumi stack output --json --stack ${source.stack ?? "<stack>"} > FILE)`,
            );
        }
        throw new OutputsError(`pulumi ${args.join(" ")} failed: ${(error.stderr || error.message).trim()}`);
    }
    const origin = `the outputs of ${source.stack ? `stack ${source.stack}` : "the selected stack"}`;
    return parseStackOutputs(parseJson(stdout, origin), origin, source.stack);
}

function parseJson(text: string, origin: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        throw new OutputsError(`${origin} is not JSON (expected what \`pulumi stack output --json\` prints)`);
    }
}

/**
 * The shape of a stack's configuration: its keys, the validated values the program gets, and the problems a bad stack
 * file has. Validation is in validate.ts, reading the stack's config in load.ts.
 */
import type { PortForwardingDestination } from "./portForwarding";

/** The project's config namespace: every key below is `ecs-exec:<key>`. */
export const CONFIG_NAMESPACE = "ecs-exec";

/**
 * Every project key the program reads, with the type Pulumi.yaml declares for it.
 * Defaults live in Pulumi.yaml only (the CLI applies them; `npm run synth` does the same).
 */
export const CONFIG_KEYS = {
    environment: "string",
    appImage: "string",
    execCpu: "integer",
    execMemory: "integer",
    cpuArchitecture: "string",
    maxSessionHours: "integer",
    logRetentionDays: "integer",
    vpcId: "string",
    subnetIds: "array",
    vpcCidr: "string",
    assignPublicIp: "boolean",
    // A string since create/existing/none replaced true/false; Pulumi still loads `true`/`false` from old stack
    // files: it validates a scalar YAML value as the string it stores (pulumi/pulumi pkg/workspace/config.go,
    // validateStackConfigValue; sdk/go/common/resource/config/object.go, MarshalString).
    vpcEndpoints: "string",
    alertEmails: "array",
    developerPrincipalArns: "array",
    developerSessionNameTag: "string",
    developerTaggedRoleArns: "array",
    requireMfa: "boolean",
    requireReason: "boolean",
    developerPolicyRoles: "array",
    developerPolicyGroups: "array",
    cloudTrail: "string",
    trailRetentionDays: "integer",
    auditAdminPrincipalArns: "array",
    protectAuditData: "boolean",
    // Pulumi.yaml declares its items as objects (`items: { type: object }`).
    portForwarding: "array",
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** The provider key the program reads besides its own. */
export const REGION_KEY = "aws:region";

/** Raw values as the Pulumi CLI hands them to the program: strings, lists as JSON. */
export type RawConfig = Readonly<Record<string, string | undefined>>;

export type CpuArchitecture = "X86_64" | "ARM64";

/** `create`: the stack creates a trail; `existing`: an organization or account trail already logs management events. */
export type CloudTrailMode = "create" | "existing";

/**
 * How exec tasks without NAT reach AWS: `create` the endpoints, use the `existing` ones of the VPC, or `none`.
 * `true` and `false`, the values of old stack files, read as `create` and `none`.
 */
export type VpcEndpointsMode = "create" | "existing" | "none";

export const TRAIL_RETENTION_DAYS = { min: 1, max: 3653 } as const;

/** Where exec tasks run: a VPC this stack creates, or subnets that already exist. */
export type NetworkConfig =
    | { mode: "create"; vpcCidr?: string }
    | { mode: "existing"; vpcId: string; subnetIds: string[] };

/** The validated configuration of one stack. */
export interface ExecConfig {
    environment: string;
    region: string;
    appImage: string;
    execCpu: number;
    execMemory: number;
    cpuArchitecture: CpuArchitecture;
    maxSessionHours: number;
    logRetentionDays: number;
    network: NetworkConfig;
    assignPublicIp: boolean;
    vpcEndpoints: VpcEndpointsMode;
    alertEmails: string[];
    /** Principals that may assume the developer role the stack creates (none: no role). */
    developerPrincipalArns: string[];
    /** The principal tag a role session's name must equal to assume the developer role (unset: no role sessions). */
    developerSessionNameTag?: string;
    /** Roles other than IAM Identity Center's whose sessions may assume the developer role under their tagged name. */
    developerTaggedRoleArns: string[];
    /** Whether assuming the developer role needs MFA. */
    requireMfa: boolean;
    /** Whether every exec task must be started with a non-empty Reason tag. */
    requireReason: boolean;
    /** Existing IAM roles and groups the developer policy is attached to. */
    developerPolicyRoles: string[];
    developerPolicyGroups: string[];
    cloudTrail: CloudTrailMode;
    /** Days the created trail's log files are kept. */
    trailRetentionDays: number;
    /** The only principals that may change the alert topic and its dead-letter queue; empty: whoever runs pulumi up. */
    auditAdminPrincipalArns: string[];
    /** Protect the transcripts, the trail's bucket and their keys from deletion (they are kept on delete anyway). */
    protectAuditData: boolean;
    /** Where developers may forward ports through their own exec tasks (none: no forwarding). */
    portForwarding: PortForwardingDestination[];
}

/** One bad key: which, what was given, what is allowed. */
export interface ConfigProblem {
    key: string;
    value: string | undefined;
    allowed: string;
}

export class ConfigError extends Error {
    constructor(readonly problems: ConfigProblem[]) {
        super(formatProblems(problems));
        this.name = "ConfigError";
    }
}

/** Fargate task sizes: cpu units → allowed memory (MiB). ECS Developer Guide, "Fargate task size". */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
    256: [512, 1024, 2048],
    512: steps(1024, 4096, 1024),
    1024: steps(2048, 8192, 1024),
    2048: steps(4096, 16384, 1024),
    4096: steps(8192, 30720, 1024),
    8192: steps(16384, 61440, 4096),
    16384: steps(32768, 122880, 8192),
};

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy API reference). */
export const LOG_RETENTION_DAYS: readonly number[] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export const MAX_SESSION_HOURS = { min: 1, max: 24 } as const;

/** Longest environment name: it prefixes IAM role names, which AWS caps at 64 characters. */
export const ENVIRONMENT_MAX_LENGTH = 20;

function steps(from: number, to: number, by: number): number[] {
    const values: number[] = [];
    for (let v = from; v <= to; v += by) {
        values.push(v);
    }
    return values;
}

/** The message a user sees: one line per bad key. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
    const lines = problems.map(
        (p) => `  - ${p.key}: got ${p.value === undefined ? "nothing (unset)" : JSON.stringify(p.value)}; allowed: ${p.allowed}`,
    );
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    return `invalid stack configuration (${count}):\n${lines.join("\n")}`;
}

/**
 * The rules AWS applies to the names this stack gives, each with where it is written down: the AWS API reference
 * (what AWS enforces) and, where it checks more than the API says or less, the provider's validation in
 * terraform-provider-aws (what `pulumi preview` enforces before AWS is called). Written from those sources, not from
 * the program's config validation, so that a test can hold one against the other.
 */
import * as fs from "fs";
import * as path from "path";

export interface NameRule {
    /** The rule, as the source states it. */
    rule: string;
    source: string;
    holds(name: string): boolean;
}

function length(min: number, max: number, source: string): NameRule {
    return { rule: `${min} to ${max} characters`, source, holds: (n) => n.length >= min && n.length <= max };
}

function characters(pattern: RegExp, rule: string, source: string): NameRule {
    return { rule, source, holds: (n) => pattern.test(n) };
}

function notStartingWith(prefixes: string[], source: string, caseInsensitive = false): NameRule {
    return {
        rule: `does not start with ${prefixes.join(", ")}`,
        source,
        holds: (n) => !prefixes.some((p) => (caseInsensitive ? n.toLowerCase() : n).startsWith(p)),
    };
}

function notEndingWith(suffixes: string[], source: string): NameRule {
    return { rule: `does not end with ${suffixes.join(", ")}`, source, holds: (n) => !suffixes.some((s) => n.endsWith(s)) };
}

const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;

const ECS_NAME = "ECS API Reference: CreateCluster clusterName, RegisterTaskDefinition family, ContainerDefinition name";
const LOGS = "CloudWatch Logs API Reference, CreateLogGroup; terraform-provider-aws internal/service/logs/validate.go validLogGroupName";
const IAM = "IAM API Reference, CreateRole/CreatePolicy; terraform-provider-aws internal/service/iam/validate.go validResourceName";
const KMS = "KMS API Reference, CreateAlias; terraform-provider-aws internal/service/kms/validate.go validNameForResource";
const EC2_SG = "EC2 API Reference, CreateSecurityGroup GroupName";
const TRAIL = "CloudTrail API Reference, CreateTrail Name (InvalidTrailNameException); CloudTrail User Guide, naming requirements";
const SNS = "SNS API Reference, CreateTopic Name";
const EVENTS = "EventBridge API Reference, PutRule Name; terraform-provider-aws internal/service/events/validate.go validateRuleName";
const ALARM = "CloudWatch API Reference, PutMetricAlarm AlarmName";
const SQS = "SQS API Reference, CreateQueue QueueName";
const S3 = "S3 User Guide, General purpose bucket naming rules (the provider checks less: internal/service/s3/bucket.go validBucketName)";

/** The kinds of names the stack gives. */
export type NameKind =
    | "ecsName"
    | "logGroup"
    | "iamRole"
    | "iamPolicy"
    | "kmsAlias"
    | "securityGroup"
    | "trail"
    | "snsTopic"
    | "eventRule"
    | "alarm"
    | "sqsQueue"
    | "s3Bucket";

export const NAME_RULES: Record<NameKind, NameRule[]> = {
    ecsName: [
        length(1, 255, ECS_NAME),
        characters(/^[A-Za-z0-9_-]+$/, "letters, numbers, underscores and hyphens", ECS_NAME),
    ],
    logGroup: [
        length(1, 512, LOGS),
        characters(/^[A-Za-z0-9_./#-]+$/, "letters, numbers, _ - / . #", LOGS),
        notStartingWith(["aws/"], LOGS),
    ],
    iamRole: [length(1, 64, IAM), characters(/^[\w+=,.@-]+$/, "letters, numbers and +=,.@_-", IAM)],
    iamPolicy: [length(1, 128, IAM), characters(/^[\w+=,.@-]+$/, "letters, numbers and +=,.@_-", IAM)],
    kmsAlias: [
        length(1, 256, KMS),
        characters(/^alias\/[A-Za-z0-9/_-]+$/, "alias/ then letters, numbers, / _ -", KMS),
        notStartingWith(["alias/aws/"], KMS),
    ],
    securityGroup: [
        length(1, 255, EC2_SG),
        characters(/^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/, "a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*", EC2_SG),
        notStartingWith(["sg-"], EC2_SG, true),
    ],
    trail: [
        length(3, 128, TRAIL),
        characters(/^[A-Za-z0-9._-]+$/, "ASCII letters, numbers, periods, underscores, dashes", TRAIL),
        characters(/^[A-Za-z0-9](.*[A-Za-z0-9])?$/, "starts and ends with a letter or number", TRAIL),
        { rule: "no adjacent periods, underscores or dashes", source: TRAIL, holds: (n) => !/[._-]{2}/.test(n) },
        { rule: "not in IP address format", source: TRAIL, holds: (n) => !IP_ADDRESS.test(n) },
    ],
    snsTopic: [length(1, 256, SNS), characters(/^[A-Za-z0-9_-]+$/, "ASCII letters, numbers, underscores, hyphens", SNS)],
    eventRule: [length(1, 64, EVENTS), characters(/^[.\-_A-Za-z0-9]+$/, "letters, numbers, . - _", EVENTS)],
    alarm: [length(1, 255, ALARM), characters(/^[^\x00-\x1f\x7f]+$/, "no ASCII control characters", ALARM)],
    sqsQueue: [length(1, 80, SQS), characters(/^[A-Za-z0-9_-]+$/, "alphanumeric characters, hyphens and underscores", SQS)],
    s3Bucket: [
        length(3, 63, S3),
        characters(/^[a-z0-9.-]+$/, "lowercase letters, numbers, periods, hyphens", S3),
        characters(/^[a-z0-9](.*[a-z0-9])?$/, "begins and ends with a letter or number", S3),
        { rule: "no two adjacent periods", source: S3, holds: (n) => !n.includes("..") },
        { rule: "not formatted as an IP address", source: S3, holds: (n) => !IP_ADDRESS.test(n) },
        notStartingWith(["xn--", "sthree-", "amzn-s3-demo-"], S3),
        notEndingWith(["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"], S3),
    ],
};

/** The rules a name breaks, one line each. */
export function brokenRules(kind: NameKind, name: string): string[] {
    return NAME_RULES[kind].filter((r) => !r.holds(name)).map((r) => `${kind} "${name}": ${r.rule} (${r.source})`);
}

/**
 * Every region of every AWS partition the AWS SDK knows (@aws-sdk/core's partitions table, read as the SDK ships it,
 * so a new region shows up here with an SDK update).
 */
export function sdkRegions(): string[] {
    const core = path.dirname(require.resolve("@aws-sdk/core/package.json"));
    const table = fs.readFileSync(path.join(core, "dist-es", "submodules", "client", "util-endpoints", "lib", "aws", "partitions.js"), "utf8");
    const regions = [...table.matchAll(/"([a-z]+(?:-[a-z]+)+-\d+)":\s*\{\s*"description"/g)].map((m) => m[1]);
    if (regions.length < 30) {
        throw new Error(`read only ${regions.length} regions from the SDK's partitions table: has its layout changed?`);
    }
    return [...new Set(regions)];
}

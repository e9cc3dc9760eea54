/** Validation of a stack's configuration: every problem of every key at once. */
import { Region } from "@pulumi/aws/types/enums";
import { IDENTITY_CENTER_ROLE_PATH } from "../iam";
import { isCidr } from "./cidr";
import {
    CloudTrailMode,
    CONFIG_KEYS,
    CONFIG_NAMESPACE,
    ConfigError,
    ConfigKey,
    ConfigProblem,
    CpuArchitecture,
    ENVIRONMENT_MAX_LENGTH,
    ExecConfig,
    FARGATE_MEMORY_BY_CPU,
    LOG_RETENTION_DAYS,
    MAX_SESSION_HOURS,
    NetworkConfig,
    RawConfig,
    REGION_KEY,
    TRAIL_RETENTION_DAYS,
    VpcEndpointsMode,
} from "./config";
import { parseImageReference } from "./image";
import { execNames, trailBucketName } from "./names";
import { ENTRY_ALLOWED, parsePortForwarding, PortForwardingDestination } from "./portForwarding";
import { ConfigReader, qualified } from "./reader";

const VPC_ENDPOINTS_VALUES: Readonly<Record<string, VpcEndpointsMode>> = {
    create: "create",
    existing: "existing",
    none: "none",
    true: "create",
    false: "none",
};

/**
 * Regions the pinned AWS provider knows (its `Region` enum). The provider skips its own region check by default
 * (`skipRegionValidation` defaults to true in @pulumi/aws), so a misspelt region would otherwise surface only as
 * endpoints that do not resolve, after the first slow retries of `pulumi preview`.
 */
export const AWS_REGIONS: readonly string[] = Object.values(Region);

/** S3 bucket names: 3 to 63 characters (S3 User Guide, "General purpose bucket naming rules"). */
const S3_BUCKET_NAME_MAX_LENGTH = 63;
/** Bucket name prefixes S3 reserves (same page); `xn--` cannot occur, an environment has no two hyphens in a row. */
const S3_RESERVED_BUCKET_PREFIXES = ["sthree-", "amzn-s3-demo-"];
/** Any account id: they are all 12 digits, and only the length of the trail bucket's name depends on it. */
const ANY_ACCOUNT_ID = "000000000000";

const patterns = {
    environment: new RegExp(`^[a-z](?:[a-z0-9-]{0,${ENVIRONMENT_MAX_LENGTH - 2}}[a-z0-9])?$`),
    vpcId: /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
    subnetId: /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
    email: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
    principalArn: /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:(?:root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+)$/,
    roleName: /^[\w+=,.@-]{1,64}$/,
    /** A principal that is, or admits, role sessions: a role, or an account root (which admits the account's roles). */
    roleOrRoot: /:(?:root|role\/.+)$/,
    roleArn: /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]+$/,
    /** An IAM tag key usable in `${aws:PrincipalTag/<key>}`: no spaces, and not the reserved `aws:` prefix. */
    tagKey: /^(?![aA][wW][sS]:)[\p{L}\p{N}_.:/=+@-]{1,128}$/u,
    groupName: /^[\w+=,.@-]{1,128}$/,
    /** A principal as `aws:PrincipalArn` names it (a role with its path), `*` and `?` allowed as in ArnLike. */
    adminPrincipalArn: /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:(?:root|user\/[\w+=,.@/*?-]+|role\/[\w+=,.@/*?-]+)$/,
};

/**
 * Validates raw config of stack `stack` and returns it typed. Reports every bad key at once (a ConfigError), so a
 * user fixes a stack file in one go; nothing is declared before this returns. One step per section, in the order
 * the problems are listed.
 */
export function parseExecConfig(raw: RawConfig, stack: string): ExecConfig {
    const read = new ConfigReader(raw);
    unknownKeys(read);
    const environment = environmentOf(read, stack);
    const region = regionOf(read);
    const appImage = appImageOf(read);
    const task = taskSection(read);
    const network = networkSection(read);
    imageWithinReach(read, appImage, region, network);
    const alertEmails = read.list("alertEmails", "e-mail addresses", (s) => patterns.email.test(s));
    const developers = developerSection(read);
    const audit = auditSection(read, environment, region);
    const portForwarding = portForwardingOf(read);

    if (read.problems.length > 0) {
        throw new ConfigError(read.problems);
    }
    // Every value was checked; a problem would have thrown.
    return { environment, region, appImage, ...task, ...network, alertEmails, ...developers, ...audit, portForwarding } as ExecConfig;
}

/** What a section read: each value, or undefined where it was bad (and a problem recorded). */
type Checked<T> = { [K in keyof T]: T[K] | undefined };

function unknownKeys(read: ConfigReader): void {
    for (const key of Object.keys(read.raw)) {
        if (key.startsWith(`${CONFIG_NAMESPACE}:`) && !(key.slice(CONFIG_NAMESPACE.length + 1) in CONFIG_KEYS)) {
            read.problem(key, read.raw[key], `no such key; known keys: ${Object.keys(CONFIG_KEYS).join(", ")}`);
        }
    }
}

const ENVIRONMENT_ALLOWED = `lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, 1-${ENVIRONMENT_MAX_LENGTH} characters`;

function environmentOf(read: ConfigReader, stack: string): string | undefined {
    const environment = read.required("environment", ENVIRONMENT_ALLOWED);
    if (environment !== undefined && !patterns.environment.test(environment)) {
        read.report("environment", environment, ENVIRONMENT_ALLOWED);
    } else if (environment !== undefined && environment !== stack) {
        // A stack file copied from another stack keeps that stack's environment, and with it every physical name:
        // deploying it would collide with (or take over) the other stack's resources.
        read.report(
            "environment",
            environment,
            patterns.environment.test(stack)
                ? `the stack's own name, "${stack}": every resource name starts with the environment, so two stacks with one environment collide`
                : `the stack's own name; stack "${stack}" is not a valid environment (${ENVIRONMENT_ALLOWED}): name the stack like its environment`,
        );
    }
    return environment;
}

function regionOf(read: ConfigReader): string | undefined {
    const region = read.raw[REGION_KEY];
    if (region === undefined || !AWS_REGIONS.includes(region)) {
        read.problem(
            REGION_KEY,
            region,
            "a region the AWS provider knows, such as us-east-1 or eu-west-1 (pulumi config set aws:region <region>); " +
                `one of: ${AWS_REGIONS.join(", ")}`,
        );
    }
    return region;
}

const IMAGE_ALLOWED = "a container image reference, e.g. 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1.4.2";

function appImageOf(read: ConfigReader): string | undefined {
    const appImage = read.required("appImage", IMAGE_ALLOWED);
    if (appImage !== undefined && parseImageReference(appImage) === undefined) {
        read.report("appImage", appImage, IMAGE_ALLOWED);
    }
    return appImage;
}

/** The exec task: its Fargate size and architecture, how long it lives, how long its logs are kept. */
function taskSection(
    read: ConfigReader,
): Checked<Pick<ExecConfig, "execCpu" | "execMemory" | "cpuArchitecture" | "maxSessionHours" | "logRetentionDays">> {
    const cpuChoices = Object.keys(FARGATE_MEMORY_BY_CPU).join(", ");
    const execCpu = read.integer("execCpu", `Fargate cpu units: ${cpuChoices}`, (n) => n in FARGATE_MEMORY_BY_CPU);
    const memoryChoices = execCpu === undefined ? undefined : FARGATE_MEMORY_BY_CPU[execCpu];
    const execMemory = read.integer(
        "execMemory",
        memoryChoices === undefined
            ? "MiB valid for execCpu (fix execCpu first)"
            : `MiB valid with execCpu ${execCpu}: ${summarize(memoryChoices)}`,
        (n) => memoryChoices === undefined || memoryChoices.includes(n),
    );

    const architectures: CpuArchitecture[] = ["X86_64", "ARM64"];
    const cpuArchitecture = read.required("cpuArchitecture", architectures.join(" or "));
    if (cpuArchitecture !== undefined && !architectures.includes(cpuArchitecture as CpuArchitecture)) {
        read.report("cpuArchitecture", cpuArchitecture, architectures.join(" or "));
    }

    const maxSessionHours = read.integer(
        "maxSessionHours",
        `whole hours from ${MAX_SESSION_HOURS.min} to ${MAX_SESSION_HOURS.max}`,
        (n) => n >= MAX_SESSION_HOURS.min && n <= MAX_SESSION_HOURS.max,
    );
    const logRetentionDays = read.integer(
        "logRetentionDays",
        `days CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`,
        (n) => LOG_RETENTION_DAYS.includes(n),
    );
    return { execCpu, execMemory, cpuArchitecture: cpuArchitecture as CpuArchitecture, maxSessionHours, logRetentionDays };
}

const ENDPOINTS_ALLOWED = "create, existing or none (true and false still read as create and none)";

/** Where exec tasks run and how they reach AWS. */
function networkSection(read: ConfigReader): Checked<Pick<ExecConfig, "network" | "assignPublicIp" | "vpcEndpoints">> {
    const assignPublicIp = read.boolean("assignPublicIp");
    const vpcEndpointsText = read.required("vpcEndpoints", ENDPOINTS_ALLOWED);
    const vpcEndpoints = vpcEndpointsText === undefined ? undefined : VPC_ENDPOINTS_VALUES[vpcEndpointsText];
    if (vpcEndpointsText !== undefined && vpcEndpoints === undefined) {
        read.report("vpcEndpoints", vpcEndpointsText, ENDPOINTS_ALLOWED);
    }
    const vpcId = read.text("vpcId");
    const network = vpcId !== undefined ? existingNetwork(read, vpcId) : createdNetwork(read, assignPublicIp, vpcEndpoints);
    return { network, assignPublicIp, vpcEndpoints };
}

/** Subnets of an existing VPC: at least one, and no CIDR to size a VPC with. */
function existingNetwork(read: ConfigReader, vpcId: string): NetworkConfig {
    const subnetIds = subnetIdsOf(read);
    const vpcCidr = read.text("vpcCidr");
    if (!patterns.vpcId.test(vpcId)) {
        read.report("vpcId", vpcId, "a VPC id (vpc-0123abcd...)");
    }
    if (subnetIds !== undefined && subnetIds.length === 0) {
        read.report("subnetIds", read.text("subnetIds"), "at least one subnet of vpcId when vpcId is set");
    }
    if (vpcCidr !== undefined) {
        read.report("vpcCidr", vpcCidr, "unset when vpcId is set (vpcCidr only sizes a VPC this stack creates)");
    }
    return { mode: "existing", vpcId, subnetIds: subnetIds ?? [] };
}

/** A VPC the stack creates: no subnets of its own to name, and endpoints it creates, or none. */
function createdNetwork(read: ConfigReader, assignPublicIp: boolean | undefined, vpcEndpoints: VpcEndpointsMode | undefined): NetworkConfig {
    const subnetIds = subnetIdsOf(read);
    const vpcCidr = read.text("vpcCidr");
    if (subnetIds !== undefined && subnetIds.length > 0) {
        read.report("subnetIds", read.text("subnetIds"), "unset unless vpcId is set too (they must be subnets of vpcId)");
    }
    const cidrAllowed = "an IPv4 CIDR block with a prefix from /16 to /24, e.g. 10.0.0.0/16";
    if (vpcCidr !== undefined && !isCidr(vpcCidr, 16, 24)) {
        read.report("vpcCidr", vpcCidr, cidrAllowed);
    }
    if (vpcEndpoints === "existing") {
        read.report(
            "vpcEndpoints",
            read.text("vpcEndpoints"),
            "create or none when the stack creates the VPC (existing uses the endpoints of ecs-exec:vpcId)",
        );
    }
    if (assignPublicIp === true && vpcEndpoints === "create") {
        read.report(
            "vpcEndpoints",
            read.text("vpcEndpoints"),
            "none when assignPublicIp is true and the stack creates the VPC: public subnets reach AWS without endpoints",
        );
    }
    return { mode: "create", vpcCidr };
}

function subnetIdsOf(read: ConfigReader): string[] | undefined {
    return read.list("subnetIds", "subnet ids (subnet-0123abcd...)", (s) => patterns.subnetId.test(s));
}

/**
 * vpcEndpoints is for subnets without NAT: the created VPC's are isolated, and existing ones are taken at their word.
 * The endpoints reach this region's ECR only, so an image from anywhere else could never be pulled.
 */
function imageWithinReach(
    read: ConfigReader,
    appImage: string | undefined,
    region: string | undefined,
    { assignPublicIp, vpcEndpoints }: Checked<Pick<ExecConfig, "assignPublicIp" | "vpcEndpoints">>,
): void {
    const image = appImage === undefined ? undefined : parseImageReference(appImage);
    const throughEndpoints = vpcEndpoints === "create" || vpcEndpoints === "existing";
    if (throughEndpoints && assignPublicIp === false && image !== undefined && image.ecr?.region !== region) {
        read.report(
            "appImage",
            appImage,
            `an ECR image in ${region ?? "the stack's region"}: with vpcEndpoints ${vpcEndpoints} the exec subnets have no ` +
                "route to the internet, and the endpoints reach this region's ECR only (replicate the image there; or, for " +
                "existing subnets behind a NAT gateway, set vpcEndpoints to none)",
        );
    }
}

type DeveloperSection = Pick<
    ExecConfig,
    | "developerPrincipalArns"
    | "developerSessionNameTag"
    | "developerTaggedRoleArns"
    | "requireMfa"
    | "requireReason"
    | "developerPolicyRoles"
    | "developerPolicyGroups"
>;

/** Who gets developer access, and on what terms. */
function developerSection(read: ConfigReader): Checked<DeveloperSection> {
    const developerPrincipalArns = read.list(
        "developerPrincipalArns",
        "IAM principal ARNs (arn:aws:iam::<account>:root | user/<name> | role/<path/name>)",
        (s) => patterns.principalArn.test(s),
    );
    const developerSessionNameTag = sessionNameTagOf(read, developerPrincipalArns);
    const developerTaggedRoleArns = read.list("developerTaggedRoleArns", "IAM role ARNs (arn:aws:iam::<account>:role/<path/name>)", (s) =>
        patterns.roleArn.test(s),
    );
    if (developerPrincipalArns !== undefined && developerTaggedRoleArns !== undefined) {
        for (const p of taggedRoleProblems(developerPrincipalArns, developerTaggedRoleArns, developerSessionNameTag)) {
            read.report(p.key, p.value, p.allowed);
        }
    }

    const requireMfa = read.boolean("requireMfa");
    if (requireMfa === true && developerPrincipalArns !== undefined && developerPrincipalArns.length === 0) {
        read.report("requireMfa", "true", "false unless developerPrincipalArns is set (it guards assuming the developer role)");
    }
    const requireReason = read.boolean("requireReason");
    const developerPolicyRoles = read.list("developerPolicyRoles", "IAM role names (not ARNs)", (s) => patterns.roleName.test(s));
    const developerPolicyGroups = read.list("developerPolicyGroups", "IAM group names (not ARNs)", (s) => patterns.groupName.test(s));
    return {
        developerPrincipalArns,
        developerSessionNameTag,
        developerTaggedRoleArns,
        requireMfa,
        requireReason,
        developerPolicyRoles,
        developerPolicyGroups,
    };
}

/** The tag that names role sessions: required exactly when developerPrincipalArns admits role sessions. */
function sessionNameTagOf(read: ConfigReader, developerPrincipalArns: string[] | undefined): string | undefined {
    const sessionNameTag = read.text("developerSessionNameTag");
    const tagKeyAllowed = "an IAM tag key: 1-128 letters, digits and _ . : / = + - @, not starting with aws:";
    const admitsRoleSessions = (developerPrincipalArns ?? []).filter((arn) => patterns.roleOrRoot.test(arn));
    if (sessionNameTag !== undefined && !patterns.tagKey.test(sessionNameTag)) {
        read.report("developerSessionNameTag", sessionNameTag, tagKeyAllowed);
    } else if (sessionNameTag === undefined && admitsRoleSessions.length > 0) {
        read.report(
            "developerSessionNameTag",
            undefined,
            `required when developerPrincipalArns lists a role or an account root (${admitsRoleSessions.join(", ")}): whoever ` +
                "assumes the developer role chooses the session name, which becomes the Owner of the tasks it starts, so " +
                "a role session must take the name its principal tag holds. Set the tag key (e.g. email, an IAM Identity " +
                "Center attribute passed as a session tag), or drop those principals and attach the developer policy " +
                "through the Identity Center permission set (a customer managed policy reference; no role to assume)",
        );
    } else if (sessionNameTag !== undefined && developerPrincipalArns !== undefined && admitsRoleSessions.length === 0) {
        read.report(
            "developerSessionNameTag",
            sessionNameTag,
            "unset unless developerPrincipalArns lists a role or an account root (it pins the name of their role sessions)",
        );
    }
    return sessionNameTag;
}

/** The trail, and who administers the audit chain. */
function auditSection(
    read: ConfigReader,
    environment: string | undefined,
    region: string | undefined,
): Checked<Pick<ExecConfig, "cloudTrail" | "trailRetentionDays" | "auditAdminPrincipalArns" | "protectAuditData">> {
    const trailModes: CloudTrailMode[] = ["create", "existing"];
    const cloudTrail = read.required("cloudTrail", trailModes.join(" or "));
    if (cloudTrail !== undefined && !trailModes.includes(cloudTrail as CloudTrailMode)) {
        read.report("cloudTrail", cloudTrail, `${trailModes.join(" or ")} (existing: an organization or account trail already logs management events)`);
    }
    if (environment !== undefined && patterns.environment.test(environment)) {
        const clashes = environmentClashes(environment, cloudTrail === "create", region);
        if (clashes.length > 0) {
            read.report("environment", environment, `${ENVIRONMENT_ALLOWED}, and ${clashes.join("; ")}`);
        }
    }
    const trailRetentionDays = read.integer(
        "trailRetentionDays",
        `whole days from ${TRAIL_RETENTION_DAYS.min} to ${TRAIL_RETENTION_DAYS.max}`,
        (n) => n >= TRAIL_RETENTION_DAYS.min && n <= TRAIL_RETENTION_DAYS.max,
    );
    const auditAdminPrincipalArns = read.list(
        "auditAdminPrincipalArns",
        "IAM principal ARNs as aws:PrincipalArn names them (arn:aws:iam::<account>:role/<path/name> | user/<name> | root; * and ? allowed)",
        (s) => patterns.adminPrincipalArn.test(s),
    );
    const protectAuditData = read.boolean("protectAuditData");
    return { cloudTrail: cloudTrail as CloudTrailMode, trailRetentionDays, auditAdminPrincipalArns, protectAuditData };
}

function portForwardingOf(read: ConfigReader): PortForwardingDestination[] {
    const portForwarding = parsePortForwarding(read.text("portForwarding"));
    if (portForwarding.listProblem) {
        read.report("portForwarding", read.text("portForwarding"), portForwarding.listProblem);
    }
    for (const { index, entry, issues } of portForwarding.problems) {
        // Pulumi's path syntax: pulumi config set --path 'portForwarding[1].port' 5432
        read.problem(`${qualified("portForwarding")}[${index}]`, JSON.stringify(entry), `${ENTRY_ALLOWED}: ${issues.join("; ")}`);
    }
    return portForwarding.destinations;
}

/**
 * Role sessions assume the developer role only from IAM Identity Center's roles, or from roles the stack lists in
 * developerTaggedRoleArns (components/access/developerRoleTrust.ts): a listed role that is neither would admit nobody,
 * and an opted-in role must be one the trust admits (listed, or its account root) and needs the tag to name it.
 */
function taggedRoleProblems(
    principalArns: string[],
    taggedRoleArns: string[],
    sessionNameTag: string | undefined,
): (ConfigProblem & { key: ConfigKey })[] {
    const problems: (ConfigProblem & { key: ConfigKey })[] = [];
    const isIdentityCenterRole = (arn: string) => arn.includes(`:role${IDENTITY_CENTER_ROLE_PATH}`);
    const neither = principalArns.filter((arn) => /:role\//.test(arn) && !isIdentityCenterRole(arn) && !taggedRoleArns.includes(arn));
    if (neither.length > 0) {
        problems.push({
            key: "developerPrincipalArns",
            value: JSON.stringify(principalArns),
            allowed:
                `role ARNs of IAM Identity Center (path ${IDENTITY_CENTER_ROLE_PATH}) or also in developerTaggedRoleArns: the ` +
                `sessions of ${neither.join(", ")} could never assume the developer role. Their callers can choose their ` +
                "principal tags; opt in with developerTaggedRoleArns only for roles whose owner guarantees they cannot (docs/security.md: Granting access)",
        });
    }
    const accountRoot = (arn: string) => arn.replace(/:role\/.*$/, ":root");
    const unadmitted = taggedRoleArns.filter((arn) => !principalArns.includes(arn) && !principalArns.includes(accountRoot(arn)));
    const identityCenter = taggedRoleArns.filter(isIdentityCenterRole);
    if (taggedRoleArns.length > 0 && sessionNameTag === undefined) {
        problems.push({
            key: "developerTaggedRoleArns",
            value: JSON.stringify(taggedRoleArns),
            allowed: "empty unless developerSessionNameTag is set: it names the tag whose value these roles' sessions must take as their name",
        });
    }
    if (unadmitted.length > 0 || identityCenter.length > 0) {
        problems.push({
            key: "developerTaggedRoleArns",
            value: JSON.stringify(taggedRoleArns),
            allowed: [
                unadmitted.length > 0
                    ? `roles developerPrincipalArns admits (the role itself, or its account root): not ${unadmitted.join(", ")}`
                    : "",
                identityCenter.length > 0 ? `no IAM Identity Center role, which needs no opt-in: not ${identityCenter.join(", ")}` : "",
            ]
                .filter(Boolean)
                .join("; "),
        });
    }
    return problems;
}

/**
 * The rules of AWS names that an environment of the allowed form can still break, applied to the names built from it
 * (components/config/names.ts). The trail and its bucket exist only with `cloudTrail: create`: their rules apply only then,
 * so that a working stack without them is not refused.
 */
function environmentClashes(environment: string, createsTrail: boolean, region: string | undefined): string[] {
    const names = execNames(environment);
    const clashes: string[] = [];
    // EC2 CreateSecurityGroup: a group name "can't start with sg-" (names are case-insensitive).
    if ([names.taskSecurityGroup, names.endpointSecurityGroup].some((name) => name.toLowerCase().startsWith("sg-"))) {
        clashes.push(`not sg or sg-...: security group names (${names.taskSecurityGroup}) must not start with sg-`);
    }
    if (!createsTrail) {
        return clashes;
    }
    // CloudTrail CreateTrail: "Have no adjacent periods, underscores or dashes".
    if (/[-_.]{2}/.test(names.trail)) {
        clashes.push(`no two hyphens in a row with cloudTrail create: trail names (${names.trail}) allow no adjacent dashes`);
    }
    if (region === undefined || !AWS_REGIONS.includes(region)) {
        return clashes;
    }
    const bucket = trailBucketName(names.trail, ANY_ACCOUNT_ID, region);
    const reserved = S3_RESERVED_BUCKET_PREFIXES.find((prefix) => bucket.startsWith(prefix));
    if (reserved !== undefined) {
        clashes.push(`with cloudTrail create, the trail bucket (${bucket}) must not start with ${reserved}, a prefix S3 reserves`);
    }
    const excess = bucket.length - S3_BUCKET_NAME_MAX_LENGTH;
    if (excess > 0) {
        clashes.push(
            `at most ${environment.length - excess} characters in ${region} with cloudTrail create: the trail bucket ` +
                `<environment>-ecs-exec-trail-<account>-<region> must fit S3's ${S3_BUCKET_NAME_MAX_LENGTH}`,
        );
    }
    return clashes;
}

function summarize(values: readonly number[]): string {
    if (values.length <= 3) {
        return values.join(", ");
    }
    return `${values[0]} to ${values[values.length - 1]} in steps of ${values[1] - values[0]}`;
}


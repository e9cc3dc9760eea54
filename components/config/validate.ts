/** Validation of a stack's configuration: every problem of every key at once. */
import { Region } from "@pulumi/aws/types/enums";
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
import { IDENTITY_CENTER_ROLE_PATH } from "../iam";
import { ENTRY_ALLOWED, parsePortForwarding } from "./portForwarding";

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
 * user fixes a stack file in one go; nothing is declared before this returns.
 */
export function parseExecConfig(raw: RawConfig, stack: string): ExecConfig {
    const problems: ConfigProblem[] = [];
    const problem = (key: string, value: string | undefined, allowed: string) =>
        problems.push({ key, value, allowed });
    const qualified = (key: ConfigKey) => `${CONFIG_NAMESPACE}:${key}`;

    for (const key of Object.keys(raw)) {
        if (key.startsWith(`${CONFIG_NAMESPACE}:`) && !(key.slice(CONFIG_NAMESPACE.length + 1) in CONFIG_KEYS)) {
            problem(key, raw[key], `no such key; known keys: ${Object.keys(CONFIG_KEYS).join(", ")}`);
        }
    }

    const text = (key: ConfigKey): string | undefined => raw[qualified(key)];

    const required = (key: ConfigKey, allowed: string): string | undefined => {
        const value = text(key);
        if (value === undefined || value === "") {
            problem(qualified(key), value, `required: ${allowed}`);
            return undefined;
        }
        return value;
    };

    const integer = (key: ConfigKey, allowed: string, ok: (n: number) => boolean): number | undefined => {
        const value = required(key, allowed);
        if (value === undefined) {
            return undefined;
        }
        const n = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
        if (!Number.isSafeInteger(n) || !ok(n)) {
            problem(qualified(key), value, allowed);
            return undefined;
        }
        return n;
    };

    const boolean = (key: ConfigKey): boolean | undefined => {
        const value = required(key, "true or false");
        if (value === undefined) {
            return undefined;
        }
        if (value !== "true" && value !== "false") {
            problem(qualified(key), value, "true or false");
            return undefined;
        }
        return value === "true";
    };

    const list = (key: ConfigKey, itemAllowed: string, ok: (item: string) => boolean): string[] | undefined => {
        const value = text(key);
        const allowed = `a list of ${itemAllowed}, without duplicates`;
        if (value === undefined || value === "") {
            return [];
        }
        let items: unknown;
        try {
            items = JSON.parse(value);
        } catch {
            items = undefined;
        }
        if (!Array.isArray(items) || !items.every((i): i is string => typeof i === "string")) {
            problem(qualified(key), value, allowed);
            return undefined;
        }
        const bad = items.filter((i) => !ok(i));
        if (bad.length > 0 || new Set(items).size !== items.length) {
            problem(qualified(key), value, bad.length > 0 ? `${allowed} (not valid: ${bad.join(", ")})` : allowed);
            return undefined;
        }
        return items;
    };

    const environmentAllowed = `lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, 1-${ENVIRONMENT_MAX_LENGTH} characters`;
    const environment = required("environment", environmentAllowed);
    if (environment !== undefined && !patterns.environment.test(environment)) {
        problem(qualified("environment"), environment, environmentAllowed);
    } else if (environment !== undefined && environment !== stack) {
        // A stack file copied from another stack keeps that stack's environment, and with it every physical name:
        // deploying it would collide with (or take over) the other stack's resources.
        problem(
            qualified("environment"),
            environment,
            patterns.environment.test(stack)
                ? `the stack's own name, "${stack}": every resource name starts with the environment, so two stacks with one environment collide`
                : `the stack's own name; stack "${stack}" is not a valid environment (${environmentAllowed}): name the stack like its environment`,
        );
    }

    const region = raw[REGION_KEY];
    if (region === undefined || !AWS_REGIONS.includes(region)) {
        problem(
            REGION_KEY,
            region,
            "a region the AWS provider knows, such as us-east-1 or eu-west-1 (pulumi config set aws:region <region>); " +
                `one of: ${AWS_REGIONS.join(", ")}`,
        );
    }

    const imageAllowed = "a container image reference, e.g. 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1.4.2";
    const appImage = required("appImage", imageAllowed);
    const image = appImage === undefined ? undefined : parseImageReference(appImage);
    if (appImage !== undefined && image === undefined) {
        problem(qualified("appImage"), appImage, imageAllowed);
    }

    const cpuChoices = Object.keys(FARGATE_MEMORY_BY_CPU).join(", ");
    const execCpu = integer("execCpu", `Fargate cpu units: ${cpuChoices}`, (n) => n in FARGATE_MEMORY_BY_CPU);
    const memoryChoices = execCpu === undefined ? undefined : FARGATE_MEMORY_BY_CPU[execCpu];
    const execMemory = integer(
        "execMemory",
        memoryChoices === undefined
            ? "MiB valid for execCpu (fix execCpu first)"
            : `MiB valid with execCpu ${execCpu}: ${summarize(memoryChoices)}`,
        (n) => memoryChoices === undefined || memoryChoices.includes(n),
    );

    const architectures: CpuArchitecture[] = ["X86_64", "ARM64"];
    const cpuArchitecture = required("cpuArchitecture", architectures.join(" or "));
    if (cpuArchitecture !== undefined && !architectures.includes(cpuArchitecture as CpuArchitecture)) {
        problem(qualified("cpuArchitecture"), cpuArchitecture, architectures.join(" or "));
    }

    const maxSessionHours = integer(
        "maxSessionHours",
        `whole hours from ${MAX_SESSION_HOURS.min} to ${MAX_SESSION_HOURS.max}`,
        (n) => n >= MAX_SESSION_HOURS.min && n <= MAX_SESSION_HOURS.max,
    );
    const logRetentionDays = integer(
        "logRetentionDays",
        `days CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`,
        (n) => LOG_RETENTION_DAYS.includes(n),
    );
    const assignPublicIp = boolean("assignPublicIp");
    const endpointsAllowed = "create, existing or none (true and false still read as create and none)";
    const vpcEndpointsText = required("vpcEndpoints", endpointsAllowed);
    const vpcEndpoints = vpcEndpointsText === undefined ? undefined : VPC_ENDPOINTS_VALUES[vpcEndpointsText];
    if (vpcEndpointsText !== undefined && vpcEndpoints === undefined) {
        problem(qualified("vpcEndpoints"), vpcEndpointsText, endpointsAllowed);
    }

    const vpcId = text("vpcId");
    const subnetIds = list("subnetIds", "subnet ids (subnet-0123abcd...)", (s) => patterns.subnetId.test(s));
    const vpcCidr = text("vpcCidr");
    let network: NetworkConfig | undefined;
    if (vpcId !== undefined) {
        if (!patterns.vpcId.test(vpcId)) {
            problem(qualified("vpcId"), vpcId, "a VPC id (vpc-0123abcd...)");
        }
        if (subnetIds !== undefined && subnetIds.length === 0) {
            problem(qualified("subnetIds"), text("subnetIds"), "at least one subnet of vpcId when vpcId is set");
        }
        if (vpcCidr !== undefined) {
            problem(qualified("vpcCidr"), vpcCidr, "unset when vpcId is set (vpcCidr only sizes a VPC this stack creates)");
        }
        network = { mode: "existing", vpcId, subnetIds: subnetIds ?? [] };
    } else {
        if (subnetIds !== undefined && subnetIds.length > 0) {
            problem(qualified("subnetIds"), text("subnetIds"), "unset unless vpcId is set too (they must be subnets of vpcId)");
        }
        const cidrAllowed = "an IPv4 CIDR block with a prefix from /16 to /24, e.g. 10.0.0.0/16";
        if (vpcCidr !== undefined && !isCidr(vpcCidr, 16, 24)) {
            problem(qualified("vpcCidr"), vpcCidr, cidrAllowed);
        }
        if (vpcEndpoints === "existing") {
            problem(
                qualified("vpcEndpoints"),
                vpcEndpointsText,
                "create or none when the stack creates the VPC (existing uses the endpoints of ecs-exec:vpcId)",
            );
        }
        if (assignPublicIp === true && vpcEndpoints === "create") {
            problem(
                qualified("vpcEndpoints"),
                vpcEndpointsText,
                "none when assignPublicIp is true and the stack creates the VPC: public subnets reach AWS without endpoints",
            );
        }
        network = { mode: "create", vpcCidr };
    }
    // vpcEndpoints is for subnets without NAT: the created VPC's are isolated, and existing ones are taken at their
    // word. The endpoints reach this region's ECR only, so an image from anywhere else could never be pulled.
    const throughEndpoints = vpcEndpoints === "create" || vpcEndpoints === "existing";
    if (throughEndpoints && assignPublicIp === false && image !== undefined && image.ecr?.region !== region) {
        problem(
            qualified("appImage"),
            appImage,
            `an ECR image in ${region ?? "the stack's region"}: with vpcEndpoints ${vpcEndpoints} the exec subnets have no ` +
                "route to the internet, and the endpoints reach this region's ECR only (replicate the image there; or, for " +
                "existing subnets behind a NAT gateway, set vpcEndpoints to none)",
        );
    }

    const alertEmails = list("alertEmails", "e-mail addresses", (s) => patterns.email.test(s));
    const developerPrincipalArns = list(
        "developerPrincipalArns",
        "IAM principal ARNs (arn:aws:iam::<account>:root | user/<name> | role/<path/name>)",
        (s) => patterns.principalArn.test(s),
    );

    const sessionNameTag = text("developerSessionNameTag");
    const tagKeyAllowed = "an IAM tag key: 1-128 letters, digits and _ . : / = + - @, not starting with aws:";
    const admitsRoleSessions = (developerPrincipalArns ?? []).filter((arn) => patterns.roleOrRoot.test(arn));
    if (sessionNameTag !== undefined && !patterns.tagKey.test(sessionNameTag)) {
        problem(qualified("developerSessionNameTag"), sessionNameTag, tagKeyAllowed);
    } else if (sessionNameTag === undefined && admitsRoleSessions.length > 0) {
        problem(
            qualified("developerSessionNameTag"),
            undefined,
            `required when developerPrincipalArns lists a role or an account root (${admitsRoleSessions.join(", ")}): whoever ` +
                "assumes the developer role chooses the session name, which becomes the Owner of the tasks it starts, so " +
                "a role session must take the name its principal tag holds. Set the tag key (e.g. email, an IAM Identity " +
                "Center attribute passed as a session tag), or drop those principals and attach the developer policy " +
                "through the Identity Center permission set (a customer managed policy reference; no role to assume)",
        );
    } else if (sessionNameTag !== undefined && developerPrincipalArns !== undefined && admitsRoleSessions.length === 0) {
        problem(
            qualified("developerSessionNameTag"),
            sessionNameTag,
            "unset unless developerPrincipalArns lists a role or an account root (it pins the name of their role sessions)",
        );
    }

    const taggedRoleArns = list("developerTaggedRoleArns", "IAM role ARNs (arn:aws:iam::<account>:role/<path/name>)", (s) =>
        patterns.roleArn.test(s),
    );
    if (developerPrincipalArns !== undefined && taggedRoleArns !== undefined) {
        for (const p of taggedRoleProblems(developerPrincipalArns, taggedRoleArns, sessionNameTag)) {
            problem(qualified(p.key), p.value, p.allowed);
        }
    }

    const requireMfa = boolean("requireMfa");
    if (requireMfa === true && developerPrincipalArns !== undefined && developerPrincipalArns.length === 0) {
        problem(qualified("requireMfa"), "true", "false unless developerPrincipalArns is set (it guards assuming the developer role)");
    }
    const requireReason = boolean("requireReason");
    const developerPolicyRoles = list("developerPolicyRoles", "IAM role names (not ARNs)", (s) => patterns.roleName.test(s));
    const developerPolicyGroups = list("developerPolicyGroups", "IAM group names (not ARNs)", (s) => patterns.groupName.test(s));

    const trailModes: CloudTrailMode[] = ["create", "existing"];
    const cloudTrail = required("cloudTrail", trailModes.join(" or "));
    if (cloudTrail !== undefined && !trailModes.includes(cloudTrail as CloudTrailMode)) {
        problem(qualified("cloudTrail"), cloudTrail, `${trailModes.join(" or ")} (existing: an organization or account trail already logs management events)`);
    }
    if (environment !== undefined && patterns.environment.test(environment)) {
        const clashes = environmentClashes(environment, cloudTrail === "create", region);
        if (clashes.length > 0) {
            problem(qualified("environment"), environment, `${environmentAllowed}, and ${clashes.join("; ")}`);
        }
    }
    const trailRetentionDays = integer(
        "trailRetentionDays",
        `whole days from ${TRAIL_RETENTION_DAYS.min} to ${TRAIL_RETENTION_DAYS.max}`,
        (n) => n >= TRAIL_RETENTION_DAYS.min && n <= TRAIL_RETENTION_DAYS.max,
    );

    const auditAdminPrincipalArns = list(
        "auditAdminPrincipalArns",
        "IAM principal ARNs as aws:PrincipalArn names them (arn:aws:iam::<account>:role/<path/name> | user/<name> | root; * and ? allowed)",
        (s) => patterns.adminPrincipalArn.test(s),
    );
    const protectAuditData = boolean("protectAuditData");

    const portForwarding = parsePortForwarding(text("portForwarding"));
    if (portForwarding.listProblem) {
        problem(qualified("portForwarding"), text("portForwarding"), portForwarding.listProblem);
    }
    for (const { index, entry, issues } of portForwarding.problems) {
        // Pulumi's path syntax: pulumi config set --path 'portForwarding[1].port' 5432
        problem(`${qualified("portForwarding")}[${index}]`, JSON.stringify(entry), `${ENTRY_ALLOWED}: ${issues.join("; ")}`);
    }

    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    // Every value below was checked above; a problem would have thrown.
    return {
        environment: environment!,
        region: region!,
        appImage: appImage!,
        execCpu: execCpu!,
        execMemory: execMemory!,
        cpuArchitecture: cpuArchitecture as CpuArchitecture,
        maxSessionHours: maxSessionHours!,
        logRetentionDays: logRetentionDays!,
        network: network,
        assignPublicIp: assignPublicIp!,
        vpcEndpoints: vpcEndpoints!,
        alertEmails: alertEmails!,
        developerPrincipalArns: developerPrincipalArns!,
        developerSessionNameTag: sessionNameTag,
        developerTaggedRoleArns: taggedRoleArns!,
        requireMfa: requireMfa!,
        requireReason: requireReason!,
        developerPolicyRoles: developerPolicyRoles!,
        developerPolicyGroups: developerPolicyGroups!,
        cloudTrail: cloudTrail as CloudTrailMode,
        trailRetentionDays: trailRetentionDays!,
        auditAdminPrincipalArns: auditAdminPrincipalArns!,
        protectAuditData: protectAuditData!,
        portForwarding: portForwarding.destinations,
    };
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
                "principal tags; opt in with developerTaggedRoleArns only for roles whose owner guarantees they cannot (README: Granting access)",
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


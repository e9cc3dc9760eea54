/**
 * Access: who is asking, whether their machine can open a session, and what IAM lets them and the exec agent do.
 */
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { DescribeKeyCommand, type DescribeKeyCommandOutput, GetKeyPolicyCommand, GetKeyRotationStatusCommand } from "@aws-sdk/client-kms";
import { GetTopicAttributesCommand } from "@aws-sdk/client-sns";
import { callers, execAgentRequests, ScenarioFacts, scenarios } from "../../components/access";
import { isEcsTagValue } from "../../components/config";
import type { AwsContext } from "../../components/iam";
import { PluginMissingError } from "../errors";
import { check, CheckContext, combine, count, fail, Finding, pass, warn } from "./check";
import { asCaller, principalName, principalOf, Principal, ROLE_SESSION_LIMITS, said, simulateAll, simulateScenarios } from "./simulate";

/**
 * The oldest session-manager-plugin AWS supports: "The current minimum supported version is 1.2.764.0. If you're
 * running an earlier version, your Session Manager operations might not succeed." (Systems Manager User Guide,
 * "Session Manager plugin latest version and release history").
 */
export const MINIMUM_PLUGIN_VERSION = "1.2.764.0";

/** -1, 0 or 1 as dotted version `a` is older, equal or newer than `b`; undefined when either is not one. */
export function compareVersions(a: string, b: string): number | undefined {
    const parse = (v: string) => (/^\d+(\.\d+)*$/.test(v) ? v.split(".").map(Number) : undefined);
    const [x, y] = [parse(a), parse(b)];
    if (!x || !y) {
        return undefined;
    }
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
        const d = (x[i] ?? 0) - (y[i] ?? 0);
        if (d !== 0) {
            return Math.sign(d);
        }
    }
    return 0;
}

/** The account a stack lives in, from its cluster's ARN. */
export const stackAccount = (clusterArn: string | undefined) => clusterArn?.split(":")[4];

export const credentials = check({
    id: "credentials",
    group: "access",
    title: "AWS credentials of the stack's account",
    actions: ["sts:GetCallerIdentity"],
    outputs: [],
    async run(ctx) {
        const identity = await ctx.aws("sts:GetCallerIdentity", () => ctx.clients.sts.send(new GetCallerIdentityCommand({})), CALLER_KEY);
        const account = stackAccount(ctx.optional.clusterArn);
        if (account && identity.Account !== account) {
            return fail(
                `${identity.Arn} is in account ${identity.Account}; stack ${ctx.outputs.stack} is in account ${account}`,
                `Use credentials of account ${account} (AWS_PROFILE, or sign in to it), then run ecs-exec doctor again.`,
            );
        }
        const where = `${identity.Arn}${account ? `, in the stack's account ${account}` : ""}`;
        if (!isEcsTagValue(identity.UserId!)) {
            return warn(
                `${where}; but its id ${identity.UserId} cannot be an exec task's Owner tag (ECS tag values take letters, digits, spaces and + - = . _ : / @)`,
                "To open shells, assume the role again with a session name of those characters only.",
            );
        }
        return pass(where);
    },
});

/** The memo key of GetCallerIdentity: the runner and the credentials check share the one call. */
export const CALLER_KEY = "GetCallerIdentity";

export const plugin = check({
    id: "plugin",
    group: "access",
    title: "session-manager-plugin runs",
    actions: [],
    outputs: [],
    async run(ctx) {
        let version: string;
        try {
            version = await ctx.plugin.version();
        } catch (e) {
            if (e instanceof PluginMissingError) {
                const [what, ...install] = e.message.split("\n");
                return fail(what, install.join(" "));
            }
            throw e;
        }
        const order = compareVersions(version, MINIMUM_PLUGIN_VERSION);
        if (order === undefined) {
            return warn(`session-manager-plugin --version printed "${version}", not a version`, "Reinstall session-manager-plugin.");
        }
        if (order < 0) {
            return warn(
                `session-manager-plugin ${version} is older than ${MINIMUM_PLUGIN_VERSION}, the oldest AWS supports`,
                "Update it: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html",
            );
        }
        return pass(`session-manager-plugin ${version}`);
    },
});

type FactsOutputs = "clusterArn" | "taskRoleArn" | "executionRoleArn" | "kmsKeyArn" | "execCpu" | "execMemory";

/** What the access scenarios are built from, for this stack in the caller's account. */
function scenarioFacts(ctx: CheckContext<FactsOutputs>): ScenarioFacts {
    return {
        ...awsContext(ctx),
        clusterName: ctx.outputs.clusterName,
        taskFamily: ctx.outputs.taskDefinitionFamily,
        containerName: ctx.outputs.containerName,
        taskRoleArn: ctx.stack.taskRoleArn,
        executionRoleArn: ctx.stack.executionRoleArn,
        kmsKeyArn: ctx.stack.kmsKeyArn,
        requireReason: ctx.outputs.requireReason,
        taskCpu: ctx.stack.execCpu,
        taskMemory: ctx.stack.execMemory,
        portForwarding: (ctx.outputs.portForwarding ?? []).length > 0,
        sessionLogGroupName: ctx.outputs.sessionLogGroupName,
        transcriptBucketName: ctx.outputs.transcriptBucketName,
    };
}

export function awsContext(ctx: CheckContext<never>): AwsContext {
    return {
        partition: ctx.caller.partition,
        region: ctx.region,
        accountId: ctx.caller.account,
        dnsSuffix: ctx.caller.partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com",
    };
}

/** The scenarios of the offline proof that differ in the caller's account, as one finding. */
async function scenarioFinding(
    ctx: CheckContext<FactsOutputs>,
    principal: Principal,
    chosen: (action: string) => boolean,
    resourcePolicy?: string,
): Promise<{ finding: Finding; total: number }> {
    const facts = scenarioFacts(ctx);
    // Scenarios proved against the policy of another setting (a policy document of their own, or the other
    // requireReason) say nothing of this stack's: the identity in the account holds the stack's own.
    const ofThisStack = scenarios(facts).filter(
        (s) => s.developerPolicy === undefined && (s.requireReason === undefined || s.requireReason === facts.requireReason),
    );
    const mine = asCaller(
        ofThisStack.filter((s) => chosen(s.action)),
        ctx.caller,
        Object.values(callers(facts.accountId)).map((c) => c.userId),
    );
    const results = await simulateScenarios(ctx, principal, mine, resourcePolicy);
    const wrong = results.filter((r) => r.decision !== r.scenario.expect);
    const who = `${principalName(principal)}${principal.kind === "role" ? ` (${ROLE_SESSION_LIMITS})` : ""}`;
    if (wrong.length === 0) {
        return { finding: pass(`${count(results.length, "request")} of the offline proof decided as expected for ${who}`), total: results.length };
    }
    const lines = wrong.map((r) => `${r.scenario.row}: ${r.scenario.action} ${said(r.decision)}, expected ${said(r.scenario.expect)}`);
    const tooMuch = wrong.some((r) => r.decision === "Allowed");
    return {
        finding: fail(
            `${count(wrong.length, "request")} of ${results.length} decided otherwise for ${who}: ${lines.join("; ")}`,
            tooMuch
                ? "This identity may do what the developer policy refuses (it holds broader policies): its guarantees hold for identities " +
                      "with the developer policy only. Run doctor as a developer, or remove the broader grants."
                : `Give this identity the developer policy (output developerPolicyArn), or assume the developer role, then run doctor again.`,
        ),
        total: results.length,
    };
}

export const callerPermissions = check<FactsOutputs>({
    id: "caller-permissions",
    group: "access",
    title: "IAM lets you start, open and stop only your own exec tasks",
    actions: ["iam:GetRole", "iam:SimulatePrincipalPolicy"],
    outputs: ["clusterArn", "taskRoleArn", "executionRoleArn", "kmsKeyArn", "execCpu", "execMemory"],
    async run(ctx) {
        const principal = await principalOf(ctx);
        if (!("arn" in principal)) {
            return principal;
        }
        return (await scenarioFinding(ctx, principal, (action) => !action.startsWith("kms:"))).finding;
    },
});

/** The key policy statement that lets IAM policies of the account grant `action`, if there is one. */
export function delegatingStatement(policy: unknown, ctx: AwsContext, action: string): string | undefined {
    const statements = (policy as { Statement?: unknown })?.Statement;
    const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]) as unknown[];
    const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
    const root = new Set([`arn:${ctx.partition}:iam::${ctx.accountId}:root`, ctx.accountId]);
    for (const [i, s] of list(statements).entries()) {
        const statement = s as Record<string, any>;
        const principals = list(statement.Principal?.AWS);
        if (
            statement.Effect === "Allow" &&
            statement.Condition === undefined &&
            principals.some((p) => root.has(String(p))) &&
            list(statement.Action).some((a) => glob(String(a)).test(action)) &&
            list(statement.Resource).includes("*")
        ) {
            return statement.Sid ?? `statement ${i + 1}`;
        }
    }
    return undefined;
}

type KeyMetadata = NonNullable<DescribeKeyCommandOutput["KeyMetadata"]>;

/** What DescribeKey says of a key; undefined when the key no longer exists (deleted). */
async function describeKey(ctx: CheckContext<never>, keyId: string): Promise<KeyMetadata | undefined> {
    const described = await ctx.aws("kms:DescribeKey", () =>
        ctx.clients.kms.send(new DescribeKeyCommand({ KeyId: keyId })).catch((e: Error) => (e?.name === "NotFoundException" ? undefined : Promise.reject(e))),
    );
    return described?.KeyMetadata;
}

/**
 * A key that is not Enabled encrypts nothing (KMS Developer Guide, "Key states of AWS KMS keys"); `which` names it and
 * `silenced` says what stops. A cancelled deletion leaves the key Disabled (KMS API Reference, CancelKeyDeletion).
 */
function keyStateProblem(which: string, keyArn: string, metadata: KeyMetadata | undefined, silenced: string, stack: string): Finding | undefined {
    const id = keyArn.split("/").pop();
    if (!metadata) {
        return fail(`the ${which} ${id} no longer exists: ${silenced}`, `pulumi up --refresh --stack ${stack} creates another (what it encrypted stays unreadable).`);
    }
    if (metadata.KeyState === "Enabled") {
        return undefined;
    }
    if (metadata.KeyState === "PendingDeletion") {
        const when = metadata.DeletionDate ? `, deleted on ${metadata.DeletionDate.toISOString().slice(0, 10)}` : "";
        return fail(
            `the ${which} ${id} is pending deletion${when}: ${silenced}`,
            `aws kms cancel-key-deletion --key-id ${keyArn}, then aws kms enable-key --key-id ${keyArn} (a cancelled deletion leaves it Disabled).`,
        );
    }
    return fail(`the ${which} ${id} is ${metadata.KeyState}: ${silenced}`, `Enable it: aws kms enable-key --key-id ${keyArn}.`);
}

export const kmsKey = check<FactsOutputs | "alertTopicArn">({
    id: "kms-key",
    group: "access",
    title: "The exec and audit keys are enabled; you may encrypt sessions with the exec key",
    actions: ["kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:GetKeyPolicy", "sns:GetTopicAttributes", "iam:GetRole", "iam:SimulatePrincipalPolicy"],
    outputs: ["clusterArn", "taskRoleArn", "executionRoleArn", "kmsKeyArn", "execCpu", "execMemory", "alertTopicArn"],
    async run(ctx) {
        const keyId = ctx.stack.kmsKeyArn;
        const topic = ctx.stack.alertTopicArn;
        // The audit key is the one the alert topic names: the stack encrypts the topic, its dead-letter queue and the
        // alarms' messages with it.
        const auditKey = ctx
            .aws("sns:GetTopicAttributes", () => ctx.clients.sns.send(new GetTopicAttributesCommand({ TopicArn: topic })))
            .then(async ({ Attributes }) => {
                const arn = Attributes?.KmsMasterKeyId;
                return arn ? { arn, metadata: await describeKey(ctx, arn) } : undefined;
            });
        const [metadata, rotation, keyPolicy, audit] = await Promise.all([
            describeKey(ctx, keyId),
            ctx.aws("kms:GetKeyRotationStatus", () => ctx.clients.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))),
            keyPolicyOf(ctx),
            auditKey,
        ]);
        const findings: Finding[] = [];
        const stack = ctx.outputs.stack;
        if (!audit) {
            findings.push(
                warn(`the alert topic ${topic} names no KMS key, so the audit key could not be read`, `pulumi up --stack ${stack} encrypts it with the audit key again.`),
            );
        } else {
            const silenced = "the alert topic, its dead-letter queue and the alarms deliver nothing, the alert of that very change included";
            const problem = keyStateProblem("audit key", audit.arn, audit.metadata, silenced, stack);
            if (problem) {
                findings.push(problem);
            }
        }
        const problem = keyStateProblem("exec key", keyId, metadata, "no exec session can start or be logged", stack);
        if (problem) {
            findings.push(problem);
        } else if (metadata!.KeySpec !== "SYMMETRIC_DEFAULT" || metadata!.KeyUsage !== "ENCRYPT_DECRYPT") {
            findings.push(fail(`the exec key is ${metadata!.KeySpec} for ${metadata!.KeyUsage}; exec needs a symmetric encryption key`, "pulumi up restores the stack's key."));
        }
        if (!rotation.KeyRotationEnabled) {
            findings.push(warn("automatic rotation of the exec key is off", `aws kms enable-key-rotation --key-id ${keyId} (or pulumi up).`));
        }
        const principal = await principalOf(ctx);
        if (!("arn" in principal)) {
            // The keys' state holds whoever asks.
            return combine([...findings, principal], principal.detail);
        }
        const { finding, total } = await scenarioFinding(ctx, principal, (action) => action.startsWith("kms:"), keyPolicy);
        findings.push(finding);
        const delegation = keyPolicyNote(ctx, keyPolicy, "kms:GenerateDataKey", principal.kind);
        if (delegation.status !== "pass") {
            findings.push(delegation);
        }
        return combine(
            findings,
            `audit key ${audit?.arn.split("/").pop()} (the alert topic's) enabled; exec key ${keyId.split("/").pop()} enabled and rotating; ` +
                `${count(total, "request")} decided as expected for you; ${delegation.detail}`,
        );
    },
});

async function keyPolicyOf(ctx: CheckContext<"kmsKeyArn">): Promise<string> {
    const response = await ctx.aws(
        "kms:GetKeyPolicy",
        () => ctx.clients.kms.send(new GetKeyPolicyCommand({ KeyId: ctx.stack.kmsKeyArn, PolicyName: "default" })),
        "GetKeyPolicy",
    );
    return response.Policy!;
}

/**
 * The key policy's part in a decision. Simulated with an IAM user; for a role, IAM cannot include it (see
 * simulate.ts), so doctor says whether it lets IAM policies decide, which is what the stack's key policy does.
 */
function keyPolicyNote(ctx: CheckContext<never>, keyPolicy: string, action: string, kind: Principal["kind"]): Finding {
    if (kind === "user") {
        return pass("its key policy was part of the simulation");
    }
    const statement = delegatingStatement(JSON.parse(keyPolicy), awsContext(ctx), action);
    return statement
        ? pass(`its key policy leaves ${action} to IAM (${statement})`)
        : fail(
              `the key policy does not let IAM policies of account ${ctx.caller.account} grant ${action}, so the simulation above does not decide it`,
              "pulumi up restores the stack's key policy (statement AccountAdministersKeyThroughIam).",
          );
}

export const taskRolePermissions = check<"taskRoleArn" | "kmsKeyArn">({
    id: "task-role-permissions",
    group: "access",
    title: "The exec task role lets the agent open and log sessions",
    actions: ["iam:SimulatePrincipalPolicy", "kms:GetKeyPolicy"],
    outputs: ["taskRoleArn", "kmsKeyArn"],
    async run(ctx) {
        const role: Principal = { arn: ctx.stack.taskRoleArn, kind: "role" };
        const requests = execAgentRequests(awsContext(ctx), {
            sessionLogGroupName: ctx.outputs.sessionLogGroupName,
            kmsKeyArn: ctx.stack.kmsKeyArn,
            transcriptBucketName: ctx.outputs.transcriptBucketName,
        });
        const [decisions, keyPolicy] = await Promise.all([
            simulateAll(
                ctx,
                role,
                requests.map((r) => ({ action: r.action, resource: r.resource, context: r.context })),
            ),
            keyPolicyOf(ctx),
        ]);
        const refused = requests.filter((_, i) => decisions[i] !== "Allowed");
        const findings: Finding[] = [];
        if (refused.length > 0) {
            findings.push(
                fail(
                    `${ctx.stack.taskRoleArn} may not ${refused.map((r) => r.action).join(", ")}`,
                    "pulumi up restores the task role's policy (the agent needs the four ssmmessages actions, the session log group, kms:Decrypt, and the transcripts' bucket).",
                ),
            );
        }
        const delegation = keyPolicyNote(ctx, keyPolicy, "kms:Decrypt", "role");
        findings.push(delegation);
        return combine(
            findings,
            `role ${ctx.stack.taskRoleArn.split("/").pop()} may use the Session Manager channels, write ${ctx.outputs.sessionLogGroupName}` +
                `${ctx.outputs.transcriptBucketName ? ` and copies to ${ctx.outputs.transcriptBucketName}` : ""} and decrypt with the key ` +
                `(${count(requests.length, "request")}); ${delegation.detail}`,
        );
    },
});

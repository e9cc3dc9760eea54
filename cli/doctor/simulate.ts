/**
 * IAM's own answer, in the user's account, to the requests the offline proof evaluates: iam:SimulatePrincipalPolicy
 * on the caller (the role, for a role session) or the task role, with the context keys ECS sends.
 *
 * What SimulatePrincipalPolicy takes into account (IAM API reference, SimulatePrincipalPolicy and EvaluationResult):
 * the identity policies attached to the user (and its groups) or role, their permissions boundary, and the service
 * control policies of the account's organization (OrganizationsDecisionDetail). Not: session policies (a role
 * session's are not known to it, and PolicyInputList "cannot be scope-down policies"), resource control policies,
 * VPC endpoint policies, and resource policies except one given as ResourcePolicy, which it evaluates only with an IAM
 * user as the caller (CallerArn "You can specify only the ARN of an IAM user").
 */
import { GetRoleCommand, SimulatePrincipalPolicyCommand, type ContextEntry } from "@aws-sdk/client-iam";
import type { EvaluationResult, Scenario } from "../../components/access";
import type { Caller, CheckContext, Finding } from "./check";
import { skip } from "./check";

/** The IAM entity SimulatePrincipalPolicy simulates for the caller. */
export interface Principal {
    arn: string;
    kind: "user" | "role";
}

/** What a role session's simulation cannot show, said in the checks' details. */
export const ROLE_SESSION_LIMITS = "simulated on the role: a session policy is not seen";

/** A principal as a reader names it: `role/<name>` or `user/<name>`, without account and path. */
export const principalName = (principal: Principal) => `${principal.kind} ${principal.arn.split("/").pop()}`;

/**
 * The caller's IAM user, or the role of its role session (GetRole gives its ARN with the path, which the session's
 * ARN lacks); a Finding when IAM cannot simulate the caller (the root user, a federated user).
 */
export async function principalOf(ctx: CheckContext<never>): Promise<Principal | Finding> {
    const { arn } = ctx.caller;
    const resource = arn.split(":").slice(5).join(":");
    if (/^user\//.test(resource)) {
        return { arn, kind: "user" };
    }
    const session = /^assumed-role\/([^/]+)\//.exec(resource);
    if (session) {
        const role = await ctx.aws(
            "iam:GetRole",
            () => ctx.clients.iam.send(new GetRoleCommand({ RoleName: session[1] })),
            `GetRole ${session[1]}`,
        );
        return { arn: role.Role!.Arn!, kind: "role" };
    }
    return skip(
        `${arn} is not an IAM user or a role session, which is what IAM can simulate`,
        "Run ecs-exec doctor as an IAM user or a role (not the root user or a federated user).",
    );
}

/** At most this many simulations in flight: IAM's API is shared by the whole account. */
const SIMULATIONS_IN_FLIGHT = 8;

export interface SimulatedScenario {
    scenario: Scenario;
    decision: EvaluationResult;
}

/**
 * The scenarios as the caller's own: the scenario's caller becomes the real caller (its `aws:userid` replaced in
 * the context and in resource tags), every other id stays someone else's. Dropped: duplicates (two scenario callers
 * turned into one), and scenarios where someone else's id is the caller's own (they would no longer say what their
 * row says).
 */
export function asCaller(scenarios: Scenario[], caller: Caller, otherIds: string[]): Scenario[] {
    const seen = new Set<string>();
    const mine: Scenario[] = [];
    for (const s of scenarios) {
        const values = [...s.targets.flatMap((t) => Object.values(t.tags ?? {})), ...Object.values(s.context ?? {}).flat()];
        if (s.caller.userId !== caller.userId && values.some((v) => v === caller.userId && otherIds.includes(v))) {
            continue;
        }
        const swap = (value: string) => (value === s.caller.userId ? caller.userId : value);
        const swapAll = (values: Record<string, string | string[]> | undefined) =>
            values && Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? v.map(swap) : swap(v)]));
        const scenario: Scenario = {
            ...s,
            caller: { principal: caller.arn, userId: caller.userId },
            targets: s.targets.map((t) => ({ arn: t.arn, tags: swapAll(t.tags) as Record<string, string> | undefined })),
            context: swapAll(s.context),
        };
        const key = JSON.stringify([scenario.action, scenario.targets, scenario.context, Object.keys(s.otherPolicies ?? {}), s.expect]);
        if (!seen.has(key)) {
            seen.add(key);
            mine.push(scenario);
        }
    }
    return mine;
}

const DECISIONS: Record<string, EvaluationResult> = {
    allowed: "Allowed",
    implicitDeny: "ImplicitlyDenied",
    explicitDeny: "ExplicitlyDenied",
};

/**
 * Condition keys the requests may carry whose type is not String (Service Authorization Reference, ECS: ecs:task-cpu
 * and ecs:task-memory are Numeric): SimulatePrincipalPolicy evaluates a context entry as the type it is given.
 */
const NUMERIC_KEYS = new Set(["ecs:task-cpu", "ecs:task-memory"]);

function contextEntries(context: Record<string, string | string[]>): ContextEntry[] {
    return Object.entries(context).map(([name, value]) => {
        const type = NUMERIC_KEYS.has(name) ? "numeric" : "string";
        return {
            ContextKeyName: name,
            ContextKeyValues: Array.isArray(value) ? value : [value],
            ContextKeyType: Array.isArray(value) ? `${type}List` : type,
        };
    });
}

/** One request on one resource, as the offline proof states it. */
export interface SimulationRequest {
    action: string;
    /** An ARN, or `*` for actions without resource types. */
    resource: string;
    context: Record<string, string | string[]>;
    otherPolicies?: Record<string, unknown>;
}

/**
 * Each request as IAM decides it for `principal`. Requests that share their context and added policies go in one
 * SimulatePrincipalPolicy (it evaluates every action it is given on every resource; the pairs nobody asked about are
 * ignored): fewer calls on an API the whole account shares. A resource policy (a key policy) is given only for an
 * IAM user, see above.
 */
export async function simulateAll(
    ctx: CheckContext<never>,
    principal: Principal,
    requests: SimulationRequest[],
    resourcePolicy?: string,
): Promise<EvaluationResult[]> {
    const withResourcePolicy = resourcePolicy !== undefined && principal.kind === "user";
    const groups = new Map<string, SimulationRequest[]>();
    for (const request of requests) {
        const key = JSON.stringify([request.context, request.otherPolicies ?? {}, request.resource === "*"]);
        groups.set(key, [...(groups.get(key) ?? []), request]);
    }
    const decided = new Map<string, EvaluationResult>();
    const pair = (action: string, resource: string, group: string) => `${group}\n${action}\n${resource}`;
    const limit = limiter(SIMULATIONS_IN_FLIGHT);
    await Promise.all(
        [...groups].map(([key, group]) =>
            limit(async () => {
                const { context, otherPolicies } = group[0];
                const resources = [...new Set(group.map((r) => r.resource))];
                let Marker: string | undefined;
                do {
                    const response = await ctx.aws("iam:SimulatePrincipalPolicy", () =>
                        ctx.clients.iam.send(
                            new SimulatePrincipalPolicyCommand({
                                PolicySourceArn: principal.arn,
                                ActionNames: [...new Set(group.map((r) => r.action))],
                                ...(resources[0] === "*" ? {} : { ResourceArns: resources }),
                                ContextEntries: contextEntries(context),
                                ...(otherPolicies ? { PolicyInputList: Object.values(otherPolicies).map((p) => JSON.stringify(p)) } : {}),
                                ...(withResourcePolicy ? { ResourcePolicy: resourcePolicy, CallerArn: principal.arn } : {}),
                                Marker,
                            }),
                        ),
                    );
                    for (const result of response.EvaluationResults ?? []) {
                        decided.set(pair(result.EvalActionName!, result.EvalResourceName ?? "*", key), DECISIONS[result.EvalDecision!]);
                    }
                    Marker = response.IsTruncated ? response.Marker : undefined;
                } while (Marker);
            }),
        ),
    );
    return requests.map((r) => {
        const key = JSON.stringify([r.context, r.otherPolicies ?? {}, r.resource === "*"]);
        const decision = decided.get(pair(r.action, r.resource, key));
        if (!decision) {
            throw new Error(`SimulatePrincipalPolicy answered no decision for ${r.action} on ${r.resource}`);
        }
        return decision;
    });
}

/**
 * Each scenario as IAM decides it, the way the offline proof combines the resources a request is authorized on:
 * every one allowed, or an explicit deny on any.
 */
export async function simulateScenarios(
    ctx: CheckContext<never>,
    principal: Principal,
    scenarios: Scenario[],
    resourcePolicy?: string,
): Promise<SimulatedScenario[]> {
    const requests = scenarios.flatMap((scenario) =>
        scenario.targets.map(
            (target): SimulationRequest => ({
                action: scenario.action,
                resource: target.arn,
                context: {
                    "aws:userid": scenario.caller.userId,
                    ...scenario.context,
                    ...Object.fromEntries(Object.entries(target.tags ?? {}).map(([k, v]) => [`aws:ResourceTag/${k}`, v])),
                },
                otherPolicies: scenario.otherPolicies,
            }),
        ),
    );
    const decisions = await simulateAll(ctx, principal, requests, resourcePolicy);
    let next = 0;
    return scenarios.map((scenario) => {
        const mine = decisions.slice(next, (next += scenario.targets.length));
        const decision: EvaluationResult = mine.includes("ExplicitlyDenied")
            ? "ExplicitlyDenied"
            : mine.every((d) => d === "Allowed")
              ? "Allowed"
              : "ImplicitlyDenied";
        return { scenario, decision };
    });
}

/** Runs at most `n` tasks at a time. */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
    let active = 0;
    const waiting: (() => void)[] = [];
    return async (task) => {
        while (active >= n) {
            await new Promise<void>((resolve) => waiting.push(resolve));
        }
        active++;
        try {
            return await task();
        } finally {
            active--;
            waiting.shift()?.();
        }
    };
}

/** "allowed" / "refused" as a reader says it. */
export const said = (decision: EvaluationResult) =>
    decision === "Allowed" ? "allowed" : decision === "ExplicitlyDenied" ? "refused by a Deny" : "refused";

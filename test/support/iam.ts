/**
 * IAM evaluation for tests, by @cloud-copilot/iam-simulate (AGPL: a devDependency, used only here, never shipped).
 * It evaluates identity and resource policies as AWS does, knows each action's resource types and condition keys,
 * and names the statements behind a decision.
 */
import {
    getDenialReasons,
    getGrantReasons,
    runSimulation,
    type EvaluationResult,
    type Simulation,
} from "@cloud-copilot/iam-simulate";
import { loadPolicy } from "@cloud-copilot/iam-policy";
import * as path from "path";
import { TEST_ACCOUNT_ID } from "../../synth/mocks";

export interface IamRequest {
    /** The caller: an IAM user, role or assumed-role session ARN. */
    principal: string;
    action: string;
    /** The resource ARN, or `*` for actions without resource types. */
    resource: string;
    /** Request context keys (aws:userid, ecs:container-name, aws:RequestTag/Owner, ...). */
    context?: Record<string, string | string[]>;
    /** Policies attached to the caller, by name. */
    identityPolicies: Record<string, unknown>;
    /** The resource's own policy (a KMS key policy, an SNS topic policy), if it has one. */
    resourcePolicy?: unknown;
}

export interface IamDecision {
    decision: EvaluationResult;
    /** `<policy>/<Sid>` of every statement that allowed the request (`resource/<Sid>` for the resource policy). */
    allowedBy: string[];
    /** `<policy>/<Sid>` of every explicit deny that matched. */
    deniedBy: string[];
}

function simulation(request: IamRequest): Simulation {
    return {
        request: {
            principal: request.principal,
            action: request.action,
            resource: { resource: request.resource, accountId: TEST_ACCOUNT_ID },
            contextVariables: request.context ?? {},
        },
        identityPolicies: Object.entries(request.identityPolicies).map(([name, policy]) => ({ name, policy })),
        resourcePolicy: request.resourcePolicy,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
    };
}

/**
 * For requests whose context keys the validating engine cannot take: it recognises variable keys only in the
 * form `prefix/<variable>` and silently drops `kms:EncryptionContext:<key>`. This runs the library's own core
 * evaluation, as its `runUnsafeSimulation` does, minus that function's bug (it loads the resource policy without
 * the name its analysis reads). Same evaluation, no input checks, no statement attribution: pair every use with
 * a negative case.
 */
export function simulateUnvalidated(request: IamRequest): EvaluationResult {
    const dist = path.dirname(require.resolve("@cloud-copilot/iam-simulate"));
    const { authorize } = require(path.join(dist, "core_engine/CoreSimulatorEngine.js"));
    const { RequestContextImpl } = require(path.join(dist, "requestContext.js"));
    const { AwsRequestImpl } = require(path.join(dist, "request/request.js"));
    const { DiscoveryContextKeyConstraints } = require(path.join(dist, "context_keys/discoveryContextKeyConstraints.js"));
    const analysis = authorize({
        request: new AwsRequestImpl(
            request.principal,
            { resource: request.resource, accountId: TEST_ACCOUNT_ID },
            request.action,
            new RequestContextImpl(request.context ?? {}),
        ),
        sessionPolicy: undefined,
        identityPolicies: Object.entries(request.identityPolicies).map(([name, policy]) => loadPolicy(policy, { name })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: request.resourcePolicy ? loadPolicy(request.resourcePolicy, { name: "resource" }) : undefined,
        permissionBoundaries: undefined,
        vpcEndpointPolicies: undefined,
        simulationParameters: { simulationMode: "Strict", discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
        serviceSettings: { s3: {} },
    });
    return analysis.result;
}

export async function simulate(request: IamRequest): Promise<IamDecision> {
    const result = await runSimulation(simulation(request), { simulationMode: "Strict" });
    if (result.resultType === "error") {
        throw new Error(`simulation of ${request.action} on ${request.resource} refused: ${JSON.stringify(result.errors)}`);
    }
    if (result.resultType === "wildcard") {
        throw new Error(`simulate one concrete resource, not ${request.resource}`);
    }
    // A context key that does not apply to the action would be dropped silently and prove nothing.
    if (result.result.ignoredContextKeys && result.result.ignoredContextKeys.length > 0) {
        throw new Error(`context keys not used by ${request.action}: ${result.result.ignoredContextKeys.join(", ")}`);
    }
    const name = (r: { policyType: string; statementId?: string; statementIndex: number } & Record<string, any>) =>
        `${r.policyType === "resource" ? "resource" : r.policyIdentifier ?? r.policyType}/${r.statementId ?? `#${r.statementIndex}`}`;
    return {
        decision: result.overallResult,
        allowedBy: result.overallResult === "Allowed" ? getGrantReasons(result.result.analysis).map(name) : [],
        deniedBy: getDenialReasons(result.result.analysis)
            .filter((d) => d.denialType === "Explicit")
            .map(name),
    };
}

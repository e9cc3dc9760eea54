/** The developer access scenarios (components/access/accessScenarios.ts), evaluated offline by the IAM simulator. */
import type { EvaluationResult } from "@cloud-copilot/iam-simulate";
import type { Scenario, StackFacts, TrustScenario } from "../../components/access";
import { developerPolicy } from "../../components/access";
import { IamDecision, simulate, simulateUnvalidated } from "../support/iam";

/** The developer policy a scenario is evaluated against (see Scenario.requireReason). */
function developerDocument(f: StackFacts, s: Scenario): unknown {
    return s.requireReason === undefined || s.requireReason === f.requireReason
        ? f.developerPolicy
        : developerPolicy(f, { ...f, requireReason: s.requireReason });
}

/**
 * Evaluates a scenario as AWS does: an action authorized on several resources needs every one of them allowed;
 * an explicit deny on any of them denies. `documentContext: "without-check-key"` evaluates Session Manager documents
 * without `ssm:SessionDocumentAccessCheck`, which AWS does not document as sent with them.
 */
export async function evaluate(
    f: StackFacts,
    s: Scenario,
    documentContext: "as-request" | "without-check-key" = "as-request",
): Promise<IamDecision> {
    const results: IamDecision[] = [];
    for (const target of s.targets) {
        const resourceTags = Object.fromEntries(
            Object.entries(target.tags ?? {}).map(([key, value]) => [`aws:ResourceTag/${key}`, value]),
        );
        const context: Record<string, string | string[]> = { "aws:userid": s.caller.userId, ...s.context, ...resourceTags };
        if (documentContext === "without-check-key" && target.arn.includes(":document/")) {
            delete context["ssm:SessionDocumentAccessCheck"];
        }
        const request = {
            principal: s.caller.principal,
            action: s.action,
            resource: target.arn,
            context,
            identityPolicies: { developer: s.developerPolicy ?? developerDocument(f, s), ...s.otherPolicies },
            resourcePolicy: s.action.startsWith("kms:") ? f.keyPolicy : undefined,
        };
        const awsOwnedDocument = /^(arn:[^:]+:ssm:[^:]+:):(document\/.+)$/.exec(target.arn);
        if (awsOwnedDocument) {
            // AWS's own documents have no account in their ARN, which the validating engine cannot take: it evaluates
            // the ARN with this account's id, and the engine's core the ARN as it is; both must decide alike.
            const withAccount = await simulate({ ...request, resource: `${awsOwnedDocument[1]}${f.accountId}:${awsOwnedDocument[2]}` });
            const asIs = simulateUnvalidated(request);
            if (asIs !== withAccount.decision) {
                throw new Error(`${target.arn}: ${asIs} as it is, ${withAccount.decision} with an account id`);
            }
            results.push(withAccount);
        } else {
            results.push(await simulate(request));
        }
    }
    const decision: EvaluationResult = results.some((r) => r.decision === "ExplicitlyDenied")
        ? "ExplicitlyDenied"
        : results.every((r) => r.decision === "Allowed")
          ? "Allowed"
          : "ImplicitlyDenied";
    return {
        decision,
        allowedBy: decision === "Allowed" ? results.flatMap((r) => r.allowedBy) : [],
        deniedBy: results.flatMap((r) => r.deniedBy),
    };
}

export function evaluateTrust(f: StackFacts, s: TrustScenario): Promise<IamDecision> {
    if (!f.developerRoleArn || !f.developerRoleTrust) {
        throw new Error("the stack creates no developer role");
    }
    const mayAssume = {
        Version: "2012-10-17",
        Statement: [{ Sid: "AssumeTheDeveloperRole", Effect: "Allow", Action: "sts:AssumeRole", Resource: f.developerRoleArn }],
    };
    return simulate({
        principal: s.principal,
        action: "sts:AssumeRole",
        resource: f.developerRoleArn,
        context: s.context,
        identityPolicies: { caller: mayAssume },
        resourcePolicy: f.developerRoleTrust,
    });
}

/** The developer access scenarios (components/accessScenarios.ts), evaluated offline by the IAM simulator. */
import type { EvaluationResult } from "@cloud-copilot/iam-simulate";
import type { Scenario, StackFacts, TrustScenario } from "../../components/accessScenarios";
import { IamDecision, simulate } from "../support/iam";

/**
 * Evaluates a scenario as AWS does: an action authorized on several resources needs every one of them allowed;
 * an explicit deny on any of them denies.
 */
export async function evaluate(f: StackFacts, s: Scenario): Promise<IamDecision> {
    const results: IamDecision[] = [];
    for (const target of s.targets) {
        const resourceTags = Object.fromEntries(
            Object.entries(target.tags ?? {}).map(([key, value]) => [`aws:ResourceTag/${key}`, value]),
        );
        results.push(
            await simulate({
                principal: s.caller.principal,
                action: s.action,
                resource: target.arn,
                context: { "aws:userid": s.caller.userId, ...s.context, ...resourceTags },
                identityPolicies: { developer: f.developerPolicy, ...s.otherPolicies },
                resourcePolicy: s.action.startsWith("kms:") ? f.keyPolicy : undefined,
            }),
        );
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

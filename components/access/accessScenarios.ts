/**
 * What a developer may and may not do with the developer policy, as requests IAM would evaluate. docs/security.md's
 * table for security reviewers lists the same rows; a test keeps the two equal. The tests evaluate them offline
 * (test/access/evaluate.ts), `ecs-exec doctor` in the user's account (iam:SimulatePrincipalPolicy).
 */
import { explicitDenyScenarios, restScenarios } from "./scenarios/denies";
import { keyScenarios, passRoleScenarios } from "./scenarios/credentials";
import { forwardingScenarios } from "./scenarios/forwarding";
import { Scenario, ScenarioFacts } from "./scenarios/kit";
import { launchScopeScenarios, ownerTagScenarios, reasonAndSizeScenarios, taggingScenarios } from "./scenarios/start";
import { beforeStopScenarios, execScenarios, seeScenarios, stopScenarios } from "./scenarios/tasks";

/** Every scenario, grouped by what it proves, in the order of docs/security.md's table. */
export function scenarios(f: ScenarioFacts): Scenario[] {
    return [
        ...ownerTagScenarios(f),
        ...reasonAndSizeScenarios(f),
        ...launchScopeScenarios(f),
        ...taggingScenarios(f),
        ...execScenarios(f),
        ...seeScenarios(f),
        ...stopScenarios(f),
        ...beforeStopScenarios(f),
        ...passRoleScenarios(f),
        ...keyScenarios(f),
        ...forwardingScenarios(f),
        ...explicitDenyScenarios(f),
        ...restScenarios(f),
    ];
}

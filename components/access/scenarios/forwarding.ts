/** Port forwarding: through their own exec task with the forwarding document, where the stack allows it; else none. */
import { FORWARDING_DOCUMENT } from "../../config";
import { developerPolicy } from "../developerPolicy";
import { Caller, callers, document, OTHER_CLUSTER, ROWS, Scenario, ScenarioFacts, startSession, Target, task, terminate } from "./kit";

export function forwardingScenarios(f: ScenarioFacts): Scenario[] {
    const { alice, bob, carol } = callers(f.accountId);
    const forwarding = f.portForwarding === true;
    const forwardingDocument = document(f, FORWARDING_DOCUMENT);
    const aliceTask = task(f, alice);
    const withoutForwarding = developerPolicy(f, { ...f, portForwarding: false });
    return [
        // Allowed with portForwarding, denied outright without.
        ...[alice, bob].map(
            (caller): Scenario => ({
                ...startSession(ROWS.forward, caller, [task(f, caller), forwardingDocument], forwarding ? "Allowed" : "ExplicitlyDenied"),
                allowedBy: forwarding ? ["ForwardThroughOwnExecTask", "UsePortForwardingDocument"] : undefined,
            }),
        ),
        ...[alice, bob].map(
            (caller): Scenario => ({
                ...terminate(f, ROWS.forward, caller, caller, forwarding ? "Allowed" : "ImplicitlyDenied"),
                allowedBy: forwarding ? ["EndOwnSessions"] : undefined,
            }),
        ),
        // Not granted with portForwarding; denied outright without it.
        ...[
            [alice, task(f, carol)],
            [bob, task(f, alice)],
            [alice, task(f, undefined)],
            [alice, task(f, alice, OTHER_CLUSTER)],
        ].map(([caller, target]) =>
            startSession(ROWS.forwardOther, caller as Caller, [target as Target, forwardingDocument], forwarding ? "ImplicitlyDenied" : "ExplicitlyDenied"),
        ),
        startSession(ROWS.forwardOther, alice, [aliceTask, forwardingDocument], "ExplicitlyDenied", { "ssm:SessionDocumentAccessCheck": "false" }),
        startSession(ROWS.forwardOther, alice, [aliceTask, forwardingDocument], "ExplicitlyDenied", {}),
        terminate(f, ROWS.forwardOther, alice, carol, "ImplicitlyDenied"),
        terminate(f, ROWS.forwardOther, bob, alice, "ImplicitlyDenied"),
        { ...startSession(ROWS.forwardDisabled, alice, [aliceTask, forwardingDocument], "ExplicitlyDenied"), developerPolicy: withoutForwarding },
        { ...terminate(f, ROWS.forwardDisabled, alice, alice, "ImplicitlyDenied"), developerPolicy: withoutForwarding },
    ];
}

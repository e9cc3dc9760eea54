/**
 * The other ways into a task, and turning exec on elsewhere. A session opened with ssm:StartSession on a task skips
 * the container-name condition, ECS Exec's session logging and the ExecuteCommand alert (ECS Developer Guide, "Using
 * Amazon ECS Exec": deny ssm:StartSession on tasks); a grant of CreateService, UpdateService, or RunTask/StartTask on
 * every task definition, can turn exec on for tasks nobody audits.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { PERMISSION_TYPES, permissionDocuments } from "../lib/exec";
import {
    ANY_ECS_TASK,
    ANY_SSM_DOCUMENT,
    conditionTests,
    resourcesReaching,
    statementAllows,
    statementCoversAll,
    statementDenies,
    statementLabel,
    statementMayReach,
    statementsOf,
    unnarrowedKeys,
} from "../lib/iam";
import { configOf, forTypes, requiredConditionKeysSchema } from "../lib/rule";
import { Fields, isUnknown, listOf, UNKNOWN, Value, Verdict } from "../lib/values";

const START_SESSION = "ssm:StartSession";

/**
 * The session documents that open no shell: port forwarding to the task itself, to a remote host through it, or to a
 * socket (Systems Manager User Guide, "Session document schema": sessionType Port). Every other document, the default
 * SSM-SessionManagerRunShell, AWS-StartInteractiveCommand, AWS-StartNonInteractiveCommand, AWS-StartSSHSession,
 * ECS Exec's own AmazonECS-ExecuteInteractiveCommand and any customer document (whose type can't be seen here), may
 * run commands, so a grant must name its documents exactly, from this list.
 */
export const PORT_FORWARDING_DOCUMENTS = [
    "AWS-StartPortForwardingSession",
    "AWS-StartPortForwardingSessionToRemoteHost",
    "AWS-StartPortForwardingSessionToSocket",
];

const DOCUMENT_CHECK_KEY = "ssm:SessionDocumentAccessCheck";

/**
 * Whether the condition makes IAM check the session document: Bool (not BoolIfExists: a request without the key
 * would pass it unchecked) `ssm:SessionDocumentAccessCheck` true.
 */
export function checksSessionDocument(condition: Value): Verdict {
    const tests = conditionTests(condition, DOCUMENT_CHECK_KEY);
    if (isUnknown(tests)) {
        return UNKNOWN;
    }
    return tests.some(({ operator, values }) => operator.toLowerCase() === "bool" && values.length > 0 && values.every((v) => String(v).toLowerCase() === "true"));
}

/** The documents a resource pattern admits that are not port-forwarding documents named exactly, in words. */
function shellDocumentsAdmitted(pattern: string): string | undefined {
    const name = /:document\/([^*?]+)$/.exec(pattern)?.[1];
    if (name !== undefined && PORT_FORWARDING_DOCUMENTS.includes(name)) {
        return undefined;
    }
    return name === undefined ? `every document ${pattern} matches` : `document ${name}`;
}

/** Whether a Deny of the same document takes StartSession on every task away, unconditionally. */
function deniedOnEveryTask(statements: Fields[]): boolean {
    return statements.some(
        (s) => statementDenies(s, START_SESSION) === true && s.Condition === undefined && statementCoversAll(s, "ecs", "task"),
    );
}

/** Why the session documents a StartSession grant on tasks admits may open a shell, if they may. */
function documentProblem(statement: Fields, documentGrants: (string[] | typeof UNKNOWN)[]): string | undefined {
    const checked = checksSessionDocument(statement.Condition);
    if (isUnknown(checked) || documentGrants.some(isUnknown)) {
        return undefined;
    }
    if (checked !== true) {
        return `without Condition Bool ${DOCUMENT_CHECK_KEY} true: any session document, a shell included`;
    }
    const patterns = documentGrants.flat() as string[];
    if (patterns.length === 0) {
        return "but names no session document: which documents it opens depends on other policies";
    }
    const shells = patterns.map(shellDocumentsAdmitted).filter((s): s is string => s !== undefined);
    return shells.length > 0 ? `with ${[...new Set(shells)].join(", ")}, which may open a shell` : undefined;
}

/** A task ARN pattern that names its cluster: `task/<cluster>/…`, no wildcard in the cluster's name. */
const NAMES_A_CLUSTER = /^arn:[^:]*:ecs:[^:]*:[^:]*:task\/[^/*?]+\//;

/**
 * Why a StartSession grant on tasks may open tasks it should not: task patterns of every cluster, or a required
 * condition key it does not narrow (exec-grant-scoped-to-container's reading of conditions). StartSession has no
 * ecs:cluster key (Service Authorization Reference, AWS Systems Manager: aws:ResourceTag/${TagKey},
 * ssm:AccessRequestId, ssm:SessionDocumentAccessCheck, ssm:resourceTag/${TagKey}): the task ARN alone keeps a session
 * to the cluster whose tasks, egress rules and alerts were set up for it.
 */
function scopeProblems(statement: Fields, requiredKeys: string[]): string[] {
    const problems: string[] = [];
    const tasks = resourcesReaching(statement, ANY_ECS_TASK);
    const everyCluster = isUnknown(tasks) ? [] : tasks.filter((pattern) => !NAMES_A_CLUSTER.test(pattern));
    if (everyCluster.length > 0) {
        problems.push(`in every cluster (${everyCluster.join(", ")})`);
    }
    const missingKeys = unnarrowedKeys(statement.Condition, requiredKeys);
    if (missingKeys.length > 0) {
        problems.push(`without a condition on ${missingKeys.join(", ")}`);
    }
    return problems;
}

/**
 * What is wrong with the document's StartSession grants on tasks, one message per statement: the documents they admit,
 * the clusters they reach, and each of `requiredKeys` they do not narrow.
 */
export function directSessionGrants(document: Value, requiredKeys: string[]): string[] {
    const statements = statementsOf(document);
    if (isUnknown(statements) || deniedOnEveryTask(statements)) {
        return [];
    }
    const allowing = statements.filter((s) => statementAllows(s, START_SESSION) === true);
    // With the document check on, IAM also authorizes StartSession on the document: any Allow of this document may grant it.
    const documentGrants = allowing.map((s) => resourcesReaching(s, ANY_SSM_DOCUMENT));
    const found: string[] = [];
    statements.forEach((statement, index) => {
        if (!allowing.includes(statement) || statementMayReach(statement, ANY_ECS_TASK) !== true) {
            return;
        }
        const problems = [documentProblem(statement, documentGrants), ...scopeProblems(statement, requiredKeys)].filter((p): p is string => p !== undefined);
        if (problems.length > 0) {
            found.push(`statement ${statementLabel(statement, index)} allows ${START_SESSION} on ECS tasks ${problems.join("; ")}`);
        }
    });
    return found;
}

const directSessionsSchema = requiredConditionKeysSchema(
    "Condition keys every ssm:StartSession grant that reaches ECS tasks must narrow (for example aws:ResourceTag/Owner). " +
        "StartSession carries aws:ResourceTag/<key>, ssm:resourceTag/<key> and ssm:AccessRequestId, never ecs:cluster or " +
        "ecs:container-name.",
);

export const noDirectSessionsToTasks: ResourceValidationPolicy = {
    name: "no-direct-sessions-to-tasks",
    description:
        "No IAM policy allows ssm:StartSession (directly, through ssm:*, * or NotAction) on ECS tasks or * unless IAM " +
        "checks the session document (Bool ssm:SessionDocumentAccessCheck true), the documents granted are port " +
        "forwarding ones, the task ARNs name their cluster, and the condition narrows each of requiredConditionKeys " +
        "(its own setting: a policy is handed only its own config, and StartSession carries other keys than " +
        "ExecuteCommand): a session opened that way skips the container-name condition, exec logging and the alert.",
    enforcementLevel: "mandatory",
    configSchema: directSessionsSchema,
    remediationSteps:
        "Deny ssm:StartSession on arn:aws:ecs:*:*:task/* (as the ECS Exec guide advises), or narrow the Allow on tasks " +
        "to the tasks of one cluster (arn:aws:ecs:<region>:<account>:task/<cluster>/*) with Condition { Bool: " +
        "{ \"ssm:SessionDocumentAccessCheck\": \"true\" } } and each required key, e.g. { StringEquals: " +
        "{ \"aws:ResourceTag/Owner\": \"${aws:userid}\" } }, and grant the document in a statement of its own, without " +
        "the tag condition (an AWS document has no tags): the exact ARN of AWS-StartPortForwardingSessionToRemoteHost " +
        "(or AWS-StartPortForwardingSession[ToSocket]).",
    validateResource: forTypes(PERMISSION_TYPES, (resource, report, args) => {
        const { requiredConditionKeys } = configOf<{ requiredConditionKeys: string[] }>(directSessionsSchema, args);
        for (const document of permissionDocuments(resource)) {
            directSessionGrants(document, requiredConditionKeys).forEach(report);
        }
    }),
};

const ENABLE_EXECUTE_COMMAND_KEY = "ecs:enable-execute-command";

/**
 * Whether a condition keeps ecs:enable-execute-command from being "true": StringEquals/StringEqualsIgnoreCase/Bool
 * with no "true" among the values, or StringNotEquals/StringNotEqualsIgnoreCase with "true" (each also as IfExists).
 * The key is a String of "true" or "false" on CreateService, UpdateService, RunTask and StartTask (Service
 * Authorization Reference, Amazon ECS).
 */
export function keepsExecOff(condition: Value): Verdict {
    const tests = conditionTests(condition, ENABLE_EXECUTE_COMMAND_KEY);
    if (isUnknown(tests)) {
        return UNKNOWN;
    }
    return tests.some(({ operator, values }) => {
        const base = operator.toLowerCase().replace(/ifexists$/, "");
        const ignoreCase = base.endsWith("ignorecase") || base === "bool";
        const isTrue = (v: Value) => (ignoreCase ? String(v).toLowerCase() : String(v)) === "true";
        if (["stringequals", "stringequalsignorecase", "bool"].includes(base)) {
            return values.length > 0 && !values.some(isTrue);
        }
        return ["stringnotequals", "stringnotequalsignorecase"].includes(base) && values.some(isTrue);
    });
}

/**
 * Whether a Deny of the document takes the action away whenever exec is asked for, on every resource: its condition
 * tests ecs:enable-execute-command for "true" and otherwise only exempts resources by a tag (StringNotEquals or
 * StringNotLike on aws:ResourceTag/ or ecs:ResourceTag/), as this program's developer policy does for exec task
 * definitions.
 */
function deniedWithExecOn(statements: Fields[], action: string, resourceType: string): boolean {
    return statements.some((s) => {
        if (statementDenies(s, action) !== true || !statementCoversAll(s, "ecs", resourceType) || isUnknown(s.Condition)) {
            return false;
        }
        const condition = (s.Condition ?? {}) as Record<string, Value>;
        const testsTrue = Object.entries(condition).some(
            ([operator, block]) =>
                ["stringequals", "stringequalsignorecase", "bool"].includes(operator.toLowerCase()) &&
                Object.entries((block ?? {}) as Record<string, Value>).some(
                    ([key, raw]) => key.toLowerCase() === ENABLE_EXECUTE_COMMAND_KEY && !isUnknown(listOf(raw)) && (listOf(raw) as Value[]).some((v) => String(v).toLowerCase() === "true"),
                ),
        );
        const onlyTagExemptions = Object.entries(condition).every(([operator, block]) =>
            Object.keys((block ?? {}) as Record<string, Value>).every(
                (key) =>
                    key.toLowerCase() === ENABLE_EXECUTE_COMMAND_KEY ||
                    (/^stringnot(equals|like)$/i.test(operator) && /^(aws|ecs):resourcetag\//i.test(key)),
            ),
        );
        return testsTrue && onlyTagExemptions;
    });
}

/** Whether a statement's resources include every task definition: `*`, NotResource, or a family that is all wildcard. */
function onEveryTaskDefinition(statement: Fields): Verdict {
    if (statement.Resource === undefined) {
        return statement.NotResource !== undefined;
    }
    const resources = listOf(statement.Resource);
    if (isUnknown(resources)) {
        return UNKNOWN;
    }
    return resources.some((r) => typeof r === "string" && (r === "*" || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:(\*|task-definition\/\*(:\*)?)$/.test(r)));
}

const TURNING_EXEC_ON: { action: string; resourceType: string; everyTaskDefinitionOnly: boolean }[] = [
    { action: "ecs:CreateService", resourceType: "service", everyTaskDefinitionOnly: false },
    { action: "ecs:UpdateService", resourceType: "service", everyTaskDefinitionOnly: false },
    { action: "ecs:RunTask", resourceType: "task-definition", everyTaskDefinitionOnly: true },
    { action: "ecs:StartTask", resourceType: "task-definition", everyTaskDefinitionOnly: true },
];

/** The statements of a document that can turn exec on without a condition keeping it off, in words. */
export function unguardedExecSwitches(document: Value): string[] {
    const statements = statementsOf(document);
    if (isUnknown(statements)) {
        return [];
    }
    const found: string[] = [];
    statements.forEach((statement, index) => {
        if (keepsExecOff(statement.Condition) !== false) {
            return;
        }
        const actions = TURNING_EXEC_ON.filter(
            ({ action, resourceType, everyTaskDefinitionOnly }) =>
                statementAllows(statement, action) === true &&
                (!everyTaskDefinitionOnly || onEveryTaskDefinition(statement) === true) &&
                !deniedWithExecOn(statements, action, resourceType),
        ).map(({ action, everyTaskDefinitionOnly }) => (everyTaskDefinitionOnly ? `${action} on every task definition` : action));
        if (actions.length > 0) {
            found.push(`statement ${statementLabel(statement, index)} grants ${actions.join(", ")} without a condition keeping ${ENABLE_EXECUTE_COMMAND_KEY} false`);
        }
    });
    return found;
}

export const enableExecuteCommandConditioned: ResourceValidationPolicy = {
    name: "enable-execute-command-conditioned",
    description:
        "No IAM policy grants ecs:CreateService or ecs:UpdateService, or ecs:RunTask or ecs:StartTask on every task " +
        "definition, without a condition that keeps ecs:enable-execute-command false (in the statement, or a Deny of " +
        "the same policy when it is \"true\"): otherwise exec can be turned on for tasks outside the audited path.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Add Condition { StringEquals: { \"ecs:enable-execute-command\": \"false\" } } to the statement, or a statement " +
        "{ Effect: \"Deny\", Action: [the actions], Resource: \"*\", Condition: { StringEquals: " +
        "{ \"ecs:enable-execute-command\": \"true\" } } } to the same policy; or name the task definitions RunTask may start.",
    validateResource: forTypes(PERMISSION_TYPES, (resource, report) => {
        for (const document of permissionDocuments(resource)) {
            unguardedExecSwitches(document).forEach(report);
        }
    }),
};

export const accessRules = [noDirectSessionsToTasks, enableExecuteCommandConditioned];

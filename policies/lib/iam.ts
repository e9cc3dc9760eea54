/**
 * IAM policy documents, read the way IAM evaluates them, to the extent the rules need: which actions an Allow
 * statement grants (wildcards, NotAction), and whether a grant is narrowed by a condition that really restricts.
 * Documents may be JSON strings or objects and may hold values unknown during preview (see values.ts).
 */
import { anyOf, at, Fields, isFields, isUnknown, listOf, parseJson, UNKNOWN, Value, Verdict } from "./values";

export const EXECUTE_COMMAND = "ecs:ExecuteCommand";
export const CONTAINER_NAME_KEY = "ecs:container-name";

/** The Session Manager channel actions the SSM agent in a container calls: a role that grants them is an exec role. */
export const SESSION_CHANNEL_ACTIONS = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
];

/** IAM action patterns: case-insensitive, `*` any run of characters, `?` one character. */
export function actionMatches(pattern: string, action: string): boolean {
    const regex = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${regex}$`, "i").test(action);
}

/** The statements of a document (one statement or a list), UNKNOWN when the document or its list is unknown. */
export function statementsOf(document: Value): Fields[] | typeof UNKNOWN {
    const parsed = parseJson(document);
    if (isUnknown(parsed)) {
        return UNKNOWN;
    }
    const statements = listOf(at(parsed, "Statement"));
    if (isUnknown(statements)) {
        return UNKNOWN;
    }
    return statements.filter(isFields);
}

/** Whether a statement allows `action`: an Action pattern matches it, or it has NotAction and none matches it. */
export function statementAllows(statement: Fields, action: string): Verdict {
    const effect = statement.Effect;
    if (isUnknown(effect)) {
        return UNKNOWN;
    }
    if (effect !== "Allow") {
        return false;
    }
    const matchesAny = (patterns: Value[] | typeof UNKNOWN): Verdict =>
        isUnknown(patterns)
            ? UNKNOWN
            : anyOf(patterns.map((p) => (typeof p === "string" ? actionMatches(p, action) : isUnknown(p) ? UNKNOWN : false)));
    if (statement.Action !== undefined) {
        return matchesAny(listOf(statement.Action));
    }
    if (statement.NotAction !== undefined) {
        const excluded = matchesAny(listOf(statement.NotAction));
        return isUnknown(excluded) ? UNKNOWN : !excluded;
    }
    return false;
}

/** Whether any statement of the document allows any of the actions. */
export function documentAllows(document: Value, actions: string[]): Verdict {
    const statements = statementsOf(document);
    if (isUnknown(statements)) {
        return UNKNOWN;
    }
    return anyOf(statements.flatMap((statement) => actions.map((action) => statementAllows(statement, action))));
}

/**
 * Operators under which a key really narrows a grant. `...IfExists` does not count: a request without the key
 * passes it. Neither does `ForAllValues:`: it holds vacuously when the request has no value for the key. Negative
 * operators (StringNotEquals, ...) admit every value but the ones listed.
 */
const RESTRICTING_OPERATORS = new Set(["stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"]);

function restrictingOperator(operator: string): boolean {
    const base = operator.toLowerCase().replace(/^foranyvalue:/, "");
    return RESTRICTING_OPERATORS.has(base);
}

/** A value made only of wildcards (`*`, `?*`, `**`) admits anything, so it narrows nothing. */
function specificValue(value: string): boolean {
    return /[^*?]/.test(value);
}

/** Whether the condition narrows `key` (case-insensitive) with a restricting operator and specific values. */
export function conditionRestricts(condition: Value, key: string): Verdict {
    if (isUnknown(condition)) {
        return UNKNOWN;
    }
    if (!isFields(condition)) {
        return false;
    }
    const verdicts: Verdict[] = [];
    for (const [operator, block] of Object.entries(condition)) {
        if (isUnknown(block)) {
            verdicts.push(UNKNOWN);
            continue;
        }
        if (!isFields(block) || !restrictingOperator(operator)) {
            continue;
        }
        for (const [conditionKey, raw] of Object.entries(block)) {
            if (conditionKey.toLowerCase() !== key.toLowerCase()) {
                continue;
            }
            const values = listOf(raw);
            if (isUnknown(values) || values.some(isUnknown)) {
                verdicts.push(UNKNOWN);
            } else {
                verdicts.push(values.every((v) => typeof v === "string" && specificValue(v)));
            }
        }
    }
    return anyOf(verdicts);
}

/**
 * Whether the statement's resources may include ECS tasks. ExecuteCommand is authorized on the cluster and on the
 * task; a grant on clusters alone opens no task, and the grant on tasks decides whose task, so conditions such as the
 * task's Owner tag belong there. Anything that is not plainly cluster ARNs (`*`, NotResource, tasks) counts.
 */
export function statementReachesTasks(statement: Fields): Verdict {
    if (statement.Resource === undefined) {
        return true;
    }
    const resources = listOf(statement.Resource);
    if (isUnknown(resources)) {
        return UNKNOWN;
    }
    const clusterOnly = /^arn:[^:]*:ecs:[^:]*:[^:]*:cluster\//i;
    return anyOf(resources.map((r) => (typeof r === "string" ? !clusterOnly.test(r) : isUnknown(r) ? UNKNOWN : false)));
}

/** A grant of ecs:ExecuteCommand that lacks conditions it needs. */
export interface UnscopedExecGrant {
    /** The statement's Sid, or its position. */
    statement: string;
    /** Condition keys the statement should narrow and does not. */
    missingKeys: string[];
}

/**
 * Allow statements that grant ecs:ExecuteCommand without narrowing `ecs:container-name` and, where the grant reaches
 * tasks, each of `requiredKeys`. A statement whose parts can't be known during preview is not reported.
 */
export function unscopedExecGrants(document: Value, requiredKeys: string[]): UnscopedExecGrant[] {
    const statements = statementsOf(document);
    if (isUnknown(statements)) {
        return [];
    }
    const found: UnscopedExecGrant[] = [];
    statements.forEach((statement, index) => {
        if (statementAllows(statement, EXECUTE_COMMAND) !== true) {
            return;
        }
        const reachesTasks = statementReachesTasks(statement);
        const keys = [CONTAINER_NAME_KEY, ...(reachesTasks === true ? requiredKeys : [])];
        const missingKeys = keys.filter((key) => conditionRestricts(statement.Condition, key) === false);
        if (missingKeys.length > 0) {
            const sid = statement.Sid;
            found.push({ statement: typeof sid === "string" && sid ? sid : `#${index + 1}`, missingKeys });
        }
    });
    return found;
}

/**
 * What the AWS managed policies that matter here grant, as excerpts: only the statements these rules look at.
 * Attaching one of them is judged like attaching a customer-managed policy with the same statements.
 */
const AWS_MANAGED_POLICY_EXCERPTS: Record<string, Fields> = {
    AdministratorAccess: { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
    PowerUserAccess: {
        Statement: [{ Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" }],
    },
    AmazonECS_FullAccess: { Statement: [{ Effect: "Allow", Action: ["ecs:*"], Resource: "*" }] },
    AmazonSSMManagedInstanceCore: { Statement: [{ Effect: "Allow", Action: ["ssmmessages:*"], Resource: "*" }] },
};

export const SSM_MANAGED_INSTANCE_CORE = "AmazonSSMManagedInstanceCore";

/** The name of an AWS managed policy from its ARN (`arn:<partition>:iam::aws:policy/[path/]Name`). */
export function awsManagedPolicyName(arn: string): string | undefined {
    return /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
}

/** The excerpt of an AWS managed policy by ARN, or undefined for any other policy. */
export function awsManagedPolicyDocument(arn: string): Fields | undefined {
    const name = awsManagedPolicyName(arn);
    return name === undefined ? undefined : AWS_MANAGED_POLICY_EXCERPTS[name];
}

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
 * The keys of `keys` a condition does not narrow (conditionRestricts: no IfExists, ForAllValues, negated operator or
 * wildcard-only value counts). A key whose test can't be known during preview is not among them.
 */
export function unnarrowedKeys(condition: Value, keys: string[]): string[] {
    return keys.filter((key) => conditionRestricts(condition, key) === false);
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
        const missingKeys = unnarrowedKeys(statement.Condition, [CONTAINER_NAME_KEY, ...(reachesTasks === true ? requiredKeys : [])]);
        if (missingKeys.length > 0) {
            found.push({ statement: statementLabel(statement, index), missingKeys });
        }
    });
    return found;
}

/** A statement's label in messages: its Sid, or its position. */
export function statementLabel(statement: Fields, index: number): string {
    const sid = statement.Sid;
    return typeof sid === "string" && sid ? sid : `#${index + 1}`;
}

/** Whether a Deny statement denies `action` (an Action pattern matches it, or NotAction leaves it in). */
export function statementDenies(statement: Fields, action: string): Verdict {
    if (isUnknown(statement.Effect)) {
        return UNKNOWN;
    }
    return statement.Effect === "Deny" ? statementAllows({ ...statement, Effect: "Allow" }, action) : false;
}

/**
 * Whether two IAM resource patterns (`*` any run of characters, `?` one) match at least one string in common. ARNs are
 * compared case-sensitively. Used to ask "may this Resource include an ECS task", with the probe
 * `arn:*:ecs:*:*:task/*`.
 */
export function patternsIntersect(a: string, b: string): boolean {
    const seen = new Map<string, boolean>();
    const from = (i: number, j: number): boolean => {
        const key = `${i},${j}`;
        const known = seen.get(key);
        if (known !== undefined) {
            return known;
        }
        seen.set(key, false);
        let result: boolean;
        if (i < a.length && a[i] === "*") {
            result = from(i + 1, j) || (j < b.length && from(i, j + 1));
        } else if (j < b.length && b[j] === "*") {
            result = from(i, j + 1) || (i < a.length && from(i + 1, j));
        } else if (i === a.length || j === b.length) {
            result = i === a.length && j === b.length;
        } else {
            result = (a[i] === "?" || b[j] === "?" || a[i] === b[j]) && from(i + 1, j + 1);
        }
        seen.set(key, result);
        return result;
    };
    return from(0, 0);
}

/**
 * Whether a resource pattern may match an ARN the probe (`arn:<partition>:<service>:<region>:<account>:<resource>`)
 * describes. A pattern of six or more fields is compared field by field: its `*` in one field does not make an ECS
 * task ARN an SSM document. A shorter one (`*`, `arn:aws:ecs:*`) is compared whole, where a `*` spans fields.
 */
export function resourceMayMatch(pattern: string, probe: string): boolean {
    const fields = (arn: string) => {
        const parts = arn.split(":");
        return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(":")];
    };
    const [ours, theirs] = [fields(pattern), fields(probe)];
    if (ours === undefined || theirs === undefined) {
        return patternsIntersect(pattern, probe);
    }
    return ours.every((field, i) => patternsIntersect(field, theirs[i]));
}

/** Every ECS task, and every SSM document, as resource patterns. */
export const ANY_ECS_TASK = "arn:*:ecs:*:*:task/*";
export const ANY_SSM_DOCUMENT = "arn:*:ssm:*:*:document/*";

/** Whether a statement's resources may include a resource `probe` matches (NotResource: assumed to). */
export function statementMayReach(statement: Fields, probe: string): Verdict {
    if (statement.Resource === undefined) {
        return statement.NotResource === undefined ? false : isUnknown(statement.NotResource) ? UNKNOWN : true;
    }
    const resources = listOf(statement.Resource);
    if (isUnknown(resources)) {
        return UNKNOWN;
    }
    return anyOf(resources.map((r) => (typeof r === "string" ? resourceMayMatch(r, probe) : isUnknown(r) ? UNKNOWN : false)));
}

/** The resource patterns of a statement's Resource that may match `probe`; UNKNOWN if they can't be known. */
export function resourcesReaching(statement: Fields, probe: string): string[] | typeof UNKNOWN {
    if (statement.Resource === undefined) {
        return statement.NotResource === undefined ? [] : ["*"];
    }
    const resources = listOf(statement.Resource);
    if (isUnknown(resources) || resources.some(isUnknown)) {
        return UNKNOWN;
    }
    return resources.filter((r): r is string => typeof r === "string" && resourceMayMatch(r, probe));
}

/**
 * Whether a statement covers every resource of a type in every region: `*`, or an ARN pattern whose region is `*`
 * and whose resource is `<type>/*` (any partition and account). A Deny on less leaves the rest allowed.
 */
export function statementCoversAll(statement: Fields, service: string, type: string): boolean {
    const resources = listOf(statement.Resource);
    if (isUnknown(resources) || statement.NotResource !== undefined) {
        return false;
    }
    return resources.some((r) => {
        if (r === "*") {
            return true;
        }
        if (typeof r !== "string") {
            return false;
        }
        const [arn, , arnService, region, , ...rest] = r.split(":");
        return arn === "arn" && actionMatches(arnService ?? "", service) && region === "*" && [`${type}/*`, "*"].includes(rest.join(":"));
    });
}

/** The condition's tests of `key` (case-insensitive): each operator (as written) with its values. */
export function conditionTests(condition: Value, key: string): { operator: string; values: Value[] }[] | typeof UNKNOWN {
    if (isUnknown(condition)) {
        return UNKNOWN;
    }
    if (!isFields(condition)) {
        return [];
    }
    const tests: { operator: string; values: Value[] }[] = [];
    for (const [operator, block] of Object.entries(condition)) {
        if (isUnknown(block)) {
            return UNKNOWN;
        }
        if (!isFields(block)) {
            continue;
        }
        for (const [conditionKey, raw] of Object.entries(block)) {
            if (conditionKey.toLowerCase() === key.toLowerCase()) {
                const values = listOf(raw);
                if (isUnknown(values) || values.some(isUnknown)) {
                    return UNKNOWN;
                }
                tests.push({ operator, values });
            }
        }
    }
    return tests;
}

/** Whether a condition has no test at all (absent or empty). */
export function unconditioned(condition: Value): Verdict {
    if (isUnknown(condition)) {
        return UNKNOWN;
    }
    return !isFields(condition) || Object.keys(condition).length === 0;
}

/** Whether an Allow statement admits every principal: `*`, `{"AWS": "*"}` (alone or in a list), or NotPrincipal. */
export function admitsAnyone(statement: Fields): Verdict {
    if (isUnknown(statement.Effect) || isUnknown(statement.Principal) || isUnknown(statement.NotPrincipal)) {
        return UNKNOWN;
    }
    if (statement.Effect !== "Allow") {
        return false;
    }
    if (statement.NotPrincipal !== undefined || statement.Principal === "*") {
        return true;
    }
    const aws = listOf(at(statement.Principal, "AWS"));
    return isUnknown(aws) ? UNKNOWN : aws.includes("*");
}

/** The statements of a resource policy that let anyone in without a condition (Checkov CKV_AWS_33, CKV_AWS_169). */
export function publicStatements(document: Value): string[] {
    const statements = statementsOf(document);
    if (isUnknown(statements)) {
        return [];
    }
    return statements.flatMap((statement, index) =>
        admitsAnyone(statement) === true && unconditioned(statement.Condition) === true ? [statementLabel(statement, index)] : [],
    );
}

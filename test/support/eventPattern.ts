/**
 * An EventBridge pattern matcher for the syntax this project's patterns use, with the semantics of the EventBridge
 * User Guide ("Event patterns", "Comparison operators for use in event patterns", "Arrays in event patterns") and of
 * aws/event-ruler, the matching library it documents (README: "Wildcard matching", "Anything-but matching",
 * "JSON Array Matching"):
 * - a pattern is a set of paths to leaves; every field of the pattern must match, fields it does not name are
 *   ignored; a value in the pattern is a list of filters, any of which may match;
 * - a list in the event is "crushed out": a path through it reaches every element, and a field matches when any of
 *   the leaves it reaches matches a filter ("the pattern matches if the intersection ... is non-empty");
 * - a literal matches a leaf of equal value and type, case-sensitively;
 * - `{ exists: true }` matches when the path reaches a leaf, whatever its value; `{ exists: false }` when it reaches
 *   none: exists matching "only works on leaf nodes", so a field that holds an object counts as absent;
 * - `{ prefix }` matches a string leaf that starts with it;
 * - `{ wildcard }` matches a string leaf; `*` stands for any characters, `\*` for a star, `\\` for a backslash;
 *   consecutive stars and a backslash before anything else are refused, as EventBridge refuses them;
 * - `{ "anything-but": v }` (a string, a number, or a list of only strings or only numbers) matches a leaf that is
 *   none of them; like every filter it needs a leaf, so a missing field or an empty list never matches it, and a
 *   list matches when any element is none of them;
 * - `$or` holds alternatives, at least one of which must match at that level. A leaf filtered both in an alternative
 *   and beside the `$or` is refused: EventBridge does not combine the two, one overrides the other (event-ruler
 *   JsonRuleCompiler: `$or` forks the rule, and writeRules puts a path's filters into each fork, replacing any).
 * Other content filters ({ suffix }, { numeric }, anything-but of a prefix, ...) are refused, so a pattern that starts
 * using them cannot pass a test by accident; so is a pattern with two fields under one list of objects, which
 * EventBridge matches element by element (event-ruler's array-consistent matching, not modelled here).
 */
import type { EventPattern, PatternFilter } from "../../components/audit";

type Leaf = string | number | boolean | null;

export function matches(pattern: EventPattern, event: unknown): boolean {
    if (typeof event !== "object" || event === null || Array.isArray(event)) {
        return false;
    }
    return matchesAt(pattern, [event as Record<string, unknown>], false);
}

/** `nodes`: the objects a path reaches (several once it crossed a list, `inList`). */
function matchesAt(pattern: EventPattern, nodes: Record<string, unknown>[], inList: boolean): boolean {
    if (inList && leafCount(pattern) > 1) {
        throw new Error(`pattern ${JSON.stringify(pattern)}: several fields under one list of objects are not supported by this matcher`);
    }
    return Object.entries(pattern).every(([field, expected]) => {
        if (field === "$or") {
            const alternatives = expected as EventPattern[];
            if (!Array.isArray(alternatives) || alternatives.length < 2) {
                throw new Error("$or takes a list of at least two patterns");
            }
            const beside = new Set(leafPaths(Object.fromEntries(Object.entries(pattern).filter(([f]) => f !== "$or"))));
            const twice = alternatives.flatMap(leafPaths).filter((leaf) => beside.has(leaf));
            if (twice.length > 0) {
                throw new Error(`${twice[0]} is filtered both in $or and beside it: EventBridge keeps only one of the two`);
            }
            return alternatives.some((alternative) => matchesAt(alternative, nodes, inList));
        }
        const values = nodes.map((node) => node[field]).filter((value) => value !== undefined);
        const crossesList = inList || values.some(Array.isArray);
        const reached = values.flatMap(crush);
        if (!Array.isArray(expected)) {
            // A path through a missing field, or through a leaf, reaches no leaf below it.
            const objects = reached.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null);
            return matchesAt(expected as EventPattern, objects, crossesList);
        }
        const leaves = reached.filter((v): v is Leaf => v === null || typeof v !== "object");
        return (expected as PatternFilter[]).some((filter) => matchesFilter(filter, leaves, field));
    });
}

/** Every value of a list, of lists within it too; any other value as it is. */
function crush(value: unknown): unknown[] {
    return Array.isArray(value) ? value.flatMap(crush) : [value];
}

/** The dot-separated paths of a pattern's leaves, those in `$or` alternatives included. */
function leafPaths(pattern: EventPattern): string[] {
    return Object.entries(pattern).flatMap(([field, value]) => {
        if (field === "$or") {
            return (value as EventPattern[]).flatMap(leafPaths);
        }
        return Array.isArray(value) ? [field] : leafPaths(value as EventPattern).map((leaf) => `${field}.${leaf}`);
    });
}

function leafCount(pattern: EventPattern): number {
    return Object.entries(pattern).reduce(
        (n, [field, value]) => n + (field === "$or" || Array.isArray(value) ? 1 : leafCount(value as EventPattern)),
        0,
    );
}

function matchesFilter(filter: PatternFilter, leaves: Leaf[], field: string): boolean {
    if (typeof filter !== "object" || filter === null) {
        return leaves.some((leaf) => leaf === filter);
    }
    const keys = Object.keys(filter);
    const unsupported = () => new Error(`content filter ${JSON.stringify(filter)} in field ${field} is not supported by this matcher`);
    if (keys.length !== 1) {
        throw unsupported();
    }
    const strings = leaves.filter((leaf): leaf is string => typeof leaf === "string");
    if ("exists" in filter && typeof filter.exists === "boolean") {
        return filter.exists === leaves.length > 0;
    }
    if ("prefix" in filter && typeof filter.prefix === "string") {
        return strings.some((leaf) => leaf.startsWith(filter.prefix));
    }
    if ("wildcard" in filter && typeof filter.wildcard === "string") {
        const pattern = wildcardPattern(filter.wildcard);
        return strings.some((leaf) => pattern.test(leaf));
    }
    if ("anything-but" in filter) {
        const excluded = filter["anything-but"];
        const list: unknown[] = Array.isArray(excluded) ? [...excluded] : [excluded];
        const allStrings = list.every((v) => typeof v === "string");
        const allNumbers = list.every((v) => typeof v === "number");
        if (list.length === 0 || !(allStrings || allNumbers)) {
            throw new Error(`anything-but in field ${field} takes a string, a number, or a list of only strings or only numbers`);
        }
        const none = new Set<unknown>(list);
        return leaves.some((leaf) => !none.has(leaf));
    }
    throw unsupported();
}

/** A wildcard value as a regular expression over the whole leaf (event-ruler README, "Wildcard matching"). */
function wildcardPattern(wildcard: string): RegExp {
    let source = "";
    for (let i = 0; i < wildcard.length; i++) {
        const c = wildcard[i];
        if (c === "\\") {
            const next = wildcard[++i];
            if (next !== "*" && next !== "\\") {
                throw new Error(`wildcard ${JSON.stringify(wildcard)}: a backslash escapes only * or \\`);
            }
            source += `\\${next}`;
        } else if (c === "*") {
            if (wildcard[i + 1] === "*") {
                throw new Error(`wildcard ${JSON.stringify(wildcard)}: consecutive wildcard characters are not allowed`);
            }
            source += "[\\s\\S]*";
        } else {
            source += c.replace(/[.+?^${}()|[\]]/g, "\\$&");
        }
    }
    return new RegExp(`^${source}$`);
}

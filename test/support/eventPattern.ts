/**
 * An EventBridge pattern matcher for the syntax this project's patterns use, with the semantics of the EventBridge
 * User Guide ("Event patterns", "Content filtering in Amazon EventBridge event patterns"):
 * - a pattern is a set of paths to leaves; every field of the pattern must match, fields it does not name are
 *   ignored; a value in the pattern is a list of filters, any of which may match;
 * - a literal matches a leaf (or an element of an array leaf) of equal value and type, case-sensitively;
 * - `{ exists: true }` matches when the event has a leaf at that path, whatever its value; `{ exists: false }` when
 *   it has none: exists matching "only works on leaf nodes", so a field that holds an object is not a leaf and
 *   counts as absent (the guide's own example);
 * - `{ prefix: "s" }` matches a string leaf (or string element of an array leaf) that begins with `s`,
 *   case-sensitively; never a number, boolean or null ("Prefix matching");
 * - `$or` holds alternatives, at least one of which must match at that level.
 * Other content filters ({ anything-but }, { prefix: { equals-ignore-case } }, ...) are refused, so a pattern that
 * starts using them cannot pass a test by accident.
 */
import type { EventPattern, PatternFilter } from "../../components/alerts";

type Leaf = string | number | boolean | null;

export function matches(pattern: EventPattern, event: unknown): boolean {
    if (typeof event !== "object" || event === null || Array.isArray(event)) {
        return false;
    }
    return matchesAt(pattern, event as Record<string, unknown>);
}

function matchesAt(pattern: EventPattern, node: Record<string, unknown>): boolean {
    return Object.entries(pattern).every(([field, expected]) => {
        if (field === "$or") {
            const alternatives = expected as EventPattern[];
            if (!Array.isArray(alternatives) || alternatives.length < 2) {
                throw new Error("$or takes a list of at least two patterns");
            }
            return alternatives.some((alternative) => matchesAt(alternative, node));
        }
        const actual = node[field];
        if (!Array.isArray(expected)) {
            // A path through a missing field, or through a leaf, reaches no leaf below it.
            if (Array.isArray(actual)) {
                throw new Error(`field ${field}: paths through arrays of objects are not supported by this matcher`);
            }
            const child = typeof actual === "object" && actual !== null ? (actual as Record<string, unknown>) : {};
            return matchesAt(expected as EventPattern, child);
        }
        const leaves = leavesOf(actual);
        return (expected as PatternFilter[]).some((filter) => {
            if (typeof filter === "object" && filter !== null) {
                const keys = Object.keys(filter);
                if (keys.length === 1 && "exists" in filter && typeof filter.exists === "boolean") {
                    return filter.exists === leaves.length > 0;
                }
                if (keys.length === 1 && "prefix" in filter && typeof filter.prefix === "string") {
                    const prefix = filter.prefix;
                    return leaves.some((leaf) => typeof leaf === "string" && leaf.startsWith(prefix));
                }
                throw new Error(`content filter ${JSON.stringify(filter)} in field ${field} is not supported by this matcher`);
            }
            return leaves.some((leaf) => leaf === filter);
        });
    });
}

/** The leaf values at a field: its value, the leaf elements of an array, or none (missing, or an object). */
function leavesOf(value: unknown): Leaf[] {
    if (value === undefined) {
        return [];
    }
    const values = Array.isArray(value) ? value : [value];
    return values.filter((v): v is Leaf => v === null || typeof v !== "object");
}

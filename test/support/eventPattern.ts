/**
 * An EventBridge pattern matcher for the subset of the syntax this project's patterns use: nested objects and
 * arrays of literal values. Semantics as in the EventBridge User Guide ("Event patterns"): every field of the
 * pattern must be in the event; a field matches when its value, or any element of an array value, equals one of
 * the pattern's values; fields the pattern does not name are ignored. Content filters ({ prefix }, { exists }, ...)
 * are not implemented and are refused, so a pattern that starts using them cannot pass a test by accident.
 */
import type { EventPattern } from "../../components/alerts";

type Literal = string | number | boolean | null;

export function matches(pattern: EventPattern, event: unknown): boolean {
    if (typeof event !== "object" || event === null || Array.isArray(event)) {
        return false;
    }
    return Object.entries(pattern).every(([field, expected]) => {
        if (!(field in event)) {
            return false;
        }
        const actual = (event as Record<string, unknown>)[field];
        if (!Array.isArray(expected)) {
            return matches(expected, actual);
        }
        for (const value of expected) {
            if (typeof value === "object" && value !== null) {
                throw new Error(`content filter ${JSON.stringify(value)} in field ${field} is not supported by this matcher`);
            }
        }
        const candidates = Array.isArray(actual) ? actual : [actual];
        return candidates.some((candidate) => (expected as Literal[]).some((value) => candidate === value));
    });
}

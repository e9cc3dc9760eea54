/**
 * Resource properties as plain data in which a value unknown during preview is the marker UNKNOWN.
 *
 * The policy SDK hands rules a proxy that throws UnknownValueError when a rule touches an unknown value, and an
 * uncaught one turns the whole rule into an advisory "can't run during preview" — for a stack rule, every resource
 * goes unchecked. `reveal` copies the proxy, catching that error at each property, so a rule sees every known value
 * and can treat an unknown one as "cannot tell": never a violation, never a crash.
 */
import { UnknownValueError } from "@pulumi/policy";

export const UNKNOWN = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

/** Plain resource data. Its only symbol is UNKNOWN (typed `symbol` so that lists of values need no casts). */
export type Value = null | undefined | boolean | number | string | symbol | Value[] | { [key: string]: Value };
export type Fields = { [key: string]: Value };

export function isUnknown(value: unknown): value is Unknown {
    return value === UNKNOWN;
}

/** A plain copy of `props` (the SDK's proxy or plain data) with UNKNOWN where a value can't be known yet. */
export function reveal(props: unknown): Value {
    if (props === null || props === undefined || typeof props !== "object") {
        return props as Value;
    }
    const read = (key: string | number): Value => {
        try {
            return reveal((props as Record<string | number, unknown>)[key]);
        } catch (e) {
            if (e instanceof UnknownValueError) {
                return UNKNOWN;
            }
            throw e;
        }
    };
    if (Array.isArray(props)) {
        // Not props.map: it reads every element itself, and the first unknown one would throw out of it.
        return Array.from({ length: props.length }, (_, i) => read(i));
    }
    return Object.fromEntries(Object.keys(props).map((key) => [key, read(key)]));
}

export function isFields(value: Value): value is Fields {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value at a path; UNKNOWN when any step is unknown, undefined when a step is missing or not an object. */
export function at(value: Value, ...path: (string | number)[]): Value {
    let current = value;
    for (const step of path) {
        if (isUnknown(current)) {
            return UNKNOWN;
        }
        if (typeof step === "number" ? !Array.isArray(current) : !isFields(current)) {
            return undefined;
        }
        current = (current as Record<string | number, Value>)[step];
    }
    return current;
}

/** The elements of a list (a single value counts as a list of one; absent as none), or UNKNOWN. */
export function listOf(value: Value): Value[] | Unknown {
    if (isUnknown(value)) {
        return UNKNOWN;
    }
    if (value === undefined || value === null) {
        return [];
    }
    return Array.isArray(value) ? value : [value];
}

/** A string value, UNKNOWN, or undefined for anything else. */
export function text(value: Value): string | Unknown | undefined {
    return typeof value === "string" || isUnknown(value) ? value : undefined;
}

/** JSON given as a string (how policy documents and container definitions are passed) or already parsed. */
export function parseJson(value: Value): Value {
    if (typeof value !== "string") {
        return value;
    }
    try {
        return JSON.parse(value) as Value;
    } catch {
        // Not JSON: the provider rejects it before anything is deployed, so there is nothing to judge.
        return undefined;
    }
}

/** Three-valued logic: a condition that holds, fails, or cannot be told during preview. */
export type Verdict = boolean | Unknown;

/** True if any verdict is true; else unknown if any is unknown; else false. */
export function anyOf(verdicts: Verdict[]): Verdict {
    if (verdicts.includes(true)) {
        return true;
    }
    return verdicts.some(isUnknown) ? UNKNOWN : false;
}

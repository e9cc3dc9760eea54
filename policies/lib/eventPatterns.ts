/**
 * EventBridge event patterns as sets of events, to answer two questions about the rules of a stack: does a pattern
 * match some ExecuteCommand call, and do several patterns together match every ExecuteCommand call (and if not, which
 * call do they miss)?
 *
 * Semantics (EventBridge User Guide, "Event patterns" and "Comparison operators for use in event patterns"; aws/event-
 * ruler README): a pattern names paths to leaves; every path must match; a path's value is a list of filters, any of
 * which may match; `$or` holds alternatives. A filter other than `{"exists": false}` needs the field present. Filters
 * read here: literals, exists, prefix, suffix, equals-ignore-case, wildcard and anything-but (of literals, prefix,
 * suffix, equals-ignore-case, wildcard). Any other filter (numeric, cidr, ...) is taken to match nothing: it cannot
 * prove that an alert fires, so a gap it might close is still reported. Likewise anything-but is taken not to match an
 * absent field, which can only make a gap appear, never hide one.
 *
 * Coverage is decided by splitting on one field at a time over candidate values: absence, every literal and operand
 * the patterns name, joins of prefixes and suffixes, and a value no filter names. For literals and exists this is
 * exact; for prefix, suffix and wildcard filters it finds the gaps between the operands the patterns name.
 */
import { isFields, isUnknown, parseJson, UNKNOWN, Value, Verdict } from "./values";

/** One way a pattern matches: each path (dot-separated) with the list of filters one of which must match. */
type Conjunction = Map<string, Value[]>;

/** A field's value in an event: a JSON leaf, or ABSENT. */
type EventValue = string | number | boolean | null | typeof ABSENT;
export const ABSENT = Symbol("absent");

/** A value that no operand of a pattern begins or ends with (operands are printable). */
const FRESH = "\u0001";

/** The ways a pattern matches, as conjunctions (`$or` multiplies them out); undefined for a malformed pattern. */
function conjunctionsOf(pattern: Value, prefix = ""): Conjunction[] | undefined {
    if (!isFields(pattern)) {
        return undefined;
    }
    let result: Conjunction[] = [new Map()];
    for (const [field, value] of Object.entries(pattern)) {
        let alternatives: Conjunction[] | undefined;
        if (field === "$or") {
            if (!Array.isArray(value)) {
                return undefined;
            }
            const options = value.map((v) => conjunctionsOf(v, prefix));
            if (options.some((o) => o === undefined)) {
                return undefined;
            }
            alternatives = (options as Conjunction[][]).flat();
        } else if (Array.isArray(value)) {
            alternatives = [new Map([[prefix + field, value]])];
        } else {
            alternatives = conjunctionsOf(value, `${prefix}${field}.`);
        }
        if (alternatives === undefined) {
            return undefined;
        }
        result = result.flatMap((left) => alternatives!.map((right) => merge(left, right)));
    }
    return result;
}

/** Both conjunctions at once; a path both constrain must match a filter of each. */
function merge(left: Conjunction, right: Conjunction): Conjunction {
    const merged = new Map(left);
    for (const [path, filters] of right) {
        const existing = merged.get(path);
        // Two filter lists on one path: encoded as an AND marker the matcher reads.
        merged.set(path, existing === undefined ? filters : [{ $and: [existing, filters] } as unknown as Value]);
    }
    return merged;
}

function strings(operand: Value): string[] | undefined {
    const list = Array.isArray(operand) ? operand : [operand];
    return list.every((s) => typeof s === "string") ? (list as string[]) : undefined;
}

function wildcardRegex(pattern: string): RegExp {
    return new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "s");
}

/** A string comparison operator (prefix, suffix, equals-ignore-case, wildcard, or their ignore-case forms). */
function stringTest(operator: string, operand: Value): ((value: string) => boolean) | undefined {
    if (isFields(operand) && "equals-ignore-case" in operand && (operator === "prefix" || operator === "suffix")) {
        const values = strings(operand["equals-ignore-case"]);
        return values && ((v) => values.some((o) => (operator === "prefix" ? v.toLowerCase().startsWith(o.toLowerCase()) : v.toLowerCase().endsWith(o.toLowerCase()))));
    }
    const values = strings(operand);
    if (values === undefined) {
        return undefined;
    }
    switch (operator) {
        case "prefix":
            return (v) => values.some((o) => v.startsWith(o));
        case "suffix":
            return (v) => values.some((o) => v.endsWith(o));
        case "equals-ignore-case":
            return (v) => values.some((o) => v.toLowerCase() === o.toLowerCase());
        case "wildcard":
            return (v) => values.some((o) => wildcardRegex(o).test(v));
        default:
            return undefined;
    }
}

/** Whether one filter matches a field's value. */
export function filterMatches(filter: Value, value: EventValue): boolean {
    if (!isFields(filter)) {
        return value !== ABSENT && filter === value;
    }
    const entries = Object.entries(filter);
    if (entries.length !== 1) {
        return false;
    }
    const [[operator, operand]] = entries;
    if (operator === "$and") {
        return (operand as Value[][]).every((filters) => filters.some((f) => filterMatches(f, value)));
    }
    if (operator === "exists") {
        return operand === (value !== ABSENT);
    }
    if (value === ABSENT) {
        return false;
    }
    if (operator === "anything-but") {
        if (isFields(operand)) {
            const [[inner, innerOperand]] = Object.entries(operand);
            const test = stringTest(inner, innerOperand);
            return test !== undefined && typeof value === "string" && !test(value);
        }
        const excluded = Array.isArray(operand) ? operand : [operand];
        return !excluded.includes(value);
    }
    const test = stringTest(operator, operand);
    return test !== undefined && typeof value === "string" && test(value);
}

function swapCase(text: string): string {
    return [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("");
}

interface Operands {
    literals: Set<Exclude<EventValue, typeof ABSENT>>;
    prefixes: Set<string>;
    suffixes: Set<string>;
}

/** The operands a filter names, by the role they play in it. */
function operandsOf(filter: Value, into: Operands): void {
    if (!isFields(filter)) {
        if (filter === null || ["string", "number", "boolean"].includes(typeof filter)) {
            into.literals.add(filter as string | number | boolean | null);
        }
        return;
    }
    const entries = Object.entries(filter);
    if (entries.length !== 1) {
        return;
    }
    const [[operator, operand]] = entries;
    if (operator === "$and") {
        (operand as Value[][]).flat().forEach((f) => operandsOf(f, into));
    } else if (operator === "anything-but" && isFields(operand)) {
        Object.entries(operand).forEach(([kind, inner]) => stringOperands(kind, inner, into));
    } else if (operator === "anything-but") {
        (Array.isArray(operand) ? operand : [operand]).forEach((literal) => operandsOf(literal, into));
    } else if (operator !== "exists") {
        stringOperands(operator, operand, into);
    }
}

function stringOperands(kind: string, operand: Value, into: Operands): void {
    const ignoringCase = isFields(operand) && "equals-ignore-case" in operand;
    const texts = strings(ignoringCase ? (operand as Record<string, Value>)["equals-ignore-case"] : operand) ?? [];
    for (const text of texts.flatMap((t) => (ignoringCase || kind === "equals-ignore-case" ? [t, swapCase(t)] : [t]))) {
        if (kind === "prefix") {
            into.prefixes.add(text);
        } else if (kind === "suffix") {
            into.suffixes.add(text);
        } else if (kind === "wildcard") {
            into.literals.add(text.replace(/\*/g, ""));
            into.literals.add(text.replace(/\*/g, FRESH));
        } else if (kind === "equals-ignore-case") {
            into.literals.add(text);
        }
    }
}

/** Values of a field that tell every filter on it apart (see the module comment). */
function candidatesFor(filters: Value[]): EventValue[] {
    const named = { literals: new Set<Exclude<EventValue, typeof ABSENT>>(), prefixes: new Set<string>(), suffixes: new Set<string>() };
    filters.forEach((f) => operandsOf(f, named));
    const values = new Set<EventValue>([ABSENT, FRESH, ...named.literals]);
    for (const p of named.prefixes) {
        values.add(p);
        values.add(p + FRESH);
        for (const s of named.suffixes) {
            values.add(p + FRESH + s);
            values.add(p + s);
        }
    }
    for (const s of named.suffixes) {
        values.add(s);
        values.add(FRESH + s);
    }
    return [...values];
}

/** An event the patterns miss: the value each deciding path was given. */
export type Gap = Map<string, EventValue>;

/** How many splits one question may take before the answer is "cannot tell" (never hangs a preview). */
const MAX_SPLITS = 20000;

/**
 * An event that has `fixed` (path → value; other paths free) and matches none of the patterns, or undefined if
 * they match every such event; UNKNOWN if a pattern is malformed or the search is too large to finish. Paths in
 * `assumedMatching` (envelope fields every event on the bus has with this account's and region's values) count as
 * matching whatever a pattern asks of them.
 */
export function gapIn(patterns: Value[], fixed: Record<string, EventValue>, assumedMatching: string[] = []): Gap | undefined | typeof UNKNOWN {
    const conjunctions: Conjunction[] = [];
    for (const pattern of patterns) {
        const parsed = conjunctionsOf(pattern);
        if (parsed === undefined) {
            return UNKNOWN;
        }
        for (const conjunction of parsed) {
            const rest = new Map<string, Value[]>();
            let possible = true;
            for (const [path, filters] of conjunction) {
                if (path in fixed) {
                    possible &&= filters.some((f) => filterMatches(f, fixed[path]));
                } else if (!assumedMatching.includes(path)) {
                    rest.set(path, filters);
                }
            }
            if (possible) {
                conjunctions.push(rest);
            }
        }
    }
    const filtersByPath = new Map<string, Value[]>();
    conjunctions.forEach((c) => c.forEach((filters, path) => filtersByPath.set(path, [...(filtersByPath.get(path) ?? []), ...filters])));
    const candidates = new Map([...filtersByPath].map(([path, filters]) => [path, candidatesFor(filters)]));
    let splits = 0;
    const search = (remaining: Conjunction[], assigned: Gap): Gap | undefined | typeof UNKNOWN => {
        if (remaining.some((c) => c.size === 0)) {
            return undefined;
        }
        if (remaining.length === 0) {
            return assigned;
        }
        if (++splits > MAX_SPLITS) {
            return UNKNOWN;
        }
        // The path most conjunctions constrain decides the most at once.
        const counts = new Map<string, number>();
        remaining.forEach((c) => c.forEach((_, path) => counts.set(path, (counts.get(path) ?? 0) + 1)));
        const [path] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
        for (const value of candidates.get(path)!) {
            const next = remaining.flatMap((c) => {
                const filters = c.get(path);
                if (filters === undefined) {
                    return [c];
                }
                if (!filters.some((f) => filterMatches(f, value))) {
                    return [];
                }
                const rest = new Map(c);
                rest.delete(path);
                return [rest];
            });
            const found = search(next, new Map([...assigned, [path, value]]));
            if (found !== undefined) {
                return found;
            }
        }
        return undefined;
    };
    return search(conjunctions, new Map());
}

/** Whether a pattern matches at least one event with `fixed` (UNKNOWN for an unknown pattern). */
export function matchesSome(pattern: Value, fixed: Record<string, EventValue>, assumedMatching: string[] = []): Verdict {
    const parsed = parseJson(pattern);
    if (isUnknown(parsed)) {
        return UNKNOWN;
    }
    // A conjunction matches some event iff each of its paths has a value one of its filters matches: paths are
    // independent of each other.
    const conjunctions = conjunctionsOf(parsed);
    if (conjunctions === undefined) {
        return false;
    }
    return conjunctions.some((conjunction) =>
        [...conjunction].every(([path, filters]) =>
            path in fixed
                ? filters.some((f) => filterMatches(f, fixed[path]))
                : assumedMatching.includes(path) || candidatesFor(filters).some((v) => filters.some((f) => filterMatches(f, v))),
        ),
    );
}

/** The paths a pattern filters (in any of its alternatives); none for a malformed pattern. */
export function patternPaths(pattern: Value): Set<string> {
    return new Set((conjunctionsOf(pattern) ?? []).flatMap((c) => [...c.keys()]));
}

/** A gap in words: `without detail.errorCode; with detail.eventID, detail.x "v"`. */
export function describeGap(gap: Gap): string {
    const absent = [...gap].filter(([, value]) => value === ABSENT).map(([path]) => path);
    const present = [...gap]
        .filter(([, value]) => value !== ABSENT)
        .map(([path, value]) => (value === FRESH ? path : `${path} ${JSON.stringify(value).replace(/\\u0001/g, "…")}`));
    return [absent.length > 0 ? `without ${absent.join(", ")}` : "", present.length > 0 ? `with ${present.join(", ")}` : ""].filter(Boolean).join("; ");
}

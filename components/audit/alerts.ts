/**
 * Alerts as plain values: each one an EventBridge pattern, the input transformer's paths and its template. ExecAudit
 * turns every definition into a rule, its SNS target and an alarm on its failed deliveries; tests match and render
 * them against CloudTrail records.
 */

/**
 * What an event pattern's field may hold: literal values, `exists`, `prefix`, `wildcard` and `anything-but` (of a
 * value or a list of values) (EventBridge User Guide, "Comparison operators for use in event patterns"). Only what
 * this project uses.
 */
export type PatternFilter =
    | string
    | number
    | boolean
    | null
    | { exists: boolean }
    | { prefix: string }
    | { wildcard: string }
    | { "anything-but": string | number | string[] | number[] };

/** An EventBridge event pattern: fields with their filters, nested objects, and `$or` (a list of alternatives). */
export type EventPattern = { [field: string]: PatternFilter[] | EventPattern | EventPattern[] };

/** One alert: what ExecAudit needs to declare its rule, target and alarm. */
export interface AlertDefinition {
    /** Lowercase letters, digits and hyphens; names the rule and its alarm (components/config/names.ts). */
    id: string;
    /** The rule's description: which events it matches. */
    description: string;
    eventPattern: EventPattern;
    /** Variables of the input transformer (at most 100; keys alphanumeric, not starting with "AWS"). */
    inputPaths: Readonly<Record<string, string>>;
    /** One JSON-quoted line per line of text: EventBridge's form for multi-line plain text, which SNS e-mails as is. */
    inputTemplate: string;
}

/**
 * Fields EventBridge puts in every event on a bus (EventBridge User Guide, "Event structure reference": "The
 * following fields appear in all events delivered to an event bus"). A template may read them without a filter.
 */
const ENVELOPE_PATHS = new Set(["$.version", "$.id", "$.detail-type", "$.source", "$.account", "$.time", "$.region", "$.detail"]);

/**
 * One shape of the events a family of alerts covers: the presence or absence of some fields of `detail` decides
 * which shape an event has (`when`), and the shape's rule requires every other `detail` leaf its template reads.
 * Its message is text (`lines`) or a JSON object (`fields`).
 */
export type AlertShape = AlertShapeCommon & AlertMessage;

interface AlertShapeCommon {
    id: string;
    description: string;
    /** `detail` leaf → present (true) or absent (false), as dot-separated paths under `detail`. */
    when: Readonly<Record<string, boolean>>;
    /**
     * Variables of the input transformer. A path may cross a list with `[*]` (every element: the variable is then a
     * list). A path that reads an object or a list of objects is named in `objectLeaves` too.
     */
    inputPaths: Readonly<Record<string, string>>;
    /**
     * For each input path that reads an object or a list of objects: a leaf under it, as a path under `detail`, whose
     * presence the rule requires instead (exists matching "only works on leaf nodes").
     */
    objectLeaves?: Readonly<Record<string, string>>;
}

/**
 * Text, one line per entry, placeholders inside; or a JSON object, each value a text with placeholders inside or a
 * lone placeholder, which EventBridge inserts as a JSON value (a string quoted, a list or an object as it is: the
 * User Guide's "Simple JSON" and "JSON with strings and variables" examples). A list or an object can only be
 * shown in a JSON object: inside text, EventBridge "doesn't escape values extracted by Input Path", so their quotes
 * would end the line's string.
 */
export type AlertMessage = { lines: string[]; fields?: never } | { fields: Readonly<Record<string, string>>; lines?: never };

/**
 * Alerts that together match every event `base` matches, each event exactly once, and whose templates never read a
 * field their event lacks.
 *
 * EventBridge documents that an input path missing from the event "isn't created and won't appear in the output"
 * (EventBridge User Guide, "Amazon EventBridge input transformation", common issues); how a template renders such
 * a placeholder is not documented. So each shape's rule requires, with `exists: true`, every `detail` leaf its
 * template reads; exists matching works on leaf nodes only, which these are. An event that lacks one of them matches
 * no shape, and goes to the `unmatched` alert instead, whose rule is the complement of the shapes' and whose
 * template reads only envelope fields. The shapes' `when` must cover every combination of their fields exactly once.
 */
export function alertsCovering(base: EventPattern, shapes: AlertShape[], unmatched: Omit<AlertShape, "when">): AlertDefinition[] {
    checkPartition(shapes);
    const required = shapes.map((shape) => requiredLeaves(base, shape));
    const definitions = shapes.map((shape, i) => shapeDefinition(base, shape, required[i]));

    // Not (any shape) = for some shape, its `when` holds and one of its required leaves is missing. A leaf every
    // shape requires is missing-from-any-shape on its own, since the shapes' `when` cover every event.
    const alternatives = new Map<string, Record<string, PatternFilter[]>>();
    shapes.forEach((shape, i) => {
        for (const leaf of required[i]) {
            const everywhere = required.every((leaves) => leaves.includes(leaf));
            const alternative: Record<string, PatternFilter[]> = everywhere
                ? {}
                : Object.fromEntries(Object.entries(shape.when).map(([field, present]) => [field, [{ exists: present }]]));
            alternative[leaf] = [{ exists: false }];
            alternatives.set(JSON.stringify(alternative), alternative);
        }
    });
    if (alternatives.size === 0) {
        return definitions;
    }
    for (const path of Object.values(unmatched.inputPaths)) {
        if (!ENVELOPE_PATHS.has(path)) {
            throw new Error(`alert ${unmatched.id} reads ${path}: only envelope fields are sure to exist in the events it gets`);
        }
    }
    const nested = [...alternatives.values()].map((alternative) => nest(alternative));
    const complement = withDetail(base, {}, nested.length === 1 ? nested[0] : { $or: nested });
    return [...definitions, definition(unmatched, complement)];
}

/**
 * One alert, without a complement: `base` and the shape's `when`, requiring every `detail` leaf its template reads.
 * For an alert that picks some of the events another family already covers, each once.
 */
export function alertOfShape(base: EventPattern, shape: AlertShape): AlertDefinition {
    return shapeDefinition(base, shape, requiredLeaves(base, shape));
}

function shapeDefinition(base: EventPattern, shape: AlertShape, required: string[]): AlertDefinition {
    const detail: Record<string, PatternFilter[]> = {};
    for (const [leaf, present] of Object.entries(shape.when)) {
        detail[leaf] = [{ exists: present }];
    }
    for (const leaf of required) {
        detail[leaf] = [{ exists: true }];
    }
    return definition(shape, withDetail(base, detail));
}

function definition(shape: Omit<AlertShape, "when">, eventPattern: EventPattern): AlertDefinition {
    return {
        id: shape.id,
        description: shape.description,
        eventPattern,
        inputPaths: shape.inputPaths,
        inputTemplate: shape.lines
            ? shape.lines.map((line) => JSON.stringify(line)).join("\n")
            : jsonTemplate(shape.fields!),
    };
}

/** `{"key": <variable>, "key": "text <variable>"}`, one member a line. */
function jsonTemplate(fields: Readonly<Record<string, string>>): string {
    const members = Object.entries(fields).map(([key, value]) => {
        if (/^<[A-Za-z0-9]+>$/.test(value)) {
            return `${JSON.stringify(key)}: ${value}`;
        }
        return `${JSON.stringify(key)}: ${JSON.stringify(value)}`;
    });
    return `{\n${members.map((member) => `  ${member}`).join(",\n")}\n}`;
}

/**
 * The `detail` leaf whose presence proves an input path has a value, as a pattern names it: lists crushed out
 * ("if the value in the event is an array, the pattern matches if [any element matches]", EventBridge User Guide,
 * "Arrays in event patterns"). A path ending in `[0]` reads the first element of a list of values (input paths take
 * array indices: EventBridge User Guide, "Amazon EventBridge input transformation"); `exists: true` on the list, which
 * a pattern matches element by element, means it has one. Any other index names an element no pattern can require.
 */
function leafOf(shape: Omit<AlertShape, "when">, path: string): string {
    if (!path.startsWith("$.detail.")) {
        throw new Error(`alert ${shape.id} reads ${path}: only envelope fields and fields under detail are supported`);
    }
    if (/\[\d+\]/.test(path.replace(/\[0\]$/, ""))) {
        throw new Error(`alert ${shape.id} reads ${path}: one element of a list, which no pattern can require (use [*], or [0] last)`);
    }
    const object = shape.objectLeaves?.[path];
    const leaf = object ?? path.slice("$.detail.".length).replace(/\[0\]$/, "").replace(/\[\*\]/g, "");
    if (object !== undefined && !object.startsWith(`${path.slice("$.detail.".length)}.`)) {
        throw new Error(`alert ${shape.id}: the leaf ${object} that proves ${path} is not under it`);
    }
    return leaf;
}

/**
 * The `detail` leaves a shape's template reads that neither its `when` nor the base pattern already settle: what the
 * base matches against values, or an object in which every alternative of its `$or` does, is in every event it
 * matches.
 */
function requiredLeaves(base: EventPattern, shape: AlertShape): string[] {
    const leaves: string[] = [];
    for (const path of Object.values(shape.inputPaths)) {
        if (ENVELOPE_PATHS.has(path)) {
            continue;
        }
        const leaf = leafOf(shape, path);
        const read = path.slice("$.detail.".length).replace(/\[0\]$/, "").replace(/\[\*\]/g, "");
        const filtered = nodeAt(base.detail, leaf);
        if (shape.when[leaf] === false || (Array.isArray(filtered) && filtered.every(isAbsence))) {
            throw new Error(`alert ${shape.id} reads ${path}, which its events lack`);
        }
        const settled = guaranteedAt(base, ["detail", ...read.split(".")]) || guaranteedAt(base, ["detail", ...leaf.split(".")]);
        if (shape.when[leaf] === undefined && !settled && !leaves.includes(leaf)) {
            leaves.push(leaf);
        }
    }
    return leaves;
}

const isAbsence = (filter: PatternFilter) => typeof filter === "object" && filter !== null && "exists" in filter && !filter.exists;

/** What a pattern has at a dot-separated path (not looking into `$or`). */
function nodeAt(pattern: unknown, path: string): unknown {
    let node = pattern;
    for (const part of path.split(".")) {
        node = isObjectPattern(node) ? node[part] : undefined;
    }
    return node;
}

/**
 * Whether every event `pattern` matches has a value at `path` (its fields, from the event's top): the pattern filters
 * it so, or every alternative of a `$or` on the way does.
 */
function guaranteedAt(pattern: unknown, path: string[]): boolean {
    if (path.length === 0) {
        return guaranteed(pattern);
    }
    if (!isObjectPattern(pattern)) {
        return false;
    }
    const [field, ...rest] = path;
    const alternatives = pattern.$or as EventPattern[] | undefined;
    return guaranteedAt(pattern[field], rest) || (alternatives !== undefined && alternatives.every((alternative) => guaranteedAt(alternative, path)));
}

/** Whether every event a pattern node matches has a value there: a filter that needs one, or an object holding such. */
function guaranteed(node: unknown): boolean {
    if (Array.isArray(node)) {
        return !(node as PatternFilter[]).some(isAbsence);
    }
    if (!isObjectPattern(node)) {
        return false;
    }
    return Object.entries(node).some(([field, value]) =>
        field === "$or" ? (value as EventPattern[]).every((alternative) => guaranteed(alternative)) : guaranteed(value),
    );
}

/** Every combination of presence of the shapes' `when` fields is claimed by exactly one shape. */
function checkPartition(shapes: AlertShape[]): void {
    const fields = [...new Set(shapes.flatMap((shape) => Object.keys(shape.when)))];
    for (let combination = 0; combination < 2 ** fields.length; combination++) {
        const present = (i: number) => (combination & (1 << i)) !== 0;
        const claimants = shapes.filter((shape) => fields.every((field, i) => shape.when[field] === undefined || shape.when[field] === present(i)));
        if (claimants.length !== 1) {
            const state = fields.map((field, i) => `${field} ${present(i) ? "present" : "absent"}`).join(", ");
            throw new Error(`${claimants.length} alert shapes claim events with ${state}: exactly one must`);
        }
    }
}

/** `{ "a.b": f }` → `{ a: { b: f } }`. */
function nest(flat: Record<string, PatternFilter[]>): EventPattern {
    const pattern: EventPattern = {};
    for (const [path, filters] of Object.entries(flat)) {
        const parts = path.split(".");
        let node = pattern;
        for (const part of parts.slice(0, -1)) {
            node = (node[part] ??= {}) as EventPattern;
        }
        node[parts[parts.length - 1]] = filters;
    }
    return pattern;
}

/** `base` with more filters under `detail` (dot-separated paths), and `extra` merged into `detail`. */
function withDetail(base: EventPattern, leaves: Record<string, PatternFilter[]>, extra: EventPattern = {}): EventPattern {
    const copy = JSON.parse(JSON.stringify(base)) as EventPattern;
    const detail = (copy.detail ??= {}) as EventPattern;
    merge(detail, nest(leaves), "detail");
    merge(detail, extra, "detail");
    return copy;
}

/** Adds `more`'s fields to `into`, into the objects both have; a field both filter is an error. */
function merge(into: EventPattern, more: EventPattern, at: string): void {
    for (const [field, value] of Object.entries(more)) {
        const present = into[field];
        if (present === undefined) {
            into[field] = value;
        } else if (isObjectPattern(present) && isObjectPattern(value)) {
            merge(present, value, `${at}.${field}`);
        } else {
            throw new Error(`${at}.${field} is already filtered by the base pattern`);
        }
    }
}

const isObjectPattern = (value: unknown): value is EventPattern => typeof value === "object" && value !== null && !Array.isArray(value);

/** Every ExecuteCommand call to ECS, as CloudTrail delivers it to EventBridge on the default bus. */
export const EXECUTE_COMMAND_CALLS: EventPattern = {
    source: ["aws.ecs"],
    "detail-type": ["AWS API Call via CloudTrail"],
    detail: {
        eventSource: ["ecs.amazonaws.com"],
        eventName: ["ExecuteCommand"],
    },
};

/** Who called, from where and with what: in every shape of a CloudTrail record an alert reads. */
export const CALLER_PATHS = {
    caller: "$.detail.userIdentity.arn",
    principalId: "$.detail.userIdentity.principalId",
    time: "$.time",
    account: "$.account",
    region: "$.region",
    sourceIp: "$.detail.sourceIPAddress",
    userAgent: "$.detail.userAgent",
    eventId: "$.detail.eventID",
};

/** The message lines of CALLER_PATHS. */
export const CALLER_LINES = [
    "Who:        <caller>",
    "Principal:  <principalId>   (aws:userid: the Owner tag of the tasks it starts)",
    "When:       <time>",
    "From:       <sourceIp>",
    "Client:     <userAgent>",
];

const COMMAND_PATH = "$.detail.requestParameters.command";

export interface ExecuteCommandAlertsArgs {
    /** This stack's cluster: its sessions are logged to `sessionLogGroupName`. */
    clusterName: string;
    sessionLogGroupName: string;
}

/**
 * The alerts on ExecuteCommand: one for an opened session, one for a refused call, and one for a call whose record
 * lacks a field those two read. CloudTrail records a refused call with `errorCode` and no response; a successful one
 * without `errorCode` (CloudTrail User Guide, "CloudTrail record contents"). The ECS API reference (ExecuteCommand)
 * makes `task` and `command` required request parameters and `cluster` and `container` optional, and returns the
 * cluster ARN, container name, task ARN and session of an opened session: so the session alert reads those from the
 * response, and the refused one only what every request carries, pointing to the full record for the rest.
 */
export function executeCommandAlerts(args: ExecuteCommandAlertsArgs): AlertDefinition[] {
    const { clusterName, sessionLogGroupName } = args;
    return alertsCovering(
        EXECUTE_COMMAND_CALLS,
        [
            {
                id: "execute-command",
                description: "An ECS ExecuteCommand call that opened a session, from CloudTrail",
                when: { errorCode: false },
                inputPaths: {
                    ...CALLER_PATHS,
                    command: COMMAND_PATH,
                    cluster: "$.detail.responseElements.clusterArn",
                    task: "$.detail.responseElements.taskArn",
                    container: "$.detail.responseElements.containerName",
                    sessionId: "$.detail.responseElements.session.sessionId",
                },
                lines: [
                    "ECS Exec: a session was opened in account <account>, <region>",
                    "",
                    ...CALLER_LINES,
                    "Cluster:    <cluster>",
                    "Task:       <task>",
                    "Container:  <container>",
                    "Command:    <command>",
                    "Session id: <sessionId>",
                    "",
                    `Keystrokes of a session on ${clusterName}: log group ${sessionLogGroupName}, log stream <sessionId> (written when the session ends):`,
                    `  aws logs get-log-events --region <region> --log-group-name ${sessionLogGroupName} --log-stream-name <sessionId>`,
                    "CloudTrail event id: <eventId>",
                ],
            },
            {
                id: "execute-command-refused",
                description: "An ECS ExecuteCommand call that was refused, from CloudTrail",
                when: { errorCode: true },
                inputPaths: {
                    ...CALLER_PATHS,
                    command: COMMAND_PATH,
                    task: "$.detail.requestParameters.task",
                    errorCode: "$.detail.errorCode",
                    errorMessage: "$.detail.errorMessage",
                },
                lines: [
                    "ECS Exec: an ExecuteCommand call was refused in account <account>, <region>",
                    "",
                    ...CALLER_LINES,
                    "Task:       <task>   (as requested)",
                    "Command:    <command>",
                    "Refused:    <errorCode>: <errorMessage>",
                    "",
                    "No session was opened. The whole request (cluster, container) is in its CloudTrail record:",
                    "  aws cloudtrail lookup-events --region <region> --lookup-attributes AttributeKey=EventId,AttributeValue=<eventId>",
                ],
            },
        ],
        {
            id: "execute-command-unmatched",
            description: "An ECS ExecuteCommand call whose CloudTrail record lacks a field the other two alerts read",
            inputPaths: { time: "$.time", account: "$.account", region: "$.region", eventBridgeId: "$.id" },
            lines: [
                "ECS Exec: an ExecuteCommand call in account <account>, <region> at <time>",
                "",
                "Its CloudTrail record lacks a field the session and refusal alerts read (caller, address, client, command,",
                "task, session or error), so this message carries only what every event has. Find the record:",
                "  aws cloudtrail lookup-events --region <region> --lookup-attributes AttributeKey=EventName,AttributeValue=ExecuteCommand --start-time <time>",
                "EventBridge event id: <eventBridgeId>",
            ],
        },
    );
}

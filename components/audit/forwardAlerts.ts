/**
 * The alerts on Session Manager sessions opened straight to a task of this stack's cluster: port forwarding through
 * `ecs-exec forward`, and anything else (a shell that bypasses ECS Exec's logging, by someone whose other
 * permissions allow it), refused calls included.
 */
import { CONFIG_NAMESPACE, ConfigError, ecsSessionTargetPrefix, FORWARDING_DOCUMENT } from "../config";
import { AlertDefinition, alertOfShape, alertsCovering, CALLER_LINES, CALLER_PATHS, EventPattern, PatternFilter } from "./alerts";

/**
 * Every StartSession call whose target is a task of `clusterName`, as CloudTrail delivers it to EventBridge on the
 * default bus: Session Manager records the target as `ecs:<cluster>_<task id>_<container runtime id>`, the form the
 * AWS CLI builds for ECS, in `requestParameters.target`. A cluster whose name is this one's followed by `_` would
 * match too: ECS allows underscores in cluster names, and this stack's never has one.
 */
export function startSessionCalls(clusterName: string): EventPattern {
    return {
        source: ["aws.ssm"],
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: {
            eventSource: ["ssm.amazonaws.com"],
            eventName: ["StartSession"],
            requestParameters: { target: [{ prefix: ecsSessionTargetPrefix(clusterName) }] },
        },
    };
}

/** The caller, and the task's container the session went to. */
const SESSION_PATHS = { ...CALLER_PATHS, target: "$.detail.requestParameters.target" };
const SESSION_LINES = [...CALLER_LINES, "Target:     <target>   (ecs:cluster_task id_container runtime id)"];

/**
 * Three shapes, as for ExecuteCommand: a successful call carries no `errorCode` and a refused one does (CloudTrail
 * User Guide, "CloudTrail record contents"); a session forwarding to a remote host carries the document's `host`
 * parameter, which the port-forwarding documents take and a shell does not. StartSession's `documentName` and
 * `parameters` are optional request members (Systems Manager API Reference, StartSession): the forwarding alert
 * requires what it reads, and a record lacking it goes to the unmatched alert.
 */
export function startSessionAlerts(clusterName: string): AlertDefinition[] {
    const lookup = "aws cloudtrail lookup-events --region <region> --lookup-attributes AttributeKey=EventId,AttributeValue=<eventId>";
    return alertsCovering(
        startSessionCalls(clusterName),
        [
            {
                id: "start-session-forward",
                description: `A Session Manager port forwarding session through a task of ${clusterName}, from CloudTrail`,
                when: { errorCode: false, "requestParameters.parameters.host": true },
                inputPaths: {
                    ...SESSION_PATHS,
                    document: "$.detail.requestParameters.documentName",
                    host: "$.detail.requestParameters.parameters.host[0]",
                    port: "$.detail.requestParameters.parameters.portNumber[0]",
                    sessionId: "$.detail.responseElements.sessionId",
                },
                lines: [
                    "ECS Exec: a port forwarding session was opened through a task in account <account>, <region>",
                    "",
                    ...SESSION_LINES,
                    "Document:   <document>",
                    "Forwards:   to <host> port <port>",
                    "Session id: <sessionId>",
                    "",
                    "A port forwarding session has no transcript: the exec task's security group decides where it may go.",
                    "CloudTrail event id: <eventId>",
                ],
            },
            {
                id: "start-session-other",
                description: `A Session Manager session straight to a task of ${clusterName} that is no port forwarding, from CloudTrail`,
                when: { errorCode: false, "requestParameters.parameters.host": false },
                inputPaths: { ...SESSION_PATHS, sessionId: "$.detail.responseElements.sessionId" },
                lines: [
                    "ECS Exec: a Session Manager session was opened straight to a task in account <account>, <region>",
                    "",
                    ...SESSION_LINES,
                    "Session id: <sessionId>",
                    "",
                    "Not a port forwarding: most likely a shell, which ECS Exec does not log. The developer policy denies it, so the",
                    "caller's other permissions allowed it. The document (none: the default shell) is in the CloudTrail record:",
                    `  ${lookup}`,
                ],
            },
            {
                id: "start-session-refused",
                description: `A Session Manager StartSession on a task of ${clusterName} that was refused, from CloudTrail`,
                when: { errorCode: true },
                inputPaths: { ...SESSION_PATHS, errorCode: "$.detail.errorCode", errorMessage: "$.detail.errorMessage" },
                lines: [
                    "ECS Exec: a Session Manager session straight to a task was refused in account <account>, <region>",
                    "",
                    ...SESSION_LINES,
                    "Refused:    <errorCode>: <errorMessage>",
                    "",
                    "No session was opened. The whole request (document, parameters) is in its CloudTrail record:",
                    `  ${lookup}`,
                ],
            },
        ],
        {
            id: "start-session-unmatched",
            description: `A Session Manager StartSession on a task of ${clusterName} whose CloudTrail record lacks a field the other alerts read`,
            inputPaths: { time: "$.time", account: "$.account", region: "$.region", eventBridgeId: "$.id" },
            lines: [
                `ECS Exec: a Session Manager StartSession on a task of ${clusterName} in account <account>, <region> at <time>`,
                "",
                "Its CloudTrail record lacks a field the other session alerts read (caller, address, client, document, host,",
                "port, session or error), so this message carries only what every event has. Find the record:",
                "  aws cloudtrail lookup-events --region <region> --lookup-attributes AttributeKey=EventName,AttributeValue=StartSession --start-time <time>",
                "EventBridge event id: <eventBridgeId>",
            ],
        },
    );
}

/** The alert on forwarding to a destination the stack does not list: added to the session alert, as the network alert is to RunTask's. */
export const UNLISTED_FORWARDING_ALERT_ID = "start-session-forward-unlisted";

/**
 * AWS's Session documents that forward to a port of the target itself. They take no `host`, and the agent dials
 * `localhost` when the session's properties carry none (amazon-ssm-agent agent/session/plugins/port/port.go,
 * DialCall). AWS-StartSSHSession is such a Port session, to the target's SSH port (Systems Manager User Guide,
 * "Allow and control permissions for SSH connections through Session Manager").
 */
const TASK_ITSELF_DOCUMENTS = ["AWS-StartPortForwardingSession", "AWS-StartSSHSession"];

/** AWS's Session document that forwards to a Unix socket in the target (policies/rules/access.ts): never a listed destination. */
const SOCKET_FORWARDING_DOCUMENT = "AWS-StartPortForwardingSessionToSocket";

/**
 * A document as a StartSession request may name it: its name, or an ARN ending in it (AWS's own documents have no
 * account in theirs, `arn:aws:ssm:<region>::document/AWS-…`). One wildcard each, `*` matching nothing too
 * (EventBridge User Guide, "Content filtering in Amazon EventBridge event patterns", wildcard matching): the pattern
 * must stay within 2048 characters. A document of the account's own whose name merely ends in one of these would
 * match too, and raise an alert it does not deserve; none can be named like AWS's, whose `AWS-` prefix is reserved
 * (Systems Manager API Reference, CreateDocument).
 */
function documentFilters(names: readonly string[]): PatternFilter[] {
    return names.map((name): PatternFilter => ({ wildcard: `*${name}` }));
}

/**
 * Forwarding, through a task of `clusterName`, to a host and port that no `portForwarding` destination names: to a
 * listener the developer started in the task (127.0.0.1, localhost, the task's own address: the agent refuses only the
 * instance metadata and VPC DNS addresses, amazon-ssm-agent agent/session/plugins/port/port.go), which no transcript
 * records, or anywhere the exec security group lets it. IAM cannot hold it back: the document's host and port are
 * parameters no condition key names (Service Authorization Reference, Systems Manager), and AWS does not document
 * session documents of one's own for ECS targets, so the stack keeps AWS's document and alerts instead.
 *
 * Session Manager records the parameters as the request gave them, lists of strings (`"portNumber": ["5432"]`). A
 * successful StartSession matches when:
 * - its `host` is none of the listed hosts (whatever the document: the host is what the agent dials);
 * - its `host` is a listed one, with a `portNumber` none of that host's, or with none;
 * - its document is AWS-StartPortForwardingSessionToRemoteHost and it has no `host` (should the session start, the
 *   host is the document's default, or none, and the agent dials localhost for none);
 * - its document forwards to the task itself (TASK_ITSELF_DOCUMENTS, SOCKET_FORWARDING_DOCUMENT), with any port or
 *   none: `ecs-exec forward` reaches even a destination listed as `localhost` with the remote-host document.
 * Refused calls are left to the refusal alert: they forwarded nothing.
 *
 * A parameter the request leaves out. The agent reads host and port from the document's `properties`, the
 * parameters' values put in (port.go initializeParameters), and refuses a session without a port ("Port number is
 * empty in session properties", validateParameters): so an omitted port is the document's default. AWS documents
 * none for these documents' `portNumber` or `host`: the Systems Manager User Guide shows them only with both given
 * ("Start a session", "Start a session with a document by specifying the session documents in IAM policies"), and
 * its "Session document schema" page defines `parameters` without naming any document's values. A default lives only
 * in the documents' content, which AWS publishes through GetDocument and may change in a new version the record does
 * not name (AWS-StartPortForwardingSession's `portNumber` is commonly quoted with the default "80"). So no default is
 * taken as a listed destination: an omitted port, or an omitted host, is unlisted, at worst a false alarm for a
 * destination listed at port 80.
 *
 * Its message is a JSON object showing the request as CloudTrail recorded it, whatever parameters it has or lacks
 * (`requestParameters` is in every event the pattern matches: its `target` is filtered). A template may not read a
 * host or port the request may lack: EventBridge documents no rendering for a path the event lacks (EventBridge User
 * Guide, "Amazon EventBridge input transformation").
 */
export function unlistedForwardingAlert(clusterName: string, destinations: readonly { host: string; port: number }[]): AlertDefinition {
    const hosts = [...new Set(destinations.map((d) => d.host))];
    const portsOf = (host: string) => [...new Set(destinations.filter((d) => d.host === host).map((d) => String(d.port)))];
    // One `$or` beside the target: no alternative filters the target, so no filter of it is dropped (EventBridge
    // keeps only one of a field's filters in `$or` and beside it).
    const unlisted: EventPattern[] = [
        { parameters: { host: hosts.length === 0 ? [{ exists: true }] : [{ "anything-but": hosts }] } },
        // A field's filters match when any does; absence among them (aws/event-ruler MachineTest,
        // testExistsFalseNameStateSharedWithSpecificValueMatch: `[{"exists": false}, "1"]`).
        ...hosts.map((host): EventPattern => ({ parameters: { host: [host], portNumber: [{ "anything-but": portsOf(host) }, { exists: false }] } })),
        { documentName: documentFilters([FORWARDING_DOCUMENT]), parameters: { host: [{ exists: false }] } },
        { documentName: documentFilters([...TASK_ITSELF_DOCUMENTS, SOCKET_FORWARDING_DOCUMENT]) },
    ];
    const base = startSessionCalls(clusterName);
    ((base.detail as EventPattern).requestParameters as EventPattern).$or = unlisted;
    const listed = destinations.length > 0 ? destinations.map((d) => `${d.host}:${d.port}`).join(", ") : "none";
    refuseOversizedPattern(base, listed);
    return alertOfShape(base, {
        id: UNLISTED_FORWARDING_ALERT_ID,
        description: `A port forwarding session through a task of ${clusterName} to a destination portForwarding does not list, from CloudTrail`,
        when: { errorCode: false },
        inputPaths: {
            ...CALLER_PATHS,
            request: "$.detail.requestParameters",
            sessionId: "$.detail.responseElements.sessionId",
        },
        fields: {
            alert: "ECS Exec: a port forwarding session went to a destination the stack does not list, in account <account>, <region>",
            who: "<caller>",
            principal: "<principalId>",
            when: "<time>",
            from: "<sourceIp>",
            client: "<userAgent>",
            request: "<request>",
            listed,
            sessionId: "<sessionId>",
            why:
                "Nothing records what crosses it. To 127.0.0.1, localhost or the task's own address, or with no host (the " +
                "remote-host document without one, AWS-StartPortForwardingSession, AWS-StartSSHSession: the agent dials " +
                "localhost), it reaches a listener started in the task itself, a shell without a transcript. A port the " +
                "request leaves out is the document's default, which the record does not show. Ask the caller why; the " +
                "session alert of the same call reports it too.",
            cloudTrailEventId: "<eventId>",
        },
    });
}

/** EventBridge's limit on an event pattern's length (EventBridge User Guide, quotas: "Event pattern size", default). */
export const EVENT_PATTERN_MAX_LENGTH = 2048;

/**
 * Destinations whose pattern EventBridge would refuse at `pulumi up` (PutRule) are a config problem, told before any
 * resource is declared: each listed host adds its name and its ports to the pattern.
 */
function refuseOversizedPattern(pattern: EventPattern, listed: string): void {
    const length = JSON.stringify(pattern).length;
    if (length > EVENT_PATTERN_MAX_LENGTH) {
        throw new ConfigError([
            {
                key: `${CONFIG_NAMESPACE}:portForwarding`,
                value: listed,
                allowed: `destinations whose forwarding alert fits EventBridge's event pattern limit of ${EVENT_PATTERN_MAX_LENGTH} characters (these need ${length}): fewer hosts, or shorter host names`,
            },
        ]);
    }
}

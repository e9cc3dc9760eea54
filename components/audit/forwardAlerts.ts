/**
 * The alerts on Session Manager sessions opened straight to a task of this stack's cluster: port forwarding through
 * `ecs-exec forward`, and anything else (a shell that bypasses ECS Exec's logging, by someone whose other
 * permissions allow it), refused calls included.
 */
import { ecsSessionTargetPrefix } from "../config";
import { AlertDefinition, alertOfShape, alertsCovering, CALLER_LINES, CALLER_PATHS, EventPattern } from "./alerts";

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
 * Forwarding, through a task of `clusterName`, to a host and port that no `portForwarding` destination names: to a
 * listener the developer started in the task (127.0.0.1, localhost, the task's own address: the agent refuses only the
 * instance metadata and VPC DNS addresses, amazon-ssm-agent agent/session/plugins/port/port.go), which no transcript
 * records, or anywhere the exec security group lets it. IAM cannot hold it back: the document's host and port are
 * parameters no condition key names (Service Authorization Reference, Systems Manager), and AWS does not document
 * session documents of one's own for ECS targets, so the stack keeps AWS's document and alerts instead.
 *
 * Session Manager records the parameters as lists of strings (`"portNumber": ["5432"]`); a record matches when its
 * host is none of the listed ones, or is one of them with a port none of that host's. Refused calls are left to the
 * refusal alert: they forwarded nothing.
 */
export function unlistedForwardingAlert(clusterName: string, destinations: readonly { host: string; port: number }[]): AlertDefinition {
    const hosts = [...new Set(destinations.map((d) => d.host))];
    const portsOf = (host: string) => [...new Set(destinations.filter((d) => d.host === host).map((d) => String(d.port)))];
    // Every alternative names the port too, so that no filter on it stands beside the `$or` (EventBridge keeps only one).
    const anyPort = { portNumber: [{ exists: true }] };
    const unlisted: EventPattern =
        hosts.length === 0
            ? { host: [{ exists: true }], ...anyPort }
            : {
                  $or: [
                      { host: [{ "anything-but": hosts }], ...anyPort },
                      ...hosts.map((host): EventPattern => ({ host: [host], portNumber: [{ "anything-but": portsOf(host) }] })),
                  ],
              };
    const base = startSessionCalls(clusterName);
    ((base.detail as EventPattern).requestParameters as EventPattern).parameters = unlisted;
    const listed = destinations.length > 0 ? destinations.map((d) => `${d.host}:${d.port}`).join(", ") : "none";
    return alertOfShape(base, {
        id: UNLISTED_FORWARDING_ALERT_ID,
        description: `A port forwarding session through a task of ${clusterName} to a destination portForwarding does not list, from CloudTrail`,
        when: { errorCode: false },
        inputPaths: {
            ...SESSION_PATHS,
            host: "$.detail.requestParameters.parameters.host[0]",
            port: "$.detail.requestParameters.parameters.portNumber[0]",
            sessionId: "$.detail.responseElements.sessionId",
        },
        lines: [
            "ECS Exec: a port forwarding session went to a destination the stack does not list, in account <account>, <region>",
            "",
            ...SESSION_LINES,
            "Forwards:   to <host> port <port>",
            `Listed:     ${listed}`,
            "Session id: <sessionId>",
            "",
            "Nothing records what crosses it: to 127.0.0.1 or localhost it reaches a listener started in the task itself, a",
            "shell without a transcript. Ask the caller why; the session alert of the same call says where it went too.",
            "CloudTrail event id: <eventId>",
        ],
    });
}

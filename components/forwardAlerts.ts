/**
 * The alerts on Session Manager sessions opened straight to a task of this stack's cluster: port forwarding through
 * `ecs-exec forward`, and anything else (a shell that bypasses ECS Exec's logging, by someone whose other
 * permissions allow it), refused calls included.
 */
import { AlertDefinition, alertsCovering, CALLER_LINES, CALLER_PATHS, EventPattern } from "./alerts";
import { ecsSessionTargetPrefix } from "./portForwarding";

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

/**
 * The ExecuteCommand alert as plain values: the EventBridge pattern, the input transformer's paths and its
 * template. The component only attaches them; tests match and render them against CloudTrail records.
 */

/** An EventBridge event pattern (the subset of its syntax this project uses: literal values and nesting). */
export type EventPattern = { [field: string]: (string | number | boolean | null)[] | EventPattern };

/**
 * Every ExecuteCommand call to ECS as CloudTrail delivers it to EventBridge, successful and refused alike
 * (a refused call carries errorCode and no session; the pattern does not look at either).
 */
export function executeCommandPattern(): EventPattern {
    return {
        source: ["aws.ecs"],
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: {
            eventSource: ["ecs.amazonaws.com"],
            eventName: ["ExecuteCommand"],
        },
    };
}

/**
 * Variables of the input transformer. Keys: alphanumeric, not starting with "AWS", at most 100 (EventBridge
 * InputTransformer limits). A path a call does not have (sessionId on a refused call, errorCode on a successful one)
 * creates no variable, and its placeholder renders empty (EventBridge User Guide, "Amazon EventBridge input
 * transformation", common issues).
 */
export const ALERT_INPUT_PATHS: Readonly<Record<string, string>> = {
    caller: "$.detail.userIdentity.arn",
    principalId: "$.detail.userIdentity.principalId",
    time: "$.detail.eventTime",
    account: "$.account",
    region: "$.region",
    sourceIp: "$.detail.sourceIPAddress",
    userAgent: "$.detail.userAgent",
    cluster: "$.detail.requestParameters.cluster",
    task: "$.detail.requestParameters.task",
    container: "$.detail.requestParameters.container",
    command: "$.detail.requestParameters.command",
    sessionId: "$.detail.responseElements.session.sessionId",
    errorCode: "$.detail.errorCode",
    errorMessage: "$.detail.errorMessage",
    eventId: "$.detail.eventID",
};

/**
 * The message a human reads, one quoted JSON string per line: EventBridge's form for multi-line plain text, which
 * SNS delivers to e-mail as is. Lines whose value may be absent say when it is.
 */
export function alertTemplate(sessionLogGroupName: string): string {
    const lines = [
        "ECS Exec: ExecuteCommand in account <account>, <region>",
        "",
        "Who:        <caller>",
        "Principal:  <principalId>",
        "When:       <time>",
        "From:       <sourceIp>",
        "Client:     <userAgent>",
        "Cluster:    <cluster>",
        "Task:       <task>",
        "Container:  <container>",
        "Command:    <command>",
        "Session id: <sessionId>   (empty: no session was opened)",
        "Refused:    <errorCode> <errorMessage>   (empty: the call succeeded)",
        "",
        `Keystrokes: log group ${sessionLogGroupName}, log stream <sessionId> (written when the session ends):`,
        `  aws logs get-log-events --region <region> --log-group-name ${sessionLogGroupName} --log-stream-name <sessionId>`,
        "CloudTrail event id: <eventId>",
    ];
    return lines.map((line) => JSON.stringify(line)).join("\n");
}

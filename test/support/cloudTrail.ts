/**
 * CloudTrail records as EventBridge delivers them ("AWS API Call via CloudTrail", the record under `detail`): the
 * shared ExecuteCommand fixture, and RunTask calls built from its envelope and caller with the RunTask API's own
 * request and response members (ECS API reference, RunTask), which CloudTrail records as `requestParameters` and
 * `responseElements` (CloudTrail User Guide, "CloudTrail record contents"), by `runTaskRecord`, the record doctor
 * tests the deployed rules with. No real RunTask record is in the fixtures: the member names follow the API reference
 * and the ExecuteCommand fixture's JSON shape.
 */
import * as fs from "fs";
import * as path from "path";
import { runTaskRecord } from "../../cli/doctor/events";
import { PROJECT_DIR } from "../../synth/synth";

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";

/** The shared fixture: alice's successful ExecuteCommand call, as EventBridge delivers it. */
export function executeCommandEvent(): any {
    return JSON.parse(
        fs.readFileSync(path.join(PROJECT_DIR, "test", "fixtures", "cloudtrail", "execute-command-success.eventbridge.json"), "utf8"),
    );
}

export const REASON = "INC-4711 restore the orders of 2026-03-13";
export const RUN_TASK_ID = "0f8e9c1d2b3a4e5f60718293a4b5c6d7";

export interface RunTaskCall {
    cluster?: string;
    taskDefinition?: string;
    /** The request's tags; by default Owner (the caller) and Reason, as ecs-exec sends them. */
    tags?: { key: string; value: string }[];
    network?: { subnets?: string[]; securityGroups?: string[]; assignPublicIp?: "ENABLED" | "DISABLED" };
    /** A refused call: its error, and no response. */
    error?: { code: string; message: string };
    /** When the call was made (the envelope's time and the record's eventTime). */
    time?: string;
    taskId?: string;
}

export const DEV_NETWORK = {
    subnets: ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722"],
    securityGroups: ["sg-0123456789abcdef0"],
    assignPublicIp: "DISABLED" as const,
};

/** A RunTask of the dev exec task definition by alice, as ecs-exec sends it, started or refused. */
export function runTaskEvent(call: RunTaskCall = {}): any {
    const event = executeCommandEvent();
    const time = call.time ?? "2026-03-14T09:26:12Z";
    const cluster = call.cluster ?? "dev-ecs-exec";
    const taskDefinition = call.taskDefinition ?? "dev-ecs-exec";
    const tags = call.tags ?? [
        { key: "Owner", value: event.detail.userIdentity.principalId },
        { key: "Reason", value: REASON },
    ];
    event.id = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
    event.time = time;
    const request = {
        cluster,
        taskDefinition,
        launchType: "FARGATE",
        platformVersion: "LATEST",
        enableExecuteCommand: true,
        count: 1,
        networkConfiguration: { awsvpcConfiguration: { ...DEV_NETWORK, ...call.network } },
        tags,
        clientToken: "8f1e2d3c-4b5a-4697-8a8b-9c0d1e2f3a4b",
    };
    const outcome = call.error
        ? { error: call.error }
        : { taskId: call.taskId ?? RUN_TASK_ID, taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/dev-ecs-exec:3` };
    Object.assign(event.detail, {
        eventTime: time,
        userAgent: "aws-sdk-js/3.1164.0 ua/2.1 os/linux#6.5.0 lang/js md/nodejs#22.14.0 api/ecs#3.1164.0 m/E,N",
        eventID: "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e",
        requestID: "6e5d4c3b-2a1f-4e0d-9c8b-7a6f5e4d3c2b",
        ...runTaskRecord({ account: ACCOUNT, region: REGION, partition: "aws" }, request, outcome),
    });
    return event;
}

/** IAM's refusal of alice's RunTask, as ECS reports it. */
export const ACCESS_DENIED = {
    code: "AccessDeniedException",
    message:
        "User: arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com is not authorized " +
        "to perform: ecs:RunTask on resource: arn:aws:ecs:us-east-1:111122223333:task-definition/dev-ecs-exec:3 because no " +
        "identity-based policy allows the ecs:RunTask action",
};

/** The same call made by an IAM user (CloudTrail User Guide, "CloudTrail userIdentity element": type IAMUser). */
export function asIamUser(event: any): any {
    event.detail.userIdentity = {
        type: "IAMUser",
        principalId: "AIDAEXAMPLEUSERBOB01",
        arn: "arn:aws:iam::111122223333:user/bob",
        accountId: "111122223333",
        accessKeyId: "AKIAEXAMPLEKEYBOB001",
        userName: "bob",
    };
    return event;
}

/** A copy of `event` without the field at `parts` (a field on a missing path: the copy as it is). */
export function without(event: any, parts: string[]): any {
    const copy = JSON.parse(JSON.stringify(event));
    let node = copy;
    for (const part of parts.slice(0, -1)) {
        if (typeof node?.[part] !== "object" || node[part] === null) {
            return copy;
        }
        node = node[part];
    }
    delete node?.[parts[parts.length - 1]];
    return copy;
}

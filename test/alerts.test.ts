import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ALERT_INPUT_PATHS, alertTemplate, executeCommandPattern } from "../components/alerts";
import { matches } from "./support/eventPattern";
import { render, transformerProblems, valueAt } from "./support/inputTransformer";
import { PROJECT_DIR } from "../synth/synth";

const FIXTURE = path.join("cloudtrail", "execute-command-success.eventbridge.json");
const SESSION_LOG_GROUP = "/ecs-exec/dev/sessions";

/** The successful ExecuteCommand call of the shared fixture, as EventBridge delivers it. */
function succeeded(): any {
    return JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "test", "fixtures", FIXTURE), "utf8"));
}

/** The same call refused by IAM: CloudTrail records an error and no response. */
function refused(): any {
    const event = succeeded();
    delete event.detail.responseElements;
    event.detail.errorCode = "AccessDeniedException";
    event.detail.errorMessage =
        "User: arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com " +
        "is not authorized to perform: ecs:ExecuteCommand on resource: " +
        "arn:aws:ecs:us-east-1:111122223333:task/dev-ecs-exec/0f8e9c1d2b3a4e5f60718293a4b5c6d7 " +
        "because no identity-based policy allows the ecs:ExecuteCommand action";
    return event;
}

/** Another ECS call of the same developer. */
function otherEcsCall(eventName: string): any {
    const event = succeeded();
    event.detail.eventName = eventName;
    event.detail.requestParameters = { cluster: "dev-ecs-exec", taskDefinition: "dev-ecs-exec" };
    return event;
}

/** The message SNS e-mails for a successful call of the fixture (README shows it). */
export const RENDERED_SUCCESS = `ECS Exec: ExecuteCommand in account 111122223333, us-east-1

Who:        arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com
Principal:  AROAEXAMPLEROLEID123:alice@example.com
When:       2026-03-14T09:26:53Z
From:       203.0.113.17
Client:     aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#ecs.execute-command
Cluster:    dev-ecs-exec
Task:       arn:aws:ecs:us-east-1:111122223333:task/dev-ecs-exec/0f8e9c1d2b3a4e5f60718293a4b5c6d7
Container:  dev-ecs-exec
Command:    /bin/bash
Session id: ecs-execute-command-0a1b2c3d4e5f6a7b8   (empty: no session was opened)
Refused:        (empty: the call succeeded)

Keystrokes: log group /ecs-exec/dev/sessions, log stream ecs-execute-command-0a1b2c3d4e5f6a7b8 (written when the session ends):
  aws logs get-log-events --region us-east-1 --log-group-name /ecs-exec/dev/sessions --log-stream-name ecs-execute-command-0a1b2c3d4e5f6a7b8
CloudTrail event id: a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d`;

describe("ExecuteCommand alert", () => {
    describe("event pattern", () => {
        const pattern = executeCommandPattern();

        it("matches a successful ExecuteCommand call", () => assert.equal(matches(pattern, succeeded()), true));

        it("matches a refused ExecuteCommand call (errorCode, no response)", () =>
            assert.equal(matches(pattern, refused()), true));

        for (const eventName of ["RunTask", "StopTask", "DescribeTasks"]) {
            it(`does not match ${eventName}`, () => assert.equal(matches(pattern, otherEcsCall(eventName)), false));
        }

        it("does not match an ExecuteCommand-named call of another service", () => {
            const ssm = succeeded();
            ssm.source = "aws.ssm";
            ssm.detail.eventSource = "ssm.amazonaws.com";
            assert.equal(matches(pattern, ssm), false);
            const mislabelled = succeeded();
            mislabelled.detail.eventSource = "ecs-tasks.amazonaws.com";
            assert.equal(matches(pattern, mislabelled), false);
        });

        it("does not match an application's own event that copies the shape", () => {
            const custom = succeeded();
            custom.source = "com.example.orders";
            assert.equal(matches(pattern, custom), false);
        });

        it("does not match other ECS events (task state changes)", () => {
            const stateChange = succeeded();
            stateChange["detail-type"] = "ECS Task State Change";
            assert.equal(matches(pattern, stateChange), false);
        });
    });

    describe("input transformer", () => {
        const template = alertTemplate(SESSION_LOG_GROUP);
        const unresolved = (event: unknown) =>
            Object.entries(ALERT_INPUT_PATHS)
                .filter(([, p]) => valueAt(event, p) === undefined)
                .map(([name]) => name);

        it("stays within EventBridge's limits: at most 100 paths, valid keys, template at most 8192 characters", () => {
            assert.deepEqual(transformerProblems(ALERT_INPUT_PATHS, template), []);
        });

        it("resolves every path in a successful call but the error ones", () =>
            assert.deepEqual(unresolved(succeeded()), ["errorCode", "errorMessage"]));

        it("resolves every path in a refused call but the session id", () =>
            assert.deepEqual(unresolved(refused()), ["sessionId"]));

        it("renders a successful call as a message a human reads: who, where, which session, where its keystrokes are", () => {
            assert.equal(render(ALERT_INPUT_PATHS, template, succeeded()), RENDERED_SUCCESS);
        });

        it("renders a refused call with its error code and message, and no session", () => {
            const message = render(ALERT_INPUT_PATHS, template, refused());
            assert.match(message, /^Refused: {4}AccessDeniedException User: arn:aws:sts::111122223333:assumed-role\/.* is not authorized to perform: ecs:ExecuteCommand/m);
            assert.match(message, /^Session id: {4}\(empty: no session was opened\)$/m);
            assert.match(message, /^Who: {8}arn:aws:sts::111122223333:assumed-role\/AWSReservedSSO_Developer_0123456789abcdef\/alice@example.com$/m);
            assert.match(message, /^Task: {7}arn:aws:ecs:us-east-1:111122223333:task\/dev-ecs-exec\/0f8e9c1d/m);
        });

        it("shows the rendered example in README", () => {
            const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
            assert.ok(readme.includes("```text\n" + RENDERED_SUCCESS + "\n```"), "README shows the rendered alert");
        });
    });
});

import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    AlertDefinition,
    alertsCovering,
    startSessionAlerts,
    startSessionCalls,
    UNLISTED_FORWARDING_ALERT_ID,
    unlistedForwardingAlert,
} from "../../components/audit";
import { ConfigError } from "../../components/config";
import { asIamUser, without } from "../support/cloudTrail";
import { matches } from "../support/eventPattern";
import { render, transformerProblems, valueAt } from "../support/inputTransformer";
import { PROJECT_DIR } from "../../synth/synth";
import { readDoc } from "../support/docs";

const ALERTS = startSessionAlerts("dev-ecs-exec");
const byId = (id: string) => ALERTS.find((alert) => alert.id === id)!;
const renderAlert = (alert: AlertDefinition, event: unknown) => render(alert.inputPaths, alert.inputTemplate, event);
const matching = (event: unknown) => ALERTS.filter((alert) => matches(alert.eventPattern, event)).map((alert) => alert.id);

/** `ecs-exec forward`'s StartSession as EventBridge delivers it (this repository's fixture, see test/fixtures/README.md). */
function forwarded(): any {
    return JSON.parse(
        fs.readFileSync(path.join(PROJECT_DIR, "test", "fixtures", "cloudtrail", "start-session-port-forwarding.eventbridge.json"), "utf8"),
    );
}

/** The default shell straight to the task: no document, no parameters (what the developer policy denies). */
function shell(event = forwarded()): any {
    event.detail.requestParameters = { target: event.detail.requestParameters.target };
    return event;
}

/** Refused, as CloudTrail records a refused call: an error, and no response. */
function refused(event = forwarded()): any {
    event.detail.responseElements = null;
    event.detail.errorCode = "AccessDenied";
    event.detail.errorMessage =
        `User: ${event.detail.userIdentity.arn} is not authorized to perform: ssm:StartSession on resource: ` +
        "arn:aws:ecs:us-east-1:111122223333:task/dev-ecs-exec/0f8e9c1d2b3a4e5f60718293a4b5c6d7 with an explicit deny in an identity-based policy";
    return event;
}

const byIamUser = (event = forwarded()): any => asIamUser(event);

/**
 * The `detail` fields the templates read, as property paths (an array's first element: the array); not the target,
 * which decides whether a call concerns the cluster at all.
 */
const READ_PATHS = [...new Set(ALERTS.flatMap((alert) => Object.values(alert.inputPaths)))]
    .filter((p) => p.startsWith("$.detail.") && p !== "$.detail.requestParameters.target")
    .map((p) => p.slice(2).replace(/\[0\]$/, "").split("."));

function startSessionCallsOnTheCluster(): [string, any][] {
    const bases: [string, any][] = [
        ["the forwarding fixture", forwarded()],
        ["the fixture, refused", refused()],
        ["a default shell", shell()],
        ["a default shell, refused", refused(shell())],
        ["an IAM user's forwarding", byIamUser()],
    ];
    const calls: [string, any][] = [...bases];
    for (const [name, event] of bases) {
        for (const parts of READ_PATHS) {
            calls.push([`${name} without ${parts.join(".")}`, without(event, parts)]);
        }
        for (const part of ["userIdentity", "responseElements", "requestParameters.parameters", "requestParameters.documentName"]) {
            calls.push([`${name} without detail.${part}`, without(event, ["detail", ...part.split(".")])]);
        }
        const emptyHost = JSON.parse(JSON.stringify(event));
        if (emptyHost.detail.requestParameters.parameters) {
            emptyHost.detail.requestParameters.parameters.host = [];
            calls.push([`${name} with an empty host list`, emptyHost]);
        }
    }
    return calls;
}

/** The messages SNS e-mails, as README shows them. */
export const RENDERED_SESSIONS: Record<string, { event: string; text: string; example: () => any }> = {
    "start-session-forward": {
        event: "the forwarding fixture",
        example: forwarded,
        text: `ECS Exec: a port forwarding session was opened through a task in account 111122223333, us-east-1

Who:        arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com
Principal:  AROAEXAMPLEROLEID123:alice@example.com   (aws:userid: the Owner tag of the tasks it starts)
When:       2026-03-14T10:12:31Z
From:       203.0.113.17
Client:     aws-sdk-js/3.1164.0 ua/2.1 os/linux#6.5.0 lang/js md/nodejs#22.12.0 api/ssm#3.1164.0 m/E
Target:     ecs:dev-ecs-exec_0f8e9c1d2b3a4e5f60718293a4b5c6d7_0f8e9c1d2b3a4e5f60718293a4b5c6d7-1527056392   (ecs:cluster_task id_container runtime id)
Document:   AWS-StartPortForwardingSessionToRemoteHost
Forwards:   to orders-db.dev.example.com port 5432
Session id: alice@example.com-0d2b6f1a9c3e5b7d4

A port forwarding session has no transcript: the exec task's security group decides where it may go.
CloudTrail event id: c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f`,
    },
    "start-session-other": {
        event: "a default shell straight to the task",
        example: shell,
        text: `ECS Exec: a Session Manager session was opened straight to a task in account 111122223333, us-east-1

Who:        arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com
Principal:  AROAEXAMPLEROLEID123:alice@example.com   (aws:userid: the Owner tag of the tasks it starts)
When:       2026-03-14T10:12:31Z
From:       203.0.113.17
Client:     aws-sdk-js/3.1164.0 ua/2.1 os/linux#6.5.0 lang/js md/nodejs#22.12.0 api/ssm#3.1164.0 m/E
Target:     ecs:dev-ecs-exec_0f8e9c1d2b3a4e5f60718293a4b5c6d7_0f8e9c1d2b3a4e5f60718293a4b5c6d7-1527056392   (ecs:cluster_task id_container runtime id)
Session id: alice@example.com-0d2b6f1a9c3e5b7d4

Not a port forwarding: most likely a shell, which ECS Exec does not log. The developer policy denies it, so the
caller's other permissions allowed it. The document (none: the default shell) is in the CloudTrail record:
  aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=EventId,AttributeValue=c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f`,
    },
    "start-session-refused": {
        event: "the forwarding fixture refused by IAM",
        example: () => refused(),
        text: `ECS Exec: a Session Manager session straight to a task was refused in account 111122223333, us-east-1

Who:        arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com
Principal:  AROAEXAMPLEROLEID123:alice@example.com   (aws:userid: the Owner tag of the tasks it starts)
When:       2026-03-14T10:12:31Z
From:       203.0.113.17
Client:     aws-sdk-js/3.1164.0 ua/2.1 os/linux#6.5.0 lang/js md/nodejs#22.12.0 api/ssm#3.1164.0 m/E
Target:     ecs:dev-ecs-exec_0f8e9c1d2b3a4e5f60718293a4b5c6d7_0f8e9c1d2b3a4e5f60718293a4b5c6d7-1527056392   (ecs:cluster_task id_container runtime id)
Refused:    AccessDenied: User: arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com is not authorized to perform: ssm:StartSession on resource: arn:aws:ecs:us-east-1:111122223333:task/dev-ecs-exec/0f8e9c1d2b3a4e5f60718293a4b5c6d7 with an explicit deny in an identity-based policy

No session was opened. The whole request (document, parameters) is in its CloudTrail record:
  aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=EventId,AttributeValue=c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f`,
    },
    "start-session-unmatched": {
        event: "the fixture without its response elements",
        example: () => without(forwarded(), ["detail", "responseElements"]),
        text: `ECS Exec: a Session Manager StartSession on a task of dev-ecs-exec in account 111122223333, us-east-1 at 2026-03-14T10:12:31Z

Its CloudTrail record lacks a field the other session alerts read (caller, address, client, document, host,
port, session or error), so this message carries only what every event has. Find the record:
  aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=EventName,AttributeValue=StartSession --start-time 2026-03-14T10:12:31Z
EventBridge event id: 7b8f9a0c-c5a2-4d08-b0e2-c0f4814578a9`,
    },
};

describe("Session Manager session alerts (StartSession straight to a task of the cluster)", () => {
    it("are a forwarding alert, one for any other session, a refusal alert and one for records lacking what they read", () => {
        assert.deepEqual(
            ALERTS.map((alert) => alert.id),
            ["start-session-forward", "start-session-other", "start-session-refused", "start-session-unmatched"],
        );
    });

    it("match every StartSession on the cluster's tasks exactly once, each with a template whose every placeholder has a value", () => {
        for (const [name, event] of startSessionCallsOnTheCluster()) {
            const found = ALERTS.filter((alert) => matches(alert.eventPattern, event));
            assert.equal(found.length, 1, `${name}: matched by ${found.map((a) => a.id).join(", ") || "no alert"}`);
            assert.doesNotThrow(() => renderAlert(found[0], event), `${name}: rendered by ${found[0].id}`);
        }
    });

    it("send a forwarding to the forwarding alert, a shell to the other-session alert, a refusal to the refusal alert", () => {
        assert.deepEqual(matching(forwarded()), ["start-session-forward"]);
        assert.deepEqual(matching(byIamUser()), ["start-session-forward"]);
        assert.deepEqual(matching(shell()), ["start-session-other"]);
        assert.deepEqual(matching(refused()), ["start-session-refused"]);
        assert.deepEqual(matching(refused(shell())), ["start-session-refused"]);
    });

    it("match no session on another cluster's task, an instance, or a cluster whose name only begins alike; no other call", () => {
        const target = (value: string) => {
            const event = forwarded();
            event.detail.requestParameters.target = value;
            return event;
        };
        const terminate = forwarded();
        terminate.detail.eventName = "TerminateSession";
        const mislabelled = forwarded();
        mislabelled.source = "aws.ecs";
        for (const event of [
            target("ecs:payments_0f8e9c1d2b3a4e5f60718293a4b5c6d7_0f8e9c1d2b3a4e5f60718293a4b5c6d7-1527056392"),
            target("ecs:dev-ecs-exec2_0f8e9c1d2b3a4e5f60718293a4b5c6d7_0f8e-1"),
            target("i-0123456789abcdef0"),
            target("ECS:dev-ecs-exec_0f8e9c1d2b3a4e5f60718293a4b5c6d7_0f8e-1"),
            terminate,
            mislabelled,
        ]) {
            assert.deepEqual(matching(event), [], JSON.stringify(event.detail.requestParameters));
        }
    });

    it("stay within EventBridge's limits: patterns of at most 2048 characters, transformers within theirs", () => {
        for (const alert of ALERTS) {
            assert.ok(JSON.stringify(alert.eventPattern).length <= 2048, alert.id);
            assert.deepEqual(transformerProblems(alert.inputPaths, alert.inputTemplate), [], alert.id);
        }
    });

    for (const [id, { event, text, example }] of Object.entries(RENDERED_SESSIONS)) {
        it(`${id}: renders ${event} as the message README shows`, () => {
            assert.equal(renderAlert(byId(id), example()), text);
        });
    }

    it("docs/security.md shows every message verbatim", () => {
        const page = readDoc("security");
        for (const [id, { text }] of Object.entries(RENDERED_SESSIONS)) {
            assert.ok(page.includes("```text\n" + text + "\n```"), `docs/security.md shows the ${id} message`);
        }
    });

    it("(the transformer model) reads an array's element by index, and nothing where there is no such element", () => {
        const event = { detail: { parameters: { host: ["orders-db"], port: "5432" } } };
        assert.equal(valueAt(event, "$.detail.parameters.host[0]"), "orders-db");
        assert.equal(valueAt(event, "$.detail.parameters.host[1]"), undefined);
        assert.equal(valueAt(event, "$.detail.parameters.port[0]"), undefined, "a string is no array");
        assert.throws(() => valueAt(event, "$.detail['parameters']"), /not a dot-notation JSON path/);
    });

    describe("alertsCovering with a base pattern that filters under detail", () => {
        const unmatched = { id: "other", description: "other", inputPaths: { time: "$.time" }, lines: ["<time>"] };

        it("lets a template read a leaf the base pattern matches by value, and an array's first element, requiring the array", () => {
            const [alert] = alertsCovering(
                startSessionCalls("dev-ecs-exec"),
                [{ id: "a", description: "a", when: {}, inputPaths: { target: "$.detail.requestParameters.target", host: "$.detail.requestParameters.parameters.host[0]" }, lines: ["<target> <host>"] }],
                unmatched,
            );
            assert.deepEqual((alert.eventPattern.detail as any).requestParameters, {
                target: [{ prefix: "ecs:dev-ecs-exec_" }],
                parameters: { host: [{ exists: true }] },
            });
        });

        it("refuses a path into an array past its first element", () => {
            assert.throws(
                () => alertsCovering(startSessionCalls("x"), [{ id: "a", description: "a", when: {}, inputPaths: { p: "$.detail.requestParameters.parameters.portNumber[1]" }, lines: ["<p>"] }], unmatched),
                /one element of a list, which no pattern can require/,
            );
        });
    });
});

describe("forwarding to a destination the stack does not list", () => {
    const DESTINATIONS = [
        { host: "orders-db.dev.example.com", port: 5432 },
        { host: "orders-db.dev.example.com", port: 5433 },
        { host: "10.0.8.15", port: 6379 },
    ];
    const UNLISTED = unlistedForwardingAlert("dev-ecs-exec", DESTINATIONS);
    const REMOTE_HOST = "AWS-StartPortForwardingSessionToRemoteHost";
    const to = (host: string, port: string, event = forwarded()) => {
        event.detail.requestParameters.parameters = { ...event.detail.requestParameters.parameters, host: [host], portNumber: [port] };
        return event;
    };
    /**
     * The fixture's call with another request: CloudTrail records the request's members as it gave them, so a member
     * it left out (a document, its parameters, one parameter) is not in the record.
     */
    const request = (documentName: string | undefined, parameters: Record<string, string[]> | undefined, event = forwarded()) => {
        const { target } = event.detail.requestParameters;
        event.detail.requestParameters = { target, ...(documentName ? { documentName } : {}), ...(parameters ? { parameters } : {}) };
        return event;
    };
    /** Every alert the stack has on StartSession to a task, the added one included. */
    const alerts = [...ALERTS, UNLISTED];
    const fired = (event: unknown) => alerts.filter((alert) => matches(alert.eventPattern, event)).map((alert) => alert.id);
    const shown = (alert: AlertDefinition, event: unknown) => JSON.stringify(JSON.parse(renderAlert(alert, event)), null, 2);

    it("alerts, besides the session alert, on a listener in the task itself: 127.0.0.1, localhost, the task's own address", () => {
        for (const [host, port] of [["127.0.0.1", "22"], ["localhost", "8080"], ["10.0.3.57", "2222"], ["0.0.0.0", "22"]]) {
            assert.deepEqual(fired(to(host, port)), ["start-session-forward", UNLISTED_FORWARDING_ALERT_ID], `${host}:${port}`);
        }
    });

    it("alerts on a listed host at a port not listed for it, and on a listed port of another host", () => {
        assert.deepEqual(fired(to("orders-db.dev.example.com", "22")), ["start-session-forward", UNLISTED_FORWARDING_ALERT_ID]);
        assert.deepEqual(fired(to("10.0.8.15", "5432")), ["start-session-forward", UNLISTED_FORWARDING_ALERT_ID]);
    });

    it("alerts on a listed host without a port: the port is the document's default, which AWS documents for none", () => {
        for (const host of ["orders-db.dev.example.com", "10.0.8.15"]) {
            const withoutPort = request(REMOTE_HOST, { host: [host], localPortNumber: ["5432"] });
            // The forwarding alert reads the port, so the session family reports it as a record lacking a field.
            assert.deepEqual(fired(withoutPort), ["start-session-unmatched", UNLISTED_FORWARDING_ALERT_ID], host);
            assert.deepEqual(fired(request(REMOTE_HOST, { host: [host], portNumber: [] })), ["start-session-unmatched", UNLISTED_FORWARDING_ALERT_ID], `${host}, []`);
        }
        // Not even where port 80 is listed: a default is no documented value, and a new version of the document may change it.
        const web = unlistedForwardingAlert("dev-ecs-exec", [{ host: "web.dev.example.com", port: 80 }]);
        assert.equal(matches(web.eventPattern, request(REMOTE_HOST, { host: ["web.dev.example.com"] })), true);
        assert.equal(matches(web.eventPattern, request(REMOTE_HOST, { host: ["web.dev.example.com"], portNumber: ["80"] })), false);
    });

    it("alerts on the remote-host document without a host: with a port, without, with no parameters, with an empty host list", () => {
        const parameterSets: (Record<string, string[]> | undefined)[] = [
            { portNumber: ["5432"], localPortNumber: ["5432"] },
            { localPortNumber: ["5432"] },
            undefined,
            { host: [], portNumber: ["5432"] },
        ];
        for (const parameters of parameterSets) {
            assert.deepEqual(fired(request(REMOTE_HOST, parameters)), ["start-session-other", UNLISTED_FORWARDING_ALERT_ID], JSON.stringify(parameters));
        }
    });

    it("alerts on every forwarding to the task itself, with a port or without (the document's default), to a socket", () => {
        for (const documentName of ["AWS-StartPortForwardingSession", "AWS-StartSSHSession"]) {
            const parameterSets: (Record<string, string[]> | undefined)[] = [{ portNumber: ["5432"], localPortNumber: ["5432"] }, { portNumber: ["22"] }, { localPortNumber: ["8080"] }, undefined];
            for (const parameters of parameterSets) {
                assert.deepEqual(fired(request(documentName, parameters)), ["start-session-other", UNLISTED_FORWARDING_ALERT_ID], `${documentName} ${JSON.stringify(parameters)}`);
            }
        }
        assert.deepEqual(fired(request("AWS-StartPortForwardingSessionToSocket", undefined)), ["start-session-other", UNLISTED_FORWARDING_ALERT_ID]);
        // A destination listed as localhost is reached with the remote-host document; through the task's own port it still alerts.
        const local = unlistedForwardingAlert("dev-ecs-exec", [{ host: "localhost", port: 5432 }]);
        assert.equal(matches(local.eventPattern, request(REMOTE_HOST, { host: ["localhost"], portNumber: ["5432"] })), false);
        assert.equal(matches(local.eventPattern, request("AWS-StartPortForwardingSession", { portNumber: ["5432"] })), true);
    });

    it("knows the documents by ARN too", () => {
        const arn = (name: string) => `arn:aws:ssm:us-east-1::document/${name}`;
        assert.deepEqual(fired(request(arn("AWS-StartPortForwardingSession"), { portNumber: ["22"] })), ["start-session-other", UNLISTED_FORWARDING_ALERT_ID]);
        assert.deepEqual(fired(request(arn(REMOTE_HOST), { portNumber: ["22"] })), ["start-session-other", UNLISTED_FORWARDING_ALERT_ID]);
        assert.deepEqual(fired(request(arn(REMOTE_HOST), { host: ["orders-db.dev.example.com"], portNumber: ["5432"] })), ["start-session-forward"]);
    });

    it("stays silent on every configured destination, on sessions that forward nothing, and on refused calls, which the refusal alert reports", () => {
        for (const { host, port } of DESTINATIONS) {
            assert.deepEqual(fired(to(host, String(port))), ["start-session-forward"], `${host}:${port}`);
            assert.deepEqual(fired(request(REMOTE_HOST, { host: [host], portNumber: [String(port)] })), ["start-session-forward"], `${host}:${port}, no local port`);
        }
        assert.deepEqual(fired(refused(to("127.0.0.1", "22"))), ["start-session-refused"]);
        assert.deepEqual(fired(refused(request(REMOTE_HOST, { host: ["orders-db.dev.example.com"] }))), ["start-session-refused"]);
        assert.deepEqual(fired(refused(request("AWS-StartPortForwardingSession", undefined))), ["start-session-refused"]);
        assert.deepEqual(fired(shell()), ["start-session-other"], "a shell is no forwarding");
        assert.deepEqual(fired(request("AWS-StartInteractiveCommand", { command: ["bash"] })), ["start-session-other"], "nor is a command");
        assert.deepEqual(fired(request("SSM-SessionManagerRunShell", undefined)), ["start-session-other"], "nor the default shell named");
    });

    it("with no destination configured, alerts on every forwarding, with or without host and port", () => {
        const none = unlistedForwardingAlert("dev-ecs-exec", []);
        assert.equal(matches(none.eventPattern, to("orders-db.dev.example.com", "5432")), true);
        assert.equal(matches(none.eventPattern, request(REMOTE_HOST, { host: ["orders-db.dev.example.com"] })), true);
        assert.equal(matches(none.eventPattern, request(REMOTE_HOST, undefined)), true);
        assert.equal(matches(none.eventPattern, request("AWS-StartPortForwardingSession", undefined)), true);
        assert.equal(matches(none.eventPattern, shell()), false);
    });

    it("stays within EventBridge's limits: a pattern of at most 2048 characters with several destinations, a transformer within its", () => {
        const six = Array.from({ length: 6 }, (_, i) => ({ host: `replica-${i}.orders-db.dev.example.com`, port: 5432 + i }));
        for (const alert of [UNLISTED, unlistedForwardingAlert("dev-ecs-exec", six)]) {
            const size = JSON.stringify(alert.eventPattern).length;
            assert.ok(size <= 2048, `${size} characters`);
        }
        assert.deepEqual(transformerProblems(UNLISTED.inputPaths, UNLISTED.inputTemplate), []);
    });

    it("refuses destinations whose pattern EventBridge would refuse, as a config problem naming ecs-exec:portForwarding", () => {
        const many = Array.from({ length: 12 }, (_, i) => ({ host: `replica-${i}.orders-db.eu-central-1.dev.example.com`, port: 5432 + i }));
        assert.throws(
            () => unlistedForwardingAlert("dev-ecs-exec", many),
            (e: Error) =>
                e instanceof ConfigError &&
                e.problems.length === 1 &&
                e.problems[0].key === "ecs-exec:portForwarding" &&
                /fits EventBridge's event pattern limit of 2048 characters \(these need \d+\): fewer hosts, or shorter host names/.test(e.problems[0].allowed),
        );
    });

    it("says where the session went, as the request shows it, and what the stack lists, for every call it matches", () => {
        const message = JSON.parse(renderAlert(UNLISTED, to("127.0.0.1", "22")));
        assert.deepEqual(message.request.parameters, { host: ["127.0.0.1"], portNumber: ["22"], localPortNumber: ["5432"] });
        assert.equal(message.listed, "orders-db.dev.example.com:5432, orders-db.dev.example.com:5433, 10.0.8.15:6379");
        for (const event of [
            request(REMOTE_HOST, { host: ["orders-db.dev.example.com"] }),
            request(REMOTE_HOST, undefined),
            request("AWS-StartPortForwardingSession", undefined),
            request("AWS-StartSSHSession", { portNumber: ["22"] }),
        ]) {
            assert.equal(matches(UNLISTED.eventPattern, event), true);
            assert.deepEqual(JSON.parse(renderAlert(UNLISTED, event)).request, event.detail.requestParameters);
        }
    });

    it("is docs/security.md's sample, word for word, for dev's one destination", () => {
        const dev = unlistedForwardingAlert("dev-ecs-exec", [{ host: "orders-db.dev.example.com", port: 5432 }]);
        const text = shown(dev, to("127.0.0.1", "22"));
        assert.ok(readDoc("security").includes(`\`\`\`json\n${text}\n\`\`\``), text);
    });

    it("(every StartSession alert, the added one included, names the cluster's tasks only)", () => {
        const elsewhere = request("AWS-StartPortForwardingSession", undefined);
        elsewhere.detail.requestParameters.target = "ecs:payments_0f8e9c1d2b3a4e5f60718293a4b5c6d7_0f8e-1";
        assert.deepEqual(alerts.filter((alert) => matches(alert.eventPattern, elsewhere)), []);
    });
});

import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OutputsError } from "../../cli/errors";
import { loadStackOutputs, parseStackOutputs } from "../../cli/outputs";
import { synthStack } from "../support/synthRun";

function rejection(promise: Promise<unknown>): Promise<OutputsError> {
    return promise.then(
        () => assert.fail("expected an OutputsError"),
        (e: unknown) => {
            assert.ok(e instanceof OutputsError, String(e));
            assert.equal(e.exitCode, 3);
            return e;
        },
    );
}

describe("stack outputs for ecs-exec", () => {
    let dev: Record<string, unknown>;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-exec-outputs-"));
    const file = (name: string, content: string) => {
        const filePath = path.join(dir, name);
        fs.writeFileSync(filePath, content);
        return filePath;
    };

    before(async () => {
        dev = (await synthStack("dev")).outputs;
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("takes the outputs a deployed stack exports (the synthesized dev stack's)", () => {
        const outputs = parseStackOutputs(dev, "dev outputs", "dev");
        assert.equal(outputs.clusterName, "dev-ecs-exec");
        assert.equal(outputs.maxSessionHours, 8);
        assert.equal(outputs.assignPublicIp, true);
        assert.equal(outputs.sessionLogGroupName, "/ecs-exec/dev/sessions");
    });

    it("names every output that is missing or of the wrong kind, all at once", () => {
        const { clusterName: _cluster, containerName: _container, ...partial } = dev;
        assert.throws(
            () => parseStackOutputs({ ...partial, subnetIds: "subnet-1", assignPublicIp: "true" }, "old.json"),
            (e: Error) =>
                e instanceof OutputsError &&
                e.message.startsWith(
                    "old.json lacks what ecs-exec needs: clusterName is missing; containerName is missing; " +
                        "subnetIds is not a list of subnet ids; assignPublicIp is not true or false.",
                ),
        );
    });

    it("takes the forwarding destinations when there are, checks them, and does without them (deployments older than forward)", () => {
        assert.deepEqual(parseStackOutputs(dev, "dev.json").portForwarding, [{ name: "orders-db", host: "orders-db.dev.example.com", port: 5432 }]);
        const { portForwarding: _forwarding, ...older } = dev;
        assert.equal(parseStackOutputs(older, "old.json").portForwarding, undefined);
        assert.throws(
            () => parseStackOutputs({ ...dev, portForwarding: [{ name: "orders-db", port: "5432" }] }, "dev.json"),
            /portForwarding is not a list of \{ name, host, port \}/,
        );
    });

    it("refuses outputs of another stack, and accepts a qualified stack name", () => {
        assert.throws(() => parseStackOutputs(dev, "dev.json", "prod"), /dev.json holds the outputs of stack "dev", not "prod"/);
        assert.equal(parseStackOutputs(dev, "dev.json", "acme/ecs-exec/dev").stack, "dev");
    });

    it("reads --outputs FILE, and says what is wrong with an unreadable or non-JSON one", async () => {
        const outputs = await loadStackOutputs({ outputsFile: file("dev.json", JSON.stringify(dev)) });
        assert.equal(outputs.stack, "dev");
        assert.match((await rejection(loadStackOutputs({ outputsFile: path.join(dir, "none.json") }))).message, /cannot read .*none\.json/);
        assert.match((await rejection(loadStackOutputs({ outputsFile: file("bad.json", "Current stack is dev") }))).message, /is not JSON/);
    });

    it("asks the Pulumi CLI for the stack's outputs when no file is given", async () => {
        const calls: string[][] = [];
        const outputs = await loadStackOutputs({ stack: "dev" }, async (args) => {
            calls.push(args);
            return JSON.stringify(dev);
        });
        assert.deepEqual(calls, [["stack", "output", "--json", "--stack", "dev"]]);
        assert.equal(outputs.region, "us-east-1");
    });

    it("without the Pulumi CLI, says to pass --outputs and how to make the file", async () => {
        const missing = Object.assign(new Error("spawn pulumi ENOENT"), { code: "ENOENT" });
        const error = await rejection(loadStackOutputs({ stack: "prod" }, () => Promise.reject(missing)));
        assert.match(error.message, /Pulumi CLI is not installed/);
        assert.match(error.message, /pulumi stack output --json --stack prod > FILE/);
    });

    it("passes on what the Pulumi CLI said when it fails", async () => {
        const failed = Object.assign(new Error("Command failed"), { code: 255, stderr: "error: no stack named 'qa' found\n" });
        const error = await rejection(loadStackOutputs({ stack: "qa" }, () => Promise.reject(failed)));
        assert.equal(error.message, "pulumi stack output --json --stack qa failed: error: no stack named 'qa' found");
    });
});

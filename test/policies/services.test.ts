import { strict as assert } from "assert";
import { fargatePlatformVersion, noExecOnServices, supportsExec } from "../../policies/rules/services";
import { resourceViolations, stackViolations, TestResource, UNKNOWN_VALUE } from "./support";

const service = (props: Record<string, unknown>, dependsOn?: Record<string, string[]>): TestResource => ({ type: "aws:ecs/service:Service", name: "svc", props, dependsOn });

describe("services", () => {
    it("do not turn exec on for long-running tasks", () => {
        assert.deepEqual(resourceViolations(noExecOnServices, service({ enableExecuteCommand: true })), ["enableExecuteCommand is on for a long-running service"]);
        assert.deepEqual(resourceViolations(noExecOnServices, service({ enableExecuteCommand: false })), []);
        assert.deepEqual(resourceViolations(noExecOnServices, service({ enableExecuteCommand: UNKNOWN_VALUE })), []);
    });

    it("accept LATEST and Fargate platform versions from 1.4.0", () => {
        for (const version of ["LATEST", "1.4.0", "1.10.0", "2.0.0"]) {
            assert.ok(supportsExec(version), version);
        }
        for (const version of ["1.3.0", "1.0.0"]) {
            assert.ok(!supportsExec(version), version);
        }
    });

    it("report an old platform version on a Linux service, not on a Windows one", () => {
        const windows: TestResource = { type: "aws:ecs/taskDefinition:TaskDefinition", name: "win", props: { runtimePlatform: { operatingSystemFamily: "WINDOWS_SERVER_2022_CORE" } } };
        assert.deepEqual(stackViolations(fargatePlatformVersion, [service({ platformVersion: "1.3.0" })]), [
            { message: "platformVersion 1.3.0 is older than 1.4.0: exec does not work on it", resource: "svc" },
        ]);
        assert.deepEqual(stackViolations(fargatePlatformVersion, [windows, service({ platformVersion: "1.0.0", taskDefinition: UNKNOWN_VALUE }, { taskDefinition: ["win"] })]), []);
        assert.deepEqual(stackViolations(fargatePlatformVersion, [service({ platformVersion: UNKNOWN_VALUE }), service({})]), []);
    });
});

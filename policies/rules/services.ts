/** Services: long-running tasks are never opened for exec (exec goes through the ephemeral, audited exec task). */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../lib/types";
import { forStack, forTypes } from "../lib/rule";
import { at } from "../lib/values";

export const noExecOnServices: ResourceValidationPolicy = {
    name: "no-exec-on-services",
    description:
        "Services do not turn on enableExecuteCommand: a shell goes into an ephemeral exec task started for it, never " +
        "into the tasks that serve traffic.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Remove enableExecuteCommand from the service; start an exec task (same image, exec task definition) with " +
        "`aws ecs run-task --enable-execute-command` when someone needs a shell.",
    validateResource: forTypes([TYPES.service], (service, report) => {
        if (service.props.enableExecuteCommand === true) {
            report("enableExecuteCommand is on for a long-running service");
        }
    }),
};

/** Whether a Fargate platform version is LATEST or at least 1.4.0 (the first with exec on Linux). */
export function supportsExec(platformVersion: string): boolean {
    if (platformVersion.toUpperCase() === "LATEST") {
        return true;
    }
    const [major, minor] = platformVersion.split(".").map(Number);
    return major > 1 || (major === 1 && minor >= 4);
}

export const fargatePlatformVersion: StackValidationPolicy = {
    name: "fargate-platform-version",
    description: "A Linux Fargate service's platformVersion, if set, is LATEST or 1.4.0 or later (what exec needs).",
    enforcementLevel: "mandatory",
    remediationSteps: "Remove platformVersion (LATEST) or set it to 1.4.0 or later.",
    validateStack: forStack((stack, report) => {
        for (const service of stack.ofType(TYPES.service)) {
            const version = service.props.platformVersion;
            // Windows Fargate has its own platform versions (1.0.0), with which exec works.
            const windows = stack
                .referenced(service, "taskDefinition", [TYPES.taskDefinition])
                .some((td) => String(at(td.props, "runtimePlatform", "operatingSystemFamily")).startsWith("WINDOWS"));
            if (typeof version === "string" && !windows && !supportsExec(version)) {
                report(`platformVersion ${version} is older than 1.4.0: exec does not work on it`, service);
            }
        }
    }),
};

export const serviceRules = [noExecOnServices, fargatePlatformVersion];

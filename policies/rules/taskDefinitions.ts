/**
 * Task definitions. Exec task definitions are told apart by what they are (lib/exec.ts), so these rules run on the
 * whole stack: the containers developers may exec into need an init process and a writable root; every other
 * container keeps a read-only root (Security Hub ECS.5); no task is privileged, shares the host's namespaces or
 * carries AWS keys in its environment.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { containerName, containersOf, execContainerTest, isExecTaskDefinition } from "../lib/exec";
import { TYPES } from "../lib/types";
import { forStack, forTypes, Report, ReportOn } from "../lib/rule";
import { Resource, Stack } from "../lib/stack";
import { at, Fields, isUnknown, listOf } from "../lib/values";

/** The containers `offends` picks out, by name; none while the container definitions are unknown. */
function offendingContainers(taskDefinition: Resource, offends: (container: Fields) => boolean, inScope: (name: string) => boolean = () => true): string[] {
    const containers = containersOf(taskDefinition);
    return isUnknown(containers)
        ? []
        : containers.flatMap((c, i) => {
              const name = containerName(c, i);
              return inScope(name) && offends(c) ? [name] : [];
          });
}

/**
 * Reports, on each task definition, the containers `offends` picks out among the exec containers (`exec` true) or
 * the others (`exec` false). An exec container is one developers may exec into: a container of an exec task
 * definition that the stack's exec grants name (every container, where no grant names one). A sidecar of an exec
 * task definition is not one, and keeps the rules of every other container.
 */
function containersOfTaskDefinitions(
    exec: boolean,
    offends: (container: Fields) => boolean,
    message: (containers: string[]) => string,
) {
    return forStack((stack: Stack, report: ReportOn) => {
        const execContainer = execContainerTest(stack);
        for (const taskDefinition of stack.ofType(TYPES.taskDefinition)) {
            const execTaskDefinition = isExecTaskDefinition(stack, taskDefinition);
            if (isUnknown(execTaskDefinition) || (exec && !execTaskDefinition)) {
                continue;
            }
            const inScope = (name: string) => (execTaskDefinition ? execContainer(name) === exec : !exec);
            const offending = offendingContainers(taskDefinition, offends, inScope);
            if (offending.length > 0) {
                report(message(offending), taskDefinition);
            }
        }
    });
}

export const execTaskInitProcess: StackValidationPolicy = {
    name: "exec-task-init-process",
    description:
        "Exec task definitions run an init process (linuxParameters.initProcessEnabled) in every container developers " +
        "may exec into: the ones the stack's exec grants name in ecs:container-name, or all where none is named.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Set linuxParameters.initProcessEnabled to true on the exec container(s): the SSM agent's sessions leave " +
        "processes that only an init process reaps.",
    validateStack: containersOfTaskDefinitions(
        true,
        (container) => {
            const init = at(container, "linuxParameters", "initProcessEnabled");
            return init !== true && !isUnknown(init);
        },
        (containers) => `exec task definition without initProcessEnabled on container(s) ${containers.join(", ")}`,
    ),
};

export const execTaskWritableRoot: StackValidationPolicy = {
    name: "exec-task-writable-root",
    description:
        "Exec task definitions keep a writable root filesystem in the containers developers may exec into: ECS Exec " +
        "cannot run on a read-only root.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Remove readonlyRootFilesystem (or set it to false) on the exec container(s): the SSM agent " +
        "writes to the container filesystem. This task definition is the documented exception to Security Hub ECS.5.",
    validateStack: containersOfTaskDefinitions(
        true,
        (container) => container.readonlyRootFilesystem === true,
        (containers) => `exec task definition with a read-only root on container(s) ${containers.join(", ")}`,
    ),
};

export const taskDefinitionReadOnlyRoot: StackValidationPolicy = {
    name: "task-definition-read-only-root",
    description:
        "Every container other than the ones developers may exec into has a read-only root filesystem, sidecars of " +
        "exec task definitions included (Security Hub ECS.5).",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Set readonlyRootFilesystem to true on every container and mount a volume where the application writes. " +
        "Only the exec containers of exec task definitions (task role with the ssmmessages channel actions, started " +
        "with exec, or tagged ecs-exec:purpose = exec-task) are exempt.",
    validateStack: containersOfTaskDefinitions(
        false,
        (container) => container.readonlyRootFilesystem !== true && !isUnknown(container.readonlyRootFilesystem),
        (containers) => `writable root filesystem on container(s) ${containers.join(", ")}`,
    ),
};

/** Reports, on any task definition, the containers `offends` picks out. */
function eachContainer(offends: (container: Fields) => boolean, message: (containers: string[]) => string) {
    return forTypes([TYPES.taskDefinition], (taskDefinition: Resource, report: Report) => {
        const offending = offendingContainers(taskDefinition, offends);
        if (offending.length > 0) {
            report(message(offending));
        }
    });
}

export const taskDefinitionNoPrivileged: ResourceValidationPolicy = {
    name: "task-definition-no-privileged",
    description: "No container runs privileged (Security Hub ECS.4).",
    enforcementLevel: "mandatory",
    remediationSteps: "Remove privileged: true from the container definition; grant specific linuxParameters.capabilities instead.",
    validateResource: eachContainer(
        (container) => container.privileged === true,
        (containers) => `privileged container(s) ${containers.join(", ")}`,
    ),
};

export const taskDefinitionNoHostNamespaces: ResourceValidationPolicy = {
    name: "task-definition-no-host-namespaces",
    description: "Task definitions share neither the host's process namespace nor its network (Security Hub ECS.3, ECS.17).",
    enforcementLevel: "mandatory",
    remediationSteps: "Remove pidMode: host (use task or leave it unset) and use networkMode awsvpc instead of host.",
    validateResource: forTypes([TYPES.taskDefinition], (taskDefinition, report) => {
        for (const key of ["pidMode", "networkMode"]) {
            if (taskDefinition.props[key] === "host") {
                report(`${key} is host`);
            }
        }
    }),
};

/** Variables that put credentials in a container's environment: AWS keys override the task role and break exec. */
const CREDENTIAL_VARIABLES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "ECS_ENGINE_AUTH_DATA"];

export const taskDefinitionNoAwsCredentials: ResourceValidationPolicy = {
    name: "task-definition-no-aws-credentials",
    description: "No container carries AWS credentials in environment variables (Security Hub ECS.8).",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Remove AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and ECS_ENGINE_AUTH_DATA from the environment; " +
        "give the task role the permissions instead (keys in the environment also override the task role, so exec breaks).",
    validateResource: eachContainer(
        (container) => {
            const environment = listOf(container.environment);
            return !isUnknown(environment) && environment.some((v) => CREDENTIAL_VARIABLES.includes(String(at(v, "name"))));
        },
        (containers) => `AWS credentials in the environment of container(s) ${containers.join(", ")}`,
    ),
};

export const taskDefinitionRules = [
    execTaskInitProcess,
    execTaskWritableRoot,
    taskDefinitionReadOnlyRoot,
    taskDefinitionNoPrivileged,
    taskDefinitionNoHostNamespaces,
    taskDefinitionNoAwsCredentials,
];

import { strict as assert } from "assert";
import {
    execTaskInitProcess,
    execTaskWritableRoot,
    taskDefinitionNoAwsCredentials,
    taskDefinitionNoHostNamespaces,
    taskDefinitionNoPrivileged,
    taskDefinitionReadOnlyRoot,
} from "../../policies/rules/taskDefinitions";
import { changed, container, execStack, SESSION_CHANNELS, without, withContainers } from "./fixtures";
import { policyJson, resourceViolations, stackViolations, UNKNOWN_VALUE } from "./support";

const withoutInit = container({ linuxParameters: undefined });
const readOnly = container({ readonlyRootFilesystem: true });
/** The exec stack with nothing that marks the task definition as exec: its role grants no ssmmessages action. */
const plainStack = changed(execStack(), "agent-policy", (p) => ({ ...p, policy: policyJson({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }) }));

describe("exec task definitions, recognised by what they are", () => {
    it("passes an exec task definition with an init process and a writable root", () => {
        assert.deepEqual(stackViolations(execTaskInitProcess, execStack()), []);
        assert.deepEqual(stackViolations(execTaskWritableRoot, execStack()), []);
    });

    it("requires initProcessEnabled on every container, naming the ones without", () => {
        const found = stackViolations(execTaskInitProcess, withContainers(execStack(), container(), { ...withoutInit, name: "sidecar" }));
        assert.deepEqual(found, [{ message: "exec task definition without initProcessEnabled on container(s) sidecar", resource: "shell-task" }]);
    });

    it("forbids a read-only root on an exec task definition", () => {
        assert.equal(stackViolations(execTaskWritableRoot, withContainers(execStack(), readOnly))[0].resource, "shell-task");
    });

    const ways: [string, ReturnType<typeof execStack>][] = [
        ["its task role's inline policy grants the ssmmessages channels", execStack()],
        [
            "a customer-managed policy attached to its task role grants them",
            [
                ...without(plainStack, "agent-policy"),
                { type: "aws:iam/policy:Policy", name: "channels", props: { name: "channels", policy: SESSION_CHANNELS } },
                {
                    type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                    name: "attach",
                    props: { role: "agent", policyArn: UNKNOWN_VALUE },
                    dependsOn: { role: ["agent-role"], policyArn: ["channels"] },
                },
            ],
        ],
        ["its task role lists AmazonSSMManagedInstanceCore", changed(plainStack, "agent-role", (p) => ({ ...p, managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"] }))],
        ["its task role has inlinePolicies granting them", changed(without(plainStack, "agent-policy"), "agent-role", (p) => ({ ...p, inlinePolicies: [{ name: "x", policy: SESSION_CHANNELS }] }))],
        [
            "a service runs it with exec on",
            [...plainStack, { type: "aws:ecs/service:Service", name: "svc", props: { enableExecuteCommand: true, taskDefinition: UNKNOWN_VALUE }, dependsOn: { taskDefinition: ["shell-task"] } }],
        ],
        ["it is tagged ecs-exec:purpose = exec-task", changed(plainStack, "shell-task", (p) => ({ ...p, tags: { "ecs-exec:purpose": "exec-task" } }))],
        // Linked by known values alone: the role's name in the task role ARN, the role policy's role by name.
        ["it names the role by a known ARN (no dependency recorded)", execStack().map((r) => ({ ...r, dependsOn: undefined }))],
    ];
    for (const [how, stack] of ways) {
        it(`treats a task definition as exec when ${how}`, () => {
            assert.equal(stackViolations(execTaskWritableRoot, withContainers(stack, readOnly)).length, 1);
            assert.deepEqual(stackViolations(taskDefinitionReadOnlyRoot, withContainers(stack, container())), []);
        });
    }

    it("can't tell, and reports nothing, while the task role is unknown and not in the stack", () => {
        const stack = withContainers(changed(plainStack, "shell-task", (p) => ({ ...p, taskRoleArn: UNKNOWN_VALUE })), readOnly);
        const unlinked = stack.map((r) => (r.name === "shell-task" ? { ...r, dependsOn: {} } : r));
        assert.deepEqual(stackViolations(execTaskWritableRoot, unlinked), []);
        assert.deepEqual(stackViolations(taskDefinitionReadOnlyRoot, withContainers(unlinked, container())), []);
    });

    it("reports nothing while the container definitions are unknown, and still checks the other task definitions", () => {
        const stack = [
            ...changed(execStack(), "shell-task", (p) => ({ ...p, containerDefinitions: UNKNOWN_VALUE })),
            { type: "aws:ecs/taskDefinition:TaskDefinition", name: "app", props: { containerDefinitions: JSON.stringify([container({ name: "web" })]) } },
        ];
        assert.deepEqual(stackViolations(execTaskInitProcess, stack), []);
        assert.deepEqual(stackViolations(taskDefinitionReadOnlyRoot, stack), [{ message: "writable root filesystem on container(s) web", resource: "app" }]);
    });
});

describe("the containers developers may exec into, and the others", () => {
    /** The exec stack with a developer policy that lets developers into the container named `name` only. */
    const granting = (name: unknown) => [
        ...execStack(),
        {
            type: "aws:iam/policy:Policy",
            name: "developers",
            props: { policy: policyJson({ Effect: "Allow", Action: "ecs:ExecuteCommand", Resource: "*", Condition: { StringEquals: { "ecs:container-name": name, "aws:ResourceTag/Owner": "${aws:userid}" } } }) },
        },
    ];
    const sidecar = { name: "log-router", image: "fluent-bit:3", readonlyRootFilesystem: true };

    it("hold the exec rules to the container the developer policy names: a read-only sidecar without init is fine", () => {
        const stack = withContainers(granting("shell"), container(), sidecar);
        for (const rule of [execTaskInitProcess, execTaskWritableRoot, taskDefinitionReadOnlyRoot]) {
            assert.deepEqual(stackViolations(rule, stack), [], rule.name);
        }
    });

    it("keep the read-only-root rule on a sidecar of an exec task definition, and the exec rules on the exec container", () => {
        const writableSidecar = withContainers(granting("shell"), container(), { ...sidecar, readonlyRootFilesystem: false });
        assert.deepEqual(stackViolations(taskDefinitionReadOnlyRoot, writableSidecar), [{ message: "writable root filesystem on container(s) log-router", resource: "shell-task" }]);
        const readOnlyShell = withContainers(granting("shell"), readOnly, sidecar);
        assert.deepEqual(stackViolations(execTaskWritableRoot, readOnlyShell), [{ message: "exec task definition with a read-only root on container(s) shell", resource: "shell-task" }]);
        assert.deepEqual(stackViolations(execTaskInitProcess, withContainers(granting("shell"), withoutInit, sidecar)), [
            { message: "exec task definition without initProcessEnabled on container(s) shell", resource: "shell-task" },
        ]);
    });

    it("read StringLike patterns, and treat every container as exec where a grant names none", () => {
        const like = withContainers(granting("sh*"), container(), sidecar);
        assert.deepEqual(stackViolations(execTaskInitProcess, like), []);
        const unnamed = withContainers([...execStack(), { type: "aws:iam/policy:Policy", name: "ops", props: { policy: policyJson({ Effect: "Allow", Action: "ecs:ExecuteCommand", Resource: "arn:aws:ecs:us-east-1:1:cluster/apps", Condition: { StringEquals: { "ecs:container-name": "*" } } }) } }], container(), sidecar);
        assert.deepEqual(stackViolations(execTaskInitProcess, unnamed), [{ message: "exec task definition without initProcessEnabled on container(s) log-router", resource: "shell-task" }]);
    });

    it("can't tell which container is exec while the developer policy is unknown, and reports on neither", () => {
        const unknown = withContainers(granting("shell").map((r) => (r.name === "developers" ? { ...r, props: { policy: UNKNOWN_VALUE } } : r)), readOnly, { ...sidecar, readonlyRootFilesystem: false });
        for (const rule of [execTaskWritableRoot, taskDefinitionReadOnlyRoot]) {
            assert.deepEqual(stackViolations(rule, unknown), [], rule.name);
        }
    });
});

describe("all other task definitions", () => {
    it("keep a read-only root filesystem (ECS.5)", () => {
        assert.deepEqual(stackViolations(execTaskWritableRoot, withContainers(plainStack, readOnly)), [], "not an exec task definition");
        assert.deepEqual(stackViolations(taskDefinitionReadOnlyRoot, withContainers(plainStack, readOnly)), []);
        assert.equal(stackViolations(taskDefinitionReadOnlyRoot, withContainers(plainStack, container())).length, 1);
    });

    const taskDefinition = (props: Record<string, unknown>) => ({ type: "aws:ecs/taskDefinition:TaskDefinition", name: "td", props });
    const withContainer = (overrides: Record<string, unknown>) => taskDefinition({ containerDefinitions: JSON.stringify([container(overrides)]) });

    it("run no privileged container (ECS.4)", () => {
        assert.deepEqual(resourceViolations(taskDefinitionNoPrivileged, withContainer({ privileged: true })), ["privileged container(s) shell"]);
        assert.deepEqual(resourceViolations(taskDefinitionNoPrivileged, withContainer({ privileged: false })), []);
        assert.deepEqual(resourceViolations(taskDefinitionNoPrivileged, taskDefinition({ containerDefinitions: UNKNOWN_VALUE })), []);
    });

    it("share neither the host's process namespace nor its network (ECS.3, ECS.17)", () => {
        assert.deepEqual(resourceViolations(taskDefinitionNoHostNamespaces, taskDefinition({ pidMode: "host", networkMode: "host" })), ["pidMode is host", "networkMode is host"]);
        assert.deepEqual(resourceViolations(taskDefinitionNoHostNamespaces, taskDefinition({ pidMode: "task", networkMode: "awsvpc" })), []);
        assert.deepEqual(resourceViolations(taskDefinitionNoHostNamespaces, taskDefinition({ networkMode: UNKNOWN_VALUE })), []);
    });

    it("carry no AWS credentials in environment variables (ECS.8)", () => {
        const env = (name: string) => withContainer({ environment: [{ name, value: "x" }] });
        assert.equal(resourceViolations(taskDefinitionNoAwsCredentials, env("AWS_SECRET_ACCESS_KEY")).length, 1);
        assert.deepEqual(resourceViolations(taskDefinitionNoAwsCredentials, env("AWS_REGION")), []);
        assert.deepEqual(resourceViolations(taskDefinitionNoAwsCredentials, taskDefinition({ containerDefinitions: UNKNOWN_VALUE })), []);
    });
});

import { strict as assert } from "assert";
import { DescribeTasksCommand, ListTasksCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { PermissionError } from "../../cli/errors";
import { list } from "../../cli/list";
import { stop } from "../../cli/stop";
import { ALICE, BOB, mockedEcs, mockedSts, OUTPUTS, task, taskArn } from "./support/unit";

const NOW = new Date("2026-03-14T12:00:00Z");

/** ECS answering like the real one: ListTasks in pages, DescribeTasks for at most 100 tasks, tags only on request. */
function cluster(tasks: ReturnType<typeof task>[], pageSize = 100) {
    const { ecs, ecsMock } = mockedEcs();
    const { sts } = mockedSts();
    ecsMock.on(ListTasksCommand).callsFake((input) => {
        const start = Number(input.nextToken ?? 0);
        const page = tasks.slice(start, start + pageSize).map((t) => t.taskArn!);
        return { taskArns: page, nextToken: start + pageSize < tasks.length ? String(start + pageSize) : undefined };
    });
    ecsMock.on(DescribeTasksCommand).callsFake((input) => {
        assert.ok(input.tasks.length <= 100, "DescribeTasks takes at most 100 tasks");
        const found = tasks.filter((t) => input.tasks.includes(t.taskArn));
        return { tasks: input.include?.includes("TAGS") ? found : found.map(({ tags: _tags, ...t }) => t) };
    });
    ecsMock.on(StopTaskCommand).resolves({});
    const ctx = { ecs, sts, outputs: OUTPUTS, now: () => NOW.getTime() };
    return { ecsMock, ctx, stopped: () => ecsMock.commandCalls(StopTaskCommand).map((c) => c.args[0].input) };
}

describe("ecs-exec list", () => {
    const tasks = [
        task("aaaa", { owner: ALICE, startedAt: new Date("2026-03-14T09:26:00Z") }),
        task("bbbb", { owner: BOB, startedAt: new Date("2026-03-14T11:00:00Z") }),
        task("cccc", { owner: ALICE, status: "PENDING", createdAt: new Date("2026-03-14T11:59:00Z") }),
    ];

    it("shows my exec tasks: task, owner, status, start, and time left before it stops itself (start + maxSessionHours)", async () => {
        const { ctx } = cluster(tasks);
        assert.equal(
            await list(false, ctx),
            [
                "TASK  OWNER                                   STATUS   STARTED               TIME LEFT",
                "aaaa  AROAEXAMPLEROLEID123:alice@example.com  RUNNING  2026-03-14 09:26:00Z  5h 26m",
                "cccc  AROAEXAMPLEROLEID123:alice@example.com  PENDING  2026-03-14 11:59:00Z  7h 59m",
            ].join("\n"),
        );
    });

    it("shows everyone's with --all", async () => {
        const { ctx } = cluster(tasks);
        const lines = (await list(true, ctx)).split("\n");
        assert.deepEqual(lines.slice(1).map((l) => l.split(/\s+/)[0]), ["aaaa", "bbbb", "cccc"]);
    });

    it("reads every page of ListTasks and describes tasks 100 at a time, with their tags", async () => {
        const many = Array.from({ length: 230 }, (_, i) => task(`t${i}`, { owner: i === 229 ? ALICE : BOB, startedAt: NOW }));
        const { ecsMock, ctx } = cluster(many, 100);
        const lines = (await list(false, ctx)).split("\n");
        assert.equal(lines.length, 2);
        assert.match(lines[1], /^t229 /);
        assert.equal(ecsMock.commandCalls(ListTasksCommand).length, 3);
        assert.deepEqual(ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks!.length), [100, 100, 30]);
    });

    it("says so, and how to start one, when I have none", async () => {
        const { ctx } = cluster([tasks[1]]);
        assert.equal(await list(false, ctx), "You have no exec tasks running in dev-ecs-exec. Start one with: ecs-exec shell");
    });
});

describe("ecs-exec stop", () => {
    it("stops the task I name, by id", async () => {
        const { ctx, stopped } = cluster([]);
        assert.deepEqual(await stop({ task: "aaaa" }, ctx), ["Stopped exec task aaaa."]);
        assert.deepEqual(stopped(), [{ cluster: OUTPUTS.clusterName, task: "aaaa", reason: "Stopped with ecs-exec stop" }]);
    });

    it("a colleague's task: IAM refuses, reported as a permission error naming ecs:StopTask (exit 5)", async () => {
        const { ecsMock, ctx } = cluster([]);
        ecsMock.on(StopTaskCommand).rejects(
            Object.assign(new Error(`User: arn:aws:sts::111122223333:assumed-role/Dev/alice is not authorized to perform: ecs:StopTask on resource: ${taskArn("bbbb")}`), {
                name: "AccessDeniedException",
                $metadata: {},
            }),
        );
        const error = await stop({ task: taskArn("bbbb") }, ctx).then(
            () => assert.fail("expected a refusal"),
            (e: unknown) => e as PermissionError,
        );
        assert.ok(error instanceof PermissionError);
        assert.equal(error.exitCode, 5);
        assert.equal(error.action, "ecs:StopTask");
        assert.match(error.message, /^not allowed to call ecs:StopTask: the developer policy lets you stop only exec tasks whose Owner is you/);
    });

    it("--mine stops all my tasks and no one else's", async () => {
        const { ctx, stopped } = cluster([task("aaaa", { owner: ALICE }), task("bbbb", { owner: BOB }), task("cccc", { owner: ALICE })]);
        assert.deepEqual(await stop({ mine: true }, ctx), ["Stopped exec task aaaa.", "Stopped exec task cccc."]);
        assert.deepEqual(stopped().map((s) => s.task), [taskArn("aaaa"), taskArn("cccc")]);
    });

    it("--mine with nothing running says so", async () => {
        const { ctx, stopped } = cluster([task("bbbb", { owner: BOB })]);
        assert.deepEqual(await stop({ mine: true }, ctx), ["You have no exec tasks running in dev-ecs-exec."]);
        assert.deepEqual(stopped(), []);
    });
});

/**
 * npm run bench:startup: how long `ecs-exec` takes to start, side by side with a bare `node -e 0` on the same
 * machine: `--version`, `--help`, `list` against the local stand-in AWS (test/cli/support/fakeAws.ts) and
 * `npx ecs-exec --help`. The commands take turns, so a busy machine slows them alike. It prints; it asserts nothing.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ENTRY } from "../../cli/build";
import { FakeAws, REGION } from "../cli/support/fakeAws";
import { BIN } from "../cli/support/tool";
import { OUTPUTS } from "../cli/support/unit";
import { median, timed } from "./measure";

const ROUNDS = Number(process.env.ROUNDS ?? 10);


async function main(): Promise<void> {
    if (!fs.existsSync(ENTRY)) {
        throw new Error("ecs-exec is not built: run npm run build");
    }
    const aws = await new FakeAws({
        cluster: OUTPUTS.clusterName,
        family: OUTPUTS.taskDefinitionFamily,
        container: OUTPUTS.containerName,
        userId: "AIDAEXAMPLEUSERBOB01",
    }).start();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-exec-bench-"));
    const outputsFile = path.join(dir, "dev.json");
    fs.writeFileSync(outputsFile, JSON.stringify(OUTPUTS));
    const env = {
        ...process.env,
        AWS_REGION: REGION,
        AWS_ENDPOINT_URL_ECS: aws.url,
        AWS_ENDPOINT_URL_STS: aws.url,
        AWS_ACCESS_KEY_ID: "AKIAEXAMPLEFAKEKEY01",
        AWS_SECRET_ACCESS_KEY: "fake",
        AWS_EC2_METADATA_DISABLED: "true",
        npm_config_update_notifier: "false",
    };
    const node = process.execPath;
    const commands: [string, string[]][] = [
        ["node -e 0", [node, "-e", "0"]],
        ["ecs-exec --version", [node, BIN, "--version"]],
        ["ecs-exec --help", [node, BIN, "--help"]],
        ["ecs-exec list (local AWS)", [node, BIN, "list", "--outputs", outputsFile]],
        ["npx ecs-exec --help", ["npx", "ecs-exec", "--help"]],
    ];
    const times = new Map<string, number[]>(commands.map(([name]) => [name, []]));
    try {
        for (let round = 0; round <= ROUNDS; round++) {
            for (const [name, command] of commands) {
                const ms = await timed(command, env);
                if (round > 0) {
                    // Round 0 warms the file cache.
                    times.get(name)!.push(ms);
                }
            }
        }
    } finally {
        await aws.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    }
    const baseline = median(times.get("node -e 0")!);
    const width = Math.max(...commands.map(([name]) => name.length));
    const lines = [
        `ecs-exec start-up, Node.js ${process.version}, ${os.cpus().length} cores; ${ROUNDS} runs each, taking turns`,
        `${"command".padEnd(width)}  median ms  min ms  × node -e 0`,
        ...commands.map(([name]) => {
            const values = times.get(name)!;
            const m = median(values);
            return `${name.padEnd(width)}  ${m.toFixed(0).padStart(9)}  ${Math.min(...values).toFixed(0).padStart(6)}  ${(m / baseline).toFixed(2).padStart(11)}`;
        }),
    ];
    const direct = median(times.get("ecs-exec --help")!);
    const viaNpx = median(times.get("npx ecs-exec --help")!);
    lines.push(`npx overhead: +${(viaNpx - direct).toFixed(0)} ms per run (npx ecs-exec --help takes ${(viaNpx / direct).toFixed(1)}× ecs-exec --help)`);
    process.stdout.write(lines.join("\n") + "\n");
}

main().catch((e: unknown) => {
    console.error(`bench:startup: ${(e as Error).message}`);
    process.exitCode = 1;
});

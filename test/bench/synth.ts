/**
 * npm run bench:synth: how long the documented synth takes for each stack (`npm run -s synth -- --stack <stack>`), side
 * by side with a bare `node -e 0`, `npm run -s synth -- --help` (npm, node and ts-node starting the CLI, which answers
 * --help before it loads the SDK), ts-node alone and ts-node loading only the SDK (@pulumi/pulumi and @pulumi/aws), so
 * that start-up and the program itself can be told apart. The commands take turns, so a busy machine slows them alike.
 * It prints; it asserts nothing. ROUNDS sets the runs of each (3).
 */
import * as os from "os";
import { DOCUMENTED_SYNTH } from "../support/synthRun";
import { median, timed } from "./measure";

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const STACKS = ["dev", "prod"];


async function main(): Promise<void> {
    const env = { ...process.env, npm_config_update_notifier: "false" };
    const node = process.execPath;
    const sdk = "load the SDK only";
    const commands: [string, string[]][] = [
        ["node -e 0", [node, "-e", "0"]],
        ["synth --help", [...DOCUMENTED_SYNTH, "--help"]],
        ["ts-node -e 0", [node, "-r", "ts-node/register/transpile-only", "-e", "0"]],
        [sdk, [node, "-r", "ts-node/register/transpile-only", "-e", 'require("@pulumi/pulumi"); require("@pulumi/aws")']],
        ...STACKS.map((stack): [string, string[]] => [`synth --stack ${stack}`, [...DOCUMENTED_SYNTH, "--stack", stack]]),
    ];
    const times = new Map<string, number[]>(commands.map(([name]) => [name, []]));
    for (let round = 0; round <= ROUNDS; round++) {
        for (const [name, command] of commands) {
            const ms = await timed(command, env);
            if (round > 0) {
                // Round 0 warms the file cache.
                times.get(name)!.push(ms);
            }
        }
    }
    const width = Math.max(...commands.map(([name]) => name.length));
    const help = median(times.get("synth --help")!);
    const sdkLoad = median(times.get(sdk)!) - median(times.get("ts-node -e 0")!);
    const lines = [
        `npm run -s synth -- --stack <stack>, Node.js ${process.version}, ${os.cpus().length} cores; ${ROUNDS} runs each, taking turns`,
        `${"command".padEnd(width)}  median ms  min ms`,
        ...commands.map(([name]) => {
            const values = times.get(name)!;
            return `${name.padEnd(width)}  ${median(values).toFixed(0).padStart(9)}  ${Math.min(...values).toFixed(0).padStart(6)}`;
        }),
        `(synth: npm run -s synth --; ts-node: node -r ts-node/register/transpile-only; ` +
            `"${sdk}": the same with -e 'require("@pulumi/pulumi"); require("@pulumi/aws")')`,
        ...STACKS.map((stack) => {
            const synth = median(times.get(`synth --stack ${stack}`)!);
            const program = synth - help - sdkLoad;
            return (
                `${stack}: ${synth.toFixed(0)} ms = start-up of npm, node, ts-node and the CLI (synth --help) ${help.toFixed(0)} ` +
                `+ loading the SDK ${sdkLoad.toFixed(0)} + the program and its output ${program.toFixed(0)} (${((program / synth) * 100).toFixed(0)}%)`
            );
        }),
    ];
    process.stdout.write(lines.join("\n") + "\n");
}

main().catch((e: unknown) => {
    console.error(`bench:synth: ${(e as Error).message}`);
    process.exitCode = 1;
});

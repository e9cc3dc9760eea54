/**
 * npm run bench:doctor: `ecs-exec doctor` (the built bin, as test/cli/doctor.test.ts runs it) against the stand-in
 * account of a healthy dev stack (test/cli/support/fakeAccount.ts), every answer 50 ms late as a slow network's would
 * be: the requests it makes, the most in flight at once, its wall time, and what the same requests one after another
 * would wait (requests × 50 ms). Then one run answered in rounds (fakeAccount's roundQuietMs) gives its longest chain
 * of requests, each sent after the answer to the one before: the least any run can wait is that many answers. It
 * prints; it asserts nothing but that doctor passes. ROUNDS sets the runs (3), LATENCY_MS the lateness (50).
 */
import * as fs from "fs";
import * as os from "os";
import { ENTRY } from "../../cli/build";
import { FakeAccount } from "../cli/support/fakeAccount";
import { Sandbox, startTool } from "../cli/support/tool";
import { synthStack } from "../support/synthRun";
import { median } from "./measure";

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 50);

async function main(): Promise<void> {
    if (!fs.existsSync(ENTRY)) {
        throw new Error("ecs-exec is not built: run npm run build");
    }
    const account = await new FakeAccount(await synthStack("dev")).start();
    const sandbox = await Sandbox.create();
    const env = { ...sandbox.env(account), ...account.endpointEnv() };
    const doctor = async () => {
        account.reset();
        const started = process.hrtime.bigint();
        const result = await startTool(["doctor", "--stack", "dev", "--outputs", sandbox.outputsFile, "--json"], env).exited;
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (result.code !== 0) {
            throw new Error(`ecs-exec doctor exited ${result.code}:\n${result.stderr}${result.stdout}`);
        }
        return { ms, requests: account.calls.length, inFlight: account.maxInFlight };
    };
    const runs: { ms: number; requests: number; inFlight: number }[] = [];
    let rounds: number[];
    try {
        account.latencyMs = LATENCY_MS;
        for (let round = 0; round <= ROUNDS; round++) {
            const run = await doctor();
            if (round > 0) {
                // Round 0 warms the file cache and the stand-in's IAM decisions.
                runs.push(run);
            }
        }
        account.latencyMs = 0;
        account.roundQuietMs = LATENCY_MS;
        await doctor();
        rounds = [...account.rounds];
    } finally {
        await account.stop();
        sandbox.remove();
    }
    const requests = median(runs.map((r) => r.requests));
    const wall = median(runs.map((r) => r.ms));
    const serial = requests * LATENCY_MS;
    const lines = [
        `ecs-exec doctor against the stand-in account, ${LATENCY_MS} ms per answer; Node.js ${process.version}, ${os.cpus().length} cores; median of ${ROUNDS} runs`,
        "requests  most in flight  wall time  one after another (requests × " + `${LATENCY_MS} ms)`,
        `${String(requests).padEnd(8)}  ${String(median(runs.map((r) => r.inFlight))).padEnd(14)}  ${`${(wall / 1000).toFixed(2)} s`.padEnd(9)}  ` +
            `${(serial / 1000).toFixed(2)} s (${(serial / wall).toFixed(1)}× the wall time)`,
        `wall times: ${runs.map((r) => `${(r.ms / 1000).toFixed(2)} s`).join(", ")}`,
        `longest chain: ${rounds.length} answers one after another (requests answered per round: ${rounds.join(", ")}), ` +
            `${((rounds.length * LATENCY_MS) / 1000).toFixed(2)} s of waiting at the least`,
    ];
    process.stdout.write(lines.join("\n") + "\n");
}

main().catch((e: unknown) => {
    console.error(`bench:doctor: ${(e as Error).message}`);
    process.exitCode = 1;
});

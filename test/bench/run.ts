/**
 * npm run bench:run: `ecs-exec run` streaming a large output through the stand-in plugin whose remote end runs the
 * command under a pseudo-terminal (test/cli/support/standInPlugin.ts), against the local stand-in AWS. It measures the
 * throughput and the tool's peak resident memory (VmHWM, sampled from /proc while it runs) for a small and a large
 * output: flat memory means the peak does not grow with the output. It checks that every byte arrived (count, line
 * count, no \r left) and prints; it asserts nothing else. MB = 10^6 bytes. BENCH_MB sets the large size (100).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ENTRY } from "../../cli/build";
import { FakeAws } from "../cli/support/fakeAws";
import { BIN, Sandbox } from "../cli/support/tool";
import { OUTPUTS } from "../cli/support/unit";

const LINE = "0123456789012345678901234567890123456789012345678"; // 49 characters and \n: 50 bytes a line
const LARGE_MB = Number(process.env.BENCH_MB ?? 100);

interface Result {
    bytes: number;
    lines: number;
    carriageReturns: number;
    /** From start to exit: task, session, output, stop. */
    seconds: number;
    /** From the first byte of output to the last. */
    streamSeconds: number;
    peakKiB: number;
    code: number | null;
}

/** The peak resident set of a process so far (Linux: VmHWM), or undefined once it is gone. */
function peakKiB(pid: number): number | undefined {
    try {
        const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
        const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
        return kib === undefined ? undefined : Number(kib);
    } catch {
        return undefined;
    }
}

async function runOnce(aws: FakeAws, sandbox: Sandbox, bytes: number): Promise<Result> {
    const command = ["sh", "-c", `yes ${LINE} | head -c ${bytes}`];
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [BIN, "run", "--outputs", sandbox.outputsFile, "--", ...command], {
        env: sandbox.env(aws),
        stdio: ["ignore", "pipe", "pipe"],
    });
    let received = 0;
    let lines = 0;
    let carriageReturns = 0;
    let first = 0n;
    let last = 0n;
    child.stdout.on("data", (chunk: Buffer) => {
        last = process.hrtime.bigint();
        first ||= last;
        received += chunk.length;
        for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) {
            lines++;
        }
        for (let i = chunk.indexOf(13); i >= 0; i = chunk.indexOf(13, i + 1)) {
            carriageReturns++;
        }
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    let peak = 0;
    const sample = () => (peak = Math.max(peak, peakKiB(child.pid!) ?? 0));
    const sampler = setInterval(sample, 20);
    const closed = new Promise((resolve) => child.on("close", resolve));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => (sample(), resolve(c))));
    clearInterval(sampler);
    await closed;
    if (code !== 0) {
        throw new Error(`ecs-exec run exited ${code}:\n${stderr}`);
    }
    return {
        bytes: received,
        lines,
        carriageReturns,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        streamSeconds: Number(last - first) / 1e9,
        peakKiB: peak,
        code,
    };
}

async function main(): Promise<void> {
    if (!fs.existsSync(ENTRY)) {
        throw new Error("ecs-exec is not built: run npm run build");
    }
    if (!fs.existsSync("/proc/self/status")) {
        throw new Error("this benchmark reads peak memory from /proc (Linux)");
    }
    const aws = await new FakeAws({
        cluster: OUTPUTS.clusterName,
        family: OUTPUTS.taskDefinitionFamily,
        container: OUTPUTS.containerName,
        userId: "AIDAEXAMPLEUSERBOB01",
        readyAfterDescribes: -1,
    }).start();
    const sandbox = new Sandbox({ plugin: "agent" });
    fs.writeFileSync(sandbox.outputsFile, JSON.stringify(OUTPUTS));
    try {
        console.log(`ecs-exec run -- sh -c 'yes <49 characters> | head -c N', through the stand-in plugin's pty (${path.relative(process.cwd(), BIN)})`);
        console.log("output       wall time   streaming   throughput     tool peak RSS   check");
        for (const mb of [1, LARGE_MB, 1, LARGE_MB]) {
            const bytes = mb * 1_000_000;
            const r = await runOnce(aws, sandbox, bytes);
            const ok = r.bytes === bytes && r.lines === bytes / 50 && r.carriageReturns === 0 ? "all bytes, \\n line ends" : `MISMATCH: ${r.bytes} bytes, ${r.lines} lines, ${r.carriageReturns} \\r`;
            console.log(
                `${`${mb} MB`.padEnd(12)} ${`${r.seconds.toFixed(2)} s`.padEnd(11)} ${`${r.streamSeconds.toFixed(2)} s`.padEnd(11)} ` +
                    `${`${(r.bytes / 1e6 / Math.max(r.streamSeconds, 1e-3)).toFixed(1)} MB/s`.padEnd(14)} ` +
                    `${`${(r.peakKiB / 1024).toFixed(1)} MiB`.padEnd(15)} ${ok}`,
            );
        }
    } finally {
        await aws.stop();
        sandbox.remove();
    }
}

main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
});

/**
 * The Pulumi SDK records a stack trace for every promise it makes (`debuggablePromise`) and every resource it
 * registers (`Resource.callsites`, with no depth limit). Under ts-node each trace goes through source-map-support,
 * which maps every frame back to TypeScript: a third of an offline synth's time, spent on traces that only a leaked
 * promise or the engine's source positions would ever show. Offline, those two traces stay as V8 writes them (frames
 * in the transpiled code); every other stack, an error a user reads included, is still mapped.
 */
type PrepareStackTrace = (error: Error, callSites: NodeJS.CallSite[]) => unknown;

const BOOKKEEPING_FRAMES = [
    { file: "/@pulumi/pulumi/runtime/debuggable.js", functionName: "debuggablePromise" },
    { file: "/@pulumi/pulumi/resource.js", functionName: "callsites" },
];

/** Whether the trace is one the SDK takes for its own records, judged by the frame that took it. */
function isPulumiBookkeeping(callSites: NodeJS.CallSite[]): boolean {
    const taker = callSites[0];
    const file = taker?.getFileName()?.replace(/\\/g, "/");
    const functionName = taker?.getFunctionName();
    return BOOKKEEPING_FRAMES.some((frame) => file?.endsWith(frame.file) && functionName === frame.functionName);
}

/** V8's own format: the error's first line, then one `at` line per frame. */
function formatAsV8Does(error: Error, callSites: NodeJS.CallSite[]): string {
    return [String(error), ...callSites.map((site) => `    at ${site}`)].join("\n");
}

/** Installs the filter over whatever `Error.prepareStackTrace` is now (ts-node's source-map-support). Idempotent. */
export function leavePulumiBookkeepingStacksUnmapped(): void {
    const mapped = Error.prepareStackTrace as (PrepareStackTrace & { bookkeepingFilter?: true }) | undefined;
    if (!mapped || mapped.bookkeepingFilter) {
        return;
    }
    const filtered = Object.assign(
        (error: Error, callSites: NodeJS.CallSite[]) =>
            isPulumiBookkeeping(callSites) ? formatAsV8Does(error, callSites) : mapped(error, callSites),
        { bookkeepingFilter: true as const },
    );
    Error.prepareStackTrace = filtered;
}

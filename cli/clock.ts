/** Waiting, as every wait of the tool does it: tests pass a clock of their own, which waits no real time. */

/** Waits `ms`, or until `signal` aborts; never rejects. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const sleep: Sleep = (ms, signal) =>
    new Promise((resolve) => {
        if (signal?.aborted) {
            return resolve();
        }
        const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener("abort", done);
    });

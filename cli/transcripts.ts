/**
 * A session's transcript, before its task goes. The agent builds the transcript when the session ends and uploads it
 * with the task role (aws/amazon-ssm-agent agent/session/shell/shell.go, finishLogging); it dies with the container,
 * so a StopTask right after the plugin exits races that upload. A command that stops its task first waits, bounded,
 * until every store the stack keeps transcripts in has the session's: each store is one check of the list.
 */
import { CloudWatchLogsClient, DescribeLogStreamsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { transcriptKey } from "../components/config";
import { awsCall } from "./aws";
import type { Sleep } from "./clock";
import { formatDuration } from "./format";
import type { Progress } from "./progress";

/** Where the stack keeps transcripts. */
export interface TranscriptStore {
    /** As messages name it: `log group /ecs-exec/dev/sessions`. */
    where: string;
    /** Whether the session's transcript is there. */
    has(sessionId: string): Promise<boolean>;
}

/** The session log group: a session's transcript is the log stream named after its session id (shell.go). */
export function logGroupTranscripts(logs: CloudWatchLogsClient, logGroupName: string): TranscriptStore {
    return {
        where: `log group ${logGroupName}`,
        async has(sessionId) {
            const response = await awsCall("logs:DescribeLogStreams", () =>
                logs.send(new DescribeLogStreamsCommand({ logGroupName, logStreamNamePrefix: sessionId })),
            );
            return (response.logStreams ?? []).some((stream) => stream.logStreamName === sessionId);
        },
    };
}

/** The transcripts' bucket: a session's copy is `sessions/<session id>.log` (components/config/names.ts). */
export function bucketTranscripts(s3: S3Client, bucket: string): TranscriptStore {
    return {
        where: `bucket ${bucket}`,
        async has(sessionId) {
            const key = transcriptKey(sessionId);
            const response = await awsCall("s3:ListBucket", () => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 })));
            return (response.Contents ?? []).some((object) => object.Key === key);
        },
    };
}

export interface TranscriptWait {
    stores: TranscriptStore[];
    /** How long to wait in all (`--transcript-wait`). */
    timeoutMs: number;
    /** How often to look. */
    pollMs: number;
    now: () => number;
    sleep: Sleep;
    /** Ends the wait early: a Ctrl-C during it. */
    signal: AbortSignal;
    progress: Progress;
}

/** Looks are this far apart (CloudWatch Logs' DescribeLogStreams is rate-limited per account). */
export const TRANSCRIPT_POLL_MS = 2000;

/**
 * Waits until every store has the transcript of every session, with progress on stderr; resolves with undefined once
 * they have, else with what is missing and why the wait ended (the timeout, a Ctrl-C, a look that failed).
 */
export async function waitForTranscripts(sessionIds: string[], wait: TranscriptWait): Promise<string | undefined> {
    let pending = wait.stores.flatMap((store) => sessionIds.map((id) => ({ store, id })));
    const start = wait.now();
    for (;;) {
        const found: boolean[] = [];
        for (const look of pending) {
            try {
                found.push(await look.store.has(look.id));
            } catch (e) {
                wait.progress.clear();
                return `cannot look in ${look.store.where}: ${(e as Error).message}`;
            }
        }
        pending = pending.filter((_, i) => !found[i]);
        const missing = [...new Set(pending.map((look) => look.store.where))].join(" and ");
        const elapsed = wait.now() - start;
        if (pending.length === 0 || elapsed >= wait.timeoutMs || wait.signal.aborted) {
            wait.progress.clear();
            return pending.length === 0 ? undefined : `not yet in ${missing} after ${formatDuration(elapsed)}${wait.signal.aborted ? " (interrupted)" : ""}`;
        }
        const status = `Waiting for the transcript of ${pending.map((look) => look.id).join(", ")} in ${missing} before stopping the task`;
        wait.progress.update(`${status}: ${formatDuration(elapsed)} (at most ${formatDuration(wait.timeoutMs)})`, `${status}...`);
        await wait.sleep(Math.min(wait.pollMs, wait.timeoutMs - elapsed), wait.signal);
    }
}

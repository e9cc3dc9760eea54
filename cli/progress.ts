/**
 * Status on stderr, so stdout stays the command's result. On a terminal one status line is rewritten in place;
 * elsewhere (CI, a pipe) each new stage prints one line and counters stay quiet.
 */
export interface StatusStream {
    write(text: string | Buffer): unknown;
    isTTY?: boolean;
}

export class Progress {
    private lastStage?: string;
    private statusShown = false;

    constructor(private readonly stream: StatusStream) {}

    /** `text` is the full status (counters included); `stage` what a log without a terminal should show once. */
    update(text: string, stage = text): void {
        if (this.stream.isTTY) {
            this.stream.write(`\r\x1b[K${text}`);
            this.statusShown = true;
        } else if (stage !== this.lastStage) {
            this.stream.write(`${stage}\n`);
        }
        this.lastStage = stage;
    }

    /** A permanent line, after clearing the status line. */
    log(line: string): void {
        this.clear();
        this.stream.write(`${line}\n`);
    }

    clear(): void {
        if (this.statusShown) {
            this.stream.write("\r\x1b[K");
            this.statusShown = false;
        }
    }
}

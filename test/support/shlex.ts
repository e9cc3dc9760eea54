/**
 * google/shlex's `Split`, which the SSM agent applies to ExecuteCommand's `command` in container mode
 * (aws/amazon-ssm-agent agent/session/shell/shell_unix.go, StartCommandExecutor), ported state for state from
 * google/shlex shlex.go (commit e7afc7fb, the version the agent vendors): the rune classes (space " \t\r\n", escaping
 * quote `"`, non-escaping quote `'`, escape `\`, comment `#`) and the lexer's states (start, in word, escaping,
 * escaping quoted, quoting escaping, quoting, comment), including what differs from a POSIX shell: a backslash inside
 * double quotes escapes any character and is dropped, `#` starts a comment only where a token would start, and a
 * quote or escape left open at the end is an error. Test support: what the agent would make of a command string.
 */

type RuneClass = "unknown" | "space" | "escapingQuote" | "nonEscapingQuote" | "escape" | "comment" | "eof";
type State = "start" | "inWord" | "escaping" | "escapingQuoted" | "quotingEscaping" | "quoting" | "comment";

function classify(rune: string | undefined): RuneClass {
    if (rune === undefined) {
        return "eof";
    }
    if (" \t\r\n".includes(rune)) {
        return "space";
    }
    return rune === '"' ? "escapingQuote" : rune === "'" ? "nonEscapingQuote" : rune === "\\" ? "escape" : rune === "#" ? "comment" : "unknown";
}

export class ShlexError extends Error {}

/** The words google/shlex's Split returns (comments skipped), or a ShlexError where it returns an error. */
export function shlexSplit(input: string): string[] {
    const runes = [...input];
    let i = 0;
    const words: string[] = [];
    for (;;) {
        const token = nextToken();
        if (token === undefined) {
            return words;
        }
        if (token.type === "word") {
            words.push(token.value);
        }
    }

    function nextToken(): { type: "word" | "comment"; value: string } | undefined {
        let state: State = "start";
        let type: "word" | "comment" = "word";
        let value = "";
        for (;;) {
            const rune = runes[i++];
            const cls = classify(rune);
            switch (state) {
                case "start":
                    switch (cls) {
                        case "eof":
                            return undefined;
                        case "space":
                            break;
                        case "escapingQuote":
                            state = "quotingEscaping";
                            break;
                        case "nonEscapingQuote":
                            state = "quoting";
                            break;
                        case "escape":
                            state = "escaping";
                            break;
                        case "comment":
                            type = "comment";
                            state = "comment";
                            break;
                        default:
                            value += rune;
                            state = "inWord";
                    }
                    break;
                case "inWord":
                    switch (cls) {
                        case "eof":
                        case "space":
                            return { type, value };
                        case "escapingQuote":
                            state = "quotingEscaping";
                            break;
                        case "nonEscapingQuote":
                            state = "quoting";
                            break;
                        case "escape":
                            state = "escaping";
                            break;
                        default:
                            // A comment rune inside a word is part of it.
                            value += rune;
                    }
                    break;
                case "escaping":
                    if (cls === "eof") {
                        throw new ShlexError("EOF found after escape character");
                    }
                    state = "inWord";
                    value += rune;
                    break;
                case "escapingQuoted":
                    if (cls === "eof") {
                        throw new ShlexError("EOF found after escape character");
                    }
                    state = "quotingEscaping";
                    value += rune;
                    break;
                case "quotingEscaping":
                    switch (cls) {
                        case "eof":
                            throw new ShlexError("EOF found when expecting closing quote");
                        case "escapingQuote":
                            state = "inWord";
                            break;
                        case "escape":
                            state = "escapingQuoted";
                            break;
                        default:
                            value += rune;
                    }
                    break;
                case "quoting":
                    switch (cls) {
                        case "eof":
                            throw new ShlexError("EOF found when expecting closing quote");
                        case "nonEscapingQuote":
                            state = "inWord";
                            break;
                        default:
                            value += rune;
                    }
                    break;
                case "comment":
                    if (cls === "eof") {
                        return { type, value };
                    }
                    if (cls === "space" && rune === "\n") {
                        return { type, value };
                    }
                    value += rune;
                    break;
            }
        }
    }
}

/**
 * The terminal's settings around a session. session-manager-plugin switches its terminal to `stty cbreak -echo` when a
 * shell session starts and puts the saved settings back only when it ends the session itself
 * (aws/session-manager-plugin shellsession_unix.go, disableEchoAndInputBuffering and Stop): a plugin the tool ends (its
 * task stopped, SIGTERM, SIGHUP) would leave the terminal without echo. So the tool saves the settings before the
 * plugin starts and puts them back however the session ends.
 */
import { spawnSync } from "child_process";

export interface Terminal {
    /** The settings of the terminal on stdin (`stty -g`), or undefined when stdin is no terminal. */
    save(): string | undefined;
    /** Puts saved settings back; a terminal that has gone (SIGHUP) is left alone. */
    restore(settings: string): void;
}

export const processTerminal: Terminal = {
    save() {
        if (!process.stdin.isTTY) {
            return undefined;
        }
        const saved = spawnSync("stty", ["-g"], { stdio: ["inherit", "pipe", "ignore"], encoding: "utf8" });
        return saved.status === 0 ? saved.stdout.trim() : undefined;
    },
    restore(settings) {
        spawnSync("stty", [settings], { stdio: ["inherit", "ignore", "ignore"] });
    },
};

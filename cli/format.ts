/** Durations, times and tables as the tool prints and reads them. */
import { UsageError } from "./errors";

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `4h 05m`, `12m 30s`, `45s`: to the minute for hours, to the second below. */
export function formatDuration(ms: number): string {
    const seconds = Math.max(0, Math.round(ms / 1000));
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    const pad = (n: number) => String(n).padStart(2, "0");
    if (h > 0) {
        return `${h}h ${pad(m)}m`;
    }
    return m > 0 ? `${m}m ${pad(s)}s` : `${s}s`;
}

/** `24h`, `90m`, `7d`, `1h30m`. */
export function parseDuration(text: string): number | undefined {
    if (!/^(\d+[smhd])+$/.test(text)) {
        return undefined;
    }
    let total = 0;
    for (const [, amount, unit] of text.matchAll(/(\d+)([smhd])/g)) {
        total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
    }
    return total;
}

/** `2026-03-14`, `2026-03-14T09:00`, `2026-03-14 09:26:53.5`, each with an optional offset (`Z`, `+01:00`, `-0500`). */
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A time given on the command line: a duration back from now (`24h`), or an ISO 8601 time. Without an offset it is
 * UTC, with or without a time part, as `formatTime` prints times: JavaScript would read a date and time without an
 * offset as local time, and a date alone as UTC.
 */
export function parseTime(text: string, option: string, now: Date): Date {
    const back = parseDuration(text);
    if (back !== undefined) {
        return new Date(now.getTime() - back);
    }
    const [, date, time = "00:00", offset = "Z"] = ISO_TIME.exec(text) ?? [];
    const parsed = date === undefined ? NaN : Date.parse(`${date}T${time}${offset.toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, "$1:$2")}`);
    if (Number.isNaN(parsed)) {
        throw new UsageError(`${option} takes a duration back from now (30m, 24h, 7d) or an ISO time (2026-03-14T09:00Z), not "${text}"`);
    }
    return new Date(parsed);
}

/** `2026-03-14 09:26:53Z`: UTC, to the second, the same for everyone reading an audit. */
export function formatTime(date: Date | undefined): string {
    return date ? date.toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "Z") : "-";
}

/** Columns padded to their widest cell. */
export function textTable(headers: string[], rows: string[][]): string {
    const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i].length)));
    const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
    return [line(headers), ...rows.map(line)].join("\n");
}

export function markdownTable(headers: string[], rows: string[][]): string {
    const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
    const line = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
    return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

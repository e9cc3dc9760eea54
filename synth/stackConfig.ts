/**
 * The stack's config as `npm run synth` checks it before the program runs: every problem at once, the types
 * Pulumi.yaml declares with the program's own validation (components/config/), each blamed on where its value came
 * from: the stack file, a `--config` flag, or Pulumi.yaml's default. The program checks the same values again when it
 * runs, as it does under `pulumi preview`.
 */
import { CONFIG_NAMESPACE, ConfigError, ConfigProblem, REGION_KEY } from "../components/config";
import { parseExecConfig } from "../components/config/pulumi";
import { SynthError, SynthUsageError } from "./errors";
import {
    DeclaredConfig,
    hasDeclaredType,
    PROJECT_DIR,
    ProjectFile,
    readProjectFile,
    readStackConfig,
    resolveStackConfig,
    shownPath,
    stackFilePath,
    storedValue,
    typeName,
} from "./stackFiles";

/** Namespaces besides the project's that a key may have: the providers the program uses, and Pulumi's own (pulumi:tags). */
export const OTHER_NAMESPACES = ["aws", "awsx", "time", "pulumi"];

/** A config value, and where it came from as its user would look for it. */
export interface SourcedValue {
    value: unknown;
    from: string;
}

/** One bad key: what it got and from where, the type Pulumi.yaml wants where that is what is wrong, what is allowed. */
export interface SourcedProblem {
    key: string;
    value: unknown;
    from?: string;
    type?: string;
    allowed?: string;
}

const FROM_DEFAULT = "Pulumi.yaml's default";

/** Where `--config` takes its argument, as the user wrote it. */
const flag = (key: string, value: string) => `--config ${key}=${value}`;

/** Refuses a `--config` key in a namespace nothing reads: a typo would otherwise be ignored. */
export function refuseUnknownNamespaces(project: ProjectFile, overrides: Record<string, string>): void {
    const known = [project.name, ...OTHER_NAMESPACES];
    const unknown = Object.entries(overrides).filter(([key]) => key.includes(":") && !known.includes(key.slice(0, key.indexOf(":"))));
    if (unknown.length > 0) {
        throw new SynthUsageError(
            unknown
                .map(([key, value]) => `${flag(key, value)}: unknown namespace ${JSON.stringify(key.slice(0, key.indexOf(":")))}`)
                .concat(`A key is the project's (<key> or ${project.name}:<key>), or in one of ${OTHER_NAMESPACES.join(", ")}.`)
                .join("\n"),
        );
    }
}

/** Each key's value, qualified as the program sees it, with where it came from: defaults, then the stack file, then flags. */
export function configSources(
    project: ProjectFile,
    stackConfig: Record<string, unknown>,
    stackFile: string,
    overrides: Record<string, string>,
): Map<string, SourcedValue> {
    const qualified = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
    const sources = new Map<string, SourcedValue>();
    for (const [key, declared] of Object.entries(project.config)) {
        if (declared.default !== undefined) {
            sources.set(qualified(key), { value: declared.default, from: FROM_DEFAULT });
        }
    }
    for (const [key, value] of Object.entries(stackConfig)) {
        sources.set(qualified(key), { value, from: stackFile });
    }
    for (const [key, value] of Object.entries(overrides)) {
        sources.set(qualified(key), { value, from: flag(key, value) });
    }
    return sources;
}

/**
 * Values of another type than Pulumi.yaml declares. A stack file's value is checked as Pulumi stores it; a `--config`
 * value is text: a list or a map as the JSON the program parses, anything else as written.
 */
export function typeProblems(project: ProjectFile, sources: Map<string, SourcedValue>): SourcedProblem[] {
    const problems: SourcedProblem[] = [];
    for (const [key, declared] of Object.entries(project.config)) {
        const source = sources.get(`${project.name}:${key}`);
        if (source === undefined || source.from === FROM_DEFAULT) {
            continue; // Pulumi checks a default against its type when it loads Pulumi.yaml
        }
        const value = source.from.startsWith("--config ") ? flagValue(declared, source.value as string) : storedValue(source.value);
        if (!hasDeclaredType(declared, value)) {
            problems.push({ key: `${project.name}:${key}`, value: source.value, from: source.from, type: typeName(declared) });
        }
    }
    return problems;
}

function flagValue(declared: DeclaredConfig, text: string): unknown {
    if (declared.type !== "array" && declared.type !== "object") {
        return text;
    }
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** What the program's own validation refuses, each problem with the source of its key. */
export function programProblems(
    stack: string,
    raw: Record<string, string>,
    sources: Map<string, SourcedValue>,
): SourcedProblem[] {
    const programConfig = Object.fromEntries(Object.entries(raw).filter(([key]) => key.startsWith(`${CONFIG_NAMESPACE}:`) || key === REGION_KEY));
    try {
        parseExecConfig(programConfig, stack);
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) {
            throw e;
        }
        // ecs-exec:portForwarding[1] is a part of ecs-exec:portForwarding.
        const sourceOf = (problem: ConfigProblem) => (problem.value === undefined ? undefined : sources.get(problem.key.replace(/\[\d+\]$/, ""))?.from);
        return e.problems.map((problem) => ({ key: problem.key, value: problem.value, from: sourceOf(problem), allowed: problem.allowed }));
    }
}

/** Type problems and the program's, one line per key: a key of the wrong type says so before what is allowed. */
export function mergeProblems(types: SourcedProblem[], program: SourcedProblem[]): SourcedProblem[] {
    const merged = types.map((problem) => ({
        ...problem,
        allowed: program.filter((p) => p.key === problem.key).map((p) => p.allowed).join("; ") || undefined,
    }));
    return [...merged, ...program.filter((p) => !types.some((t) => t.key === p.key))];
}

/** The report: every problem with its value's source, then what to fix. */
export function formatSourcedProblems(problems: SourcedProblem[], stackFile: string): string {
    const lines = problems.map((p) => {
        const got = p.value === undefined ? "nothing (unset)" : `${JSON.stringify(p.value)}${p.from ? ` (${p.from})` : ""}`;
        const wanted = [p.type && `type ${p.type}, as Pulumi.yaml declares it`, p.allowed && `allowed: ${p.allowed}`].filter(Boolean);
        return `  - ${p.key}: got ${got}; ${wanted.join("; ")}`;
    });
    const fromFlags = problems.some((p) => p.from?.startsWith("--config "));
    const fixes = [
        ...(problems.some((p) => !p.from?.startsWith("--config ")) ? [`${stackFile} (or pulumi config set <key> <value>)`] : []),
        ...(fromFlags ? ["the --config values named"] : []),
    ];
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    return [`invalid stack configuration (${count}):`, ...lines, `Fix ${fixes.join(", and ")}.`].join("\n");
}

/**
 * Checks stack `stack` with `--config` overrides as `npm run synth` is given them: an unknown namespace is a usage
 * error; bad values are a SynthError listing each with its source.
 */
export function checkStackConfig(stack: string, overrides: Record<string, string>, projectDir = PROJECT_DIR): void {
    const project = readProjectFile(projectDir);
    refuseUnknownNamespaces(project, overrides);
    const stackFile = shownPath(stackFilePath(stack, projectDir));
    const stackConfig = readStackConfig(stack, projectDir);
    const sources = configSources(project, stackConfig, stackFile, overrides);
    const problems = mergeProblems(typeProblems(project, sources), programProblems(stack, resolveStackConfig(project, stackConfig, overrides), sources));
    if (problems.length > 0) {
        throw new SynthError(formatSourcedProblems(problems, stackFile));
    }
}

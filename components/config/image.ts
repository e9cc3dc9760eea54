/** A container image reference, split the way Docker and ECS read it. */
export interface ImageReference {
    /** Registry host (and port), or undefined for Docker Hub. */
    registry?: string;
    repository: string;
    tag?: string;
    digest?: string;
    /** Set when the image lives in Amazon ECR: the pull needs IAM permissions on that repository. */
    ecr?: { accountId: string; region: string; repository: string; dnsSuffix: string };
}

const component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const reference = new RegExp(
    "^(?:([a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?)/)?" + // registry
        `(${component}(?:/${component})*)` + // repository path
        "(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?" + // tag
        "(?:@(sha256:[a-f0-9]{64}))?$", // digest
);
const ecrHost = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.(amazonaws\.com(?:\.cn)?)$/;

/** Parses an image reference; undefined when it is not one. */
export function parseImageReference(image: string): ImageReference | undefined {
    const match = reference.exec(image);
    if (!match) {
        return undefined;
    }
    const [, host, path, tag, digest] = match;
    let registry: string | undefined = host;
    let repository = path;
    // Docker's rule: the first path component is a registry only if it looks like a host.
    if (registry !== undefined && !registry.includes(".") && !registry.includes(":") && registry !== "localhost") {
        repository = `${registry}/${repository}`;
        registry = undefined;
        if (!new RegExp(`^${component}(?:/${component})*$`).test(repository)) {
            return undefined;
        }
    }
    const ecr = registry ? ecrHost.exec(registry) : null;
    return {
        registry,
        repository,
        tag,
        digest,
        ecr: ecr ? { accountId: ecr[1], region: ecr[2], repository, dnsSuffix: ecr[3] } : undefined,
    };
}

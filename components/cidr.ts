/** IPv4 addresses and CIDR blocks, as config validation needs them. */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The address as a number, or undefined when `value` is not a dotted-quad IPv4 address. */
export function ipv4(value: string): number | undefined {
    const m = IPV4.exec(value);
    if (!m) {
        return undefined;
    }
    const octets = m.slice(1, 5).map(Number);
    if (octets.some((o) => o > 255)) {
        return undefined;
    }
    return octets.reduce((acc, o) => acc * 256 + o, 0);
}

/** An IPv4 CIDR block with a prefix from `minPrefix` to `maxPrefix` and no host bits set, or undefined. */
export function cidrBlock(value: string, minPrefix = 0, maxPrefix = 32): { address: number; prefix: number } | undefined {
    const [address, prefixText, ...rest] = value.split("/");
    const base = ipv4(address);
    if (base === undefined || rest.length > 0 || !/^\d{1,2}$/.test(prefixText ?? "")) {
        return undefined;
    }
    const prefix = Number(prefixText);
    if (prefix < minPrefix || prefix > maxPrefix || base % 2 ** (32 - prefix) !== 0) {
        return undefined;
    }
    return { address: base, prefix };
}

export function isCidr(value: string, minPrefix: number, maxPrefix: number): boolean {
    return cidrBlock(value, minPrefix, maxPrefix) !== undefined;
}

/** Whether the IPv4 address `ip` lies in the CIDR block `cidr` (both valid). */
export function cidrContains(cidr: string, ip: string): boolean {
    const block = cidrBlock(cidr);
    const address = ipv4(ip);
    if (block === undefined || address === undefined) {
        return false;
    }
    const size = 2 ** (32 - block.prefix);
    return address >= block.address && address < block.address + size;
}

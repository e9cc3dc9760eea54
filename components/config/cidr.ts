/** IPv4 addresses and CIDR blocks, as config validation and doctor's network check need them. */

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

/** An IPv4 address and a prefix of 0 to 32, written `a.b.c.d/n`, host bits as written; or undefined. */
function addressAndPrefix(value: string): { address: number; prefix: number } | undefined {
    const [address, prefixText, ...rest] = value.split("/");
    const base = ipv4(address);
    if (base === undefined || rest.length > 0 || !/^\d{1,2}$/.test(prefixText ?? "") || Number(prefixText) > 32) {
        return undefined;
    }
    return { address: base, prefix: Number(prefixText) };
}

/** An IPv4 CIDR block with a prefix from `minPrefix` to `maxPrefix` and no host bits set, or undefined. */
export function cidrBlock(value: string, minPrefix = 0, maxPrefix = 32): { address: number; prefix: number } | undefined {
    const block = addressAndPrefix(value);
    if (block === undefined || block.prefix < minPrefix || block.prefix > maxPrefix || block.address % 2 ** (32 - block.prefix) !== 0) {
        return undefined;
    }
    return block;
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

/**
 * Whether the IPv4 block `outer` holds every address of the block `inner`, as a route, a security group rule or a
 * network ACL entry covers a destination. Host bits are ignored (the network a block names is what counts); anything
 * else than two IPv4 blocks (an IPv6 block) holds nothing.
 */
export function cidrContainsBlock(outer: string, inner: string): boolean {
    const o = addressAndPrefix(outer);
    const i = addressAndPrefix(inner);
    if (o === undefined || i === undefined || o.prefix > i.prefix) {
        return false;
    }
    const size = 2 ** (32 - o.prefix);
    return Math.floor(o.address / size) === Math.floor(i.address / size);
}

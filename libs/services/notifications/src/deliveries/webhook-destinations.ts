import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';

/**
 * Address ranges a webhook may not be posted to unless the operator allows them
 * (ABAXUS_WEBHOOK_ALLOWED_NETWORKS): loopback, private networks, link-local (cloud metadata
 * services live at 169.254.169.254), carrier-grade NAT, multicast and reserved ranges. Anyone
 * with an admin key can register an endpoint, so without this the engine would post into the
 * network it runs in on their behalf (SSRF).
 */
const NON_PUBLIC_V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const NON_PUBLIC_V6: [string, number][] = [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
];

/** A CIDR (`10.0.0.0/8`, `fd00::/8`) or a single address, as ABAXUS_WEBHOOK_ALLOWED_NETWORKS lists them. */
export function parseNetwork(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address, prefixText, ...rest] = text.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

export class WebhookDestinationPolicy {
  private readonly nonPublic = new BlockList();
  private readonly allowed = new BlockList();

  constructor(allowedNetworks: readonly string[]) {
    for (const [address, prefix] of NON_PUBLIC_V4) this.nonPublic.addSubnet(address, prefix, 'ipv4');
    for (const [address, prefix] of NON_PUBLIC_V6) this.nonPublic.addSubnet(address, prefix, 'ipv6');
    for (const network of allowedNetworks) {
      const parsed = parseNetwork(network);
      if (!parsed) throw new Error(`not a network: ${network}`);
      this.allowed.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
  }

  /** Why a delivery may not go to this IP address, or undefined when it may. */
  refusal(address: string): string | undefined {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    const ip = mapped ? mapped[1] : address;
    const family = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
    if (!this.nonPublic.check(ip, family) || this.allowed.check(ip, family)) return undefined;
    return `${ip} is not a public address; list its network in ABAXUS_WEBHOOK_ALLOWED_NETWORKS to deliver there`;
  }

  /** Why this URL may not be used: its host is, or resolves to, an address not allowed. Unresolvable hosts pass (deliveries retry). */
  async urlRefusal(url: URL): Promise<string | undefined> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) return this.refusal(host);
    const addresses = await new Promise<LookupAddress[]>((resolve) => dnsLookup(host, { all: true }, (error, found) => resolve(error ? [] : found)));
    for (const { address } of addresses) {
      const refusal = this.refusal(address);
      if (refusal) return `${host} resolves to ${refusal}`;
    }
    return undefined;
  }

  /**
   * A `lookup` for the sockets that deliver: the addresses a host resolves to are checked at
   * connection time too, so a name that resolved to a public address when the endpoint was saved
   * cannot be pointed at an internal one later (DNS rebinding).
   */
  readonly lookup = (
    hostname: string,
    options: LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = addresses.map(({ address }) => this.refusal(address)).find((refusal) => refusal !== undefined);
      if (refused) return callback(Object.assign(new Error(`refused: ${hostname} resolves to ${refused}`), { code: 'ABAXUS_DESTINATION_REFUSED' }), []);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

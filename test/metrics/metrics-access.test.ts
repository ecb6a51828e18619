import { describe, expect, it } from 'vitest';
import { isLoopback, metricsAccess } from '../../src/metrics/http-metrics.js';

describe('the /metrics access rule', () => {
  it('counts only this host as loopback, in IPv4, IPv6 and mapped form', () => {
    for (const address of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1']) {
      expect(isLoopback(address), address).toBe(true);
    }
    for (const address of ['10.0.0.1', '::ffff:10.0.0.1', '::2', '1270.0.0.1', '', undefined]) {
      expect(isLoopback(address), String(address)).toBe(false);
    }
  });

  it('with a token, wants exactly it whatever the address', () => {
    const allowed = metricsAccess('a-metrics-token-of-length');
    const ask = (authorization: string | undefined, remoteAddress = '10.1.2.3') =>
      allowed({ remoteAddress, authorization, forwarded: true });
    expect(ask('Bearer a-metrics-token-of-length')).toBeUndefined();
    expect(ask('bearer   a-metrics-token-of-length ')).toBeUndefined();
    expect(ask('Bearer a-metrics-token-of-lengt')).toBeInstanceOf(Error);
    expect(ask('Bearer a-metrics-token-of-length-and-more')).toBeInstanceOf(Error);
    expect(ask('Basic a-metrics-token-of-length')).toBeInstanceOf(Error);
    expect(ask(undefined, '127.0.0.1')).toBeInstanceOf(Error);
  });
});

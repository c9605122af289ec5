import { describe, expect, it } from 'vitest';
import { isLocalAddress, SnapshotHosts } from './snapshot-hosts.ts';

describe('snapshot hosts', () => {
  const hosts = new SnapshotHosts(['nvr.example.cn', '*.cams.example.cn', 'img.example.cn:8443', '10.2.3.4']);

  it('accepts listed hosts, subdomains of a wildcard, and a listed port', () => {
    expect(hosts.problem('https://nvr.example.cn/snap/1.jpg')).toBeNull();
    expect(hosts.problem('http://NVR.Example.cn/x')).toBeNull();
    expect(hosts.problem('https://a.b.cams.example.cn/x.jpg')).toBeNull();
    expect(hosts.problem('https://img.example.cn:8443/x.jpg')).toBeNull();
    expect(hosts.problem('http://10.2.3.4/x.jpg')).toBeNull();
  });

  it('refuses everything else, naming why', () => {
    expect(hosts.problem('https://evil.example/x.jpg')).toMatch(/evil\.example is not one of the configured/);
    expect(hosts.problem('https://cams.example.cn/x.jpg')).toMatch(/not one of/);
    expect(hosts.problem('https://nvr.example.cn.evil.example/x')).toMatch(/not one of/);
    expect(hosts.problem('https://img.example.cn/x.jpg')).toMatch(/not one of/);
    expect(hosts.problem('https://nvr.example.cn@evil.example/x')).toMatch(/user name or password/);
    expect(hosts.problem('ftp://nvr.example.cn/x')).toMatch(/http or https/);
    expect(hosts.problem('javascript:alert(1)')).toMatch(/http or https/);
  });

  it('refuses loopback and link-local addresses in any spelling unless listed by address', () => {
    for (const u of [
      'http://169.254.169.254/latest/meta-data/',
      'http://127.0.0.1/x',
      'http://2130706433/x',
      'http://0x7f.1/x',
      'http://[::1]/x',
      'http://[fe80::1]/x',
      'http://[::ffff:127.0.0.1]/x',
      'http://localhost:8080/x',
    ]) {
      expect(hosts.problem(u), u).toMatch(/loopback or link-local/);
    }
    expect(new SnapshotHosts(['169.254.1.1']).problem('http://169.254.1.1/x')).toBeNull();
    expect(new SnapshotHosts(['*.254.169.254']).problem('http://169.254.169.254/x')).toMatch(/loopback/);
    expect(isLocalAddress('192.168.1.1')).toBe(false);
  });

  it('refuses every snapshot URL when no hosts are configured', () => {
    expect(new SnapshotHosts([]).problem('https://nvr.example.cn/x')).toMatch(
      /no snapshot hosts are configured/,
    );
  });
});

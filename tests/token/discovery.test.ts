/** Vendor driver discovery per platform, with the file system replaced by a set of existing paths. */
import { describe, expect, it } from 'vitest';
import { discoverModules } from '../../src/core/token/discovery.js';

describe('discoverModules', () => {
  it('finds Vietnamese vendor drivers in System32 and SysWOW64 on Windows', () => {
    const present = new Set(['C:\\Windows\\System32\\vnptca_p11_v8.dll', 'C:\\Windows\\SysWOW64\\viettel-ca_v5.dll', 'C:\\Windows\\System32\\BkavCAv2S.dll']);
    const found = discoverModules({ platform: 'win32', env: { WINDIR: 'C:\\Windows' }, exists: (f) => present.has(f), realpath: (f) => f });
    expect(found.map((f) => [f.vendor, f.path])).toEqual([
      ['vnpt-ca', 'C:\\Windows\\System32\\vnptca_p11_v8.dll'],
      ['viettel-ca', 'C:\\Windows\\SysWOW64\\viettel-ca_v5.dll'],
      ['bkav-ca', 'C:\\Windows\\System32\\BkavCAv2S.dll'],
    ]);
  });

  it('finds dylibs on macOS including lib-prefixed names, and user paths first', () => {
    const present = new Set(['/usr/local/lib/libfptca_v5.dylib', '/Library/CA2/nca_v7.dylib', '/opt/custom/p11.dylib']);
    const found = discoverModules({ platform: 'darwin', userPaths: ['/opt/custom/p11.dylib'], exists: (f) => present.has(f), realpath: (f) => f });
    expect(found.map((f) => f.vendor)).toEqual(['user', 'fpt-ca', 'nacencomm']);
  });

  it('loads one library reached by two names only once', () => {
    const present = new Set(['/usr/lib/libopensc-pkcs11.so', '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so']);
    const found = discoverModules({ platform: 'linux', exists: (f) => present.has(f), realpath: () => '/same/file.so' });
    expect(found).toHaveLength(1);
  });
});

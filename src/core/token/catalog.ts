/**
 * Where Vietnamese CA vendors' USB-token drivers (PKCS#11 modules) install themselves.
 * Pure data: discovery.ts turns it into candidate paths. Add a vendor by adding a row.
 * File names are the base names without extension; the OS-specific extension is added per platform.
 */

export type Platform = 'win32' | 'darwin' | 'linux';

export interface VendorModules {
  /** Stable key used in settings and logs. */
  readonly vendor: string;
  /** Name shown to users. */
  readonly displayName: string;
  /** Library base names as shipped (without .dll / .dylib / .so). */
  readonly names: readonly string[];
  /** Extra folders, beyond the platform defaults, where this vendor's installer puts them. */
  readonly folders?: Partial<Record<Platform, readonly string[]>>;
}

function versions(prefix: string, from: number, to: number, suffix = ''): string[] {
  const out: string[] = [];
  for (let v = from; v <= to; v++) out.push(`${prefix}${v}${suffix}`);
  return out;
}

export const VENDOR_MODULES: readonly VendorModules[] = [
  {
    vendor: 'vnpt-ca',
    displayName: 'VNPT-CA',
    names: [...versions('vnptca_p11_v', 6, 10), 'vnpt-ca_csp11', 'vnpt-ca_v34', 'vnpt-ca_cl_v1', 'vnptca_p11'],
    folders: {
      darwin: ['/Library/VNPT-CA', '/Applications/VNPT-CA Token Manager.app/Contents/MacOS', '/usr/local/lib/vnpt-ca'],
      linux: ['/usr/lib/vnpt-ca', '/opt/vnpt-ca/lib'],
    },
  },
  {
    vendor: 'viettel-ca',
    displayName: 'Viettel-CA',
    names: [...versions('viettel-ca_v', 1, 6), 'viettel-ca', 'viettelca_p11'],
    folders: {
      darwin: ['/Library/Viettel-CA', '/Applications/Viettel-CA Token Manager.app/Contents/MacOS'],
      linux: ['/usr/lib/viettel-ca', '/opt/viettel-ca/lib'],
    },
  },
  {
    vendor: 'bkav-ca',
    displayName: 'BKAV-CA',
    names: ['BkavCA', 'BkavCAv2S', 'BkavCAv2', 'bkavcaetoken_p11', 'bkavcsp11', 'BkavCA_P11'],
    folders: {
      darwin: ['/Library/BkavCA', '/Applications/BkavCA Token Manager.app/Contents/MacOS'],
      linux: ['/usr/lib/bkavca', '/opt/bkavca/lib'],
    },
  },
  {
    vendor: 'fpt-ca',
    displayName: 'FPT-CA',
    names: [...versions('fptca_v', 3, 6), 'fpt-ca', 'fptca_p11'],
    folders: { darwin: ['/Library/FPT-CA'], linux: ['/usr/lib/fpt-ca', '/opt/fpt-ca/lib'] },
  },
  {
    vendor: 'nacencomm',
    displayName: 'Nacencomm / CA2',
    names: [...versions('nca_v', 4, 9), 'CA2_csp11', 'ca2_p11', 'nacencomm_p11'],
    folders: { darwin: ['/Library/CA2'], linux: ['/usr/lib/ca2', '/opt/nacencomm/lib'] },
  },
  {
    vendor: 'safe-ca',
    displayName: 'Safe-CA',
    names: ['safe-ca', 'SafeCA_p11', 'safeca_csp11', 'safe-ca_v1', 'safe-ca_v2'],
    folders: { darwin: ['/Library/Safe-CA'] },
  },
  {
    vendor: 'vina-ca',
    displayName: 'Vina-CA',
    names: ['vina-ca', 'vinaca_p11', 'vinaca_csp11', 'vina-ca_v1'],
    folders: { darwin: ['/Library/Vina-CA'] },
  },
  {
    vendor: 'newtel-ca',
    displayName: 'Newtel-CA',
    names: ['newtel-ca', 'newtelca_p11', 'newtel-ca_csp11'],
    folders: { darwin: ['/Library/Newtel-CA'] },
  },
  {
    vendor: 'misa-ca',
    displayName: 'MISA-CA',
    names: ['misaca_p11', 'misa-ca', 'MISA-CA_csp11'],
  },
  {
    vendor: 'efy-ca',
    displayName: 'EFY-CA',
    names: ['efyca_p11', 'efy-ca', 'EFYCA_csp11'],
  },
  {
    vendor: 'safenet',
    displayName: 'SafeNet eToken',
    names: ['eTPKCS11', 'libeTPkcs11', 'libeToken'],
    folders: { darwin: ['/usr/local/lib'], linux: ['/usr/lib'] },
  },
  {
    vendor: 'opensc',
    displayName: 'OpenSC',
    names: ['opensc-pkcs11', 'opensc_pkcs11'],
    folders: {
      win32: ['C:\\Program Files\\OpenSC Project\\OpenSC\\pkcs11'],
      darwin: ['/Library/OpenSC/lib', '/usr/local/lib', '/opt/homebrew/lib'],
      linux: ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib/x86_64-linux-gnu/pkcs11', '/usr/lib/pkcs11'],
    },
  },
];

/** Folders every vendor may use on a platform; `%WINDIR%` is expanded by discovery. */
export const DEFAULT_FOLDERS: Record<Platform, readonly string[]> = {
  win32: ['%WINDIR%\\System32', '%WINDIR%\\SysWOW64'],
  darwin: ['/usr/local/lib', '/Library/Frameworks', '/usr/lib'],
  linux: ['/usr/lib', '/usr/local/lib', '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu'],
};

export const LIBRARY_EXTENSIONS: Record<Platform, readonly string[]> = {
  win32: ['.dll'],
  darwin: ['.dylib', '.so', ''],
  linux: ['.so', ''],
};

/** Linux/macOS libraries are often prefixed with `lib`. */
export const LIBRARY_PREFIXES: Record<Platform, readonly string[]> = {
  win32: [''],
  darwin: ['', 'lib'],
  linux: ['', 'lib'],
};

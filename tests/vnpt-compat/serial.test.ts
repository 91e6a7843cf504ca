/**
 * The serial the plugin shows, for serials the test PKI only makes by chance: a first byte below 0x10 keeps its
 * leading zero (whole bytes, as Windows' certificate store shows them), and pages' spellings all find the certificate.
 */
import { describe, expect, it } from 'vitest';
import { pluginSerial } from '../../src/agent/vnpt-compat/certificates.js';
import type { TokenCertificate } from '../../src/agent/prompter.js';

const withSerial = (serialNumber: string): TokenCertificate => ({ info: { serialNumber } }) as unknown as TokenCertificate;

describe('pluginSerial', () => {
  it.each([
    ['019acf7934925af90566caf9eb9f6b90264c180a', '019ACF7934925AF90566CAF9EB9F6B90264C180A'],
    ['19acf7934925af90566caf9eb9f6b90264c180a', '019ACF7934925AF90566CAF9EB9F6B90264C180A'],
    ['00a1', 'A1'],
    ['0a:1b', '0A1B'],
    ['7f', '7F'],
  ])('%s → %s', (input, shown) => {
    expect(pluginSerial(withSerial(input))).toBe(shown);
  });
});

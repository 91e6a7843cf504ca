/**
 * Where the OOXML tests get their signing keys: one line to switch between the software keys (node:crypto over the
 * fixture PEM files) and the SoftHSM token through Kyso's own token layer. Both sign the same fixture certificates.
 */
import { afterAll } from 'vitest';
import type { KeyFactory } from '../helpers/software-key.js';
import { softwareKeys } from '../helpers/software-key.js';
import { openTestTokens, testKey } from '../helpers/token.js';
import type { TokenService } from '../../src/core/token/token-service.js';

let tokens: TokenService | undefined;
afterAll(() => {
  tokens?.close();
  tokens = undefined;
});

/** The SoftHSM token of the fixtures (PIN from the fixtures). */
export const tokenKeys: KeyFactory = async (signer) => testKey((tokens ??= openTestTokens()), signer);

export { softwareKeys };

/** The key source the OOXML tests use. */
export const keyFor: KeyFactory = softwareKeys;

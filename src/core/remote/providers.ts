/**
 * Remote signing providers as data: who they are, where their API is, how a session opens, and how what the user
 * types (CCCD, MST, phone) becomes the provider's user id. Built-in presets are only for providers whose API we
 * found documented (docs/remote-signing.md says which we looked for and what we found); an organisation running
 * its own CSC v2 service adds it in `remote-providers.json` beside the accounts, which only the user (or their
 * administrator) writes — never a web page.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { KysoError } from '../errors.js';
import type { RemoteAccount, RemoteProvider } from './types.js';
import { ACCOUNT_FORMS, normalizeTypedAccount } from './account-forms.js';

export const REMOTE_PROVIDERS_FILE = 'remote-providers.json';

/**
 * No Vietnamese provider publishes a CSC v2 API that we could find (see docs/remote-signing.md), and the providers
 * whose own APIs are published require an integrator's credentials issued per portal: none is built in yet.
 */
export const BUILT_IN_PROVIDERS: readonly RemoteProvider[] = [];

/** A service URL Kyso may talk to: https, or http on the loopback (a test or a local gateway). */
function allowedUrl(u: string): boolean {
  try {
    const url = new URL(u);
    if (url.username || url.password) return false;
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

const providerSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/),
  name: z.string().min(1).max(80),
  app: z.string().min(1).max(80),
  baseUrl: z.string().max(500).refine(allowedUrl, 'https (or http on 127.0.0.1) without user information'),
  protocol: z.literal('csc-v2'),
  account: z.object({
    kind: z.enum(['cccd', 'mst', 'phone', 'cccd-or-mst', 'username']),
    userIdTemplate: z.string().max(100).refine((t) => t.includes('{account}'), 'must contain {account}'),
  }).strict(),
  auth: z.union([
    z.object({ type: z.literal('basic') }).strict(),
    z.object({ type: z.literal('oauth2client'), clientId: z.string().min(1).max(200) }).strict(),
  ]).optional(),
  approval: z.object({
    timeoutMs: z.number().int().min(1).max(30 * 60_000).optional(),
    pollIntervalMs: z.number().int().min(1).max(60_000).optional(),
  }).strict().optional(),
  asyncSignHash: z.boolean().optional(),
}).strict();

const fileSchema = z.object({ version: z.literal(1), providers: z.array(providerSchema).max(50) }).strict();

/**
 * The providers Kyso knows: built-in presets, then those of `remote-providers.json` in `configDir` (absent: none).
 * A file that does not match is refused whole (BAD_REQUEST naming the field): half a provider is worse than none.
 */
export function loadProviders(configDir: string | undefined): RemoteProvider[] {
  const out = [...BUILT_IN_PROVIDERS];
  if (!configDir) return out;
  const file = path.join(configDir, REMOTE_PROVIDERS_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw new KysoError('BAD_REQUEST', `${file}: ${(e as Error).message}`);
  }
  if (text.length > 256 * 1024) throw new KysoError('BAD_REQUEST', `${file}: larger than 256 KB`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KysoError('BAD_REQUEST', `${file}: not JSON`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new KysoError('BAD_REQUEST', `${file}: ${issue.path.join('.') || '(file)'}: ${issue.message}`);
  }
  for (const p of parsed.data.providers as RemoteProvider[]) {
    if (out.some((q) => q.id === p.id)) throw new KysoError('BAD_REQUEST', `${file}: provider "${p.id}" is defined twice`);
    out.push(p);
  }
  return out;
}

export function findProvider(providers: readonly RemoteProvider[], id: string): RemoteProvider {
  const p = providers.find((q) => q.id === id);
  if (!p) throw new KysoError('BAD_REQUEST', `unknown remote signing provider "${id}"${providers.length ? ` (known: ${providers.map((q) => q.id).join(', ')})` : ' (none configured: see docs/remote-signing.md)'}`);
  return p;
}

/**
 * What the user typed, normalised (spaces and dots dropped; +84 → 0) and checked against the provider's kind, so
 * a typo is caught when the account is added rather than as an authentication failure later.
 */
export function normalizeAccount(provider: RemoteProvider, typed: string): string {
  const s = normalizeTypedAccount(provider.account.kind, typed);
  const form = ACCOUNT_FORMS[provider.account.kind];
  if (!form.test(s)) throw new KysoError('BAD_REQUEST', `${provider.name} expects ${form.what}`);
  return s;
}

/** The provider's user id for an account (`userIdTemplate` with `{account}` replaced). */
export function userIdFor(provider: RemoteProvider, account: RemoteAccount): string {
  return provider.account.userIdTemplate.split('{account}').join(account.account);
}

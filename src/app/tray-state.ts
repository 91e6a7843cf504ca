/**
 * The tray's state machine. Inputs: the agent starting, running or failing; tokens plugged in and out; prompts
 * waiting; the allowed sites; the language. Output: the icon (error > waiting > token > idle), its tooltip
 * and the menu, as plain data that the shell draws and tests read.
 */
import type { AllowedSite, CertificateView, UiLanguage } from '../ui/kit/protocol.js';
import type { TrayIcon, TrayMenuItem, TrayView } from './electron-api.js';
import { formatDate, tr } from './i18n.js';

export interface TrayToken {
  id: string;
  label: string;
  vendor: string;
  certificates: CertificateView[];
}

export type AgentStatus =
  | { status: 'starting' }
  | { status: 'running'; port: number }
  | { status: 'failed'; reason: string };

export interface TrayState {
  version: string;
  language: UiLanguage;
  agent: AgentStatus;
  tokens: TrayToken[];
  pending: number;
  sites: AllowedSite[];
}

export type TrayEvent =
  | { type: 'agent-started'; port: number }
  | { type: 'agent-failed'; reason: string }
  | { type: 'agent-stopped' }
  | { type: 'tokens'; tokens: TrayToken[] }
  | { type: 'pending'; count: number }
  | { type: 'sites'; sites: AllowedSite[] }
  | { type: 'language'; language: UiLanguage };

export function initialTrayState(version: string, language: UiLanguage): TrayState {
  return { version, language, agent: { status: 'starting' }, tokens: [], pending: 0, sites: [] };
}

export function reduceTray(state: TrayState, event: TrayEvent): TrayState {
  switch (event.type) {
    case 'agent-started': return { ...state, agent: { status: 'running', port: event.port } };
    case 'agent-failed': return { ...state, agent: { status: 'failed', reason: event.reason } };
    case 'agent-stopped': return { ...state, agent: { status: 'starting' }, pending: 0 };
    case 'tokens': return { ...state, tokens: event.tokens };
    case 'pending': return { ...state, pending: Math.max(0, event.count) };
    case 'sites': return { ...state, sites: [...event.sites].sort((a, b) => a.origin.localeCompare(b.origin)) };
    case 'language': return { ...state, language: event.language };
  }
}

export function trayIcon(state: TrayState): TrayIcon {
  if (state.agent.status === 'failed') return 'error';
  if (state.pending > 0) return 'waiting';
  if (state.tokens.length > 0) return 'token';
  return 'idle';
}

export function trayTooltip(state: TrayState): string {
  const l = state.language;
  switch (trayIcon(state)) {
    case 'error': return tr(l, 'tray.failed', { reason: state.agent.status === 'failed' ? state.agent.reason : '' });
    case 'waiting': return tr(l, 'tray.waiting', { count: state.pending });
    case 'token': return tr(l, 'tray.tokens', { count: state.tokens.length });
    default: return state.agent.status === 'starting' ? tr(l, 'tray.starting') : tr(l, 'tray.noToken');
  }
}

function certificateLabel(c: CertificateView, l: UiLanguage): string {
  const id = Object.entries(c.identifiers).map(([k, v]) => `${k}: ${v}`)[0];
  const state = c.state === 'expired' ? ` (${tr(l, 'cert.expired')})` : c.state === 'not-yet-valid' ? ` (${tr(l, 'cert.notYetValid')})` : '';
  return `${c.commonName}${id ? ` — ${id}` : ''}${state}`;
}

/** The lines shown for one certificate (menu and details box). */
export function certificateDetails(c: CertificateView, l: UiLanguage): string[] {
  return [
    `${tr(l, 'cert.holder')}: ${c.commonName}`,
    ...Object.entries(c.identifiers).map(([k, v]) => `${k}: ${v}`),
    ...(c.organization ? [c.organization] : []),
    `${tr(l, 'cert.issuer')}: ${c.issuer}`,
    `${tr(l, 'cert.validity')}: ${formatDate(c.notBefore)} – ${formatDate(c.notAfter)}`,
    `${tr(l, 'cert.token')}: ${c.token}`,
    `${tr(l, 'cert.serial')}: ${c.serialNumber}`,
  ];
}

export function trayMenu(state: TrayState): TrayMenuItem[] {
  const l = state.language;
  const a = state.agent;
  const status = a.status === 'running'
    ? tr(l, 'menu.status.running', { version: state.version, port: a.port })
    : a.status === 'failed'
      ? tr(l, 'menu.status.failed', { version: state.version, reason: a.reason })
      : tr(l, 'menu.status.starting', { version: state.version });
  const tokens: TrayMenuItem[] = state.tokens.length === 0
    ? [{ label: tr(l, 'menu.noToken'), enabled: false }]
    : state.tokens.map((t) => ({
      label: t.vendor && t.vendor !== 'user' ? `${t.label} (${t.vendor})` : t.label,
      type: 'submenu',
      submenu: t.certificates.length === 0
        ? [{ label: tr(l, 'menu.noCertificate'), enabled: false }]
        : t.certificates.map((c) => ({ label: certificateLabel(c, l), action: { type: 'certificate', id: c.id } })),
    }));
  const sites: TrayMenuItem[] = state.sites.length === 0
    ? [{ label: tr(l, 'menu.noSites'), enabled: false }]
    : state.sites.map((s) => ({ label: tr(l, 'menu.revoke', { origin: s.origin }), action: { type: 'revoke', origin: s.origin } }));
  return [
    { label: status, enabled: false },
    ...(state.pending > 0 ? [{ label: tr(l, 'menu.pending', { count: state.pending }), action: { type: 'show-pending' } } satisfies TrayMenuItem] : []),
    { type: 'separator' },
    { label: tr(l, 'menu.tokens'), type: 'submenu', submenu: tokens },
    { label: tr(l, 'menu.sites'), type: 'submenu', submenu: sites },
    { type: 'separator' },
    { label: tr(l, 'menu.verify'), action: { type: 'verify' } },
    { label: tr(l, 'menu.settings'), action: { type: 'settings' } },
    { label: tr(l, 'menu.logs'), action: { type: 'open-logs' } },
    { label: tr(l, 'menu.about'), action: { type: 'about' } },
    { type: 'separator' },
    { label: tr(l, 'menu.quit'), action: { type: 'quit' } },
  ];
}

export function trayView(state: TrayState): TrayView {
  return { icon: trayIcon(state), tooltip: trayTooltip(state), menu: trayMenu(state) };
}

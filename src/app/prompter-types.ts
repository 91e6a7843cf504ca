/** The tray app implements the agent's Prompter: the interface lives with the agent (src/agent/prompter.ts). */
export * from '../agent/prompter.js';

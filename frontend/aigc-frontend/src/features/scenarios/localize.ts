/** The scenario's text in the UI language; shared with the chat (a new chat shows the picked scenario). */
export { type LocalizedScenario, localizeScenario } from '@/lib/localize-scenario';

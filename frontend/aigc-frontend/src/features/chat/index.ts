/** Public surface of the chat feature, for the app layer. */
export { ChatPage } from './components/chat-page';
export { SessionHistory } from './components/session-history';
export { type StartChatInput, useStartChat } from './hooks/use-start-chat';

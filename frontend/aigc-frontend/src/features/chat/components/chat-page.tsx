import type { ReactNode } from 'react';
import type { MessagePublic } from '@/client/types.gen';
import { ChatSidebar } from './chat-sidebar';
import { Conversation } from './conversation';
import { NewChat } from './new-chat';

/** The chat: recent sessions on the side, the open session (or a new one) in the middle. */
export function ChatPage({
  sessionId,
  renderAnswerExtra,
}: {
  sessionId?: string;
  renderAnswerExtra?: (message: MessagePublic) => ReactNode;
}) {
  return (
    <div className="chat-page">
      <ChatSidebar activeId={sessionId} />
      <div className="chat-body">
        {sessionId ? (
          <Conversation key={sessionId} sessionId={sessionId} renderAnswerExtra={renderAnswerExtra} />
        ) : (
          <NewChat />
        )}
      </div>
    </div>
  );
}

import { useParams } from 'react-router';
import type { MessagePublic } from '@/client/types.gen';
import { ChatPage } from '@/features/chat';
import { FeedbackBar } from '@/features/feedback';

const feedbackFor = (message: MessagePublic) => (
  <FeedbackBar key={message.id} messageId={message.id} initial={message.feedback} />
);

/** /chat (a new conversation) and /chat/:sessionId, with feedback under every answer. */
export default function ChatRoute() {
  const sessionId = useParams()['*'] || undefined;
  return <ChatPage sessionId={sessionId} renderAnswerExtra={feedbackFor} />;
}

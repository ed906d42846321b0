import { SessionHistory } from '@/features/chat';

/** Every conversation of the user. */
export default function HistoryRoute() {
  return <SessionHistory />;
}

import { ScenarioGallery } from '@/features/scenarios';
import { useStartChat } from '@/features/chat';

/** The scenario gallery; starting a scenario opens a new chat session. */
export default function ScenariosRoute() {
  const { start, isPending } = useStartChat();
  return <ScenarioGallery onStart={start} starting={isPending} />;
}

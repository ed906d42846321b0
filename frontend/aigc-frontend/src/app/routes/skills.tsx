import { useAuth } from '@/features/auth';
import { SkillsPage } from '@/features/skills';

/** The skills library; admins may publish. */
export default function SkillsRoute() {
  const { isAdmin, user } = useAuth();
  return <SkillsPage canPublish={isAdmin} userId={user?.id ?? null} />;
}

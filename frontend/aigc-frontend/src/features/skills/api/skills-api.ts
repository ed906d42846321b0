import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  skillsCreateSkill,
  skillsDeleteSkill,
  skillsGetSkill,
  skillsListSkills,
  skillsReplaceSkill,
  skillsUpdateSkill,
  skillsUploadSkill,
} from '@/client/sdk.gen';
import type { SkillCreate, SkillFileIn, SkillUpdate } from '@/client/types.gen';
import { unwrap } from '@/lib/api-error';

export const skillKeys = {
  all: ['skills'] as const,
  list: (search: string) => [...skillKeys.all, 'list', { search }] as const,
  detail: (id: string) => [...skillKeys.all, 'detail', id] as const,
};

/** GET /skills: mine, the public ones, and (for admins) all. */
export const skillsQueryOptions = (search: string) =>
  queryOptions({
    queryKey: skillKeys.list(search),
    queryFn: ({ signal }) => unwrap(skillsListSkills({ query: { search: search || undefined, limit: 200 }, signal })),
  });

export function useSkills(search = '') {
  return useQuery(skillsQueryOptions(search));
}

/** GET /skills/{id}: the skill with its files. */
export const skillQueryOptions = (id: string) =>
  queryOptions({
    queryKey: skillKeys.detail(id),
    queryFn: ({ signal }) => unwrap(skillsGetSkill({ path: { skill_id: id }, signal })),
  });

export function useSkill(id: string | null) {
  return useQuery({ ...skillQueryOptions(id ?? ''), enabled: !!id });
}

function useInvalidateSkills() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: skillKeys.all });
}

/** POST /skills: a new skill from its files (SKILL.md required). */
export function useCreateSkill() {
  const invalidate = useInvalidateSkills();
  return useMutation({
    mutationFn: (body: SkillCreate) => unwrap(skillsCreateSkill({ body })),
    onSuccess: invalidate,
  });
}

/** PUT /skills/{id}: replace every file. */
export function useReplaceSkill() {
  const invalidate = useInvalidateSkills();
  return useMutation({
    mutationFn: ({ id, files }: { id: string; files: SkillFileIn[] }) =>
      unwrap(skillsReplaceSkill({ path: { skill_id: id }, body: { files } })),
    onSuccess: invalidate,
  });
}

/** POST /skills/upload: a zip of the skill folder. */
export function useUploadSkill() {
  const invalidate = useInvalidateSkills();
  return useMutation({
    mutationFn: ({ file, isPublic }: { file: File; isPublic: boolean }) =>
      unwrap(skillsUploadSkill({ body: { file, is_public: isPublic } })),
    onSuccess: invalidate,
  });
}

/** PATCH /skills/{id}: public (admins) and enabled flags. */
export function useUpdateSkill() {
  const invalidate = useInvalidateSkills();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: SkillUpdate }) =>
      unwrap(skillsUpdateSkill({ path: { skill_id: id }, body })),
    onSuccess: invalidate,
  });
}

/** DELETE /skills/{id}. */
export function useDeleteSkill() {
  const invalidate = useInvalidateSkills();
  return useMutation({
    mutationFn: (id: string) => unwrap(skillsDeleteSkill({ path: { skill_id: id } })),
    onSuccess: invalidate,
  });
}

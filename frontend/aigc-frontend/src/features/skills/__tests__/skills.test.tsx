import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { SkillCreate, SkillDetail, SkillFiles, SkillUpdate } from '@/client/types.gen';
import { errorBody, mockApi, testUsers } from '@/testing/mock-api';
import { makeSkill } from '@/testing/mock-domain';
import { renderApp } from '@/testing/render-app';
import { server } from '@/testing/server';

const SKILL_MD = `---
name: tea-notes
description: Notes about tea.
---

# Tea notes
`;

/** An in-memory skills API recording what the page sent; a `refusal` answers the next create or replace. */
function skillsApi(skills: SkillDetail[]) {
  const api = { sent: [] as { method: string; path: string; body: unknown }[], refusal: null as Response | null };
  const summary = ({ files: _files, ...skill }: SkillDetail) => skill;
  const record = (request: Request, body: unknown) => api.sent.push({ method: request.method, path: new URL(request.url).pathname, body });
  const refused = () => {
    const refusal = api.refusal;
    api.refusal = null;
    return refusal;
  };
  server.use(
    http.get('*/api/v1/skills', () => HttpResponse.json({ items: skills.map(summary), count: skills.length })),
    http.get('*/api/v1/skills/:id', ({ params }) => HttpResponse.json(skills.find((skill) => skill.id === params.id))),
    http.post('*/api/v1/skills', async ({ request }) => {
      const body = (await request.json()) as SkillCreate;
      record(request, body);
      const refusal = refused();
      if (refusal) return refusal;
      const skill = makeSkill({ name: 'tea-notes', description: 'Notes about tea.', created_by: testUsers.alice.id });
      skills.push(skill);
      return HttpResponse.json(summary(skill), { status: 201 });
    }),
    http.post('*/api/v1/skills/upload', async ({ request }) => {
      const form = await request.formData();
      // jsdom's FormData loses the file name on its way into Node's Request; the bytes arrive intact.
      const file = form.get('file') as Blob;
      record(request, { file: [...new Uint8Array(await file.arrayBuffer())], is_public: form.get('is_public') });
      const skill = makeSkill({ name: 'zipped-skill', created_by: testUsers.alice.id, file_count: 3 });
      skills.push(skill);
      return HttpResponse.json(summary(skill), { status: 201 });
    }),
    http.put('*/api/v1/skills/:id', async ({ request }) => {
      record(request, (await request.json()) as SkillFiles);
      return refused() ?? HttpResponse.json(summary(skills[0]));
    }),
    http.patch('*/api/v1/skills/:id', async ({ params, request }) => {
      const body = (await request.json()) as SkillUpdate;
      record(request, body);
      const skill = skills.find((s) => s.id === params.id)!;
      Object.assign(skill, body);
      return HttpResponse.json(summary(skill));
    }),
  );
  return api;
}

function seed() {
  return [
    makeSkill({
      name: 'report-style',
      description: 'How reports are laid out.',
      created_by: testUsers.alice.id,
      file_count: 3,
      total_size: 1536,
      files: [
        { path: 'SKILL.md', size: 80, is_text: true, content: '---\nname: report-style\ndescription: How reports are laid out.\n---\n' },
        { path: 'reference.md', size: 20, is_text: true, content: '# Headings first' },
        { path: 'logo.png', size: 1436, is_text: false, content: null },
      ],
    }),
    makeSkill({ name: 'csv-cleaner', description: 'Cleans spreadsheets.', is_public: true, created_by: testUsers.root.id }),
  ];
}

async function openSkills(who: 'alice' | 'root' = 'alice', path = '/skills') {
  mockApi.refreshCookieFor = who;
  const app = renderApp(path);
  await screen.findByText('How reports are laid out.');
  return app;
}

const rowOf = (name: string) => screen.getByText(name).closest('tr')!;

describe('skills library', () => {
  it('lists my skills and the public ones, with who may change them', async () => {
    skillsApi(seed());
    await openSkills();

    const mine = rowOf('report-style');
    expect(within(mine).getByText('Private')).toBeInTheDocument();
    expect(within(mine).getByText('3 · 1.5 KB')).toBeInTheDocument();
    expect(within(mine).getByRole('button', { name: 'Edit report-style' })).toBeEnabled();
    expect(within(mine).getByRole('switch', { name: 'Enabled: report-style' })).toBeChecked();

    const shared = rowOf('csv-cleaner');
    expect(within(shared).getByText('Public')).toBeInTheDocument();
    expect(within(shared).getByRole('button', { name: 'Edit csv-cleaner' })).toBeDisabled();
    expect(within(shared).getByRole('button', { name: 'Delete csv-cleaner' })).toBeDisabled();
    expect(within(shared).getByRole('switch', { name: 'Enabled: csv-cleaner' })).toBeDisabled();
    // Only admins get the publish switch.
    expect(screen.queryByRole('switch', { name: /^Public:/ })).not.toBeInTheDocument();
  });

  it('creates a skill from its SKILL.md and explains a refused one', async () => {
    const api = skillsApi(seed());
    api.refusal = HttpResponse.json(errorBody('invalid_skill', 'SKILL.md needs a non-empty `description`'), { status: 422 });
    const { user } = await openSkills();

    await user.click(screen.getByRole('button', { name: 'New skill' }));
    // Queries by role inside the drawer: over the whole page they compute the name of every button of the layout.
    const drawer = await screen.findByRole('dialog');
    const editor = within(drawer).getByRole('textbox', { name: 'Content of SKILL.md' });
    expect(editor).toHaveDisplayValue(/name: my-skill/);
    await user.clear(editor);
    await user.paste('---\nname: tea-notes\n---\n');
    await user.click(within(drawer).getByRole('button', { name: 'Save' }));

    expect(await within(drawer).findByText('SKILL.md needs a non-empty `description`')).toBeInTheDocument();
    await user.clear(editor);
    await user.paste(SKILL_MD);
    await user.click(within(drawer).getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Saved')).toBeInTheDocument();
    expect(await screen.findByText('tea-notes')).toBeInTheDocument();
    expect(api.sent).toEqual([
      { method: 'POST', path: '/api/v1/skills', body: { files: [{ path: 'SKILL.md', content: '---\nname: tea-notes\n---\n' }], is_public: false } },
      { method: 'POST', path: '/api/v1/skills', body: { files: [{ path: 'SKILL.md', content: SKILL_MD }], is_public: false } },
    ]);
    await waitFor(() => expect(drawer).not.toBeInTheDocument());
  });

  it('edits the text files of a skill and shows a name clash', async () => {
    const skills = seed();
    const api = skillsApi(skills);
    api.refusal = HttpResponse.json(errorBody('skill_name_taken', "A skill named 'csv-cleaner' already exists"), { status: 409 });
    const { user } = await openSkills();

    await user.click(within(rowOf('report-style')).getByRole('button', { name: 'Edit report-style' }));
    const drawer = await screen.findByRole('dialog');
    expect(await within(drawer).findByText(/1 binary file\(s\) cannot be edited here/)).toBeInTheDocument();
    const editor = within(drawer).getByRole('textbox', { name: 'Content of SKILL.md' });
    expect(editor).toHaveDisplayValue(/name: report-style/);
    const renamed = '---\nname: csv-cleaner\ndescription: How reports are laid out.\n---\n';
    await user.clear(editor);
    await user.paste(renamed);
    await user.click(within(drawer).getByRole('button', { name: 'Save' }));

    expect(await within(drawer).findByText("A skill named 'csv-cleaner' already exists")).toBeInTheDocument();
    expect(api.sent).toEqual([
      {
        method: 'PUT',
        path: `/api/v1/skills/${skills[0].id}`,
        body: {
          files: [
            { path: 'SKILL.md', content: renamed },
            { path: 'reference.md', content: '# Headings first' },
          ],
        },
      },
    ]);
    // The editor stays open with the text, so nothing typed is lost.
    expect(within(drawer).getByRole('textbox', { name: 'Content of SKILL.md' })).toHaveValue(renamed);
  });

  it('uploads a zip of a skill folder', async () => {
    const api = skillsApi(seed());
    const { user } = await openSkills();
    const zip = new File([new Uint8Array([80, 75, 3, 4])], 'zipped-skill.zip', { type: 'application/zip' });

    await user.upload(document.querySelector<HTMLInputElement>('input[type="file"]')!, zip);

    expect(await screen.findByText('Skill zipped-skill uploaded')).toBeInTheDocument();
    expect(api.sent).toEqual([{ method: 'POST', path: '/api/v1/skills/upload', body: { file: [80, 75, 3, 4], is_public: 'false' } }]);
    expect(await screen.findByText('zipped-skill')).toBeInTheDocument();
  });

  it('lets an admin publish a skill', async () => {
    const skills = seed();
    const api = skillsApi(skills);
    const { user } = await openSkills('root', '/admin?tab=skills');

    const publish = screen.getByRole('switch', { name: 'Public: report-style' });
    expect(publish).not.toBeChecked();
    expect(screen.getByRole('switch', { name: 'Public: csv-cleaner' })).toBeChecked();
    await user.click(publish);

    await waitFor(() => expect(screen.getByRole('switch', { name: 'Public: report-style' })).toBeChecked());
    expect(api.sent).toEqual([{ method: 'PATCH', path: `/api/v1/skills/${skills[0].id}`, body: { is_public: true } }]);
  });
});

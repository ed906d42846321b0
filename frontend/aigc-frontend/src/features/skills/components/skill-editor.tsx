import { DeleteOutlined, FileAddOutlined, FileTextOutlined } from '@ant-design/icons';
import { Alert, App, Button, Drawer, Flex, Input, Menu, Space, Spin, Switch, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SkillFileIn } from '@/client/types.gen';
import { MarkdownView } from '@/components/markdown-view';
import { describeError } from '@/lib/describe-error';
import { useCreateSkill, useReplaceSkill, useSkill } from '../api/skills-api';

export const SKILL_TEMPLATE = `---
name: my-skill
description: What this skill does and when the assistant should use it.
---

# My skill

Step-by-step instructions for the assistant.
`;

/** SKILL.md with its YAML front matter shown as a code block, so the preview shows it too. */
export function previewText(text: string): string {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (!match) return text;
  return `\`\`\`yaml\n${match[1]}\n\`\`\`\n\n${text.slice(match[0].length)}`;
}

interface EditorProps {
  /** null: a new skill. */
  skillId: string | null;
  open: boolean;
  canPublish: boolean;
  onClose: () => void;
}

/** Create or edit a skill: SKILL.md with a live rendered preview, plus any extra text files. */
export function SkillEditor({ skillId, open, canPublish, onClose }: EditorProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const skill = useSkill(open ? skillId : null);
  const create = useCreateSkill();
  const replace = useReplaceSkill();
  const [files, setFiles] = useState<SkillFileIn[]>([]);
  const [current, setCurrent] = useState('SKILL.md');
  const [newPath, setNewPath] = useState('');
  const [isPublic, setIsPublic] = useState(false);

  useEffect(() => {
    if (!open) return;
    if (skillId === null) {
      setFiles([{ path: 'SKILL.md', content: SKILL_TEMPLATE }]);
    } else if (skill.data) {
      setFiles(
        (skill.data.files ?? [])
          .filter((file) => file.is_text)
          .map((file) => ({ path: file.path, content: file.content ?? '' })),
      );
    }
    setCurrent('SKILL.md');
    setIsPublic(false);
    create.reset();
    replace.reset();
    // create/replace are stable enough; resetting them on every render would loop.
  }, [open, skillId, skill.data]); // eslint-disable-line

  const binaryCount = skill.data?.files?.filter((file) => !file.is_text).length ?? 0;
  const currentFile = files.find((file) => file.path === current);
  const skillMd = files.find((file) => file.path === 'SKILL.md')?.content ?? '';
  const preview = useMemo(() => previewText(current === 'SKILL.md' ? skillMd : (currentFile?.content ?? '')), [current, skillMd, currentFile]);
  const error = create.error ?? replace.error;
  const saving = create.isPending || replace.isPending;

  const setContent = (content: string) =>
    setFiles((all) => all.map((file) => (file.path === current ? { ...file, content } : file)));
  const addFile = () => {
    const path = newPath.trim().replace(/^\/+/, '');
    if (!path || files.some((file) => file.path === path)) return;
    setFiles((all) => [...all, { path, content: '' }]);
    setCurrent(path);
    setNewPath('');
  };
  const removeFile = (path: string) => {
    setFiles((all) => all.filter((file) => file.path !== path));
    setCurrent('SKILL.md');
  };
  const save = () => {
    const done = {
      onSuccess: () => {
        message.success(t('common.saved'));
        onClose();
      },
    };
    if (skillId === null) create.mutate({ files, is_public: canPublish && isPublic }, done);
    else replace.mutate({ id: skillId, files }, done);
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      size="min(1100px, 100vw)"
      title={skillId ? t('skills.editTitle', { name: skill.data?.name ?? '' }) : t('skills.newTitle')}
      destroyOnHidden
      extra={
        <Space>
          {skillId === null && canPublish ? (
            <Flex align="center" gap={6}>
              <Switch id="new-skill-public" size="small" checked={isPublic} onChange={setIsPublic} />
              <label htmlFor="new-skill-public">{t('skills.public')}</label>
            </Flex>
          ) : null}
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={saving} onClick={save} disabled={!skillMd.trim()}>
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      {skillId && skill.isPending ? <Spin /> : null}
      {error ? <Alert type="error" showIcon title={describeError(error, t)} style={{ marginBottom: 12 }} /> : null}
      {binaryCount > 0 ? (
        <Alert type="warning" showIcon title={t('skills.binaryWarning', { count: binaryCount })} style={{ marginBottom: 12 }} />
      ) : null}
      <div className="skill-editor">
        <nav aria-label={t('skills.files')} className="skill-files">
          <Menu
            selectedKeys={[current]}
            onClick={({ key }) => setCurrent(key)}
            items={files.map((file) => ({ key: file.path, icon: <FileTextOutlined aria-hidden />, label: file.path }))}
          />
          <Space.Compact style={{ width: '100%', marginTop: 8 }}>
            <Input
              size="small"
              value={newPath}
              placeholder={t('skills.newFile')}
              aria-label={t('skills.newFile')}
              onChange={(event) => setNewPath(event.target.value)}
              onPressEnter={addFile}
            />
            <Button size="small" icon={<FileAddOutlined aria-hidden />} aria-label={t('skills.addFile')} onClick={addFile} />
          </Space.Compact>
        </nav>
        <div className="skill-source">
          <Flex justify="space-between" align="center" style={{ marginBottom: 6 }}>
            <Typography.Text strong>{current}</Typography.Text>
            {current !== 'SKILL.md' ? (
              <Button size="small" danger type="text" icon={<DeleteOutlined aria-hidden />} onClick={() => removeFile(current)}>
                {t('skills.removeFile')}
              </Button>
            ) : null}
          </Flex>
          <Input.TextArea
            value={currentFile?.content ?? ''}
            onChange={(event) => setContent(event.target.value)}
            aria-label={t('skills.editorLabel', { path: current })}
            className="code-editor"
            spellCheck={false}
          />
        </div>
        <section className="skill-preview" aria-label={t('skills.preview')}>
          <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 6 }}>
            {t('skills.preview')}
          </Typography.Text>
          {/\.(md|markdown)$/i.test(current) ? <MarkdownView text={preview} /> : <pre className="artifact-text">{currentFile?.content}</pre>}
        </section>
      </div>
    </Drawer>
  );
}

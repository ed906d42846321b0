import { DeleteOutlined, DownloadOutlined, EditOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Flex, Input, Popconfirm, Space, Switch, Table, Tag, Typography, Upload } from 'antd';
import { useDeferredValue, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SkillPublic } from '@/client/types.gen';
import { describeError } from '@/lib/describe-error';
import { downloadFile } from '@/lib/download';
import { formatBytes, formatDateTime } from '@/lib/format';
import { useDeleteSkill, useSkills, useUpdateSkill, useUploadSkill } from '../api/skills-api';
import { SkillEditor } from './skill-editor';

export interface SkillsPageProps {
  /** Admins may make skills public. */
  canPublish: boolean;
  /** The current user's id: only owners (and admins) may edit. */
  userId: string | null;
  title?: string;
  headingLevel?: 1 | 2;
}

/** The skills library: list, create or edit SKILL.md, upload a zip, publish (admins), download, delete. */
export function SkillsPage({ canPublish, userId, title, headingLevel = 1 }: SkillsPageProps) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [search, setSearch] = useState('');
  const query = useDeferredValue(search.trim());
  const { data, error, isPending } = useSkills(query);
  const update = useUpdateSkill();
  const remove = useDeleteSkill();
  const upload = useUploadSkill();
  const [editor, setEditor] = useState<{ open: boolean; id: string | null }>({ open: false, id: null });

  const canEdit = (skill: SkillPublic) => canPublish || skill.created_by === userId;
  const onError = (err: unknown) => message.error(describeError(err, t));

  return (
    <section aria-labelledby="skills-title">
      <Flex align="center" justify="space-between" wrap gap={12} style={{ marginBottom: 16 }}>
        <Typography.Title level={headingLevel} id="skills-title" style={{ fontSize: headingLevel === 1 ? 24 : 18, margin: 0 }}>
          {title ?? t('pages.skills.title')}
        </Typography.Title>
        <Space wrap>
          <Input.Search
            allowClear
            placeholder={t('skills.search')}
            aria-label={t('skills.search')}
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            style={{ width: 240 }}
          />
          <Upload
            accept=".zip,application/zip"
            showUploadList={false}
            beforeUpload={(file) => {
              upload.mutate(
                { file, isPublic: false },
                { onSuccess: (skill) => message.success(t('skills.uploaded', { name: skill.name })), onError },
              );
              return false;
            }}
          >
            <Button icon={<UploadOutlined aria-hidden />} loading={upload.isPending}>
              {t('skills.upload')}
            </Button>
          </Upload>
          <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setEditor({ open: true, id: null })}>
            {t('skills.new')}
          </Button>
        </Space>
      </Flex>
      <Typography.Paragraph type="secondary">{t('skills.intro')}</Typography.Paragraph>
      {error ? <Alert type="error" showIcon title={describeError(error, t)} /> : null}
      <Table<SkillPublic>
        rowKey="id"
        loading={isPending}
        dataSource={data?.items ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 800 }}
        locale={{ emptyText: query ? t('skills.noMatch') : t('pages.skills.empty') }}
        columns={[
          {
            title: t('skills.name'),
            dataIndex: 'name',
            render: (name: string, skill) => (
              <Flex vertical>
                <Typography.Text strong>{name}</Typography.Text>
                <Typography.Text type="secondary" ellipsis style={{ maxWidth: 420 }}>
                  {skill.description}
                </Typography.Text>
              </Flex>
            ),
          },
          {
            title: t('skills.public'),
            dataIndex: 'is_public',
            width: 110,
            render: (value: boolean, skill) =>
              canPublish ? (
                <Switch
                  size="small"
                  checked={value}
                  aria-label={t('skills.publicLabel', { name: skill.name })}
                  onChange={(is_public) => update.mutate({ id: skill.id, body: { is_public } }, { onError })}
                />
              ) : (
                <Tag color={value ? 'green' : 'default'}>{value ? t('skills.public') : t('skills.private')}</Tag>
              ),
          },
          {
            title: t('skills.enabled'),
            dataIndex: 'is_enabled',
            width: 100,
            render: (value: boolean, skill) => (
              <Switch
                size="small"
                checked={value}
                disabled={!canEdit(skill)}
                aria-label={t('skills.enabledLabel', { name: skill.name })}
                onChange={(is_enabled) => update.mutate({ id: skill.id, body: { is_enabled } }, { onError })}
              />
            ),
          },
          {
            title: t('skills.files'),
            width: 120,
            render: (_, skill) => `${skill.file_count} · ${formatBytes(skill.total_size)}`,
          },
          {
            title: t('skills.updated'),
            dataIndex: 'updated_at',
            width: 180,
            render: (value: string) => formatDateTime(value, i18n.language),
          },
          {
            title: t('common.actions'),
            width: 130,
            fixed: 'right',
            render: (_, skill) => (
              <Space size={0}>
                <Button
                  type="text"
                  icon={<EditOutlined aria-hidden />}
                  disabled={!canEdit(skill)}
                  aria-label={t('skills.editLabel', { name: skill.name })}
                  onClick={() => setEditor({ open: true, id: skill.id })}
                />
                <Button
                  type="text"
                  icon={<DownloadOutlined aria-hidden />}
                  aria-label={t('skills.downloadLabel', { name: skill.name })}
                  onClick={() => void downloadFile(`/api/v1/skills/${skill.id}/download`, `${skill.name}.zip`).catch(onError)}
                />
                <Popconfirm
                  title={t('skills.deleteConfirm', { name: skill.name })}
                  okText={t('common.delete')}
                  cancelText={t('common.cancel')}
                  okButtonProps={{ danger: true }}
                  onConfirm={() => remove.mutate(skill.id, { onError })}
                  disabled={!canEdit(skill)}
                >
                  <Button
                    type="text"
                    danger
                    disabled={!canEdit(skill)}
                    icon={<DeleteOutlined aria-hidden />}
                    aria-label={t('skills.deleteLabel', { name: skill.name })}
                  />
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <SkillEditor
        open={editor.open}
        skillId={editor.id}
        canPublish={canPublish}
        onClose={() => setEditor({ open: false, id: null })}
      />
    </section>
  );
}

import { DeleteOutlined, EditOutlined, PlusOutlined, StarOutlined } from '@ant-design/icons';
import { Alert, App, Button, Flex, Popconfirm, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ScenarioPublic } from '@/client/types.gen';
import { describeError } from '@/lib/describe-error';
import { useAdminScenarios, useDeleteScenario, useSetDefaultScenario } from '../api/scenarios-admin-api';
import { ScenarioForm } from './scenario-form';

/** Every scenario: create, edit, choose the default, delete. */
export function ScenariosAdmin() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { data, error, isPending } = useAdminScenarios();
  const setDefault = useSetDefaultScenario();
  const remove = useDeleteScenario();
  const [editing, setEditing] = useState<{ open: boolean; scenario: ScenarioPublic | null }>({ open: false, scenario: null });
  const onError = (err: unknown) => message.error(describeError(err, t));

  return (
    <section aria-labelledby="scenarios-admin-title">
      <Flex align="center" justify="space-between" wrap gap={12} style={{ marginBottom: 16 }}>
        <Typography.Title level={2} id="scenarios-admin-title" style={{ fontSize: 18, margin: 0 }}>
          {t('admin.scenarios.title')}
        </Typography.Title>
        <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => setEditing({ open: true, scenario: null })}>
          {t('admin.scenarios.create')}
        </Button>
      </Flex>
      {error ? <Alert type="error" showIcon title={describeError(error, t)} /> : null}
      <Table<ScenarioPublic>
        rowKey="id"
        loading={isPending}
        dataSource={data?.items ?? []}
        scroll={{ x: 900 }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          {
            title: t('admin.scenarios.name'),
            dataIndex: 'name',
            render: (name: string, scenario) => (
              <Flex gap={8} align="center">
                <span aria-hidden style={{ fontSize: 20 }}>{scenario.icon}</span>
                <Flex vertical>
                  <Typography.Text strong>{name}</Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>{scenario.slug}</Typography.Text>
                </Flex>
              </Flex>
            ),
          },
          { title: t('scenarios.category'), dataIndex: 'category', width: 130 },
          {
            title: t('admin.scenarios.status'),
            width: 240,
            render: (_, scenario) => (
              <Flex gap={4} wrap>
                {scenario.is_default ? <Tag color="gold">{t('scenarios.default')}</Tag> : null}
                <Tag color={scenario.is_public ? 'green' : 'default'}>{scenario.is_public ? t('admin.scenarios.public') : t('skills.private')}</Tag>
                {!scenario.is_enabled ? <Tag color="red">{t('admin.scenarios.disabled')}</Tag> : null}
                {scenario.is_builtin ? <Tag>{t('admin.scenarios.builtin')}</Tag> : null}
              </Flex>
            ),
          },
          { title: t('admin.scenarios.model'), dataIndex: 'model', width: 120, render: (model: string | null) => model || '—' },
          { title: t('admin.scenarios.tools'), dataIndex: 'tools', width: 200, render: (tools: string[]) => <Typography.Text ellipsis style={{ maxWidth: 190 }}>{tools.join(', ') || '—'}</Typography.Text> },
          {
            title: t('common.actions'),
            width: 140,
            fixed: 'right',
            render: (_, scenario) => (
              <Space size={0}>
                <Button type="text" icon={<EditOutlined aria-hidden />} aria-label={t('admin.scenarios.editLabel', { name: scenario.name })} onClick={() => setEditing({ open: true, scenario })} />
                <Tooltip title={t('admin.scenarios.makeDefault')}>
                  <Button
                    type="text"
                    icon={<StarOutlined aria-hidden />}
                    disabled={scenario.is_default}
                    aria-label={t('admin.scenarios.makeDefaultLabel', { name: scenario.name })}
                    onClick={() => setDefault.mutate(scenario.id, { onError, onSuccess: () => message.success(t('admin.scenarios.defaultSet', { name: scenario.name })) })}
                  />
                </Tooltip>
                <Popconfirm
                  title={t('admin.scenarios.deleteConfirm', { name: scenario.name })}
                  okText={t('common.delete')}
                  cancelText={t('common.cancel')}
                  okButtonProps={{ danger: true }}
                  onConfirm={() => remove.mutate(scenario.id, { onError })}
                >
                  <Button type="text" danger icon={<DeleteOutlined aria-hidden />} aria-label={t('admin.scenarios.deleteLabel', { name: scenario.name })} />
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <ScenarioForm open={editing.open} scenario={editing.scenario} onClose={() => setEditing({ open: false, scenario: null })} />
    </section>
  );
}

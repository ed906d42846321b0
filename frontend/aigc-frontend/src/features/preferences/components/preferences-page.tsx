import { DeleteOutlined, DislikeOutlined, EditOutlined, LikeOutlined, PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Collapse,
  Descriptions,
  Empty,
  Flex,
  Input,
  Popconfirm,
  Space,
  Spin,
  Switch,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { PreferenceItemIn, PreferenceItemPublic } from '@/client/types.gen';
import { paths } from '@/config/paths';
import { describeError } from '@/lib/describe-error';
import { formatDateTime } from '@/lib/format';
import { useMyPreferences, useResetMyPreferences, useUpdateMyPreferences } from '../api/preferences-api';

const toInput = (item: PreferenceItemPublic): PreferenceItemIn => ({
  id: item.id,
  instruction: item.instruction,
  scope: item.scope,
  enabled: item.enabled ?? true,
});

function Evidence({ item }: { item: PreferenceItemPublic }) {
  const { t, i18n } = useTranslation();
  const evidence = item.evidence ?? [];
  if (evidence.length === 0) return <Typography.Text type="secondary">{t('preferences.noEvidence')}</Typography.Text>;
  return (
    <ul className="evidence-list">
      {evidence.map((entry) => (
        <li key={entry.feedback_id}>
          {entry.rating === 'up' ? (
            <LikeOutlined aria-label={t('feedback.up')} />
          ) : (
            <DislikeOutlined aria-label={t('feedback.down')} />
          )}
          {(entry.tags ?? []).map((tag) => (
            <Tag key={tag}>{tag}</Tag>
          ))}
          {entry.comment ? <Typography.Text italic>“{entry.comment}”</Typography.Text> : null}
          <Typography.Text type="secondary">{formatDateTime(entry.created_at, i18n.language)}</Typography.Text>
          <Link to={`${paths.chat}/${entry.session_id}`}>{t('preferences.openConversation')}</Link>
        </li>
      ))}
    </ul>
  );
}

/** What the platform learned from my feedback: review, edit, remove, pause learning or reset. */
export function PreferencesPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { data, error, isPending } = useMyPreferences();
  const update = useUpdateMyPreferences();
  const reset = useResetMyPreferences();
  const [editing, setEditing] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [adding, setAdding] = useState(false);

  if (isPending) return <Spin style={{ display: 'block', margin: '48px auto' }} />;
  if (error || !data) return <Alert type="error" showIcon title={describeError(error, t)} />;

  const items = data.items;
  const saveItems = (next: PreferenceItemIn[], done?: () => void) =>
    update.mutate(
      { items: next },
      {
        onSuccess: () => {
          message.success(t('common.saved'));
          done?.();
        },
        onError: (err) => message.error(describeError(err, t)),
      },
    );
  const replace = (id: string, change: Partial<PreferenceItemIn> | null) =>
    items.flatMap((item) => (item.id === id ? (change ? [{ ...toInput(item), ...change }] : []) : [toInput(item)]));
  const label = (item: PreferenceItemPublic) =>
    i18n.language === 'zh-CN' && item.instruction_zh ? item.instruction_zh : item.instruction;

  return (
    <section aria-labelledby="page-title" className="preferences-page">
      <Flex align="center" justify="space-between" wrap gap={12}>
        <Typography.Title level={1} id="page-title" style={{ fontSize: 24, margin: 0 }}>
          {t('pages.preferences.title')}
        </Typography.Title>
        <Space wrap>
          <Flex align="center" gap={8}>
            <Switch
              id="pause-learning"
              checked={data.paused}
              loading={update.isPending}
              onChange={(paused) => update.mutate({ paused }, { onError: (err) => message.error(describeError(err, t)) })}
            />
            <label htmlFor="pause-learning">{t('preferences.pause')}</label>
          </Flex>
          <Popconfirm
            title={t('preferences.resetConfirm')}
            description={t('preferences.resetHint')}
            okText={t('preferences.reset')}
            cancelText={t('common.cancel')}
            okButtonProps={{ danger: true }}
            onConfirm={() =>
              reset.mutate(undefined, {
                onSuccess: () => message.success(t('preferences.resetDone')),
                onError: (err) => message.error(describeError(err, t)),
              })
            }
          >
            <Button danger>{t('preferences.reset')}</Button>
          </Popconfirm>
        </Space>
      </Flex>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {t('preferences.intro')}
      </Typography.Paragraph>
      {data.paused ? <Alert type="warning" showIcon title={t('preferences.paused')} style={{ marginBottom: 16 }} /> : null}
      <Card size="small" style={{ marginBottom: 16 }}>
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 2, lg: 4 }}
          items={[
            { key: 'feedback', label: t('preferences.feedbackCount'), children: data.feedback_count },
            { key: 'version', label: t('preferences.version'), children: data.version },
            {
              key: 'learned',
              label: t('preferences.learnedAt'),
              children: data.learned_at ? formatDateTime(data.learned_at, i18n.language) : t('preferences.never'),
            },
            { key: 'model', label: t('preferences.learner'), children: data.model_used || '—' },
          ]}
        />
        {data.summary ? <Typography.Paragraph style={{ margin: '8px 0 0' }}>{data.summary}</Typography.Paragraph> : null}
      </Card>
      {items.length === 0 ? (
        <Empty description={t('preferences.empty')} style={{ margin: '32px 0' }} />
      ) : (
        <Flex vertical gap={12} role="list" aria-label={t('preferences.listLabel')}>
          {items.map((item) => (
            <Card key={item.id} size="small" role="listitem" className="preference-card">
              <Flex align="flex-start" gap={12}>
                <Switch
                  size="small"
                  checked={item.enabled ?? true}
                  aria-label={t('preferences.enabled', { name: label(item) })}
                  onChange={(enabled) => saveItems(replace(item.id, { enabled }))}
                />
                <Flex vertical style={{ flex: 1, minWidth: 0 }} gap={6}>
                  {editing === item.id ? (
                    <Space.Compact style={{ width: '100%' }}>
                      <Input
                        value={text}
                        autoFocus
                        maxLength={300}
                        aria-label={t('preferences.instruction')}
                        onChange={(event) => setText(event.target.value)}
                        onPressEnter={() => text.trim() && saveItems(replace(item.id, { instruction: text.trim() }), () => setEditing(null))}
                      />
                      <Button
                        type="primary"
                        disabled={!text.trim()}
                        onClick={() => saveItems(replace(item.id, { instruction: text.trim() }), () => setEditing(null))}
                      >
                        {t('common.save')}
                      </Button>
                      <Button onClick={() => setEditing(null)}>{t('common.cancel')}</Button>
                    </Space.Compact>
                  ) : (
                    <Typography.Text strong className="preference-text">
                      {label(item)}
                    </Typography.Text>
                  )}
                  <Flex gap={4} wrap>
                    <Tag color="blue">{item.scope === 'all' ? t('preferences.allScenarios') : (item.scenario_name ?? item.scope)}</Tag>
                    <Tag>{t(`preferences.source.${item.source}`)}</Tag>
                    {item.confidence != null ? (
                      <Tag>{t('preferences.confidence', { value: Math.round(item.confidence * 100) })}</Tag>
                    ) : null}
                  </Flex>
                  <Collapse
                    size="small"
                    ghost
                    items={[
                      {
                        key: 'evidence',
                        label: t('preferences.evidence', { count: item.evidence?.length ?? 0 }),
                        children: <Evidence item={item} />,
                      },
                    ]}
                  />
                </Flex>
                <Space size={0}>
                  <Button
                    type="text"
                    icon={<EditOutlined aria-hidden />}
                    aria-label={t('preferences.edit', { name: label(item) })}
                    onClick={() => {
                      setEditing(item.id);
                      setText(item.instruction);
                    }}
                  />
                  <Popconfirm
                    title={t('preferences.removeConfirm')}
                    okText={t('common.delete')}
                    cancelText={t('common.cancel')}
                    onConfirm={() => saveItems(replace(item.id, null))}
                  >
                    <Button
                      type="text"
                      danger
                      icon={<DeleteOutlined aria-hidden />}
                      aria-label={t('preferences.remove', { name: label(item) })}
                    />
                  </Popconfirm>
                </Space>
              </Flex>
            </Card>
          ))}
        </Flex>
      )}
      <div style={{ marginTop: 16 }}>
        {adding ? (
          <Space.Compact style={{ width: '100%', maxWidth: 640 }}>
            <Input
              value={text}
              autoFocus
              maxLength={300}
              placeholder={t('preferences.addPlaceholder')}
              aria-label={t('preferences.instruction')}
              onChange={(event) => setText(event.target.value)}
            />
            <Button
              type="primary"
              disabled={!text.trim()}
              onClick={() =>
                saveItems([...items.map(toInput), { instruction: text.trim(), scope: 'all', enabled: true }], () => {
                  setAdding(false);
                  setText('');
                })
              }
            >
              {t('common.save')}
            </Button>
            <Button onClick={() => setAdding(false)}>{t('common.cancel')}</Button>
          </Space.Compact>
        ) : (
          <Button
            icon={<PlusOutlined aria-hidden />}
            onClick={() => {
              setAdding(true);
              setEditing(null);
              setText('');
            }}
          >
            {t('preferences.add')}
          </Button>
        )}
      </div>
    </section>
  );
}

import { Alert, Button, Checkbox, Col, Divider, Drawer, Form, Input, InputNumber, Row, Select, Space, Switch } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { ScenarioCreate, ScenarioPublic } from '@/client/types.gen';
import { describeError } from '@/lib/describe-error';
import { useCreateScenario, useSkillChoices, useUpdateScenario } from '../api/scenarios-admin-api';

export const KNOWN_TOOLS = ['Read', 'Write', 'Edit', 'Glob', 'Grep', 'Skill', 'TodoWrite', 'NotebookEdit', 'Bash', 'WebFetch', 'WebSearch'];
const LANGUAGES = ['en-US', 'zh-CN'] as const;

interface TranslationFields {
  name?: string;
  description?: string;
  example_prompts?: string;
}

interface FormValues extends Omit<ScenarioCreate, 'example_prompts' | 'translations'> {
  example_prompts?: string;
  translations?: Partial<Record<(typeof LANGUAGES)[number], TranslationFields>>;
}

const lines = (text?: string) => (text ?? '').split('\n').map((line) => line.trim()).filter(Boolean);

function toForm(scenario: ScenarioPublic | null): FormValues {
  if (!scenario) {
    return { name: '', category: 'general', icon: '🤖', tools: ['Read', 'Write', 'Edit', 'Glob', 'Grep'], max_turns: 20, is_public: true, is_enabled: true, tags: [], skill_ids: [], allowed_models: [] };
  }
  const translations: FormValues['translations'] = {};
  for (const language of LANGUAGES) {
    const value = (scenario.translations?.[language] ?? {}) as { name?: string; description?: string; example_prompts?: string[] };
    translations[language] = {
      name: value.name,
      description: value.description,
      example_prompts: (value.example_prompts ?? []).join('\n'),
    };
  }
  return {
    ...scenario,
    example_prompts: scenario.example_prompts.join('\n'),
    translations,
    skill_ids: scenario.skill_ids ?? [],
  };
}

function fromForm(values: FormValues): ScenarioCreate {
  const translations: ScenarioCreate['translations'] = {};
  for (const language of LANGUAGES) {
    const value = values.translations?.[language];
    const entry = {
      ...(value?.name?.trim() ? { name: value.name.trim() } : {}),
      ...(value?.description?.trim() ? { description: value.description.trim() } : {}),
      ...(lines(value?.example_prompts).length ? { example_prompts: lines(value?.example_prompts) } : {}),
    };
    if (Object.keys(entry).length) translations[language] = entry;
  }
  return {
    name: values.name,
    slug: values.slug || undefined,
    description: values.description ?? '',
    category: values.category || 'general',
    icon: values.icon || '🤖',
    tags: values.tags ?? [],
    example_prompts: lines(values.example_prompts),
    translations,
    system_prompt: values.system_prompt ?? '',
    model: values.model || null,
    allowed_models: values.allowed_models ?? [],
    tools: values.tools ?? [],
    skill_ids: values.skill_ids ?? [],
    max_turns: values.max_turns ?? 20,
    max_budget_usd: values.max_budget_usd || null,
    is_public: values.is_public ?? true,
    is_enabled: values.is_enabled ?? true,
  };
}

/** Create or edit a scenario: texts, translations, system prompt, tools, skills, model and limits. */
export function ScenarioForm({ scenario, open, onClose }: { scenario: ScenarioPublic | null; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<FormValues>();
  const create = useCreateScenario();
  const update = useUpdateScenario();
  const skills = useSkillChoices();
  const error = create.error ?? update.error;

  useEffect(() => {
    if (open) {
      form.resetFields();
      form.setFieldsValue(toForm(scenario));
      // Only a used mutation needs clearing; resetting an idle one still re-renders the whole form.
      if (!create.isIdle) create.reset();
      if (!update.isIdle) update.reset();
    }
  }, [open, scenario]); // eslint-disable-line

  const submit = (values: FormValues) => {
    const body = fromForm(values);
    if (scenario) {
      const { slug: _slug, ...rest } = body;
      update.mutate({ id: scenario.id, body: rest }, { onSuccess: onClose });
    } else {
      create.mutate(body, { onSuccess: onClose });
    }
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      size="min(860px, 100vw)"
      title={scenario ? t('admin.scenarios.editTitle', { name: scenario.name }) : t('admin.scenarios.create')}
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={create.isPending || update.isPending} onClick={() => form.submit()}>
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      {error ? <Alert type="error" showIcon title={describeError(error, t)} style={{ marginBottom: 12 }} /> : null}
      <Form form={form} layout="vertical" onFinish={submit} requiredMark="optional">
        <Row gutter={16}>
          <Col xs={24} md={4}>
            <Form.Item name="icon" label={t('admin.scenarios.icon')}>
              <Input maxLength={32} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="name" label={t('admin.scenarios.name')} rules={[{ required: true, max: 100 }]}>
              <Input />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="category" label={t('scenarios.category')} rules={[{ required: true, max: 50 }]}>
              <Input />
            </Form.Item>
          </Col>
        </Row>
        {!scenario ? (
          <Form.Item name="slug" label={t('admin.scenarios.slug')} extra={t('admin.scenarios.slugHint')} rules={[{ pattern: /^[a-z0-9][a-z0-9-]{1,63}$/ }]}>
            <Input />
          </Form.Item>
        ) : null}
        <Form.Item name="description" label={t('admin.scenarios.description')}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={2000} />
        </Form.Item>
        <Form.Item name="tags" label={t('scenarios.tags')}>
          <Select mode="tags" tokenSeparators={[',', '，']} open={false} suffixIcon={null} />
        </Form.Item>
        <Form.Item name="example_prompts" label={t('admin.scenarios.examples')} extra={t('admin.scenarios.onePerLine')}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} />
        </Form.Item>
        <Form.Item name="system_prompt" label={t('admin.scenarios.systemPrompt')}>
          <Input.TextArea autoSize={{ minRows: 4, maxRows: 14 }} maxLength={20000} className="code-editor-inline" />
        </Form.Item>
        <Form.Item name="tools" label={t('admin.scenarios.tools')} extra={t('admin.scenarios.toolsHint')}>
          <Checkbox.Group options={KNOWN_TOOLS.map((tool) => ({ value: tool, label: tool }))} />
        </Form.Item>
        <Form.Item name="skill_ids" label={t('admin.scenarios.skills')}>
          <Select
            mode="multiple"
            loading={skills.isPending}
            optionFilterProp="label"
            options={(skills.data?.items ?? []).map((skill) => ({ value: skill.id, label: skill.name }))}
          />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} md={8}>
            <Form.Item name="model" label={t('admin.scenarios.model')} extra={t('admin.scenarios.modelHint')}>
              <Input placeholder="sonnet" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="allowed_models" label={t('admin.scenarios.allowedModels')}>
              <Select mode="tags" open={false} suffixIcon={null} />
            </Form.Item>
          </Col>
          <Col xs={12} md={4}>
            <Form.Item name="max_turns" label={t('admin.scenarios.maxTurns')}>
              <InputNumber min={1} max={200} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={12} md={4}>
            <Form.Item name="max_budget_usd" label={t('admin.scenarios.budget')}>
              <InputNumber min={0.01} max={100} step={0.5} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Space size="large">
          <Form.Item name="is_public" label={t('admin.scenarios.public')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="is_enabled" label={t('admin.scenarios.enabled')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>
        {LANGUAGES.map((language) => (
          <div key={language}>
            <Divider titlePlacement="start">{t('admin.scenarios.translation', { language: t(`admin.languages.${language}`) })}</Divider>
            <Form.Item name={['translations', language, 'name']} label={t('admin.scenarios.name')}>
              <Input maxLength={100} />
            </Form.Item>
            <Form.Item name={['translations', language, 'description']} label={t('admin.scenarios.description')}>
              <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} />
            </Form.Item>
            <Form.Item name={['translations', language, 'example_prompts']} label={t('admin.scenarios.examples')} extra={t('admin.scenarios.onePerLine')}>
              <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} />
            </Form.Item>
          </div>
        ))}
      </Form>
    </Drawer>
  );
}

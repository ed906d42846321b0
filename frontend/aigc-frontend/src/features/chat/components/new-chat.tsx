import { Sender, Welcome } from '@ant-design/x';
import { Alert, Button, Flex, Spin, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { labelledSenderInput } from '@/components/labelled-sender-input';
import { paths } from '@/config/paths';
import { describeError } from '@/lib/describe-error';
import { localizeScenario } from '@/lib/localize-scenario';
import { useChatScenario } from '../api/get-scenario';
import { useStartChat } from '../hooks/use-start-chat';

const newChatInput = labelledSenderInput('chat.newInputLabel');
const messageInput = labelledSenderInput('chat.inputLabel');

/**
 * No session open: start one. With `?scenario=<id>` (a scenario's Start button) the scenario is picked and
 * its example prompts are offered; without it the platform picks the scenario from the first message.
 * Either way the session is created with the first message, never empty.
 */
export function NewChat() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const scenarioId = params.get('scenario');
  const scenario = useChatScenario(scenarioId);
  const [text, setText] = useState('');
  const { start, isPending, error } = useStartChat();
  const picked = scenario.data ? localizeScenario(scenario.data, i18n.language) : null;

  const send = (value: string) => {
    if (!value.trim() || isPending) return;
    void start({ scenarioId: scenarioId ?? 'auto', prompt: value }).catch(() => undefined);
  };

  if (scenarioId && scenario.isPending) return <Spin style={{ display: 'block', margin: '48px auto' }} />;

  return (
    <Flex vertical gap={24} className="new-chat">
      {picked && scenario.data ? (
        <Welcome
          variant="borderless"
          icon={<span className="scenario-icon">{scenario.data.icon || '🤖'}</span>}
          title={
            <h1 id="page-title" className="new-chat-title">
              {picked.name}
            </h1>
          }
          description={picked.description}
          extra={<Button onClick={() => navigate(paths.scenarios)}>{t('chat.browseScenarios')}</Button>}
        />
      ) : (
        <Welcome
          variant="borderless"
          icon="💬"
          title={
            <h1 id="page-title" className="new-chat-title">
              {t('chat.newTitle')}
            </h1>
          }
          description={t('chat.newDescription')}
          extra={<Button onClick={() => navigate(paths.scenarios)}>{t('chat.browseScenarios')}</Button>}
        />
      )}
      {scenario.isError ? <Alert type="warning" showIcon title={describeError(scenario.error, t)} /> : null}
      {picked && picked.examplePrompts.length > 0 ? (
        <Flex vertical gap={8} role="group" aria-labelledby="example-prompts-title">
          <Typography.Text type="secondary" id="example-prompts-title">
            {t('chat.examplePrompts')}
          </Typography.Text>
          <Flex gap={8} wrap>
            {picked.examplePrompts.map((prompt) => (
              <Button key={prompt} className="example-prompt" disabled={isPending} onClick={() => send(prompt)} title={prompt}>
                <span className="example-prompt-text">{prompt}</span>
              </Button>
            ))}
          </Flex>
        </Flex>
      ) : null}
      {error ? <Alert type="error" showIcon title={describeError(error, t)} /> : null}
      <Sender
        value={text}
        onChange={setText}
        loading={isPending}
        placeholder={picked ? t('chat.placeholder') : t('chat.autoPlaceholder')}
        components={picked ? messageInput : newChatInput}
        onSubmit={send}
      />
    </Flex>
  );
}

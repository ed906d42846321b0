import { DownloadOutlined, EyeOutlined, FileOutlined } from '@ant-design/icons';
import { App, Button, Empty, Flex, Modal, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ArtifactPublic } from '@/client/types.gen';
import { describeError } from '@/lib/describe-error';
import { downloadFile } from '@/lib/download';
import { formatBytes } from '@/lib/format';
import { ArtifactPreview } from './artifact-preview';

/** The files the agent produced in this session: preview and download. */
export function ArtifactsPanel({ artifacts }: { artifacts: ArtifactPublic[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [open, setOpen] = useState<ArtifactPublic | null>(null);

  const download = (artifact: ArtifactPublic) =>
    downloadFile(`/api/v1/artifacts/${artifact.id}/download`, artifact.name).catch((error: unknown) =>
      message.error(describeError(error, t)),
    );

  return (
    <section aria-labelledby="artifacts-title" className="artifacts-panel">
      <Typography.Title level={2} id="artifacts-title" style={{ fontSize: 16, marginTop: 0 }}>
        {t('chat.artifacts.title')}
      </Typography.Title>
      {artifacts.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('chat.artifacts.empty')} />
      ) : (
        <ul className="artifact-list">
          {artifacts.map((artifact) => (
            <li key={artifact.id}>
              <Flex align="center" gap={8}>
                <FileOutlined aria-hidden />
                <Flex vertical style={{ minWidth: 0, flex: 1 }}>
                  <Typography.Text ellipsis title={artifact.path}>
                    {artifact.name}
                  </Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {formatBytes(artifact.size)}
                  </Typography.Text>
                </Flex>
                <Space size={2}>
                  <Button
                    type="text"
                    size="small"
                    icon={<EyeOutlined aria-hidden />}
                    aria-label={t('chat.artifacts.preview', { name: artifact.name })}
                    onClick={() => setOpen(artifact)}
                  />
                  <Button
                    type="text"
                    size="small"
                    icon={<DownloadOutlined aria-hidden />}
                    aria-label={t('chat.artifacts.download', { name: artifact.name })}
                    onClick={() => void download(artifact)}
                  />
                </Space>
              </Flex>
            </li>
          ))}
        </ul>
      )}
      <Modal
        open={open !== null}
        title={open?.name}
        onCancel={() => setOpen(null)}
        width={820}
        destroyOnHidden
        footer={
          open ? (
            <Button icon={<DownloadOutlined aria-hidden />} onClick={() => void download(open)}>
              {t('chat.artifacts.downloadButton')}
            </Button>
          ) : null
        }
      >
        {open ? <ArtifactPreview artifact={open} /> : null}
      </Modal>
    </section>
  );
}

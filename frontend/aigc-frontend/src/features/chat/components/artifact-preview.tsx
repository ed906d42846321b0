import { Alert, Empty, Segmented, Spin, Table, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ArtifactPreview as Preview, ArtifactPublic } from '@/client/types.gen';
import { MarkdownView } from '@/components/markdown-view';
import { describeError } from '@/lib/describe-error';
import { fetchBlob } from '@/lib/download';
import { useArtifactPreview } from '../api/get-artifact-preview';

/** A small CSV reader (quotes, doubled quotes, CRLF); previews are capped by the server anyway. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function CsvTable({ text }: { text: string }) {
  const rows = useMemo(() => parseCsv(text), [text]);
  if (rows.length === 0) return <Empty />;
  const [header, ...body] = rows;
  return (
    <Table
      size="small"
      pagination={body.length > 50 ? { pageSize: 50 } : false}
      scroll={{ x: 'max-content' }}
      columns={header.map((title, index) => ({ title, dataIndex: index, key: index }))}
      dataSource={body.map((cells, index) => ({ key: index, ...cells }))}
    />
  );
}

function ImagePreview({ artifact }: { artifact: ArtifactPublic }) {
  const { t } = useTranslation();
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let objectUrl: string | null = null;
    let active = true;
    fetchBlob(`/api/v1/artifacts/${artifact.id}/download`)
      .then(({ blob }) => {
        objectUrl = URL.createObjectURL(blob);
        if (active) setUrl(objectUrl);
      })
      .catch(() => active && setFailed(true));
    return () => {
      active = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [artifact.id]);
  if (failed) return <Alert type="error" title={t('chat.artifacts.previewFailed')} />;
  if (!url) return <Spin />;
  return <img src={url} alt={artifact.name} style={{ maxWidth: '100%' }} />;
}

function TextBlock({ text }: { text: string }) {
  return <pre className="artifact-text">{text}</pre>;
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function Body({ preview, artifact }: { preview: Preview; artifact: ArtifactPublic }) {
  const { t } = useTranslation();
  const [view, setView] = useState<'rendered' | 'source'>('rendered');
  const text = preview.text ?? '';
  switch (preview.kind) {
    case 'image':
      return <ImagePreview artifact={artifact} />;
    case 'markdown':
    case 'html':
    case 'csv':
      return (
        <>
          <Segmented
            size="small"
            value={view}
            onChange={(value) => setView(value as 'rendered' | 'source')}
            options={[
              { value: 'rendered', label: t('chat.artifacts.rendered') },
              { value: 'source', label: t('chat.artifacts.source') },
            ]}
            style={{ marginBottom: 12 }}
          />
          {view === 'source' ? <TextBlock text={text} /> : null}
          {view === 'rendered' && preview.kind === 'markdown' ? <MarkdownView text={text} /> : null}
          {view === 'rendered' && preview.kind === 'csv' ? <CsvTable text={text} /> : null}
          {view === 'rendered' && preview.kind === 'html' ? (
            // An empty sandbox: no scripts, no same-origin access, no forms, no top navigation.
            <iframe title={artifact.name} sandbox="" srcDoc={text} className="artifact-frame" />
          ) : null}
        </>
      );
    case 'json':
      return <TextBlock text={prettyJson(text)} />;
    case 'text':
      return <TextBlock text={text} />;
    default:
      return <Empty description={t('chat.artifacts.noPreview')} />;
  }
}

/** The preview of one artifact, by kind: text, Markdown, CSV, JSON, HTML (sandboxed) or image. */
export function ArtifactPreview({ artifact }: { artifact: ArtifactPublic }) {
  const { t } = useTranslation();
  const { data, error, isPending } = useArtifactPreview(artifact.id, artifact.updated_at);
  if (isPending) return <Spin />;
  if (error) return <Alert type="error" showIcon title={describeError(error, t)} />;
  return (
    <div>
      {data.truncated ? (
        <Alert type="info" showIcon title={t('chat.artifacts.truncated')} style={{ marginBottom: 12 }} />
      ) : null}
      <Body preview={data} artifact={artifact} />
      <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8 }}>
        {artifact.path} · {artifact.mime_type}
      </Typography.Text>
    </div>
  );
}

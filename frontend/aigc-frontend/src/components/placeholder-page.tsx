import { Empty, Typography } from 'antd';

/** A page title and an empty state, for pages whose content is still to come. */
export function PlaceholderPage({ title, empty, hint }: { title: string; empty: string; hint?: string }) {
  return (
    <section aria-labelledby="page-title">
      <Typography.Title level={1} id="page-title" style={{ fontSize: 24, marginTop: 0 }}>
        {title}
      </Typography.Title>
      <Empty description={empty} style={{ marginTop: 48 }}>
        {hint ? <Typography.Text type="secondary">{hint}</Typography.Text> : null}
      </Empty>
    </section>
  );
}

"""The `aigc worker` role: runs agent turns handed out through Celery and holds the warm agents."""

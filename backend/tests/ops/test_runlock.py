"""The run lock: servers share it, a restore needs it alone."""

from __future__ import annotations

import pytest

from aigc.core.config import Settings
from aigc.ops import ServerLockError, ServerRunningError, exclusive_lock, hold_server_lock, server_is_running


def test_servers_share_the_lock(fresh_settings: Settings) -> None:
    assert not server_is_running(fresh_settings)
    with hold_server_lock(fresh_settings), hold_server_lock(fresh_settings):  # two worker processes
        assert server_is_running(fresh_settings)
    assert not server_is_running(fresh_settings)


def test_restore_and_server_exclude_each_other(fresh_settings: Settings) -> None:
    with exclusive_lock(fresh_settings):
        with (
            pytest.raises(ServerLockError, match="A restore is replacing the data"),
            hold_server_lock(fresh_settings),
        ):
            pass
        with pytest.raises(ServerRunningError), exclusive_lock(fresh_settings):
            pass
    with (
        hold_server_lock(fresh_settings),
        pytest.raises(ServerRunningError, match="stop every `aigc serve`"),
        exclusive_lock(fresh_settings),
    ):
        pass

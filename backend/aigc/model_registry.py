"""Imports every table model so that SQLModel.metadata is complete (Alembic and the schema tests).

Outside aigc.core: it names every domain, and core imports none.
"""

from sqlmodel import SQLModel

from aigc.auth import models as _auth_models  # noqa: F401
from aigc.feedback import models as _feedback_models  # noqa: F401
from aigc.integrations import models as _integration_models  # noqa: F401
from aigc.preferences import models as _preference_models  # noqa: F401
from aigc.scenarios import models as _scenario_models  # noqa: F401
from aigc.scheduler import models as _scheduler_models  # noqa: F401
from aigc.sessions import models as _session_models  # noqa: F401
from aigc.sessions import transcript_models as _transcript_models  # noqa: F401
from aigc.skills import models as _skill_models  # noqa: F401
from aigc.stats import models as _stats_models  # noqa: F401
from aigc.users import models as _users_models  # noqa: F401

metadata = SQLModel.metadata

"""`python -m migrations.init_database` (from backend/): bring the database schema up to date."""

from aigc.core.migrations import upgrade_database

if __name__ == "__main__":
    revision = upgrade_database()
    print(f"Database schema is at revision {revision}")

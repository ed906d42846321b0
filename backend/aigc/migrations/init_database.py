"""`python -m aigc.migrations.init_database`: bring the database schema up to date (as `aigc db upgrade`)."""

from aigc.core.migrations import upgrade_database

if __name__ == "__main__":
    revision = upgrade_database()
    print(f"Database schema is at revision {revision}")

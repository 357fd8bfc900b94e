-- kanban-tui's SQLite schema (github.com/Zaloog/kanban-tui, schema version 4, v0.21):
-- the CREATE TABLE statements of src/kanban_tui/backends/sqlite/database.py (init_new_db)
-- followed by its migrations v0_13_0 (schema_versions, dependencies), v0_14_0
-- (tasks.metadata) and v0_19_0 (tasks.position), as a fresh kanban-tui database ends up.
-- Its audit triggers (which only log into `audits`) are left out.
CREATE TABLE IF NOT EXISTS audits (
event_id INTEGER PRIMARY KEY,
event_timestamp DATETIME NOT NULL,
event_type TEXT NOT NULL,
object_type TEXT NOT NULL,
object_id INTEGER NOT NULL,
object_field TEXT,
value_old TEXT,
value_new TEXT
);
CREATE TABLE IF NOT EXISTS categories (
category_id INTEGER PRIMARY KEY,
name TEXT NOT NULL,
color TEXT NOT NULL,
CHECK (name <> ""),
CHECK (color <> "")
);
CREATE TABLE IF NOT EXISTS tasks (
task_id INTEGER PRIMARY KEY,
title TEXT NOT NULL,
column INTEGER NOT NULL,
category INTEGER,
description TEXT,
creation_date DATETIME NOT NULL,
start_date DATETIME,
finish_date DATETIME,
due_date DATETIME,
FOREIGN KEY (column) REFERENCES columns(column_id),
FOREIGN KEY (category) REFERENCES categories(category_id),
CHECK (title <> "")
);
CREATE TABLE IF NOT EXISTS columns (
column_id INTEGER PRIMARY KEY,
name TEXT NOT NULL,
visible BOOLEAN,
position INTEGER,
board_id INTEGER,
FOREIGN KEY (board_id) REFERENCES boards(board_id),
CHECK (name <> "")
);
CREATE TABLE IF NOT EXISTS schema_versions (
    version INTEGER PRIMARY KEY,
    applied_on DATETIME NOT NULL
);
CREATE TABLE IF NOT EXISTS  dependencies (
    dependency_id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL,
    depends_on_task_id INTEGER NOT NULL,
    FOREIGN KEY (task_id) REFERENCES tasks(task_id) ON DELETE CASCADE,
    FOREIGN KEY (depends_on_task_id) REFERENCES tasks(task_id) ON DELETE CASCADE,
    CHECK (task_id != depends_on_task_id),
    UNIQUE(task_id, depends_on_task_id)
);
CREATE TABLE IF NOT EXISTS boards (
    board_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    icon TEXT,
    creation_date DATETIME NOT NULL,
    reset_column INTEGER DEFAULT NULL,
    start_column INTEGER DEFAULT NULL,
    finish_column INTEGER DEFAULT NULL,
    FOREIGN KEY (reset_column) REFERENCES columns(column_id) ON DELETE SET NULL,
    FOREIGN KEY (start_column) REFERENCES columns(column_id) ON DELETE SET NULL,
    FOREIGN KEY (finish_column) REFERENCES columns(column_id) ON DELETE SET NULL,
    CHECK (name <> "")
);
ALTER TABLE tasks ADD COLUMN metadata TEXT DEFAULT '{}';
ALTER TABLE tasks ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
INSERT INTO schema_versions VALUES (2, '2026-01-04 09:00:00');
INSERT INTO schema_versions VALUES (3, '2026-01-04 09:00:00');
INSERT INTO schema_versions VALUES (4, '2026-01-04 09:00:00');

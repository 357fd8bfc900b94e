-- Rows as kanban-tui writes them: its default columns (Ready, Doing, Done, hidden
-- Archive) with the board's reset/start/finish columns set, ISO datetimes without a
-- zone, a category and a dependency.
INSERT INTO boards VALUES (1, 'Marketplace launch', ':rocket:', '2026-01-04T09:00:00', 1, 2, 3);
INSERT INTO columns VALUES (1, 'Ready', 1, 1, 1);
INSERT INTO columns VALUES (2, 'Doing', 1, 2, 1);
INSERT INTO columns VALUES (3, 'Done', 1, 3, 1);
INSERT INTO columns VALUES (4, 'Archive', 0, 4, 1);
INSERT INTO categories VALUES (1, 'Marketplace ops', '#ff8800');
INSERT INTO tasks (task_id, title, column, category, description, creation_date, start_date, finish_date, due_date, metadata, position)
VALUES
 (1, 'List top 200 products', 1, 1, 'Start with the best sellers.', '2026-01-05T10:00:00', NULL, NULL, '2026-02-01T00:00:00', '{}', 1),
 (2, 'Connect order feed', 2, NULL, '', '2026-01-05T10:05:00', '2026-01-06T08:00:00', NULL, NULL, '{}', 0),
 (3, 'Sign seller agreement', 3, NULL, 'Signed by legal.', '2026-01-04T11:00:00', '2026-01-04T12:00:00', '2026-01-07T16:00:00', NULL, '{}', 0),
 (4, 'Set shipping templates', 1, 1, '', '2026-01-05T10:10:00', NULL, NULL, NULL, '{}', 0),
 (5, 'Old pricing experiment', 4, NULL, '', '2026-01-02T10:10:00', NULL, '2026-01-03T10:00:00', NULL, '{}', 0);
INSERT INTO dependencies (task_id, depends_on_task_id) VALUES (1, 2);
